import { EventEmitter } from 'node:events';
import type { RotorDirection, RotorWindow, WheelState } from '../../wheel.js';
import { WheelWarning } from '../../wheel.js';
import { encodeNumberLine, encodeStatus } from '../messages.js';
import { hasMode, Ss2Mode } from '../protocol.js';
import { seededRandom } from './random.js';

/** Faults that spoil one game (reference: "Exceptions the host must handle"). */
export const GAME_FAULTS = [
  'miss-spin', // warn 2 in state 3; the wheel waits for *R
  'launch-failure', // warn 8 held past 3 s of state 3; waits for *R
  'launch-retry', // warn 8 for the first second of state 3, then a good game (benign)
  'ball-not-detected', // warn 1 held in state 4; waits for *R, stops by itself after 75 s
  'ball-flicker', // warn 1 for 2 s of state 4, then a good game (benign)
  'fault', // warn 4 and a stop in state 6 mid-game
  'number-mismatch', // the winning-number line disagrees with the status frame
] as const;
export type GameFault = (typeof GAME_FAULTS)[number];

/** Faults of the wire, drawn per status frame. */
export const LINE_FAULTS = ['garble', 'drop-bytes'] as const;
export type LineFault = (typeof LINE_FAULTS)[number];

export type FaultRates = Partial<Record<GameFault | LineFault, number>>;

/** What the simulated wheel really did in one game: the truth a test checks the appliance against. */
export interface GameRecord {
  readonly spin: number;
  readonly outcome: 'result' | 'void' | 'fault';
  readonly number: number | null;
  readonly fault: GameFault | null;
  readonly direction: RotorDirection;
  readonly rotorRpm: number;
}

export interface WheelModelOptions {
  /** Where the wheel's bytes go (a pty). */
  readonly write: (text: string) => Promise<void>;
  readonly mode: number;
  /** 1 = field timings; 10 = ten times faster, status period included. */
  readonly speed: number;
  readonly seed: number;
  readonly faultRates: FaultRates;
  readonly rotorWindow: RotorWindow;
  readonly lineEnding: 'crlf' | 'lfcr';
  readonly firstSpin: number;
}

// Field medians (reference: "Field timings"), in wheel milliseconds.
const LAUNCH_MS = 6400;
const RIM_MS = 4000;
const NO_MORE_BETS_MS = 26500;
const RESULT_HOLD_MS = 5500;
const STOP_AFTER_LOST_BALL_MS = 75_000;

export interface WheelModelEvents {
  game: [GameRecord];
  /** A status frame left the wheel; `at` is when its last byte was handed to the pty. */
  frame: [{ readonly state: WheelState; readonly at: number }];
}

/**
 * A Cammegh SS2 controller as the host sees it: game cycle with field-like timings (accelerated
 * by `speed`), status frames, winning-number lines, command replies including BUSY and NO, and
 * injected faults. It only decides what to say and when; the pty carries it.
 */
export class Ss2WheelModel extends EventEmitter<WheelModelEvents> {
  private state: WheelState = 1;
  private spin: number;
  private lastNumber: number | null = null;
  private warnings = 0;
  private rotorRpm = 0;
  private targetRpm = 0;
  private direction: RotorDirection = 'clockwise';
  private mode: number;
  private fault: GameFault | null = null;
  private readonly injected: GameFault[] = [];
  private awaitingRespin = false;
  private awaitingStart = false;
  private silentUntil = 0;
  private phaseTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly random: () => number;
  private readonly ending: string;

  constructor(private readonly opts: WheelModelOptions) {
    super();
    this.mode = opts.mode;
    this.spin = ((opts.firstSpin - 2 + 256) % 256) + 1; // the first game advances it to firstSpin
    this.random = seededRandom(opts.seed);
    this.ending = opts.lineEnding === 'crlf' ? '\r\n' : '\n\r';
  }

  get statusPeriodMs(): number {
    return Math.max(5, 500 / this.opts.speed);
  }

  start(): void {
    this.restartStatusTimer();
    this.after(500, () => this.nextGame());
  }

  stop(): void {
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.phaseTimer = this.statusTimer = null;
  }

  /** The next game suffers `fault`, whatever the rates say. */
  inject(fault: GameFault): void {
    this.injected.push(fault);
  }

  /** The wheel says nothing for `ms` wheel milliseconds; the game goes on meanwhile. */
  silence(ms: number): void {
    this.silentUntil = performance.now() + ms / this.opts.speed;
  }

