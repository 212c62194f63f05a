// Over 400 lines on purpose: the journal, keys, brokers, delivery, alarms and the local HTTP
// server of one table start, hand over and stop in one fixed order (STYLE 5), on shared state.
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { canonicalize } from '../contract/canonical.js';
import { seal, type BirthMessage, type JsonObject, type StateMessage } from '../contract/envelope.js';
import { EventEmitter } from 'node:events';
import { readSecret } from '../config/load.js';
import type { TableConfig } from '../config/schema.js';
import { bootId, fileHash, softwareVersion } from '../identity.js';
import { Journal, type JournaledEvent } from '../journal/journal.js';
import { checkChainInBackground } from '../journal/chain-check.js';
import type { ChainReport } from '../journal/integrity.js';
import { checkSpace, prune, type Space } from '../journal/retention.js';
import { planKeys, type KeyPlan } from '../signing/key-plan.js';
import { loadKeys } from '../signing/keyring.js';
import { LocalHttpServer } from '../http/local-server.js';
import { tlsIdentity, type TlsIdentity } from '../http/tls-identity.js';
import { TableMetrics } from '../http/metrics.js';
import { DealerMonitor } from '../http/dealer-monitor.js';
import { StatusPage, type Overlay, type PreviewSource } from '../http/status-page.js';
import { EmbeddedBroker } from '../uplink/embedded-broker.js';
import { LocalMirror } from '../uplink/local-mirror.js';
import { Publisher } from '../uplink/publisher.js';
import { tableTopics, type TableTopics } from '../contract/topics.js';
import { uplinkClientOptions, uplinkUrl } from '../uplink/client-options.js';
import { revocationRefusal } from '../signing/revocation.js';
import { accepted, refused, type Decision, type EventDraft } from '../kernel/events.js';
import type { GameState, TableGame } from '../kernel/game.js';
import { monotonicNs } from '../../drivers/camera/gst.js';

const MAINTENANCE_MS = 5000;
/** How long a stop waits for the uplink to acknowledge what is in flight. */
const UPLINK_CLOSE_MS = 2000;
const MIB = 2 ** 20;
const DAY_MS = 86_400_000;

export type AlarmCode = 'journal-space' | 'journal-write' | 'journal-integrity' | 'camera-down' | 'input-device' | 'input-stuck';
/** Alarms a table raises and clears itself (not the journal's). */
export type TableAlarm = 'camera-down' | 'input-device' | 'input-stuck';
const STORAGE_ALARMS: ReadonlySet<AlarmCode> = new Set(['journal-space', 'journal-write']);

/** One message as the table publishes it. */
export interface FeedMessage {
  readonly kind: 'birth' | 'events' | 'state' | 'status';
  readonly text: string;
}

/** What a game table hears from the runtime. */
export interface RuntimeHooks {
  /** Non-null while the journal cannot safely take events: the table must suspend. */
  onStorage(problem: string | null): void;
  /** The background chain check found a bad event: the table suspends until a person acts. */
  onIntegrity(problem: string): void;
  /** What the table adds to `status` (camera health): JSON only. */
  status?(): JsonObject;
}

/**
 * Everything a table needs that is not its game: the journal, the signing keys, the brokers,
 * delivery, retention, alarms and the local HTTP pages. Every table (roulette and the card games)
 * runs its game on one.
 */
export class TableRuntime {
  readonly topics: TableTopics;
  private journal: Journal | null = null;
  private plan: KeyPlan | null = null;
  private broker: EmbeddedBroker | null = null;
  private mirror: LocalMirror | null = null;
  private client: MqttClient | null = null;
  private publisher: Publisher | null = null;
  private maintenance: NodeJS.Timeout | null = null;
  private readonly alarms = new Map<AlarmCode, string>();
  private space: Space | null = null;
  private maintainedAt = 0;
  private pendingState: JsonObject | null = null;
  private hooks: RuntimeHooks | null = null;
  private readonly stopping = new AbortController();
  /** Prometheus metrics (`/metrics`); tables add their game's (wheel, recognition, presses). */
  metrics: TableMetrics | null = null;
  private http: LocalHttpServer | null = null;
  private page: StatusPage | null = null;
  private monitor: DealerMonitor | null = null;
  private video: { framesAt(atClockNs: number): Record<string, number> } | null = null;
  /** What the table publishes, as it is published (birth, events, state, status): the status page's feed. */
  readonly feed = new EventEmitter<{ message: [FeedMessage] }>();
  /** The newest birth, state and status, for a page that opens later. */
  readonly latest = new Map<FeedMessage['kind'], string>();
  /** The background chain check: running, its report, or why it could not run. */
  private chain: { state: 'running' | 'passed' | 'failed' | 'error'; checked: number; firstBadSeq?: number; error?: string; ms?: number } | null = null;
  private readonly configHash: string;
  private readonly boot = bootId();
  private readonly software = softwareVersion();

