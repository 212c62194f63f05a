import { readFileSync } from 'node:fs';
import { LinuxBinding } from '@serialport/bindings-cpp';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { NumberLineWheel } from '../../drivers/wheel/generic/number-line-wheel.js';
import { CammeghSs2Wheel } from '../../drivers/wheel/ss2/cammegh-ss2-wheel.js';
import { hasMode, Ss2Mode } from '../../drivers/wheel/ss2/protocol.js';
import type { WheelDriver } from '../../drivers/wheel/wheel.js';
import { readSecret } from '../config/load.js';
import type { TableConfig } from '../config/schema.js';
import { Journal } from '../journal/journal.js';
import { RouletteEngine, type RouletteRules } from '../roulette/roulette-engine.js';
import type { RouletteSnapshot, TableState } from '../roulette/table-state.js';
import { EmbeddedBroker } from '../uplink/embedded-broker.js';
import { Publisher } from '../uplink/publisher.js';
import { tableTopics } from '../uplink/topics.js';

/**
 * One roulette table, wired in the order its parts depend on each other:
 * journal -> broker (embedded, if no uplink) -> uplink client -> publisher -> engine -> wheel.
 * `stop()` undoes it in reverse. Each start step checks the abort signal, so a SIGTERM during
 * start-up leaves nothing half-open.
 */
export class RouletteTable {
  private journal: Journal | null = null;
  private broker: EmbeddedBroker | null = null;
  private client: MqttClient | null = null;
  private publisher: Publisher | null = null;
  private engine: RouletteEngine | null = null;
  private wheel: WheelDriver | null = null;
  private lastStateKey = '';

  constructor(
    private readonly config: TableConfig,
    private readonly configFile: string,
    private readonly log: Logger,
  ) {}

  get state(): TableState | null {
    return this.engine?.state() ?? null;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { config, log } = this;
    const journal = (this.journal = new Journal(config.journal.path, config.studio, config.table));
    log.info({ journal: journal.path, lastSeq: journal.lastSeq(), undelivered: journal.countUndelivered() }, 'journal open');
    signal.throwIfAborted();

    if (!config.uplink) {
      this.broker = new EmbeddedBroker({
        host: config.broker.host,
        port: config.broker.port,
        credentials: config.broker.username && config.broker.passwordFile
          ? { username: config.broker.username, password: readSecret(config.broker.passwordFile, this.configFile) }
          : null,
        log: log.child({ module: 'broker' }),
      });
      await this.broker.start();
      signal.throwIfAborted();
    }

    const topics = tableTopics(config.topicPrefix, config.studio, config.table);
    const client = (this.client = mqtt.connect(this.uplinkUrl(), this.clientOptions(topics.status)));
    client.on('error', (err) => log.warn({ err: err.message }, 'uplink error'));
    client.on('offline', () => log.warn('uplink offline: events stay in the journal until it is back'));
    this.publisher = new Publisher({ client, journal, topics, window: 64, log: log.child({ module: 'uplink' }) });
    this.publisher.start();

    const wheel = (this.wheel = this.createWheel());
    const engine = (this.engine = new RouletteEngine(
      this.rules(wheel),
      (draft) => {
        journal.append(draft, engine.snapshot());
        this.publisher?.pump();
        this.publishState(true);
      },
      wheel,
      log.child({ module: 'roulette' }),
      journal.snapshot<RouletteSnapshot>(),
    ));
    engine.begin();

    wheel.on('link', (link) => {
      engine.onLink(link);
      if (link.up && this.config.openOnStart && !engine.state().open) {
        const d = engine.openTable('openOnStart');
        if (!d.ok) log.warn({ reason: d.reason }, 'could not open the table');
      }
      this.publishState(true);
    });
    wheel.on('status', (s) => {
      engine.onStatus(s);
      this.publishState(false);
    });
    wheel.on('winningNumber', (n) => engine.onWinningNumber(n));
    this.publishState(true);
    await wheel.start(signal);
    log.info({ studio: config.studio, table: config.table, wheel: config.wheel.driver }, 'table running');
  }

