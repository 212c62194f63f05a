/**
 * The chaos soak of a roulette table on real parts: the SS2 simulator on a pty, `pitbox run` as a
 * child process (restarted after a SIGKILL as systemd's Restart= would), a real mosquitto with
 * persistence, the journal on its own small tmpfs (so "disk full" is real), /metrics scraped and
 * every process of the box sampled from /proc. A seeded schedule injects faults, several at once.
 * At the end: every result the wheel produced reached the subscriber exactly once, right and
 * verified, or was voided with a reason; nothing was left running; and per process, how its
 * memory, descriptors and threads moved over time.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { seededRandom } from '../../drivers/wheel/ss2/simulator/random.js';
import {
  auditResults,
  controlRequest,
  freePort,
  simulatedTable,
  startAppliance,
  startBroker,
  startMosquitto,
  stopAppliance,
  stopMosquitto,
  Subscriber,
  until,
  verifyReceived,
} from '../../appliance/test-support/harness.js';
import { growth, notBackToBaseline, type Growth, type Sample } from './growth.js';
import { descendants, sampleProcess } from './proc-sample.js';
import { matchToGames } from './match-games.js';
import { ClockControl, clockStepFault, libfaketimePath } from '../../appliance/test-support/clock-step.js';
import { CARD_TABLE_KINDS, countByKind, FAULT_KINDS, planFaults, type FaultKind, type PlannedFault } from './schedule.js';
import { cardFault, ChaosCardTable } from './card-table.js';
import { auditCardRounds, type CardAudit } from './card-audit.js';
import { startTail, type TailVerdict } from './tail-watch.js';
import { visibility, type Visibility } from './visibility.js';

export interface ChaosOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly speed: number;
  readonly perMinute: number;
  readonly kinds?: readonly FaultKind[];
  readonly maxFaultMs?: number;
  readonly sampleMs?: number;
  /** A deliberately leaking appliance (the test hook PITBOX_TEST_LEAK_KB_PER_S). */
  readonly leakKbPerSecond?: number;
  /** The baccarat table beside the wheel (default true; the leak test runs the wheel alone). */
  readonly cardTable?: boolean;
  readonly log?: (msg: string) => void;
}

export interface SeriesPoint extends Sample {
  readonly role: string;
}

export interface ChaosReport {
  readonly seed: number;
  readonly realMinutes: number;
  readonly simulatedHours: number;
  readonly faults: readonly (PlannedFault & { skipped?: string })[];
  /** When each fault really lasted (an appliance kill lasts until it answers again). */
  readonly windows: readonly { id: number; kind: FaultKind; fromMs: number; toMs: number }[];
  readonly faultCounts: Record<FaultKind, number>;
  readonly wheel: { games: number; results: number };
  /**
   * `lostResults`: wheel results with neither a published result nor a void of their spin, outside
   * every fault window (the failure this soak exists to find); `missedInFaults`: the same inside a
   * fault window (the box was dead, stalled or deaf to the wheel then: the restarted appliance
   * voids the round it had open, without the spin it never saw).
   */
  readonly subscriber: { events: number; results: number; voids: Record<string, number>; duplicates: number; lostResults: number[]; missedInFaults: number; refusedWhileSuspended: Record<string, number> };
  readonly violations: string[];
  readonly audit: string[];
  readonly notDelivered: number;
  readonly leftovers: string[];
  readonly series: Record<string, SeriesPoint[]>;
  readonly growth: Record<string, Growth | null>;
  readonly latencyMs: { quiet: number[]; all: number[] };
  readonly loopLagP99Ms: { t: number; v: number; pid?: number }[];
  readonly undelivered: { t: number; v: number }[];
  readonly fdsNotBack: { fault: number; value: number; baseline: number }[];
  /** Every game of the wheel with its real time from the start (ms), for the report. */
  readonly games: { spin: number; outcome: string; number: number | null; atMs: number }[];
  /** Every event the subscriber received, deduplicated by id, in seq order: a re-audit needs no rerun. */
  readonly events: readonly unknown[];
  /** Steps of the run that did not finish in their bound (a hang is a finding). */
  readonly hung: string[];
  readonly applianceLog: string;
  /** The card table's rounds, and what its faults showed (absent without the card table). */
  readonly cards?: CardAudit & { visibility: Visibility[]; finalStatus: string; received: { srt: number; whip: number } };
  readonly cardLog?: string;
  /** `pitbox tail` (the real CLI) on every table for the whole run: its verdict. */
  readonly tail: TailVerdict;
}

