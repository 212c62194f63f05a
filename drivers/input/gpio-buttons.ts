import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../serial/backoff.js';
import { ALIVE_AFTER_MS, DeviceLife } from './device-life.js';
import { endHelper } from './helper-process.js';
import type { DeviceLink, KeySource, KeySourceEvents } from './key-source.js';

export type GpioBias = 'pull-up' | 'pull-down' | 'disable' | 'as-is';

export interface GpioOptions {
  readonly name: string;
  /** gpiochip0, or its label / number as gpiomon takes it. */
  readonly chip: string;
  /** Line offsets to watch; each is a key named by its offset. */
  readonly lines: readonly number[];
  readonly bias: GpioBias;
  /** Pressed is low (a button to ground with the pull-up): the usual wiring. */
  readonly activeLow: boolean;
  readonly reconnect: BackoffPolicy;
  readonly log: Logger;
}

/**
 * The format we pin gpiomon 1.6 to (Debian 12's libgpiod; 2.x changed flags and output):
 * "%o %e %s %n" = offset, edge (1 rising, 0 falling), seconds, nanoseconds. `-b` there means
 * line-buffered (a pipe would otherwise hold events back in stdio's 4 KiB buffer) and `-B` is
 * the bias; 1.6 has no debounce option, so bounce is the gate's job.
 */
export const GPIOMON_FORMAT = '%o %e %s %n';
const EVENT_LINE = /^(\d+) ([01]) (\d+) (\d+)$/;

export function gpiomonArgs(o: Pick<GpioOptions, 'chip' | 'lines' | 'bias'>): string[] {
  return ['-b', '-B', o.bias, '-F', GPIOMON_FORMAT, o.chip, ...o.lines.map(String)];
}

/** One line of gpiomon's output, or null for anything else (logged by the caller). */
export function parseGpiomonLine(line: string): { offset: number; rising: boolean; ns: bigint } | null {
  const m = EVENT_LINE.exec(line.trim());
  if (!m) return null;
  return { offset: Number(m[1]), rising: m[2] === '1', ns: BigInt(m[3] as string) * 1_000_000_000n + BigInt(m[4] as string) };
}

/**
 * Buttons on GPIO lines through the libgpiod command-line tools. The lines' levels are read
 * first with `gpioget` (a button held at start is quarantined by the gate until released),
 * then `gpiomon` reports edges. The two cannot hold the lines at once, so an edge between them
 * is missed; the gate treats a release it never saw pressed as nothing, so the worst case is a
 * press that must be made again, never a press invented.
 */
export class GpioButtons extends EventEmitter<KeySourceEvents> implements KeySource {
  private mon: ChildProcessWithoutNullStreams | null = null;
  private readonly life: DeviceLife;
  private retry: NodeJS.Timeout | null = null;
  private running = false;
  private isUp = false;
  private lastDown: string | null = null;

  constructor(private readonly opts: GpioOptions) {
    super();
    this.life = new DeviceLife(opts.reconnect);
  }

  get name(): string {
    return this.opts.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    const mon = this.mon;
    this.mon = null;
    await endHelper(mon);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (!this.running) return;
    const { chip, lines, bias, activeLow } = this.opts;
    let levels: number[];
    try {
      levels = await new Promise<number[]>((resolve, reject) =>
        execFile('gpioget', ['-B', bias, chip, ...lines.map(String)], { timeout: 2000 }, (err, stdout, stderr) => {
          if (err) return reject(new Error(stderr.trim() || err.message));
          const values = stdout.trim().split(/\s+/).map(Number);
          if (values.length !== lines.length || values.some((v) => v !== 0 && v !== 1)) return reject(new Error(`gpioget printed ${JSON.stringify(stdout.trim())}`));
          resolve(values);
        }),
      );
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return this.down(e.code === 'ENOENT' ? 'no-helper' : 'not-found', e.code === 'ENOENT' ? 'gpioget is not installed (apt install gpiod)' : `${chip}: ${e.message}`);
    }
    if (!this.running) return;
    const pressedLevel = activeLow ? 0 : 1;
    const mon = spawn('gpiomon', gpiomonArgs(this.opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.mon = mon;
    let stderr = '';
    mon.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    mon.once('error', (err: NodeJS.ErrnoException) => {
      if (this.mon !== mon) return;
      this.mon = null;
      this.down(err.code === 'ENOENT' ? 'no-helper' : 'disconnected', err.code === 'ENOENT' ? 'gpiomon is not installed (apt install gpiod)' : err.message);
    });
    mon.once('exit', (code, signal) => {
      if (this.mon !== mon) return;
      this.mon = null;
      this.down('disconnected', `gpiomon ${signal ?? `exited ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    });
    // Up only once gpiomon has shown it holds the lines: it stayed alive, or an edge came. On a
    // line without interrupts it exits at once (while gpioget works): that is never up.
    const alive = () => {
      if (this.mon !== mon || !this.life.alive()) return;
      this.isUp = true;
      this.lastDown = null;
      this.opts.log.info({ device: this.opts.name, chip, lines }, 'GPIO buttons up');
      this.emit('link', { up: true, detail: `${chip} lines ${lines.join(',')}` });
    };
    const aliveTimer = setTimeout(alive, ALIVE_AFTER_MS);
    mon.once('exit', () => clearTimeout(aliveTimer));
    mon.once('spawn', () => {
      if (this.mon === mon) this.emit('heldAtStart', lines.filter((_, i) => levels[i] === pressedLevel).map(String));
    });
    createInterface({ input: mon.stdout }).on('line', (line) => {
      if (this.mon !== mon) return;
      alive();
      const e = parseGpiomonLine(line);
      if (!e || !lines.includes(e.offset)) {
        this.opts.log.warn({ device: this.opts.name, line: line.slice(0, 120) }, 'unexpected line from gpiomon: ignored');
        return;
      }
      const pressed = e.rising === !activeLow;
      // The kernel's edge time, not ours: a busy event loop must not stretch a spike into a press.
      this.emit('key', { key: String(e.offset), is: pressed ? 'down' : 'up', at: Number(e.ns / 1000n) / 1000 });
    });
  }

  private down(reason: (DeviceLink & { up: false })['reason'], detail: string): void {
    if (this.isUp || this.lastDown !== reason) {
      this.opts.log.warn({ device: this.opts.name, reason, detail }, 'GPIO buttons down');
      this.emit('link', { up: false, reason, detail });
    }
    this.isUp = false;
    this.lastDown = reason;
    const delay = this.life.ended();
    if (!this.running || this.retry) return;
    this.retry = setTimeout(() => void this.connect(), delay);
  }
}
