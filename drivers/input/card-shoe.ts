import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../serial/backoff.js';
import { SerialLink, type SerialBinding } from '../serial/serial-link.js';
import { EvdevDevice, type InputLocation } from './evdev-device.js';
import { keyChar, keyCode } from './key-codes.js';
import { serialDeviceDown, type DeviceLink } from './key-source.js';

export interface ShoeEvents {
  /** One card's code as the shoe wrote it, when its last byte (or Enter) arrived. */
  code: [{ readonly text: string; readonly at: number }];
  link: [DeviceLink];
}

/** A scanner shoe, whichever way it is wired. */
export interface CardShoe extends EventEmitter<ShoeEvents> {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

const ENTER = new Set([keyCode('KEY_ENTER'), keyCode('KEY_KPENTER')]);
const MAX_CODE = 16;

/**
 * A shoe that types each card as a keyboard would ("AS" Enter): read from its evdev node with
 * the same grab as the keypads, so the codes never land in a console. Characters are
 * collected on key-down until Enter; a device that goes away mid-code loses that code (the
 * engine then misses a shoe card and says so: never a half code read as a card).
 */
export class WedgeShoe extends EventEmitter<ShoeEvents> implements CardShoe {
  private readonly device: EvdevDevice;
  private typed = '';

  constructor(opts: { name: string; location: InputLocation; reconnect: BackoffPolicy; log: Logger }) {
    super();
    this.device = new EvdevDevice(opts);
    this.device.on('link', (l) => {
      this.typed = '';
      this.emit('link', l);
    });
    this.device.on('key', (k) => {
      if (k.is === 'resync') return void (this.typed = '');
      if (k.is !== 'down') return;
      const code = keyCode(k.key);
      if (code !== null && ENTER.has(code)) {
        if (this.typed) this.emit('code', { text: this.typed, at: performance.now() });
        this.typed = '';
        return;
      }
      const c = code === null ? null : keyChar(code);
      if (c !== null && this.typed.length < MAX_CODE) this.typed += c;
    });
  }

  get name(): string {
    return this.device.name;
  }

  start(): void {
    this.device.start();
  }

  stop(): Promise<void> {
    return this.device.stop();
  }
}

/** A shoe on a serial port: one code per line. */
export class SerialShoe extends EventEmitter<ShoeEvents> implements CardShoe {
  private readonly link: SerialLink;

  constructor(readonly name: string, opts: { path: string; baudRate: number; binding: SerialBinding; reconnect: BackoffPolicy; log: Logger }) {
    super();
    this.link = new SerialLink({ ...opts, silenceMs: null });
    this.link.on('open', () => this.emit('link', { up: true, detail: `${opts.path} open` }));
    this.link.on('down', (d) => {
      const down = serialDeviceDown(d);
      if (down) this.emit('link', down);
    });
    this.link.on('line', (line) => this.emit('code', { text: line.text, at: line.at }));
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }
}
