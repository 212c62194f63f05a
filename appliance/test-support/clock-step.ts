import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Steps of a process's wall clock (an NTP jump, either way) without touching the machine's:
 * libfaketime (Debian `libfaketime`) preloaded into the process reads the offset from a control
 * file on every clock read (FAKETIME_NO_CACHE), so rewriting the file steps CLOCK_REALTIME of a
 * process that is already running, and of every child it starts (they inherit the environment:
 * camera and output workers, the chain check, GStreamer). CLOCK_MONOTONIC is left alone
 * (FAKETIME_DONT_FAKE_MONOTONIC), as a real step leaves it: what Node's setTimeout,
 * performance.now() and process.hrtime read, and GStreamer's pipeline clock.
 *
 * What it reaches (checked with Node 20 here, clock-step.test.ts): V8's Date, SQLite's clock
 * (better-sqlite3), OpenSSL's certificate time checks, anything through clock_gettime(REALTIME),
 * gettimeofday or time(). What it cannot reach: a statically linked binary, or one that reads
 * the vDSO directly instead of through libc (Go programs). Cost: each wall-clock read re-reads
 * the file (about 20 µs on the loaded test machine, against 0.4 µs without), monotonic reads
 * are untouched.
 */

/** Where Debian puts the library, per architecture; null when it is not installed. */
export function libfaketimePath(): string | null {
  const candidates = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-linux-gnueabihf'].map((a) => `/usr/lib/${a}/faketime/libfaketime.so.1`);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** One control file: the offset of the wall clock of every process started with `env()`. */
export class ClockControl {
  private offset = 0;
  /** Each offset with the real time (this process's clock, ms) it took effect, oldest first. */
  private readonly history: { fromMs: number; offsetSeconds: number }[] = [{ fromMs: Date.now(), offsetSeconds: 0 }];

  private constructor(readonly file: string) {}

  /** A control file someone else made (the soak's): its offset is what the file says now. */
  static open(file: string): ClockControl {
    const control = new ClockControl(file);
    const text = readFileSync(file, 'utf8').trim();
    const offset = text === '' ? 0 : Number(text);
    if (!Number.isFinite(offset)) throw new Error(`clock control ${file}: "${text}" is not an offset in seconds (like +3600 or -90)`);
    control.offset = offset;
    return control;
  }

  /** A control file at offset zero (in a fresh temporary directory unless `file` is given). */
  static create(file = join(mkdtempSync(join(tmpdir(), 'pitbox-clock-')), 'offset')): ClockControl {
    const control = new ClockControl(file);
    control.write();
    return control;
  }

  /** The environment that puts a process (and its children) on this clock. */
  env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const lib = libfaketimePath();
    if (!lib) throw new Error('libfaketime is not installed (apt-get install libfaketime; scripts/install-system-deps.sh)');
    const preload = [base.LD_PRELOAD, lib].filter(Boolean).join(' ');
    return { LD_PRELOAD: preload, FAKETIME_TIMESTAMP_FILE: this.file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
  }

  /** Seconds the controlled wall clock is ahead of the real one (negative: behind). */
  get offsetSeconds(): number {
    return this.offset;
  }

  /** Steps the wall clock by `seconds` (forward when positive), on top of earlier steps. */
  step(seconds: number): void {
    if (!Number.isFinite(seconds)) throw new Error(`clock step: ${seconds} is not a number of seconds`);
    this.offset += seconds;
    this.write();
  }

  /** Back to the real time (itself a step, by minus the current offset). */
  reset(): void {
    this.offset = 0;
    this.write();
  }

  /**
   * The real time (ms) at which the stepped clock read `steppedMs` (an event's `ts`): the
   * offset in force then is the one whose stretch of real time the reading falls in; across a
   * step back, a reading that two stretches both produced is given to the later one. Only the
   * steps made through this object count. For an audit that lines `ts` up with real events.
   */
  realTimeOf(steppedMs: number): number {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const { fromMs, offsetSeconds } = this.history[i]!;
      const real = steppedMs - offsetSeconds * 1000;
      const toMs = this.history[i + 1]?.fromMs ?? Infinity;
      if (real >= fromMs && real < toMs) return real;
    }
    return steppedMs - this.history[0]!.offsetSeconds * 1000;
  }

  /** What the file says now (for a report: a run that died can be read back). */
  read(): string {
    return readFileSync(this.file, 'utf8').trim();
  }

  private write(): void {
    // libfaketime re-reads the file on every clock read: write elsewhere and rename, so a reader
    // never sees a half-written (or empty: "not faked") file.
    const tmp = `${this.file}.tmp`;
    const sign = this.offset < 0 ? '-' : '+';
    writeFileSync(tmp, `${sign}${Math.abs(this.offset)}\n`);
    renameSync(tmp, this.file);
    this.history.push({ fromMs: Date.now(), offsetSeconds: this.offset });
  }
}

/** Starts a process whose wall clock `clock` steps. */
export function spawnOnClock(clock: ClockControl, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const base = options.env ?? process.env;
  return spawn(command, args, { ...options, env: { ...base, ...clock.env(base) } });
}

/** A step the chaos soak injects: how far, and how to undo it at the end of the fault window. */
export interface ClockStep {
  /** Seconds, forward when positive. */
  readonly seconds: number;
  /** The step back the other way (a second NTP jump, as when a wrong server is corrected). */
  end(): void;
}

/**
 * A clock step for the chaos soak, drawn from `random` (the soak's seeded generator, so the same
 * seed steps the same way): either direction, log-uniform from 2 s to 6 h, so most are the
 * seconds an NTP correction makes and a few the hours of a wrong RTC or time zone. Steps the
 * clock behind the control file at once (a path, or the ClockControl that made it); `end()` steps it back by the same amount.
 */
export function clockStepFault(controlFile: ClockControl | string, random: () => number): ClockStep {
  const control = typeof controlFile === 'string' ? ClockControl.open(controlFile) : controlFile;
  const magnitude = Math.round(2 * Math.pow((6 * 3600) / 2, random()));
  const seconds = random() < 0.5 ? -magnitude : magnitude;
  control.step(seconds);
  let ended = false;
  return {
    seconds,
    end: () => {
      if (ended) return;
      ended = true;
      control.step(-seconds);
    },
  };
}
