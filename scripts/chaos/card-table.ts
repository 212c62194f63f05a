/**
 * The chaos soak's card table: a baccarat `pitbox run` dealing from the rendered clip with
 * `cards.source: both` (a simulated keypad and serial shoe, and the simulated dealer of
 * `pitbox simulate station`), its camera worker with an SRT output to a real stamp receiver and
 * a WHIP output to the test WHIP server, publishing to the soak's mosquitto. What it offers the
 * soak: its processes, its faults (workers killed and stopped, a receiver that stops reading,
 * the keypad and shoe unplugged, junk on both) and the audit of its rounds.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { SimulatedDealer, type DealerKey } from '../../appliance/commands/simulated-dealer.js';
import type { EventEnvelope } from '../../appliance/contract/envelope.js';
import { cardTable, controlRequest, freePort, startAppliance, stopAppliance, Subscriber, type ApplianceTable } from '../../appliance/test-support/harness.js';
import { dealerHardware, standInBin, type FakeInputNode } from '../../appliance/test-support/input-stand-ins.js';
import { clipCameraLines, clipCardLines, renderedClip } from '../../appliance/test-support/rendered-clip.js';
import { forkTiedWorker } from '../../drivers/camera/tied-worker.js';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import { encodeEvent, EV_KEY, EV_SYN, keyRecords } from '../../drivers/input/input-event.js';
import type { PtyPair } from '../../drivers/serial/pty-pair.js';
import { descendants } from './proc-sample.js';

export const CARD_TABLE = 'baccarat-01';
const KEYS: Record<DealerKey, number> = { start: 59, 'close-bets': 60, void: 61 }; // KEY_F1..F3

/** What one poll of the table saw: the control socket's status and /metrics, as text. */
export interface Seen {
  readonly t: number;
  readonly status: string;
  readonly metrics: string;
}

export class ChaosCardTable {
  appliance: ChildProcess | null = null;
  down = false;
  readonly seen: Seen[] = [];
  private dealerState: MqttClient | null = null;
  private dealer: SimulatedDealer | null = null;
  private srt: ChildProcess | null = null;
  private whip: ChildProcess | null = null;
  private srtFrames = 0;
  private whipFrames = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    readonly table: ApplianceTable,
    readonly httpPort: number,
    private readonly brokerPort: number,
    private readonly srtPort: number,
    private readonly whipPort: number,
    readonly keypad: FakeInputNode,
    readonly shoe: PtyPair,
    readonly sub: Subscriber,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(brokerPort: number, session: string): Promise<ChaosCardTable> {
    const clip = renderedClip('baccarat-round');
    const [httpPort, srtPort, whipPort] = [await freePort(), await freePort(), await freePort()];
    const table = cardTable(CARD_TABLE, [
      'game: baccarat',
      'openOnStart: true',
      ...clipCameraLines(clip),
      `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120", "whip+http://127.0.0.1:${whipPort}/whip"]`,
      '    restart: { initialMs: 1000, maxMs: 3000 }',
      // A worker started through tsx on this loaded machine takes about 8 s to say it started.
      '    firstFrameMs: 40000',
      ...clipCardLines(clip, { source: 'both' }),
      '  shoe: { driver: serial, port: DIR/shoe, matchWindowMs: 30000 }',
      'inputs:',
      '  - { name: keypad, driver: evdev, path: DIR/keypad, keys: { KEY_F1: start, KEY_F2: close-bets, KEY_F3: void } }',
      'control:',
      '  socket: DIR/control.sock',
      'uplink:',
      `  url: mqtt://127.0.0.1:${brokerPort}`,
      'broker:',
      '  enabled: false',
      'http:',
      `  port: ${httpPort}`,
      'log:',
      '  level: info',
    ]);
    const { keypad, shoe } = await dealerHardware(table);
    const sub = await Subscriber.connect(brokerPort, `pitbox/v1/e2e/${CARD_TABLE}`, session);
    const env = { PATH: `${standInBin()}:${process.env.PATH ?? ''}` };
    const box = new ChaosCardTable(table, httpPort, brokerPort, srtPort, whipPort, keypad, shoe, sub, env);
    box.startReceivers();
    return box;
  }

  get socket(): string {
    return `${this.table.dir}/control.sock`;
  }

  /** The dealer's deal: the clip's cards in the order it deals them. */
  private static deal(): string[] {
    return renderedClip('baccarat-round').expected.dealt.map((d) => d.card);
  }

  /** The clip's result, as every round must end (or be voided). */
  static expectedResult(): Record<string, unknown> {
    return renderedClip('baccarat-round').expected.result;
  }

