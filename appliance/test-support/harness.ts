import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { Ss2Simulator } from '../../drivers/wheel/ss2/simulator/ss2-simulator.js';
import type { FaultRates, GameRecord } from '../../drivers/wheel/ss2/simulator/wheel-model.js';
import type { EventEnvelope } from '../contract/envelope.js';
import { Journal } from '../journal/journal.js';
import { generateKey } from '../signing/keyring.js';
import { TableVerifier, type Violation } from '../../packages/consumer/src/verifier.js';

/** Real parts for end-to-end tests and soak runs: mosquitto, a pty wheel, `pitbox run` as a child. */

/** The pids of a process's children (ps exits 1 when there is none: an empty list). */
export function childPids(pid: number): number[] {
  return spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter(Boolean);
}

/** A port the OS picks from its ephemeral range, free when this returns (for short-lived servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A port for a broker that a test stops and starts again: below Linux's ephemeral range
 * (32768-60999), so no outgoing connection and no `freePort()` of another test file can take it
 * while the broker is down; random within 20000-32767, and free when this returns.
 */
export async function brokerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free broker port in 20000-32767');
}

/**
 * A real mosquitto on a loopback port. With `persistDir`, sessions and retained messages survive
 * a restart in that directory (a SIGTERM saves them), as a production broker's do. Up means
 * this mosquitto answered an MQTT CONNECT and is still running: a broker that exited (the port
 * was taken between choosing and binding it) is an error with its own words, never mistaken
 * for whatever else listens there.
 */
export async function startMosquitto(port: number, persistDir?: string, extraConf: readonly string[] = []): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  // mosquitto started as root drops to its own user, which must be able to write the store.
  if (persistDir) chmodSync(persistDir, 0o777);
  const persistence = persistDir ? `persistence true\npersistence_location ${persistDir}/\nautosave_interval 0\nmax_queued_messages 0\n` : 'persistence false\n';
  writeFileSync(conf, `${extraConf.some((l) => l.startsWith('per_listener')) ? 'per_listener_settings true\n' : ''}listener ${port} 127.0.0.1\nallow_anonymous true\n${persistence}${extraConf.filter((l) => !l.startsWith('per_listener')).join('\n')}\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code, signal) => reject(new MosquittoExited(port, `mosquitto on port ${port} exited (${signal ?? code}) while starting: ${stderr.trim() || 'no message'}`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([exited, waitForBroker(port, 5000)]);
    if (proc.exitCode !== null || proc.signalCode !== null) await exited;
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return proc;
}

class MosquittoExited extends Error {
  constructor(
    readonly port: number,
    message: string,
  ) {
    super(message);
  }
}

/** A mosquitto on a fresh broker port, trying another port when the one chosen was taken meanwhile. */
export async function startBroker(persistDir?: string): Promise<{ port: number; proc: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await brokerPort();
    try {
      return { port, proc: await startMosquitto(port, persistDir) };
    } catch (err) {
      if (!(err instanceof MosquittoExited) || !/in use/i.test(err.message) || attempt >= 5) throw err;
    }
  }
}

/** Stops a broker with SIGTERM (a persistent one saves its store) and waits until it is gone. */
export async function stopMosquitto(broker: ChildProcess): Promise<void> {
  if (broker.exitCode !== null || broker.signalCode !== null) return;
  const exited = new Promise((resolve) => broker.once('exit', resolve));
  broker.kill('SIGTERM');
  await exited;
}

/** Waits until an MQTT broker answers on the port (a CONNACK, not just an open socket). */
async function waitForBroker(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    // One bounded attempt: CONNACK, or an error, a close or 2 s without either.
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 });
    const ok = await new Promise<boolean>((resolve) => {
      const done = (up: boolean): void => {
        clearTimeout(timer);
        client.end(true);
        resolve(up);
      };
      const timer = setTimeout(() => done(false), 2000);
      client.once('connect', () => done(true));
      client.once('error', () => done(false));
      client.once('close', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no MQTT broker answers on 127.0.0.1:${port}`);
    await sleep(50);
  }
}

/** A table config in a temporary directory, with its keys and journal, and the appliance running it. */
export interface ApplianceTable {
  readonly dir: string;
  readonly configFile: string;
  appliance: ChildProcess | null;
  readonly output: string[];
}

export interface SimulatedTable extends ApplianceTable {
  readonly sim: Ss2Simulator;
  readonly games: GameRecord[];
}