const MIN_FREE_MIB = 8;
/** The journal's size cap for delivered events: well inside the filesystem, beside a WAL and a filler. */
const RETAIN_MIB = 12;

/** A small filesystem of its own for the journal, so filling it does not fill the machine's. */
function journalFilesystem(log: (m: string) => void): { dir: string; real: boolean; release: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-chaos-journal-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir, real: true, release: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }) };
  } catch (err) {
    log(`no tmpfs for the journal (${(err as Error).message.split('\n')[0]}): disk-full faults are skipped`);
    return { dir, real: false, release: () => undefined };
  }
}

function fillTo(dir: string, leaveBytes: number): string {
  const file = join(dir, 'filler');
  const free = statfsSync(dir).bavail * statfsSync(dir).bsize;
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let left = free - leaveBytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  closeSync(fd);
  return file;
}

/**
 * Waits for a step of the run, but never for ever: a step that hangs is logged by name and the
 * run goes on to its audit (which then says what is missing) instead of hanging the suite.
 */
async function bounded<T>(what: string, step: Promise<T>, ms: number, log: (m: string) => void): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      log(`HUNG: ${what} took over ${ms} ms; going on`);
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function untilHealthy(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
}

async function scrape(port: number): Promise<Map<string, number> | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    const out = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      const m = /^(pitbox_[a-z0-9_]+)(\{[^}]*\})? ([0-9.eE+-]+|NaN)$/.exec(line);
      if (m && !m[2]) out.set(m[1]!, Number(m[3]));
    }
    return out;
  } catch {
    return null; // the appliance is down or stopped: a gap in the series, which the fault explains
  }
}

/**
 * What the table left running: a process naming the table's directory, or one of this run's
 * process group that lost its parent (a worker that outlived a killed appliance: its command
 * line need not name the table). `before`: the pids that were there when the run started.
 */
function leftoverProcesses(dir: string, before: ReadonlySet<number>): string[] {
  const out: string[] = [];
  const pgid = Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim());
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4]! }));
  const groupOf = new Map(rows.map((r) => [r.pid, r.pgid]));
  for (const r of rows) {
    if (r.pid === process.pid || before.has(r.pid) || r.args.startsWith('ps ')) continue;
    // Ours, started during the run, and its parent is outside the group: re-parented, orphaned.
    const orphan = r.pgid === pgid && groupOf.get(r.ppid) !== pgid;
    if (r.args.includes(dir) || orphan) out.push(`${r.pid} ${r.args}`);
  }
  return out;
}