  private startReceivers(): void {
    const stamp = workerEntry(new URL('../../appliance/consumer/stamp-receiver-worker.ts', import.meta.url).href, 'stamp-receiver-worker');
    // Tied to this process: a soak that crashes leaves no receiver behind.
    this.srt = forkTiedWorker(stamp, [`srt://127.0.0.1:${this.srtPort}?mode=listener&latency=120`], { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] });
    this.srt.stdout!.on('data', () => this.srtFrames++);
    const whip = workerEntry(new URL('../../appliance/test-support/harness.ts', import.meta.url).href, 'whip-receiver');
    this.whip = forkTiedWorker(whip, [], { stdio: ['ignore', 'pipe', 'ignore', 'ipc'], env: { ...process.env, WHIP_PORT: String(this.whipPort) } });
    this.whip.stdout!.on('data', (d: Buffer) => (this.whipFrames += d.toString().split('"frame"').length - 1));
  }

  /** Frames the receivers got so far (SRT chunks of stamp lines, WHIP frames). */
  received(): { srt: number; whip: number } {
    return { srt: this.srtFrames, whip: this.whipFrames };
  }

  /** `pitbox run` for this table, and the dealer who plays round after round on it. */
  async start(): Promise<void> {
    this.appliance = startAppliance(this.table, this.env);
    this.down = false;
    // The keypad's writing end opens once the appliance's grab helper reads it.
    await Promise.race([this.keypad.open(), sleep(60_000)]);
    if (this.dealer) return;
    const dealer = (this.dealer = new SimulatedDealer(
      {
        press: async (action) => {
          await this.keypad.write(keyRecords(KEYS[action], 1, this.keypad.stamp()), () => 0.99);
          await sleep(80);
          await this.keypad.write(keyRecords(KEYS[action], 0, this.keypad.stamp()), () => 0.99);
        },
        shoe: (card) => this.shoe.write(`${card}\r\n`),
        say: () => undefined,
      },
      { deal: ChaosCardTable.deal(), betsMs: 1000 },
    ));
    const client = (this.dealerState = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.brokerPort}`, { reconnectPeriod: 500 }));
    let state: object | null = null;
    client.on('message', (_topic, payload) => {
      const m = JSON.parse(payload.toString()) as { state?: object };
      if (m.state) dealer.onState((state = m.state));
    });
    await client.subscribeAsync(`pitbox/v1/e2e/${CARD_TABLE}/state`, { qos: 1 });
    // A press the table did not act on is retried on a tick, as the station's dealer does; a
    // technician resumes a table a fault suspended (refused while a cause stands).
    this.timers.push(setInterval(() => state && !this.down && dealer.onState(state), 500));
    this.timers.push(setInterval(() => !this.down && void controlRequest(this.socket, 'resume', 'technician').catch(() => undefined), 5_000));
  }

  /** Polls the control socket's status and /metrics (for "visible while it lasts"). */
  watch(t0: number, everyMs = 500): void {
    this.timers.push(
      setInterval(() => {
        if (this.down) return;
        const t = Date.now() - t0;
        void Promise.all([
          askStatus(this.socket),
          fetch(`http://127.0.0.1:${this.httpPort}/metrics`, { signal: AbortSignal.timeout(1500) }).then((r) => r.text()).catch(() => ''),
        ]).then(([status, metrics]) => this.seen.push({ t, status, metrics }));
      }, everyMs),
    );
  }

  /** The camera worker's pid, or an output worker's (`srt`, `whip`), now. */
  workerPid(which: 'camera' | 'srt' | 'whip'): number | null {
    const pid = this.appliance?.pid;
    if (pid === undefined || this.down) return null;
    const needle = which === 'camera' ? 'camera-worker' : which === 'whip' ? 'whip-output-worker' : '/output-worker';
    for (const p of descendants(pid)) {
      try {
        const cmd = cmdline(p);
        if (cmd.includes(needle) && !cmd.startsWith('/usr/bin/setpriv')) return p;
      } catch {
        // gone meanwhile
      }
    }
    return null;
  }

  /** The SRT receiver (the back-pressure fault stops it). */
  get srtReceiver(): ChildProcess | null {
    return this.srt;
  }

  /** Junk on the keypad: keys no action is bound to, autorepeat, and events of no known type. */
  async junkKeys(random: () => number): Promise<void> {
    const codes = [30, 31, 32, 57, 28, 1, 62, 88]; // KEY_A, S, D, SPACE, ENTER, ESC, F4, F12
    const code = codes[Math.floor(random() * codes.length)]!;
    const stamp = this.keypad.stamp();
    const records = random() < 0.5
      ? Buffer.concat([keyRecords(code, 1, stamp), keyRecords(code, 2, stamp), keyRecords(code, 0, stamp)])
      : Buffer.concat([encodeEvent({ timeUs: stamp, type: 0x1f, code: 0x3ff, value: -1 }), encodeEvent({ timeUs: stamp, type: EV_KEY, code: 0x2ff, value: 7 }), encodeEvent({ timeUs: stamp, type: EV_SYN, code: 0, value: 0 })]);
    await this.keypad.write(records, random).catch(() => undefined);
  }

  /** Junk from the shoe: codes that name no card, and line noise. */
  async junkShoe(random: () => number): Promise<void> {
    const junk = ['ZZ\r\n', '1X\r\n', '11H\r\n', '\r\n', '\x00\x1b[2J\r\n', 'QSQS\r\n', '\xff\xfe\r\n'];
    await this.shoe.write(junk[Math.floor(random() * junk.length)]!).catch(() => undefined);
  }

  /** Waits (bounded) until every event the table journaled is at its subscriber. */
  async delivered(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const status = await askStatus(this.socket);
      const lastSeq = Number(/"lastSeq":(\d+)/.exec(status)?.[1] ?? NaN);
      const got = new Set(this.sub.events.map((e) => e.seq));
      if (lastSeq > 0 && Array.from({ length: lastSeq }, (_, i) => i + 1).every((s) => got.has(s))) return;
      if (Date.now() > deadline) return;
      await sleep(500);
    }
  }

  /** The control socket's status now (text), after the faults: every alarm must have cleared. */
  async finalStatus(): Promise<string> {
    return askStatus(this.socket);
  }

  /**
   * The end: the dealer finishes the round under way (bounded), then stops; every event must be
   * at the subscriber, then the appliance, the receivers and the devices stop.
   */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    const open = () => {
      const byRound = roundsOf(this.sub.unique());
      return [...byRound.values()].some((r) => r.ends.length === 0);
    };
    while (Date.now() < deadline && open()) await sleep(500);
    this.dealer?.stop();
    if (this.dealer) this.dealer.auto = false;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.dealerState?.endAsync().catch(() => undefined);
    await stopAppliance(this.table).catch(() => undefined);
    this.srt?.kill('SIGCONT');
    this.srt?.kill('SIGKILL');
    this.whip?.kill('SIGKILL');
    await this.keypad.unplug().catch(() => undefined);
    await this.shoe.unplug().catch(() => undefined);
    await this.sub.close();
  }
}