  async stop(): Promise<void> {
    const steps: [string, () => Promise<void> | void][] = [
      ['wheel', () => this.wheel?.stop()],
      ['publisher', () => this.publisher?.stop()],
      ['uplink', () => this.closeClient()],
      ['broker', () => this.broker?.stop()],
      ['journal', () => this.journal?.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.log.error({ part: name, err: (err as Error).message }, 'error while stopping');
      }
    }
  }

  /** Publishes the state when it changed in a way a subscriber cares about (not every rpm tick). */
  private publishState(force: boolean): void {
    const state = this.engine?.state();
    if (!state || !this.publisher) return;
    const { wheel, ...rest } = state;
    const key = JSON.stringify([rest, wheel.link, wheel.state, wheel.spin, wheel.warnings]);
    if (!force && key === this.lastStateKey) return;
    this.lastStateKey = key;
    this.publisher.publishState({ studio: this.config.studio, table: this.config.table, seq: this.journal?.lastSeq() ?? 0, ...state });
  }

  private createWheel(): WheelDriver {
    const w = this.config.wheel;
    const log = this.log.child({ module: 'wheel' });
    switch (w.driver) {
      case 'cammegh-ss2':
        return new CammeghSs2Wheel({
          port: w.port,
          baudRate: w.baudRate,
          mode: w.mode,
          binding: LinuxBinding,
          statusPeriodMs: w.statusPeriodMs,
          silenceFactor: w.silenceFactor,
          commandTimeoutMs: w.commandTimeoutMs,
          reconnect: w.reconnect,
          log,
        });
      case 'number-line':
        return new NumberLineWheel({
          port: w.port,
          baudRate: w.baudRate,
          binding: LinuxBinding,
          pattern: new RegExp(w.pattern),
          maxNumber: w.maxNumber,
          reconnect: w.reconnect,
          log,
        });
    }
  }

  private rules(wheel: WheelDriver): RouletteRules {
    const w = this.config.wheel;
    if (w.driver === 'number-line') {
      return { statusFrames: false, manualStart: true, directionAlternates: false, numberLine: true, rotorWindow: null, timeScale: 1 };
    }
    return {
      statusFrames: wheel.capabilities.statusFrames,
      manualStart: hasMode(w.mode, Ss2Mode.waitForStart),
      directionAlternates: w.checkDirection ?? hasMode(w.mode, Ss2Mode.reverseEachGame),
      numberLine: !hasMode(w.mode, Ss2Mode.noNumberLine),
      rotorWindow: w.rotorRpm ? { minRpm: w.rotorRpm.min, maxRpm: w.rotorRpm.max } : null,
      timeScale: w.timeScale,
    };
  }

  private uplinkUrl(): string {
    if (this.config.uplink) return this.config.uplink.url;
    return `mqtt://${this.config.broker.host.includes(':') ? `[${this.config.broker.host}]` : this.config.broker.host}:${this.broker?.port ?? this.config.broker.port}`;
  }

  private clientOptions(statusTopic: string): IClientOptions {
    const { config } = this;
    const up = config.uplink;
    const opts: IClientOptions = {
      clientId: up?.clientId ?? `pitbox-${config.studio}-${config.table}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    const username = up ? up.username : config.broker.username;
    const passwordFile = up ? up.passwordFile : config.broker.passwordFile;
    if (username) opts.username = username;
    if (passwordFile) opts.password = readSecret(passwordFile, this.configFile);
    if (up?.caFile) opts.ca = readFileSync(up.caFile);
    if (up?.certFile) opts.cert = readFileSync(up.certFile);
    if (up?.keyFile) opts.key = readFileSync(up.keyFile);
    return opts;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    if (!client) return;
    // A clean shutdown says offline itself; the will covers the unclean ones.
    if (client.connected) await client.publishAsync(tableTopics(this.config.topicPrefix, this.config.studio, this.config.table).status, 'offline', { qos: 1, retain: true }).catch(() => undefined);
    await client.endAsync();
  }
}