  /** Clears a fault stop (state 6), as a technician would. */
  recover(): void {
    if (this.state !== 6) return;
    this.warnings = 0;
    this.nextGame();
  }

  /** A command line from the host (without its terminator). */
  onHostLine(line: string): void {
    const cmd = line.trim();
    if (cmd === '') return;
    if (cmd === '*u 1' || cmd === '*K') return this.onStart(cmd === '*K' ? 'K' : 'u');
    if (cmd === '*R') return this.onRespin();
    if (cmd === '*X') return this.sendStatus();
    if (cmd === '*T s') return this.reply(`*T s ${this.opts.rotorWindow.minRpm.toFixed(1)} ${this.opts.rotorWindow.maxRpm.toFixed(1)}`);
    if (cmd === '*F') return this.reply(`*F ${this.state === 6 && this.fault === 'fault' ? 21 : 0}`);
    if (cmd === '*O') return this.reply(`*O ${this.state} 1 60 ${this.mode}`);
    const setMode = /^\*o (\d+)$/.exec(cmd);
    if (setMode) {
      if (this.gameRunning()) return this.reply('*o BUSY');
      this.mode = Number(setMode[1]);
      this.restartStatusTimer();
      return this.reply(`*o ${this.mode}`);
    }
    const power = /^\*P ([01])$/.exec(cmd);
    if (power) {
      if (this.gameRunning()) return this.reply('*P NO');
      this.reply('*P OK');
      if (power[1] === '0') this.enter(6);
      else if (this.state === 6) this.recover();
    }
    // Anything else: the controller ignores it, and so do we.
  }

  private onStart(name: 'u' | 'K'): void {
    if (!this.awaitingStart) return this.reply(`*${name} NO`);
    this.reply(`*${name} OK`);
    this.awaitingStart = false;
    this.launch();
  }

  private onRespin(): void {
    if (!this.awaitingRespin) return this.reply('*R NO');
    this.reply('*R OK');
    this.awaitingRespin = false;
    this.warnings = 0;
    this.launch();
  }

  private gameRunning(): boolean {
    return (this.state === 2 && !this.awaitingStart) || this.state === 3 || this.state === 4;
  }

  /** After a result or a recovery: wait for a start in manual mode, launch at once otherwise. */
  private nextGame(): void {
    this.enter(2);
    this.warnings = 0;
    if (hasMode(this.mode, Ss2Mode.waitForStart)) this.awaitingStart = true;
    else this.launch();
  }

  private launch(): void {
    this.spin = (this.spin % 256) + 1;
    this.fault = this.injected.shift() ?? this.drawGameFault();
    if (hasMode(this.mode, Ss2Mode.reverseEachGame)) this.direction = this.direction === 'clockwise' ? 'anticlockwise' : 'clockwise';
    const { minRpm, maxRpm } = this.opts.rotorWindow;
    this.targetRpm = Math.round((minRpm + (maxRpm - minRpm) * (0.1 + 0.8 * this.random())) * 10) / 10;
    this.enter(2);
    // In state 2 the rotor slows to a stop and spins up the other way before launch.
    this.rotorRpm = 0;
    this.after(jitter(LAUNCH_MS, this.random), () => this.ballInRim());
  }

  private ballInRim(): void {
    this.rotorRpm = this.targetRpm;
    this.enter(3);
    switch (this.fault) {
      case 'miss-spin':
        return this.after(1000, () => this.spoil(WheelWarning.ballWithRotor));
      case 'launch-failure':
        this.warnings = WheelWarning.launchFailed;
        return this.after(3500, () => this.spoil(WheelWarning.launchFailed));
      case 'launch-retry':
        this.warnings = WheelWarning.launchFailed;
        this.after(1000, () => (this.warnings = 0));
        break;
      default:
        break;
    }
    this.after(jitter(RIM_MS, this.random), () => this.noMoreBets());
  }

  private noMoreBets(): void {
    this.enter(4);
    if (hasMode(this.mode, Ss2Mode.randomSpeedChange)) this.rotorRpm = Math.round((this.rotorRpm + (this.random() * 6 - 3)) * 10) / 10;
    switch (this.fault) {
      case 'ball-not-detected':
        this.warnings = WheelWarning.ballNotDetected;
        return this.after(6000, () => {
          this.spoil(WheelWarning.ballNotDetected);
          this.after(STOP_AFTER_LOST_BALL_MS - 6000, () => this.awaitingRespin && this.stopWheel());
        });
      case 'ball-flicker':
        this.warnings = WheelWarning.ballNotDetected;
        this.after(2000, () => (this.warnings = 0));
        break;
      case 'fault':
        return this.after(1000, () => {
          this.warnings = WheelWarning.sensorFault;
          this.record('fault', null);
          this.stopWheel();
        });
      default:
        break;
    }
    this.after(jitter(NO_MORE_BETS_MS, this.random, 0.3), () => this.settle());
  }

