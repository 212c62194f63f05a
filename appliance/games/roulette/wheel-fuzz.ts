import type { RotorDirection, WheelStatus } from '../../../drivers/wheel/wheel.js';
import { LineFramer, type FramedLine } from '../../../drivers/serial/line-framer.js';
import { decodeLine, encodeNumberLine, encodeStatus } from '../../../drivers/wheel/ss2/messages.js';
import { seededRandom } from '../../../drivers/wheel/ss2/simulator/random.js';
import { silentLogger } from '../../log.js';
import type { EventDraft } from '../../kernel/events.js';
import { RouletteEngine, type RouletteRules } from './roulette-engine.js';

/**
 * A structure-aware fuzz of the SS2 stream: an honest wheel's games, each possibly given one
 * lie that keeps every frame well-formed (a valid state, counter, number, flag, speed or
 * direction in the wrong place; a number line dropped, repeated, changed or injected; a frame
 * dropped, repeated or swapped), sent as bytes at random boundaries through the real framer,
 * decoder and round engine. The property: no crash, and every result is one the honest wheel
 * produced (that spin, that number). One lie per game at most: two agreeing lies (the frame and
 * the line both saying 7) would be a wheel that lies consistently, which no host can detect.
 */

export const MUTATIONS = ['state', 'spin', 'frame-number', 'blank-number', 'line-number', 'drop-line', 'repeat-line', 'extra-line', 'warnings', 'rotor', 'direction', 'drop-frame', 'repeat-frame', 'swap-frames'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface FuzzReport {
  readonly games: number;
  readonly bytes: number;
  readonly results: number;
  readonly voids: number;
  readonly suspensions: number;
  /** Results the honest wheel never produced: must be empty. */
  readonly falseResults: string[];
  readonly byMutation: Record<string, number>;
}

type Element = { kind: 'status'; status: Omit<WheelStatus, 'at'> } | { kind: 'line'; number: number };

const RULES: RouletteRules = { statusFrames: true, manualStart: false, directionAlternates: true, numberLine: true, rotorWindow: { minRpm: 16, maxRpm: 18 }, timeScale: 1 };

/** One honest game: launch, rim, no more bets, the number line, the result. */
function honestGame(spin: number, direction: RotorDirection, previous: number | null, number: number, rpm: number): Element[] {
  const s = (state: 1 | 2 | 3 | 4 | 5 | 6, lastNumber: number | null, rotorRpm = 0): Element => ({ kind: 'status', status: { state, spin, lastNumber, warnings: 0, rotorRpm, direction } });
  return [s(2, previous), s(2, previous), s(3, previous, rpm), s(3, previous, rpm), s(3, previous, rpm), s(4, previous, rpm), s(4, previous, rpm), { kind: 'line', number }, s(5, number), s(5, number), s(5, number)];
}

function lie(game: Element[], m: Mutation, random: () => number): Element[] {
  const g = game.map((e) => (e.kind === 'status' ? { kind: 'status' as const, status: { ...e.status } } : { ...e }));
  const pick = (pred: (e: Element) => boolean) => {
    const idx = g.flatMap((e, i) => (pred(e) ? [i] : []));
    return idx[Math.floor(random() * idx.length)] ?? 0;
  };
  const anyStatus = () => pick((e) => e.kind === 'status');
  const line = g.findIndex((e) => e.kind === 'line');
  const status = (i: number) => (g[i] as Extract<Element, { kind: 'status' }>).status as { -readonly [K in keyof WheelStatus]: WheelStatus[K] };
  switch (m) {
    case 'state':
      status(anyStatus()).state = (1 + Math.floor(random() * 6)) as WheelStatus['state'];
      break;
    case 'spin':
      status(anyStatus()).spin = 1 + Math.floor(random() * 256);
      break;
    case 'frame-number': {
      const n = Math.floor(random() * 37);
      for (const e of g) if (e.kind === 'status' && e.status.state === 5) (e.status as { lastNumber: number | null }).lastNumber = n;
      break;
    }
    case 'blank-number':
      for (const e of g) if (e.kind === 'status' && e.status.state === 5) (e.status as { lastNumber: number | null }).lastNumber = null;
      break;
    case 'line-number':
      (g[line] as { number: number }).number = Math.floor(random() * 37);
      break;
    case 'drop-line':
      g.splice(line, 1);
      break;
    case 'repeat-line':
      g.splice(line, 0, { ...(g[line] as Element) });
      break;
    case 'extra-line':
      g.splice(Math.floor(random() * (g.length + 1)), 0, { kind: 'line', number: Math.floor(random() * 37) });
      break;
    case 'warnings':
      status(anyStatus()).warnings = 1 + Math.floor(random() * 15);
      break;
    case 'rotor':
      status(pick((e) => e.kind === 'status' && e.status.state === 3)).rotorRpm = Math.floor(random() * 1000) / 10;
      break;
    case 'direction': {
      const st = status(anyStatus());
      st.direction = st.direction === 'clockwise' ? 'anticlockwise' : 'clockwise';
      break;
    }
    case 'drop-frame':
      g.splice(anyStatus(), 1);
      break;
    case 'repeat-frame': {
      const i = anyStatus();
      g.splice(i, 0, g[i] as Element);
      break;
    }
    case 'swap-frames': {
      const i = Math.floor(random() * (g.length - 1));
      [g[i], g[i + 1]] = [g[i + 1] as Element, g[i] as Element];
      break;
    }
  }
  return g;
}

/**
 * Plays `targetBytes` of fuzzed wheel stream through framer, decoder and engine. `lieRate` is
 * the share of games given one lie. Throws only if the code under test throws.
 */
export function fuzzWheel(opts: { seed: number; targetBytes: number; lieRate: number }): FuzzReport {
  // The same seed, the same stream: a failure can be replayed.
  const random = seededRandom(opts.seed);
  const events: EventDraft[] = [];
  const engine = new RouletteEngine(RULES, (e) => events.push(e), { startGame: () => Promise.resolve(), respin: () => Promise.resolve() }, silentLogger, null);
  engine.begin();
  let clock = 0;
  const framer = new LineFramer(() => clock);
  framer.on('data', (line: FramedLine) => {
    for (const msg of decodeLine(line)) {
      if (msg.kind === 'status') engine.onStatus(msg.status);
      else if (msg.kind === 'number') engine.onWinningNumber({ number: msg.number, at: msg.at });
    }
  });
  engine.onLink({ up: true, port: 'fuzz', rotorWindow: null });
  const write = (e: Element) => {
    clock += e.kind === 'status' ? 500 : 100;
    const bytes = Buffer.from(e.kind === 'status' ? encodeStatus(e.status) : encodeNumberLine(e.number), 'latin1');
    // Random read boundaries inside the frame, as a serial port delivers it.
    let at = 0;
    while (at < bytes.length) {
      const n = 1 + Math.floor(random() * bytes.length);
      framer.write(bytes.subarray(at, at + n));
      at += n;
    }
    return bytes.length;
  };
  write({ kind: 'status', status: { state: 5, spin: 1, lastNumber: null, warnings: 0, rotorRpm: 0, direction: 'clockwise' } });
  engine.openTable('fuzz');

  // The games whose result may legitimately appear now: this one, and the one before (a late line).
  let recent: string[] = [];
  let lies: string[] = [];
  const falseResults: string[] = [];
  let checked = 0;
  const byMutation: Record<string, number> = {};
  let bytes = 0;
  let games = 0;
  let spin = 1;
  let direction: RotorDirection = 'clockwise';
  let previous: number | null = null;
  while (bytes < opts.targetBytes) {
    spin = (spin % 256) + 1;
    direction = direction === 'clockwise' ? 'anticlockwise' : 'clockwise';
    const number = Math.floor(random() * 37);
    const rpm = 160 + Math.floor(random() * 20);
    recent = [recent.at(-1) ?? '', `${spin}:${number}`];
    lies = [lies.at(-1) ?? '', 'none'];
    let game = honestGame(spin, direction, previous, number, rpm / 10);
    if (random() < opts.lieRate) {
      const m = MUTATIONS[Math.floor(random() * MUTATIONS.length)] as Mutation;
      byMutation[m] = (byMutation[m] ?? 0) + 1;
      game = lie(game, m, random);
      lies[1] = `${m}: ${game.map((e) => (e.kind === 'line' ? `line ${e.number}` : `${e.status.state}/${e.status.spin}/${e.status.lastNumber ?? '-'}${e.status.warnings ? `/w${e.status.warnings}` : ''}`)).join(' ')}`;
    }
    for (const e of game) bytes += write(e);
    previous = number;
    games += 1;
    for (; checked < events.length; checked++) {
      const e = events[checked] as EventDraft;
      if (e.type !== 'round.result') continue;
      const d = e.data as { spin: number; number: number };
      if (!recent.includes(`${d.spin}:${d.number}`)) falseResults.push(`game ${games}: spin ${d.spin} number ${d.number}, the wheel played ${recent.join(' then ')} (lies: ${lies.join(' | ')})`);
    }
    // A person looks at every suspension and resumes, so the fuzz keeps reaching the engine.
    if (engine.state().suspended) engine.resume('fuzz');
  }
  return {
    games,
    bytes,
    results: events.filter((e) => e.type === 'round.result').length,
    voids: events.filter((e) => e.type === 'round.voided').length,
    suspensions: events.filter((e) => e.type === 'table.suspended').length,
    falseResults,
    byMutation,
  };
}
