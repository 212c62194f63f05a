import { hostname } from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { canonicalize, chainHashOfText, emptyView, parseEvent, TableVerifier, type Violation } from '../../consumer/src/index.js';
import { EventStore } from './store.js';

export interface IngesterOptions {
  /** mqtt://host:port (or mqtts://), the studio's broker. */
  readonly broker: string;
  readonly mqtt?: IClientOptions;
  /** postgres://... */
  readonly database: string;
  /** Topic prefix (default pitbox/v1). */
  readonly prefix?: string;
  /** The shared subscription's group: instances of one group split the events between them. */
  readonly group?: string;
  /** This instance's name: its MQTT client id (a persistent session) and `ingested_by`. */
  readonly instance?: string;
  /** Kids the platform trusts to sign births; absent: each table's first birth (then the stored keys). */
  readonly trusted?: readonly string[];
  readonly joinMidStream?: boolean;
  /** Told about every refused message and every retried write. */
  readonly onNote?: (note: { kind: 'violation'; table: string; violation: Violation } | { kind: 'retry'; error: string } | { kind: 'stored' | 'duplicate'; table: string; seq: number }) => void;
}

const RETRY_MS = [100, 200, 500, 1000, 2000, 5000];

/**
 * pitbox-ingest: one instance of the reference ingester.
 *
 * Events come through an MQTT 5 shared subscription (`$share/GROUP/P/+/+/events`), so several
 * instances split a studio's load; births come to every instance (a plain subscription: each
 * needs every table's keys). Each event is checked on its own (form, table, signature by a key a
 * trusted birth announced) and written in one transaction (store.ts); only after the commit is
 * it acknowledged (PUBACK), so what the database did not take the broker delivers again. A
 * write that fails is retried with backoff and never acknowledged meanwhile.
 *
 * Order: a shared subscription does not keep one table's events on one instance, so events of a
 * table arrive at several instances in any order. Order is restored in the database: the row
 * key is (studio, table, seq), and each table's `contiguous` mark moves only over stored events
 * chained to the one before (prev = hash); readers read `seq <= contiguous` in seq order. Open
 * gaps are the view `pitbox_gaps`.
 */
export class Ingester {
  private client: MqttClient | null = null;
  private readonly verifiers = new Map<string, TableVerifier>();
  readonly store: EventStore;
  private readonly instance: string;
  private stopping = false;

  constructor(private readonly opts: IngesterOptions) {
    this.instance = opts.instance ?? `pitbox-ingest-${hostname()}`;
    this.store = new EventStore(opts.database, this.instance, opts.joinMidStream ?? false);
  }

  async start(): Promise<void> {
    await this.store.migrate();
    for (const [table, keys] of await this.store.loadKeys()) {
      const [studio = '', name = ''] = table.split('/');
      const kids = keys.map((k) => k.kid);
      this.verifiers.set(table, TableVerifier.resume({ studio, table: name }, { keys, trusted: this.opts.trusted ? [...this.opts.trusted, ...kids] : kids, contiguous: 0, hash: null, view: emptyView() }));
    }
    const prefix = (this.opts.prefix ?? 'pitbox/v1').replace(/\/+$/, '');
    const client = mqtt.connect(this.opts.broker, {
      protocolVersion: 5,
      clientId: this.instance,
      clean: false,
      // The session outlives a crash or a restart: what was sent to this instance and not
      // acknowledged is delivered to it again when it comes back.
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 1000,
      ...this.opts.mqtt,
    });
    this.client = client;
    // PUBACK only when handleMessage calls back: after the commit.
    client.handleMessage = (packet, done) => {
      const topic = packet.topic;
      const text = typeof packet.payload === 'string' ? packet.payload : packet.payload.toString();
      this.onMessage(topic, text).then(() => done(), (err: Error) => done(err));
    };
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(`${prefix}/+/+/birth`, { qos: 1 });
    await client.subscribeAsync(`$share/${this.opts.group ?? 'pitbox-ingest'}/${prefix}/+/+/events`, { qos: 1 });
  }

  /** Stops taking messages; what is in flight is finished (or left unacknowledged for redelivery). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.client?.endAsync();
    await this.store.end();
  }

  private async onMessage(topic: string, text: string): Promise<void> {
    const levels = topic.split('/');
    const kind = levels.at(-1);
    const studio = levels.at(-3) ?? '';
    const name = levels.at(-2) ?? '';
    const table = `${studio}/${name}`;
    let verifier = this.verifiers.get(table);
    if (!verifier) {
      verifier = new TableVerifier({ studio, table: name, ...(this.opts.trusted ? { trusted: this.opts.trusted } : {}) });
      this.verifiers.set(table, verifier);
    }
    if (kind === 'birth') {
      const violation = verifier.birth(text);
      if (violation) return this.refuse(studio, name, violation, text);
      const keys = (JSON.parse(text) as { keys: Parameters<EventStore['saveKeys']>[2] }).keys;
      return this.durably(() => this.store.saveKeys(studio, name, keys));
    }
    if (kind !== 'events') return;
    const e = parseEvent(text);
    if (!e) return this.refuse(studio, name, { code: 'malformed', detail: 'not a v1 event envelope' }, text);
    if (e.studio !== studio || e.table !== name) return this.refuse(studio, name, { code: 'wrong-table', seq: e.seq, detail: `event of ${e.studio}/${e.table} on ${table}'s topic` }, text);
    const bad = verifier.signedByKnownKey(e);
    if (bad) return this.refuse(studio, name, bad, text);
    const canonical = canonicalize(e);
    const recorded = await this.durably(() => this.store.record(e, canonical, chainHashOfText(canonical)));
    if (recorded === 'conflicting-duplicate') this.opts.onNote?.({ kind: 'violation', table, violation: { code: 'conflicting-duplicate', seq: e.seq, detail: 'stored with other content' } });
    else this.opts.onNote?.({ kind: recorded, table, seq: e.seq });
  }

  private async refuse(studio: string, table: string, violation: Violation, text: string): Promise<void> {
    this.opts.onNote?.({ kind: 'violation', table: `${studio}/${table}`, violation });
    await this.durably(() => this.store.violation(studio, table, violation.seq ?? null, violation.code, violation.detail, text));
  }

  /** Retries a write until it commits: the message it stands for stays unacknowledged meanwhile. */
  private async durably<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (this.stopping) throw err;
        this.opts.onNote?.({ kind: 'retry', error: (err as Error).message });
        await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      }
    }
  }
}
