import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SerialLink, type SerialBinding, type LinkDown } from '../../serial/serial-link.js';
import type { BackoffPolicy } from '../../serial/backoff.js';
import type { RotorWindow, WheelCapabilities, WheelDriver, WheelEvents, WheelLink } from '../wheel.js';
import { WheelCommandError } from '../wheel.js';
import type { FramedLine } from '../../serial/line-framer.js';
import { decodeLine } from './messages.js';
import { hasMode, parseRotorWindow, Ss2Mode, Ss2Protocol } from './protocol.js';

export interface CammeghSs2Options {
  readonly port: string;
  readonly baudRate: number;
  /** Operating mode written with `*o` at every connect. */
  readonly mode: number;
  readonly binding: SerialBinding;
  /** Status period of the wheel (500 ms; less when a simulator runs accelerated). */
  readonly statusPeriodMs: number;
  /** Silence longer than this many status periods counts as a lost link. */
  readonly silenceFactor: number;
  readonly commandTimeoutMs: number;
  readonly reconnect: BackoffPolicy;
  readonly log: Logger;
}

/**
 * Cammegh Slingshot 2 on its host port: framing, protocol and adapter in one place that the
 * rest of the appliance sees as a WheelDriver.
 *
 * At every connect it writes the operating mode and reads the rotor window; the link is
 * reported up only after that. If the wheel is mid-game it answers `*o BUSY`: the mode is then
 * written again at the next idle state (1, 5 or 6). Without the auto-status mode bit the driver
 * polls `*X` every status period, so silence detection works either way.
 */
export class CammeghSs2Wheel extends EventEmitter<WheelEvents> implements WheelDriver {
  readonly capabilities: WheelCapabilities = { statusFrames: true, startGame: true, respin: true };
  private readonly link: SerialLink;
  private readonly protocol: Ss2Protocol;
  private readonly log: Logger;
  private up = false;
  private modePending = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastLink: WheelLink | null = null;

  constructor(private readonly opts: CammeghSs2Options) {
    super();
    this.log = opts.log;
    this.link = new SerialLink({
      path: opts.port,
      baudRate: opts.baudRate,
      binding: opts.binding,
      reconnect: opts.reconnect,
      silenceMs: opts.statusPeriodMs * opts.silenceFactor,
      log: opts.log,
    });
    this.protocol = new Ss2Protocol((text) => this.link.write(text), opts.commandTimeoutMs);
  }

  start(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.link.on('open', () => void this.setUp());
    this.link.on('line', (line) => this.onLine(line));
    this.link.on('down', (down) => this.onDown(down));
    this.link.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopPolling();
    this.protocol.abortAll('driver stopped');
    await this.link.stop();
  }

  async startGame(): Promise<void> {
    this.requireUp('*u 1');
    await this.protocol.request('*u 1', 'u');
  }

  async respin(): Promise<void> {
    this.requireUp('*R');
    await this.protocol.request('*R', 'R');
  }

  private requireUp(command: string): void {
    if (!this.up) throw new WheelCommandError(command, 'link-down', 'wheel link is down');
  }

  private async setUp(): Promise<void> {
    try {
      const modeOk = await this.writeMode();
      const window = parseRotorWindow(await this.protocol.request('*T s', 'T'));
      if (!window) this.log.warn('wheel did not report a usable rotor window (*T s)');
      this.up = true;
      this.modePending = !modeOk;
      if (!hasMode(this.opts.mode, Ss2Mode.autoStatus)) this.startPolling();
      this.setLink({ up: true, port: this.opts.port, rotorWindow: window });
    } catch (err) {
      // A wheel that does not answer its set-up is as good as gone: reconnect and try again.
      this.link.drop('silent', `set-up failed: ${(err as Error).message}`);
    }
  }

  /** Returns false when the wheel was busy and the mode must be written later. */
  private async writeMode(): Promise<boolean> {
    try {
      const echo = await this.protocol.request(`*o ${this.opts.mode}`, 'o');
      if (echo !== String(this.opts.mode)) this.log.warn({ echo, mode: this.opts.mode }, 'wheel echoed a different mode');
      return true;
    } catch (err) {
      if (err instanceof WheelCommandError && err.failure === 'busy') {
        this.log.info({ mode: this.opts.mode }, 'wheel busy: mode will be set when the game ends');
        return false;
      }
      throw err;
    }
  }

  private onLine(line: FramedLine): void {
    for (const msg of decodeLine(line)) {
      if (this.protocol.accept(msg)) continue;
      switch (msg.kind) {
        case 'status':
          if (!this.up) break;
          this.emit('status', msg.status);
          if (this.modePending && [1, 5, 6].includes(msg.status.state)) this.retryMode();
          break;
        case 'number':
          if (this.up) this.emit('winningNumber', { number: msg.number, at: msg.at });
          break;
        case 'reply':
          this.log.debug({ name: msg.name, args: msg.args }, 'unsolicited wheel packet');
          break;
        case 'garbage':
          this.log.warn({ line: JSON.stringify(msg.line), why: msg.why }, 'wheel sent bytes that are not a packet');
          this.emit('garbage', { line: msg.line, at: msg.at });
          break;
      }
    }
  }

  private retryMode(): void {
    this.modePending = false;
    this.writeMode()
      .then((ok) => {
        this.modePending = !ok;
      })
      .catch((err: Error) => {
        this.modePending = true;
        this.log.warn({ err: err.message }, 'setting the wheel mode failed');
      });
  }

  private onDown(down: LinkDown): void {
    this.up = false;
    this.stopPolling();
    this.protocol.abortAll(down.detail);
    this.setLink({ up: false, ...down });
  }

  private setLink(link: WheelLink): void {
    const prev = this.lastLink;
    // A retry that fails the same way is not news; a change of reason is.
    if (prev && !prev.up && !link.up && prev.reason === link.reason) return;
    this.lastLink = link;
    this.emit('link', link);
  }

  private startPolling(): void {
    this.stopPolling();
    this.pollTimer = setInterval(() => {
      this.protocol.request('*X', 'X').catch(() => undefined);
    }, Math.max(100, this.opts.statusPeriodMs));
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}

export type { RotorWindow };