  constructor(
    private readonly config: TableConfig,
    private readonly configFile: string,
    private readonly log: Logger,
  ) {
    this.topics = tableTopics(config.topicPrefix, config.studio, config.table);
    this.configHash = fileHash(configFile);
  }

  /** Opens the journal and keys (fatal if either is wrong), then the brokers. */
  async start(signal: AbortSignal, hooks: RuntimeHooks): Promise<Journal> {
    const { config, log } = this;
    this.hooks = hooks;
    const journal = (this.journal = Journal.open({ path: config.journal.path, studio: config.studio, table: config.table }));
    const plan = (this.plan = planKeys(loadKeys(config.signing.keyDir), journal, config.signing.keyDir));
    journal.activateKey(plan.active.jwk, plan.active.signer);
    log.info(
      { journal: journal.path, lastSeq: journal.lastSeq(), undelivered: journal.countUndelivered(), kid: plan.active.jwk.kid, nextKid: plan.next?.jwk.kid },
      'journal open',
    );
    journal.on('error', (err) => this.raise('journal-write', err.message));
    journal.on('recovered', () => this.clear('journal-write'));
    signal.throwIfAborted();

    if (!config.uplink || config.broker.enabled) {
      this.broker = new EmbeddedBroker({
        host: config.broker.host,
        port: config.broker.port,
        credentials:
          config.broker.username && config.broker.passwordFile
            ? { username: config.broker.username, password: readSecret(config.broker.passwordFile, this.configFile) }
            : null,
        log: log.child({ module: 'broker' }),
      });
      await this.broker.start();
      if (config.uplink && this.broker.instance) {
        this.mirror = new LocalMirror(this.broker.instance);
        // Local consumers learn the keys now, not when the uplink first connects (it may be down).
        this.birth(journal.committedSeq());
      }
      signal.throwIfAborted();
    }

    await this.startHttp();
    signal.throwIfAborted();

    const client = (this.client = mqtt.connect(uplinkUrl(this.config, this.broker?.port), uplinkClientOptions(this.config, this.configFile, { will: { topic: this.topics.status, payload: Buffer.from(this.offline()), qos: 1, retain: true } })));
    client.on('error', (err) => log.warn({ err: err.message }, 'uplink error'));
    client.on('offline', () => log.warn('uplink offline: events stay in the journal until it is back'));
    this.publisher = new Publisher({
      client,
      journal,
      topics: this.topics,
      log: log.child({ module: 'uplink' }),
      ...config.delivery,
      birth: (lastSeq) => this.birth(lastSeq),
      onBirth: () => this.rotateIfAnnounced(),
    });
    this.publisher.start();
    // After the publisher's own listener: a durable event goes on the wire before the state,
    // the local mirror and maintenance get their turn.
    journal.on('durable', (batch) => this.onDurable(batch));
    this.maintain();
    this.maintenance = setInterval(() => this.maintain(), MAINTENANCE_MS);
    this.checkChain(journal.path);
    return journal;
  }

  /**
   * The open check verified the newest events; this verifies all of them, in a child process,
   * once per start. A break suspends the table with an alarm naming the first bad seq; nothing
   * is rewritten, and the journal stays as evidence.
   */
  private checkChain(path: string): void {
    const t0 = performance.now();
    this.chain = { state: 'running', checked: 0 };
    checkChainInBackground(path, this.stopping.signal, (checked) => {
      if (this.chain) this.chain.checked = checked;
    }).then(
      (report: ChainReport) => {
        const ms = Math.round(performance.now() - t0);
        if (report.problem) {
          this.chain = { state: 'failed', checked: report.checked, firstBadSeq: report.problem.seq, ms };
          const reason = `journal chain broken at seq ${report.problem.seq}: ${report.problem.reason}`;
          this.raise('journal-integrity', reason);
          this.hooks?.onIntegrity(reason);
        } else {
          this.chain = { state: 'passed', checked: report.checked, ms };
          this.log.info({ checked: report.checked, fromSeq: report.fromSeq, toSeq: report.toSeq, ms }, 'journal chain verified');
        }
        this.publishStatus();
      },
      (err: Error) => {
        if (this.stopping.signal.aborted) return;
        this.chain = { state: 'error', checked: this.chain?.checked ?? 0, error: err.message };
        this.log.error({ err: err.message }, 'the background journal check could not run; the newest events were checked at open');
        this.publishStatus();
      },
    );
  }

