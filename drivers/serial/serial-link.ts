import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import { LineFramer, type FramedLine } from './line-framer.js';
import { Backoff, type BackoffPolicy } from './backoff.js';

/** Why a serial link is down. */
export type LinkDownReason = 'not-found' | 'open-failed' | 'disconnected' | 'silent' | 'stopped';

/** A serialport binding: the real one in production, binding-mock or a pty in tests. */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export interface SerialLinkOptions {
  readonly path: string;
  readonly baudRate: number;
  /** The serialport binding: the real one in production, a mock or a pty in tests. */
  readonly binding: SerialBinding;
  readonly reconnect: BackoffPolicy;
  /** No byte for this long means the device is gone; null for devices that are quiet by design. */
  readonly silenceMs: number | null;
  /**
   * The backoff starts over only once the port has stayed open this long (a dealer panel: an
   * adapter whose panel is unpowered opens, goes silent and closes, and must not be retried at
   * the first delay for ever). Absent: at every open.
   */
  readonly steadyMs?: number;
  readonly log: Logger;
}

export interface LinkDown {
  readonly reason: LinkDownReason;
  readonly detail: string;
  readonly retryInMs: number | null;
}

export interface SerialLinkEvents {
  /** The port is open; the protocol layer may now set the device up. */
  open: [];
  line: [FramedLine];
  /** The port closed or could not be opened. Emitted once per outage. */
  down: [LinkDown];
}

/**
 * A serial port that stays open: opens, frames lines, notices unplugging and silence, and
 * reopens with backoff. It owns no protocol; the adapter on top decides what the lines mean
 * and may force a reconnect with `drop()` (for example when the device stops answering).
 */
export class SerialLink extends EventEmitter<SerialLinkEvents> {
  private port: SerialPortStream | null = null;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private steadyTimer: NodeJS.Timeout | null = null;
  private running = false;
  private isDown = true;

  constructor(private readonly opts: SerialLinkOptions) {
    super();
    this.backoff = new Backoff(opts.reconnect);
  }

  get isOpen(): boolean {
    return this.port !== null && !this.isDown;
  }

  /** Starts connecting; resolves at once. Failures are reported as `down` and retried. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimers();
    await this.closePort();
    this.markDown({ reason: 'stopped', detail: 'driver stopped', retryInMs: null });
  }

  write(text: string): Promise<void> {
    const port = this.port;
    if (!port || this.isDown) return Promise.reject(new Error('serial link is down'));
    return new Promise((resolve, reject) => {
      port.write(text, 'latin1', (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the port and reconnects after backoff, reporting `reason`. */
  drop(reason: LinkDownReason, detail: string): void {
    if (!this.running || this.isDown) return;
    void this.closePort().then(() => this.scheduleRetry(reason, detail));
  }

  private connect(): void {
    this.retryTimer = null;
    if (!this.running) return;
    const port = new SerialPortStream({
      binding: this.opts.binding,
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      autoOpen: false,
    });
    port.open((err) => {
      if (!this.running) {
        if (!err) port.close();
        return;
      }
      if (err) {
        const missing = /ENOENT|No such file/i.test(err.message);
        this.scheduleRetry(missing ? 'not-found' : 'open-failed', err.message);
        return;
      }
      this.attach(port);
    });
  }

  private attach(port: SerialPortStream): void {
    this.port = port;
    this.isDown = false;
    if (this.opts.steadyMs === undefined) this.backoff.reset();
    else this.steadyTimer = setTimeout(() => this.backoff.reset(), this.opts.steadyMs);
    const framer = new LineFramer();
    port.pipe(framer);
    framer.on('data', (line: FramedLine) => this.emit('line', line));
    port.on('data', () => this.armSilence());
    port.on('close', (err: Error | null) => {
      if (this.port !== port) return;
      this.port = null;
      port.unpipe(framer);
      if (this.running) this.scheduleRetry('disconnected', err?.message ?? 'port closed');
    });
    // An error on an open port is followed by 'close' when fatal; log the rest.
    port.on('error', (err) => this.opts.log.warn({ err: err.message }, 'serial port error'));
    this.armSilence();
    this.opts.log.info({ port: this.opts.path, baudRate: this.opts.baudRate }, 'serial port open');
    this.emit('open');
  }

  private armSilence(): void {
    if (this.opts.silenceMs === null) return;
    if (this.silenceTimer) this.silenceTimer.refresh();
    else {
      this.silenceTimer = setTimeout(() => {
        this.silenceTimer = null;
        this.drop('silent', `no bytes for ${this.opts.silenceMs} ms`);
      }, this.opts.silenceMs);
    }
  }

  private scheduleRetry(reason: LinkDownReason, detail: string): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.steadyTimer) clearTimeout(this.steadyTimer);
    this.silenceTimer = null;
    this.steadyTimer = null;
    if (!this.running || this.retryTimer) return;
    const retryInMs = this.backoff.next();
    this.markDown({ reason, detail, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }

  private markDown(down: LinkDown): void {
    const wasDown = this.isDown;
    this.isDown = true;
    if (!wasDown || down.reason !== 'stopped') {
      this.opts.log[down.reason === 'stopped' ? 'info' : 'warn']({ port: this.opts.path, ...down }, 'serial link down');
    }
    this.emit('down', down);
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.isDown = true;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.steadyTimer) clearTimeout(this.steadyTimer);
    this.retryTimer = null;
    this.silenceTimer = null;
    this.steadyTimer = null;
  }
}