/** A card table (no wheel): `lines` is its YAML after studio/table/journal/signing. */
export function cardTable(table: string, lines: readonly string[]): ApplianceTable {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-cards-'));
  const configFile = join(dir, 'table.yaml');
  const http = lines.some((l) => l.startsWith('http:')) ? [] : ['http:', '  port: 0'];
  writeFileSync(configFile, ['studio: e2e', `table: ${table}`, 'journal:', `  path: ${join(dir, 'journal.db')}`, 'signing:', `  keyDir: ${join(dir, 'keys')}`, ...http, ...lines, ''].join('\n'));
  generateKey(join(dir, 'keys'));
  Journal.create({ path: join(dir, 'journal.db'), studio: 'e2e', table }).close();
  return { dir, configFile, appliance: null, output: [] };
}

export interface SimulatedTableOptions {
  readonly brokerPort: number;
  readonly speed: number;
  readonly faults: FaultRates;
  readonly seed: number;
  /** Extra top-level YAML lines (delivery, journal caps...). */
  readonly extraConfig?: readonly string[];
  /** Replaces the journal section. */
  readonly journalConfig?: readonly string[];
  /** Replaces the uplink section (plain MQTT to `brokerPort` by default). */
  readonly uplinkConfig?: readonly string[];
}

export async function simulatedTable(opts: SimulatedTableOptions): Promise<SimulatedTable> {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-e2e-'));
  const sim = new Ss2Simulator({
    linkPath: join(dir, 'wheel'),
    mode: 1157,
    speed: opts.speed,
    seed: opts.seed,
    faultRates: opts.faults,
    rotorWindow: { minRpm: 16, maxRpm: 18 },
    lineEnding: 'crlf',
    firstSpin: 250,
  });
  const games: GameRecord[] = [];
  sim.wheel.on('game', (g) => games.push(g));
  await sim.start();
  const configFile = join(dir, 'table.yaml');
  const statusPeriodMs = Math.max(5, Math.round(500 / opts.speed));
  writeFileSync(
    configFile,
    [
      'studio: e2e',
      'table: roulette-01',
      'game: roulette',
      'openOnStart: true',
      'wheel:',
      '  driver: cammegh-ss2',
      `  port: ${sim.linkPath}`,
      '  mode: 1157',
      `  timeScale: ${opts.speed}`,
      `  statusPeriodMs: ${statusPeriodMs}`,
      // Accelerated, the field's 4 missed frames would be 20-80 ms: a loaded test box (two test
      // files, a browser, an encoder) stalls that long. Silence detection has its own test.
      `  silenceFactor: ${Math.min(20, Math.max(4, Math.ceil(400 / statusPeriodMs)))}`,
      '  rotorRpm: { min: 16.0, max: 18.0 }',
      '  reconnect: { initialMs: 100, maxMs: 1000 }',
      ...(opts.journalConfig ?? ['journal:', '  path: JOURNAL']).map((l) => l.replace('JOURNAL', join(dir, 'journal.db'))),
      'signing:',
      `  keyDir: ${join(dir, 'keys')}`,
      ...(opts.uplinkConfig ?? ['uplink:', `  url: mqtt://127.0.0.1:${opts.brokerPort}`]),
      'broker:',
      '  enabled: false',
      'control:',
      `  socket: ${join(dir, 'control.sock')}`,
      'http:',
      '  port: 0',
      'log:',
      '  level: info',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  generateKey(join(dir, 'keys'));
  Journal.create({ path: join(dir, 'journal.db'), studio: 'e2e', table: 'roulette-01' }).close();
  return { dir, configFile, sim, games, appliance: null, output: [] };
}

export function startAppliance(table: ApplianceTable, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', '--config', table.configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  child.stdout?.on('data', (d: Buffer) => table.output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => table.output.push(d.toString()));
  table.appliance = child;
  return child;
}

/** Every event the appliance committed, read straight from its journal file. */
export function journaledEvents(table: ApplianceTable): { seq: number; body: string; delivered: number | null }[] {
  const db = new Database(join(table.dir, 'journal.db'), { readonly: true });
  try {
    return db.prepare<[], { seq: number; body: string; delivered: number | null }>('SELECT seq, body, delivered_at AS delivered FROM events ORDER BY seq').all();
  } finally {
    db.close();
  }
}

export async function stopAppliance(table: ApplianceTable, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const child = table.appliance;
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** Collects everything a table publishes, as a backend subscriber would. */
export class Subscriber {
  readonly events: EventEnvelope[] = [];
  /** Every message as received, in arrival order, for the verifier. */
  readonly raw: { kind: string; text: string }[] = [];
  readonly states: { state: Record<string, unknown>; seq: number }[] = [];
  readonly statuses: { online: boolean; alarms?: { code: string }[] }[] = [];
  readonly births: { lastSeq: number; activeKid: string; keys: { kid: string }[] }[] = [];
  readonly receivedAt = new Map<number, number>();
  private constructor(readonly client: MqttClient) {}

  /** `session`: a persistent session under that client id, so a broker restart loses nothing queued for it. */
  static async connect(port: number, prefix = 'pitbox/v1/e2e/roulette-01', session?: string): Promise<Subscriber> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 200,
      ...(session ? { clientId: session, clean: false } : {}),
    });
    const sub = new Subscriber(client);
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      const kind = topic.slice(topic.lastIndexOf('/') + 1);
      sub.raw.push({ kind, text });
      // PITBOX_RECORD_DIR: keep what the appliance really published (the contract's schemas are checked against it).
      if (process.env.PITBOX_RECORD_DIR) appendFileSync(join(process.env.PITBOX_RECORD_DIR, `${process.pid}.jsonl`), `${JSON.stringify({ topic, retain: packet.retain, text })}\n`);
      if (kind === 'events') {
        const e = JSON.parse(text) as EventEnvelope;
        if (!sub.receivedAt.has(e.seq)) sub.receivedAt.set(e.seq, performance.now());
        sub.events.push(e);
      } else if (kind === 'state') sub.states.push(JSON.parse(text) as Subscriber['states'][number]);
      else if (kind === 'status') sub.statuses.push(JSON.parse(text) as Subscriber['statuses'][number]);
      else if (kind === 'birth') sub.births.push(JSON.parse(text) as Subscriber['births'][number]);
    });
    await client.subscribeAsync(`${prefix}/birth`, { qos: 1 });
    await client.subscribeAsync([`${prefix}/events`, `${prefix}/state`, `${prefix}/status`], { qos: 1 });
    return sub;
  }

  /** Events deduplicated by id, in seq order. */
  unique(): EventEnvelope[] {
    const byId = new Map(this.events.map((e) => [e.id, e]));
    return [...byId.values()].sort((a, b) => a.seq - b.seq);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

export async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Checks what a subscriber received against what the wheel really did. Returns problems, empty
 * when every result is right: each round.result matches a game the wheel played, seq is
 * contiguous from 1, and no game the wheel voided or faulted became a result.
 */
export function auditResults(events: EventEnvelope[], games: GameRecord[]): string[] {
  const problems: string[] = [];
  events.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`seq ${e.seq} at position ${i + 1}`);
  });
  const bySpin = new Map<number, GameRecord[]>();
  for (const g of games) bySpin.set(g.spin, [...(bySpin.get(g.spin) ?? []), g]);
  for (const e of events.filter((x) => x.type === 'round.result')) {
    const d = e.data as { number: number; spin: number; direction: string };
    const candidates = bySpin.get(d.spin) ?? [];
    const game = candidates.find((g) => g.outcome === 'result' && g.number === d.number && g.direction === d.direction);
    if (!game) problems.push(`round ${e.round}: result ${d.number} on spin ${d.spin} matches no game the wheel played (${JSON.stringify(candidates)})`);
  }
  return problems;
}