  /**
   * Seals and queues an event; it is published once the disk has it. At a table with cameras
   * the event names, per camera, the frame being captured as it happened (`video`: capture
   * time in epoch µs, the stamp that frame carries inside the outgoing H.264: frame-stamp.ts).
   */
  append(draft: EventDraft, snapshot: unknown): JournaledEvent {
    if (!this.journal) throw new Error('the table runtime is not started');
    const video = this.video?.framesAt(monotonicNs());
    const linked = video && Object.keys(video).length > 0 ? { ...draft, data: { ...draft.data, video } } : draft;
    return this.journal.append(linked, snapshot);
  }


  /**
   * `pitbox keys revoke`: journals `key.revoked`, signed by the active key, so that a backend
   * stops trusting `kid` for everything after that seq. A revoked key on disk is never switched
   * to; the birth stops announcing it as next.
   */
  revokeKey(request: { kid: string; reason: string; by: string }, snapshot: unknown): Decision {
    const { journal, plan } = this;
    if (!journal || !plan) return refused('the table is not running');
    const why = revocationRefusal(request.kid, request.reason, plan, journal);
    if (why !== null) return refused(why);
    const event = this.append({ type: 'key.revoked', round: null, data: { kid: request.kid, reason: request.reason, by: request.by } }, snapshot);
    this.log.warn({ kid: request.kid, seq: event.seq, by: request.by, reason: request.reason }, 'signing key revoked');
    if (plan.next?.jwk.kid === request.kid) {
      // Announced but never signed: it stops being announced, and the table stays on its key.
      this.plan = { ...plan, next: null, announced: plan.announced.filter((j) => j.kid !== request.kid) };
      this.publisher?.republishBirth();
    }
    return accepted;
  }

  /**
   * Publishes the table state, signed, retained. Held back while events wait for the disk, so
   * that the `seq` a state names is always one that exists.
   */
  publishState(state: JsonObject): void {
    this.pendingState = state;
    if (this.journal && this.journal.queued() === 0) this.flushState();
  }

  /** Tells an engine created after start-up what already stands against the journal. */
  tellStanding(engine: TableGame): void {
    const storage = this.storageProblem();
    if (storage !== null) engine.onStorage(storage);
    const integrity = this.integrityProblem();
    if (integrity !== null) engine.onIntegrity(integrity);
  }

  /** Why the journal cannot take events now, or null. */
  storageProblem(): string | null {
    return [...this.alarms].find(([code]) => STORAGE_ALARMS.has(code))?.[1] ?? null;
  }

  /** Why the journal's chain cannot be vouched for (the background check found a break), or null. */
  integrityProblem(): string | null {
    return this.alarms.get('journal-integrity') ?? null;
  }

  /**
   * Whether the table can still do its work, for systemd's watchdog: the journal is open and
   * answers (`problem` null when alive). Deliberately blind to the uplink and the cameras: a
   * restart would not bring those back, and restarting on them would restart-loop the table.
   * `summary` is one line for `systemctl status`.
   */
  health(state: GameState | null): { problem: string | null; summary: string } {
    const j = this.journal;
    let problem: string | null = j ? null : 'the journal is not open';
    try {
      j?.database.prepare('SELECT 1').get();
    } catch (err) {
      problem = `the journal does not answer: ${(err as Error).message}`;
    }
    const table = !state ? 'starting' : state.suspended ? `suspended (${state.suspended.code})` : state.open ? 'open' : 'closed';
    const alarms = [...this.alarms.keys()];
    const summary = `${this.config.table}: ${table}; seq ${j?.committedSeq() ?? 0}, ${problem ? 0 : (j?.countUndelivered() ?? 0)} undelivered, uplink ${this.client?.connected ? 'connected' : 'down'}${alarms.length ? `, alarms: ${alarms.join(' ')}` : ''}`;
    return { problem, summary };
  }