function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
}

async function askStatus(socket: string): Promise<string> {
  try {
    return JSON.stringify(await controlRequest(socket, 'status', 'chaos'));
  } catch {
    return '';
  }
}

/** Each round of a card table's stream: how it opened and every way it ended (result or void). */
export function roundsOf(events: readonly EventEnvelope[]): Map<number, { openedAt: number; ends: EventEnvelope[] }> {
  const rounds = new Map<number, { openedAt: number; ends: EventEnvelope[] }>();
  for (const e of events) {
    if (e.round === undefined || e.round === null) continue;
    if (e.type === 'round.opened') rounds.set(e.round, { openedAt: Date.parse(e.ts), ends: [] });
    else if (e.type === 'round.result' || e.type === 'round.voided') rounds.get(e.round)?.ends.push(e);
  }
  return rounds;
}

/** One of the card table's faults (see schedule.ts), undone after its duration. */
export async function cardFault(cards: ChaosCardTable, kind: string, durationMs: number, random: () => number): Promise<void> {
  const until = Date.now() + durationMs;
  const signal = (pid: number | null | undefined, sig: NodeJS.Signals) => {
    try {
      if (pid) process.kill(pid, sig);
    } catch {
      // it ended meanwhile (restarted by its supervisor): nothing to undo
    }
  };
  const stall = async (pid: number | null | undefined) => {
    signal(pid, 'SIGSTOP');
    await sleep(durationMs);
    signal(pid, 'SIGCONT');
  };
  switch (kind) {
    case 'camera-kill':
      signal(cards.workerPid('camera'), 'SIGKILL');
      return void (await sleep(durationMs));
    case 'camera-stall':
      return stall(cards.workerPid('camera'));
    case 'output-kill':
      signal(cards.workerPid(random() < 0.5 ? 'srt' : 'whip'), 'SIGKILL');
      return void (await sleep(durationMs));
    case 'output-stall':
      return stall(cards.workerPid('srt'));
    case 'receiver-stall':
      return stall(cards.srtReceiver?.pid);
    case 'keypad-unplug':
      await cards.keypad.unplug();
      await sleep(durationMs);
      cards.keypad.plug();
      // Opens when the appliance's helper reads the node again (it retries with backoff).
      void cards.keypad.open().catch(() => undefined);
      return;
    case 'shoe-unplug':
      await cards.shoe.unplug();
      await sleep(durationMs);
      await cards.shoe.plug();
      return;
    case 'key-junk':
      while (Date.now() < until) {
        await cards.junkKeys(random);
        await sleep(200 + random() * 600);
      }
      return;
    case 'shoe-junk':
      while (Date.now() < until) {
        await cards.junkShoe(random);
        await sleep(300 + random() * 1200);
      }
      return;
  }
}