  private settle(): void {
    const number = Math.floor(this.random() * 37);
    if (!hasMode(this.mode, Ss2Mode.noNumberLine)) {
      const announced = this.fault === 'number-mismatch' ? (number + 1 + Math.floor(this.random() * 35)) % 37 : number;
      void this.send(encodeNumberLine(announced, this.ending));
    }
    // The number line leads the first state-5 frame by 20-500 ms (reference).
    const lead = 20 + this.random() * 400;
    setTimeout(() => {
      this.lastNumber = number;
      this.enter(5);
      this.sendStatus();
      this.restartStatusTimer();
      this.record(this.fault === 'number-mismatch' ? 'void' : 'result', number);
      this.after(jitter(RESULT_HOLD_MS, this.random), () => this.nextGame());
    }, lead / this.opts.speed);
  }

  /** The game is void on the wheel's own account; it waits for the host's *R. */
  private spoil(warning: number): void {
    this.warnings = warning;
    this.awaitingRespin = true;
    this.record('void', null);
  }

  private stopWheel(): void {
    this.awaitingRespin = false;
    this.rotorRpm = 0;
    this.enter(6);
  }

  private enter(state: WheelState): void {
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    this.phaseTimer = null;
    this.state = state;
  }

  private after(wheelMs: number, fn: () => void): void {
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    this.phaseTimer = setTimeout(() => {
      this.phaseTimer = null;
      fn();
    }, wheelMs / this.opts.speed);
  }

  private record(outcome: GameRecord['outcome'], number: number | null): void {
    this.emit('game', { spin: this.spin, outcome, number, fault: this.fault, direction: this.direction, rotorRpm: this.targetRpm });
  }

  private drawGameFault(): GameFault | null {
    for (const f of GAME_FAULTS) if (this.random() < (this.opts.faultRates[f] ?? 0)) return f;
    return null;
  }

  private restartStatusTimer(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = hasMode(this.mode, Ss2Mode.autoStatus) ? setInterval(() => this.sendStatus(), this.statusPeriodMs) : null;
  }

  private sendStatus(): void {
    let frame = encodeStatus(
      { state: this.state, spin: this.spin, lastNumber: this.lastNumber, warnings: this.warnings, rotorRpm: this.rotorRpm, direction: this.direction },
      this.ending,
    );
    if (this.random() < (this.opts.faultRates.garble ?? 0)) frame = garble(frame, this.random);
    else if (this.random() < (this.opts.faultRates['drop-bytes'] ?? 0)) frame = dropBytes(frame, this.random);
    const state = this.state;
    void this.send(frame).then((sent) => sent && this.emit('frame', { state, at: performance.now() }));
  }

  private reply(text: string): void {
    void this.send(`${text}${this.ending}`);
  }

  private async send(text: string): Promise<boolean> {
    if (performance.now() < this.silentUntil) return false;
    await this.opts.write(text);
    return true;
  }
}

function jitter(ms: number, random: () => number, spread = 0.15): number {
  return ms * (1 - spread + 2 * spread * random());
}

/**
 * Overwrites three bytes with noise. The noise is never a digit, ';' or '*': SS2 frames carry no
 * checksum, so a digit turned into another digit is indistinguishable from the truth on the
 * wire; the round engine's consistency checks for that case are tested on their own.
 */
function garble(frame: string, random: () => number): string {
  const chars = [...frame];
  for (let i = 0; i < 3; i++) {
    let c: number;
    do c = Math.floor(random() * 256);
    while ((c >= 0x30 && c <= 0x39) || c === 0x3b || c === 0x2a || c === 0x0d || c === 0x0a);
    chars[1 + Math.floor(random() * (chars.length - 3))] = String.fromCharCode(c);
  }
  return chars.join('');
}

function dropBytes(frame: string, random: () => number): string {
  const chars = [...frame];
  for (let i = 0; i < 3; i++) chars.splice(Math.floor(random() * (chars.length - 2)), 1);
  return chars.join('');
}