/** Runs everything a subscriber received, in arrival order, through the reference verifier. */
export function verifyReceived(raw: readonly { kind: string; text: string }[], table = 'roulette-01'): { verifier: TableVerifier; violations: Violation[] } {
  const verifier = new TableVerifier({ studio: 'e2e', table });
  const violations: Violation[] = [];
  for (const { kind, text } of raw) {
    if (kind === 'birth') {
      const v = verifier.birth(text);
      if (v) violations.push(v);
    } else if (kind === 'state') {
      const v = verifier.state(text);
      if (v) violations.push(v);
    } else if (kind === 'events') {
      const out = verifier.event(text);
      if (out.kind === 'violation') violations.push(out.violation);
    }
  }
  return { verifier, violations };
}

/** One request on a table's control socket, as a button or `pitbox table` sends it. */
export function controlRequest(socket: string, action: string, by = 'test'): Promise<{ ok: boolean; reason?: string }> {
  return new Promise((resolve, reject) => {
    const c = connect(socket, () => c.write(`${JSON.stringify({ action, by })}\n`));
    c.on('data', (d) => {
      resolve(JSON.parse(d.toString()) as { ok: boolean; reason?: string });
      c.end();
    });
    c.on('error', reject);
  });
}

/** This box's first non-loopback IPv4 address (to show a listener is not reachable on it), or null. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}