function allPids(): Set<number> {
  return new Set(execFileSync('ps', ['-eo', 'pid='], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number));
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const durationMs = opts.minutes * 60_000;
  const pidsBefore = allPids();
  const hung: string[] = [];
  const step = <T,>(what: string, p: Promise<T>, ms: number) =>
    bounded(what, p, ms, (m) => {
      hung.push(what);
      log(m);
    });
  const sampleMs = opts.sampleMs ?? 2000;
  const random = seededRandom(opts.seed ^ 0x5eed);
  const fs = journalFilesystem(log);
  const withCards = opts.cardTable ?? true;
  const allKinds = opts.kinds ?? (Object.keys(FAULT_KINDS) as FaultKind[]);
  // The wheel appliance's wall clock, stepped per process by libfaketime (the machine's own clock is never touched).
  const clock = libfaketimePath() ? ClockControl.create() : null;
  // An event's `ts` is the stepped clock's: back to real time for lining it up with the wheel.
  const realTs = (ts: string) => (clock ? clock.realTimeOf(Date.parse(ts)) : Date.parse(ts));
  const kinds = allKinds.filter((k) => (k !== 'disk-full' || fs.real) && (k !== 'clock-step' || clock) && (withCards || !CARD_TABLE_KINDS.has(k)));
  const plan: (PlannedFault & { skipped?: string })[] = planFaults({
    seed: opts.seed,
    durationMs,
    perMinute: opts.perMinute,
    quietMs: Math.min(30_000, durationMs / 6),
    kinds,
    ...(opts.maxFaultMs ? { maxDurationMs: opts.maxFaultMs } : {}),
  }).map((f) => (f.kind === 'disk-full' && !fs.real ? { ...f, skipped: 'no tmpfs' } : f));

  const persist = mkdtempSync(join(tmpdir(), 'pitbox-chaos-broker-'));
  const started = await startBroker(persist);
  let broker: ChildProcess = started.proc;
  const table = await simulatedTable({
    brokerPort: started.port,
    speed: opts.speed,
    seed: opts.seed,
    faults: { 'miss-spin': 0.03, 'launch-retry': 0.1, 'ball-flicker': 0.05, 'ball-not-detected': 0.01, 'number-mismatch': 0.01 },
    // Retention in wheel time: a month of journal at 360x is two real hours, and the 48 MiB
    // filesystem holds less than a month of events, so the size cap must prune too.
    journalConfig: ['journal:', '  path: JOURNAL', `  minFreeMiB: ${MIN_FREE_MIB}`, `  retention: { maxAgeDays: ${30 / opts.speed}, maxMiB: ${RETAIN_MIB} }`],
  });
  // The journal moves onto its own filesystem; the config follows it.
  const journal = join(fs.dir, 'journal.db');
  writeFileSync(journal, readFileSync(join(table.dir, 'journal.db')));
  rmSync(join(table.dir, 'journal.db'));
  const cards = withCards ? await ChaosCardTable.create(started.port, `chaos-cards-${opts.seed}`) : null;
  const httpPort = await freePort();
  const config = readFileSync(table.configFile, 'utf8')
    .replace(`path: ${join(table.dir, 'journal.db')}`, `path: ${journal}`)
    .replace('http:\n  port: 0', `http:\n  port: ${httpPort}`);
  writeFileSync(table.configFile, config);

  // The card table first: its appliance, camera and keypad take a while to come up, and the
  // schedule's times count from t0.
  await cards?.start();
  const t0 = Date.now();
  const gameAt = new Map<number, number[]>();
  const games: ChaosReport['games'] = [];
  table.sim.wheel.on('game', (g: { spin: number; outcome: string; number: number | null }) => {
    gameAt.set(g.spin, [...(gameAt.get(g.spin) ?? []).slice(-3), Date.now()]);
    games.push({ spin: g.spin, outcome: g.outcome, number: g.number, atMs: Date.now() - t0 });
  });
  const sub = await Subscriber.connect(started.port, 'pitbox/v1/e2e/roulette-01', `chaos-${opts.seed}`);
  const tail = startTail(started.port);
  const active = new Set<PlannedFault>();
  let lastFaultEnd = 0;
  const latency: { quiet: number[]; all: number[] } = { quiet: [], all: [] };
  const seenResult = new Set<string>();
  let firstEventAt: number | null = null;
  sub.client.on('message', (topic, payload) => {
    if (!topic.endsWith('/events')) return;
    firstEventAt ??= Date.now() - t0;
    const e = JSON.parse(payload.toString()) as { id: string; type: string; ts: string; data: { spin?: number } };
    if (e.type !== 'round.result' || seenResult.has(e.id) || e.data.spin === undefined) return;
    seenResult.add(e.id);
    // The game it belongs to: the latest with its spin number before it was journaled (numbers wrap).
    const at = (gameAt.get(e.data.spin) ?? []).filter((ms) => ms <= realTs(e.ts) + 1_000).at(-1);
    if (at === undefined) return;
    const ms = Date.now() - at;
    latency.all.push(ms);
    // Quiet: no fault under way from a few seconds before the game until its result arrived.
    if (active.size === 0 && at - lastFaultEnd > 5_000) latency.quiet.push(ms);
  });

  const env = { ...(opts.leakKbPerSecond ? { PITBOX_TEST_LEAK_KB_PER_S: String(opts.leakKbPerSecond) } : {}), ...(clock ? clock.env() : {}) };
  let appliance = startAppliance(table, env);
  let applianceDown = false;
  cards?.watch(t0);
  const restart = () => {
    // A killed appliance's pipes stay open while anything it started still holds them: its
    // streams are let go, so a straggler cannot keep this process alive (the leftover check
    // names the straggler).
    const dead = appliance;
    dead.stdout?.destroy();
    dead.stderr?.destroy();
    appliance = startAppliance(table, env);
    applianceDown = false;
  };

  const series: Record<string, SeriesPoint[]> = {};
  const loopLag: { t: number; v: number; pid?: number }[] = [];
  const undelivered: { t: number; v: number }[] = [];
  const push = (name: string, p: SeriesPoint) => (series[name] ??= []).push(p);
  const sampleTree = (root: number, t: number, prefix: string) => {
    for (const p of [root, ...descendants(root)]) {
      const s = sampleProcess(p);
      if (!s || s.role === 'other') continue;
      // The card table's grab helper is the test stand-in (node), not Debian's intercept: not measured.
      if (prefix && s.role === 'input-helper') continue;
      const role = `${prefix}${s.role}`;
      push(`${role}.rss`, { t, v: s.rssBytes, pid: p, role });
      push(`${role}.fds`, { t, v: s.fds, pid: p, role });
      push(`${role}.threads`, { t, v: s.threads, pid: p, role });
    }
  };
  const sampler = setInterval(() => {
    const t = Date.now() - t0;
    // The card table's processes are their own series (`baccarat-appliance`, `baccarat-camera-worker`...).
    const cardPid = cards && !cards.down ? cards.appliance?.pid : undefined;
    if (cardPid !== undefined) sampleTree(cardPid, t, 'baccarat-');
    const pid = appliance.pid;
    if (pid === undefined || applianceDown) return;
    sampleTree(pid, t, '');
    void scrape(httpPort).then((m) => {
      if (!m) return;
      const lag = m.get('pitbox_nodejs_eventloop_lag_p99_seconds');
      if (lag !== undefined) loopLag.push({ t, v: lag * 1000, pid });
      const heap = m.get('pitbox_nodejs_heap_size_used_bytes');
      if (heap !== undefined) push('appliance.heap', { t, v: heap, pid, role: 'appliance' });
      const u = m.get('pitbox_journal_undelivered_events');
      if (u !== undefined) undelivered.push({ t, v: u });
    });
  }, sampleMs);

  // The technician: a wheel that stopped itself (state 6: a lost ball nobody re-spun while the
  // link was down, a fault stop) is restarted at the wheel, as a person in the studio would.
  // A suspension that waits for a person (a number mismatch, a stopped wheel) is resumed by them
  // once they have looked: `resume` is refused while a cause still stands.
  const socket = join(table.dir, 'control.sock');
  const technician = setInterval(() => {
    table.sim.wheel.recover();
    if (!applianceDown) controlRequest(socket, 'resume', 'technician').catch(() => undefined);
  }, 5_000);

  // The faults: each starts at its time and undoes itself after its duration.
  const windows: { id: number; kind: FaultKind; fromMs: number; toMs: number }[] = [];
  const inject = async (f: PlannedFault): Promise<void> => {
    const fromMs = Date.now() - t0;
    active.add(f);
    log(`fault ${f.id} ${f.kind} for ${(f.durationMs / 1000).toFixed(1)} s`);
    const end = () => sleep(f.durationMs);
    try {
      switch (f.kind) {
        case 'appliance-kill': {
          applianceDown = true;
          const exited = new Promise((r) => appliance.once('exit', r));
          appliance.kill('SIGKILL');
          await exited;
          await end();
          restart();
          // Down until it answers again: a restart takes seconds (journal open, chain tail check).
          await untilHealthy(httpPort, 90_000);
          break;
        }
        case 'clock-step': {
          const stepped = clockStepFault(clock!, random);
          log(`fault ${f.id}: the appliance's wall clock stepped ${stepped.seconds} s`);
          await end();
          stepped.end();
          break;
        }
        case 'appliance-stall':
          appliance.kill('SIGSTOP');
          await end();
          appliance.kill('SIGCONT');
          break;
        case 'uplink-cut':
          await stopMosquitto(broker);
          await end();
          broker = await startMosquitto(started.port, persist);
          break;
        case 'wheel-unplug':
          await table.sim.unplug();
          await end();
          await table.sim.replug();
          break;
        case 'wheel-garble': {
          const until = Date.now() + f.durationMs;
          while (Date.now() < until) {
            // Line noise: bytes that are never a frame's digits, ';' or '*' (the wheel's own frames go on).
            const junk = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 24) }, () => [0x00, 0x07, 0x1b, 0x7f, 0xff, 0x41, 0x7e][Math.floor(random() * 7)]!));
            await table.sim.pty.write(junk).catch(() => undefined);
            await sleep(50 + random() * 200);
          }
          break;
        }
        case 'disk-full': {
          const filler = fillTo(fs.dir, (MIN_FREE_MIB / 2) * 1024 * 1024);
          await end();
          rmSync(filler, { force: true });
          break;
        }
        default:
          if (cards) await cardFault(cards, f.kind, f.durationMs, random);
      }
    } finally {
      active.delete(f);
      lastFaultEnd = Date.now();
      windows.push({ id: f.id, kind: f.kind, fromMs, toMs: lastFaultEnd - t0 });
    }
  };
  const running: Promise<void>[] = [];
  for (const f of plan) {
    const wait = f.atMs - (Date.now() - t0);
    if (wait > 0) await sleep(wait);
    if (f.skipped) continue;
    running.push(inject(f));
  }
  await sleep(Math.max(0, durationMs - (Date.now() - t0)));
  await step('the faults to end', Promise.all(running), 180_000);
  log('faults over; draining');

  // Drain: the card table finishes its round, the wheel stops, then every journaled event must
  // reach the subscriber.
  if (cards) await step('the card table to finish its round', cards.drain(90_000), 100_000);
  await step('the wheel to unplug', table.sim.unplug(), 10_000);
  await sleep(1000);
  const journaled = () => {
    const db = new Database(journal, { readonly: true });
    try {
      return db.prepare<[], { seq: number; delivered: number | null }>('SELECT seq, delivered_at AS delivered FROM events').all();
    } finally {
      db.close();
    }
  };
  let notDelivered = 0;
  try {
    await until('every journaled event at the subscriber', () => {
      const got = new Set(sub.events.map((e) => e.seq));
      return journaled().every((e) => got.has(e.seq));
    }, 120_000);
  } catch {
    const got = new Set(sub.events.map((e) => e.seq));
    notDelivered = journaled().filter((e) => !got.has(e.seq)).length;
  }
  clearInterval(sampler);
  clearInterval(technician);
  let cardReport: ChaosReport['cards'];
  if (cards) {
    await step('every card table event at its subscriber', cards.delivered(60_000), 70_000);
    const finalStatus = await cards.finalStatus();
    cardReport = { ...auditCardRounds(cards.sub, windows, t0, ChaosCardTable.expectedResult()), visibility: visibility(windows, cards.seen, 8_000), finalStatus, received: cards.received() };
    await step('the card table to stop', cards.stop(), 30_000);
  }
  const tailVerdict = (await step('pitbox tail to stop', tail.stop(), 30_000)) ?? { exit: null, summary: 'pitbox tail did not stop', events: {}, violation: null };
  await step('the appliance to stop', stopAppliance(table), 30_000);
  if (appliance.exitCode === null && appliance.signalCode === null) appliance.kill('SIGKILL');
  await sleep(1000);
  const leftovers = [...new Set([...leftoverProcesses(table.dir, pidsBefore), ...(cards ? leftoverProcesses(cards.table.dir, pidsBefore) : [])])];
  appliance.stdout?.destroy();
  appliance.stderr?.destroy();

  const events = sub.unique();
  const { violations } = verifyReceived(sub.raw);
  const audit = auditResults(events, table.games);
  const voids: Record<string, number> = {};
  for (const v of events.filter((e) => e.type === 'round.voided')) {
    const code = String((v.data as { code?: unknown }).code);
    voids[code] = (voids[code] ?? 0) + 1;
  }
  // Results and voids are matched to the game they belong to (spin numbers wrap at 256).
  const ended = events.filter((e) => (e.type === 'round.result' || e.type === 'round.voided') && typeof (e.data as { spin?: unknown }).spin === 'number');
  const owner = matchToGames(games, ended.map((e) => ({ spin: (e.data as { spin: number }).spin, atMs: realTs(e.ts) - t0 })));
  const accounted = new Set(owner.filter((i) => i >= 0).map((i) => games[i]));
  const resultGames = new Set(owner.filter((i, k) => i >= 0 && ended[k]!.type === 'round.result'));
  // A game in progress when a fault ended cannot be a result: one game's length (about a minute
  // of wheel time) of grace after each window.
  const graceMs = Math.max(3_000, (60_000 / opts.speed) * 1.5);
  const inFault = (at: number) => windows.some((w) => at - t0 >= w.fromMs && at - t0 <= w.toMs + graceMs);
  // Games before the appliance's first event were played before the table was open: not expected.
  const expected = games.filter((g) => g.outcome === 'result' && firstEventAt !== null && g.atMs > firstEventAt + graceMs);
  const missing = expected.filter((g) => !accounted.has(g));
  // The table said it would not take a result (table.suspended until table.resumed/opened): a wheel
  // result then is refused with that reason in the stream, not lost.
  const suspended: { from: number; to: number; code: string }[] = [];
  for (const e of events) {
    const at = realTs(e.ts);
    const open = suspended.at(-1);
    if (e.type === 'table.suspended' && (!open || open.to !== Infinity)) suspended.push({ from: at, to: Infinity, code: String((e.data as { code?: unknown }).code) });
    else if ((e.type === 'table.resumed' || e.type === 'table.opened') && open && open.to === Infinity) open.to = at;
  }
  const refused: Record<string, number> = {};
  const lostResults: number[] = [];
  for (const g of missing.filter((x) => !inFault(t0 + x.atMs))) {
    const during = suspended.find((w) => t0 + g.atMs >= w.from - 1000 && t0 + g.atMs <= w.to + 1000);
    if (during) refused[during.code] = (refused[during.code] ?? 0) + 1;
    else lostResults.push(g.spin);
  }
  const missedInFaults = missing.length - lostResults.length;

  await step('the subscriber to close', sub.close(), 10_000);
  await step('the broker to stop', stopMosquitto(broker), 15_000);
  await step('the simulator to stop', table.sim.stop(), 10_000);
  fs.release();

  const realMinutes = (Date.now() - t0) / 60_000;
  const growthOpts = { warmupMs: Math.min(5 * 60_000, durationMs / 6), minSegmentMs: Math.min(10 * 60_000, durationMs / 4), speed: opts.speed };
  const growthOf: Record<string, Growth | null> = {};
  for (const [name, s] of Object.entries(series)) if (name.endsWith('.rss') || name.endsWith('.heap')) growthOf[name] = growth(s, growthOpts);
  const firstFault = plan.find((f) => !f.skipped)?.atMs ?? durationMs;
  const fdsNotBack = notBackToBaseline(series['appliance.fds'] ?? [], windows.map((w) => ({ id: w.id, fromMs: w.fromMs, endMs: w.toMs })), { settleMs: 10_000, tolerance: 8, firstFaultMs: firstFault });

  return {
    seed: opts.seed,
    realMinutes,
    simulatedHours: (realMinutes * opts.speed) / 60,
    faults: plan,
    windows,
    faultCounts: countByKind(plan.filter((f) => !f.skipped)),
    wheel: { games: games.length, results: expected.length },
    subscriber: { events: events.length, results: resultGames.size, voids, duplicates: sub.events.length - events.length, lostResults, missedInFaults, refusedWhileSuspended: refused },
    violations: violations.map((v) => JSON.stringify(v)),
    audit,
    notDelivered,
    leftovers,
    series,
    growth: growthOf,
    latencyMs: latency,
    loopLagP99Ms: loopLag,
    undelivered,
    fdsNotBack,
    games,
    events,
    hung,
    applianceLog: table.output.join(''),
    ...(cardReport ? { cards: cardReport, cardLog: cards!.table.output.join('') } : {}),
    tail: tailVerdict,
  };
}

/** Where the report and charts go; made if missing. */
export function reportDir(dir: string): string {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return dir;
}