  alarmList(): { code: AlarmCode; reason: string }[] {
    return [...this.alarms].map(([code, reason]) => ({ code, reason }));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.maintenance) clearInterval(this.maintenance);
    this.publisher?.stop();
    const client = this.client;
    if (client) {
      // A clean shutdown says offline itself; the will covers the unclean ones. A broker that
      // stops acknowledging must not hold the shutdown: what it never acknowledged is still
      // undelivered in the journal and goes again on the next connect.
      const graceful = async () => {
        if (client.connected) await client.publishAsync(this.topics.status, this.offline(), { qos: 1, retain: true }).catch(() => undefined);
        await client.endAsync();
      };
      const timedOut = await Promise.race([graceful().then(() => false), sleep(UPLINK_CLOSE_MS).then(() => true)]);
      if (timedOut) {
        this.log.warn({ waitedMs: UPLINK_CLOSE_MS }, 'uplink did not acknowledge in time: closing it; unacknowledged events stay in the journal');
        await client.endAsync(true);
      }
    }
    this.page?.close();
    this.monitor?.close();
    await this.http?.stop();
    await this.broker?.stop();
    this.journal?.close();
  }

  /**
   * The local HTTP server and the metrics. A port that cannot be bound costs the page and the
   * metrics, never the table: logged, and the table runs on.
   */
  private async startHttp(): Promise<void> {
    const { config, log } = this;
    this.metrics = new TableMetrics({ status: () => this.statusObject() }, { version: this.software, studio: config.studio, table: config.table, game: config.game });
    if (!config.http.enabled) return;
    let tls: TlsIdentity | null;
    try {
      tls = tlsIdentity(config.http.tls, config.http.host, dirname(config.journal.path), (file) => readSecret(file, this.configFile));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'no usable HTTPS certificate: no /metrics or status page; the table runs on');
      return;
    }
    // The journal (journald) keeps the fingerprint a technician pins; pitbox doctor prints it too.
    if (tls) log.info({ fingerprint: tls.fingerprint, source: tls.source, certificate: tls.certFile, validTo: tls.validTo }, 'local HTTPS certificate');
    const server = new LocalHttpServer({
      host: config.http.host,
      port: config.http.port,
      credentials: config.http.username && config.http.passwordFile ? { username: config.http.username, password: readSecret(config.http.passwordFile, this.configFile) } : null,
      tls,
      log: log.child({ module: 'http' }),
    });
    const metrics = this.metrics;
    server.route('/metrics', async (_req, res) => {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
    });
    server.route('/healthz', (_req, res) => {
      const { problem } = this.health(null);
      res.writeHead(problem ? 503 : 200, { 'content-type': 'text/plain' }).end(`${problem ?? 'ok'}\n`);
    });
    server.route('/status.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(canonicalize(this.statusObject()));
    });
    this.page = new StatusPage(this, { studio: config.studio, table: config.table, game: config.game }, async (fresh) => {
      const result = await (await import('../doctor/page-checks.js')).pageDoctor(this.configFile, () => this.statusObject(), fresh);
      metrics.onDoctor(result.checks);
      return result;
    });
    this.page.mount(server);
    this.monitor = new DealerMonitor(this, `${config.studio}/${config.table}`);
    this.monitor.mount(server);
    try {
      await server.start();
      this.http = server;
    } catch (err) {
      log.error({ err: (err as Error).message, host: config.http.host, port: config.http.port }, 'the local HTTP server cannot listen: no /metrics or status page; the table runs on');
    }
  }

  private announce(kind: FeedMessage['kind'], text: string): void {
    if (kind !== 'events') this.latest.set(kind, text);
    this.feed.emit('message', { kind, text });
  }

  /** The table's cameras: their frames named in events, their stills on the status page (with what to draw over the recognition camera). */
  attachCameras(cameras: PreviewSource & { framesAt(atClockNs: number): Record<string, number> }, overlay: Overlay | null): void {
    // From now on every event names each camera's frame (see append).
    this.video = cameras;
    this.page?.attachCameras(cameras, overlay);
  }

  /** The bound HTTP port (tests configure 0), or null when the server is not running. */
  get httpPort(): number | null {
    return this.http?.port ?? null;
  }

  private onDurable(batch: readonly JournaledEvent[]): void {
    this.metrics?.onDurable(batch);
    for (const e of batch) this.announce('events', e.body);
    this.mirror?.events(this.topics.events, batch);
    // A burst can fill a small disk between maintenance ticks: look again, at most once a second.
    if (performance.now() - this.maintainedAt > 1000) this.maintain();
    if (this.pendingState && this.journal?.queued() === 0) this.flushState();
  }

  private flushState(): void {
    const { journal, plan, pendingState } = this;
    if (!journal || !plan || !pendingState) return;
    this.pendingState = null;
    const { config } = this;
    const { text } = seal<StateMessage>(
      { v: 1, studio: config.studio, table: config.table, ts: new Date().toISOString(), seq: journal.committedSeq(), state: pendingState, kid: this.activeSigner().kid },
      this.activeSigner(),
    );
    this.publisher?.publishState(text);
    this.announce('state', text);
    this.mirror?.retained(this.topics.state, text);
  }

  private birth(lastSeq: number): string {
    const { config, plan } = this;
    if (!plan) throw new Error('no key plan');
    const signer = this.activeSigner();
    const { text } = seal<BirthMessage>(
      {
        v: 1,
        studio: config.studio,
        table: config.table,
        ts: new Date().toISOString(),
        software: this.software,
        config: this.configHash,
        boot: this.boot,
        lastSeq,
        activeKid: signer.kid,
        keys: plan.announced,
        kid: signer.kid,
      },
      signer,
    );
    this.mirror?.retained(this.topics.birth, text);
    this.announce('birth', text);
    return text;
  }

  private activeSigner(): KeyPlan['active']['signer'] {
    if (!this.plan) throw new Error('no key plan');
    return this.plan.active.signer;
  }

  /** The broker has the birth that announces the next key: from now on, sign with it. */
  private rotateIfAnnounced(): void {
    const { plan, journal, config } = this;
    if (!plan?.next || !journal || this.stopping.signal.aborted) return;
    const next = plan.next;
    journal.activateKey(next.jwk, next.signer);
    this.plan = planKeys(loadKeys(config.signing.keyDir), journal, config.signing.keyDir);
    this.log.info({ kid: next.jwk.kid, previous: plan.active.jwk.kid }, 'signing key rotated');
    this.publisher?.republishBirth();
  }

  /** Prunes delivered events, checks space, raises or clears the alarm, refreshes status. */
  private maintain(): void {
    const { journal, config } = this;
    if (!journal) return;
    this.maintainedAt = performance.now();
    try {
      const pruned = prune(journal, { maxAgeMs: config.journal.retention.maxAgeDays * DAY_MS, maxBytes: config.journal.retention.maxMiB * MIB });
      if (pruned > 0) this.log.info({ pruned }, 'pruned delivered events');
      this.space = checkSpace(journal, { minFreeBytes: config.journal.minFreeMiB * MIB, maxBytes: config.journal.maxMiB === undefined ? null : config.journal.maxMiB * MIB });
      if (this.space.ok) this.clear('journal-space');
      else this.raise('journal-space', this.space.reason ?? 'no space');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'journal maintenance failed');
    }
    this.publishStatus();
  }

  /** Raises (reason) or clears (null) an alarm that is not the journal's, e.g. a camera down. */
  setAlarm(code: TableAlarm, reason: string | null): void {
    if (reason === null) this.clear(code);
    else this.raise(code, reason);
  }

  /** Publishes status now (a camera changed), not at the next maintenance tick. */
  refreshStatus(): void {
    this.publishStatus();
  }

  private raise(code: AlarmCode, reason: string): void {
    if (this.alarms.get(code) === reason) return;
    const fresh = !this.alarms.has(code);
    this.alarms.set(code, reason);
    const storage = STORAGE_ALARMS.has(code);
    if (fresh) this.log.error({ alarm: code, reason }, storage ? 'alarm raised: the table is suspended, nothing is dropped' : 'alarm raised');
    if (storage) this.hooks?.onStorage(reason);
    this.publishStatus();
  }

  private clear(code: AlarmCode): void {
    if (!this.alarms.delete(code)) return;
    this.log.warn({ alarm: code }, 'alarm cleared');
    if (STORAGE_ALARMS.has(code)) {
      this.hooks?.onStorage(this.storageProblem());
    }
    this.publishStatus();
  }

  /** What `status` says, as an object (also what the control socket's `status` answers). */
  statusObject(): JsonObject {
    const { journal, space } = this;
    return {
      v: 1,
      online: true,
      ts: new Date().toISOString(),
      alarms: this.alarmList(),
      journal: {
        lastSeq: journal?.committedSeq() ?? 0,
        undelivered: journal?.countUndelivered() ?? 0,
        queued: journal?.queued() ?? 0,
        usedBytes: space?.usedBytes ?? 0,
        freeBytes: space?.freeBytes ?? 0,
        ...(this.chain ? { chainCheck: { ...this.chain } } : {}),
      },
      backlog: this.publisher?.backlogRemaining() ?? 0,
      uplink: { connected: this.client?.connected ?? false },
      ...this.hooks?.status?.(),
    };
  }

  private publishStatus(): void {
    const status = canonicalize(this.statusObject());
    this.publisher?.publishStatus(status);
    this.mirror?.retained(this.topics.status, status);
    this.announce('status', status);
  }

  private offline(): string {
    return canonicalize({ v: 1, online: false });
  }


}
