import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../serial/backoff.js';
import { SerialLink, type SerialBinding } from '../serial/serial-link.js';
import { STEADY_MS } from './device-life.js';
import { serialDeviceDown, type KeySource, type KeySourceEvents } from './key-source.js';

export interface SerialPanelOptions {
  readonly name: string;
  readonly path: string;
  readonly baudRate: number;
  readonly binding: SerialBinding;
  /**
   * A button line: named groups `key` and optionally `state` (DOWN/UP, 1/0, PRESS). A panel
   * that reports only presses (no state) gives a press and a release at once.
   */
  readonly pattern: RegExp;
  /** The panel's heartbeat line; any line resets the silence timer, this one says nothing else. */
  readonly heartbeat: RegExp;
  /** No line for this long: the panel is gone (a USB-serial unplug is not always reported). */
  readonly silenceMs: number;
  readonly reconnect: BackoffPolicy;
  readonly log: Logger;
}

const DOWN = /^(down|1|press(ed)?|p)$/i;
const UP = /^(up|0|release(d)?|r)$/i;

/**
 * A microcontroller button panel printing one line per button change, plus a heartbeat. The
 * line pattern is configured (every panel firmware has its own); lines that match neither it
 * nor the heartbeat are logged and dropped, never guessed at.
 */
export class SerialPanel extends EventEmitter<KeySourceEvents> implements KeySource {
  private readonly link: SerialLink;
  private warned = 0;
  /** A line (heartbeat or button) came since the port opened: the panel is there, not just its adapter. */
  private alive = false;

  constructor(private readonly opts: SerialPanelOptions) {
    super();
    this.link = new SerialLink({ path: opts.path, baudRate: opts.baudRate, binding: opts.binding, reconnect: opts.reconnect, silenceMs: opts.silenceMs, steadyMs: STEADY_MS, log: opts.log });
    this.link.on('down', (d) => {
      const wasAlive = this.alive;
      this.alive = false;
      const down = serialDeviceDown(d);
      // An adapter that opened and went silent never had a panel behind it: still the same outage.
      if (down) this.emit('link', wasAlive || down.reason !== 'silent' ? down : { ...down, detail: `${opts.path} opens, but the panel says nothing (powered? wired?)` });
    });
    this.link.on('line', (line) => {
      if (!this.alive) {
        this.alive = true;
        this.emit('link', { up: true, detail: `${opts.path}: the panel answers` });
      }
      this.onLine(line.text);
    });
  }

  get name(): string {
    return this.opts.name;
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  private onLine(text: string): void {
    if (this.opts.heartbeat.test(text)) return;
    const m = this.opts.pattern.exec(text);
    const key = m?.groups?.['key'];
    if (!m || !key) return this.unrecognised(text);
    const state = m.groups?.['state'];
    if (state === undefined || /^press(ed)?$/i.test(state)) {
      this.emit('key', { key, is: 'down' });
      this.emit('key', { key, is: 'up' });
      return;
    }
    if (DOWN.test(state)) return void this.emit('key', { key, is: 'down' });
    if (UP.test(state)) return void this.emit('key', { key, is: 'up' });
    this.unrecognised(text);
  }

  private unrecognised(text: string): void {
    // Noise on a bad cable can be a line per byte: say so, but not a thousand times.
    this.warned += 1;
    if (this.warned <= 20 || this.warned % 1000 === 0) this.opts.log.warn({ device: this.opts.name, line: JSON.stringify(text.slice(0, 80)), count: this.warned }, 'unrecognised line from the button panel: ignored');
  }
}
