import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../serial/backoff.js';
import { SerialLink, type SerialBinding } from '../serial/serial-link.js';
import { EvdevDevice, type InputLocation } from './evdev-device.js';
import { ALIVE_AFTER_MS, STEADY_MS } from './device-life.js';
import { keyCode } from './key-codes.js';
import { serialDeviceDown, type DeviceLink } from './key-source.js';
import { ScanDecoder, type Scan, type ScannerLayoutName, type Terminator } from './scan-decoder.js';

export interface ShoeEvents {
  /** One scan, when its terminator (or the end of its line) arrived; `text` null when it is no code. */
  code: [Scan & { readonly at: number }];
  link: [DeviceLink];
}

/** A scanner shoe, whichever way it is wired. */
export interface CardShoe extends EventEmitter<ShoeEvents> {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/** Keys stop coming this long before a terminator: the scan is over, and no code. */
const IDLE_MS = 1500;
/** What a card code is typed with: the keys an evdev node must have to be the shoe's. */
export const SHOE_KEYS = ['KEY_A', 'KEY_S', 'KEY_H', 'KEY_D', 'KEY_C', 'KEY_1', 'KEY_0', 'KEY_ENTER'].map((k) => keyCode(k) as number);

/**
 * A shoe that types each card as a keyboard would ("AS" Enter): read from its evdev node with
 * the same grab as the keypads, so the codes never land in a console, and decoded with the
 * scanner's keyboard layout and terminator (scan-decoder.ts). A device that goes away mid-code
 * loses that code (the engine then misses a shoe card and says so: never a half code read as a
 * card); a code left without its terminator is reported as no code after `IDLE_MS`.
 */
export class WedgeShoe extends EventEmitter<ShoeEvents> implements CardShoe {
  private readonly device: EvdevDevice;
  private readonly decoder: ScanDecoder;
  private idle: NodeJS.Timeout | null = null;

  constructor(opts: { name: string; location: InputLocation; reconnect: BackoffPolicy; log: Logger; layout: ScannerLayoutName; terminator: Terminator }) {
    super();
    this.device = new EvdevDevice({ ...opts, keys: SHOE_KEYS });
    this.decoder = new ScanDecoder(opts.layout, opts.terminator);
    this.device.on('link', (l) => {
      this.decoder.reset();
      this.emit('link', l);
    });
    this.device.on('key', (k) => {
      if (k.is === 'resync') return this.decoder.reset();
      const code = keyCode(k.key);
      if (code === null) return;
      const scan = this.decoder.key(code, k.is);
      if (scan) this.emit('code', { ...scan, at: performance.now() });
      this.armIdle();
    });
  }

  get name(): string {
    return this.device.name;
  }

  start(): void {
    this.device.start();
  }

  stop(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    return this.device.stop();
  }

  private armIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (!this.decoder.pending) return;
    this.idle = setTimeout(() => {
      const scan = this.decoder.flush();
      if (scan) this.emit('code', { ...scan, at: performance.now() });
    }, IDLE_MS);
    this.idle.unref();
  }
}

/** A shoe on a serial port: one code per line. */
export class SerialShoe extends EventEmitter<ShoeEvents> implements CardShoe {
  private readonly link: SerialLink;

  constructor(readonly name: string, opts: { path: string; baudRate: number; binding: SerialBinding; reconnect: BackoffPolicy; log: Logger }) {
    super();
    this.link = new SerialLink({ ...opts, silenceMs: null, steadyMs: STEADY_MS });
    // A shoe is quiet between cards: it is up once the port has stayed open a moment, or a code came.
    let aliveTimer: NodeJS.Timeout | null = null;
    let alive = false;
    const up = () => {
      if (alive) return;
      alive = true;
      this.emit('link', { up: true, detail: `${opts.path} open` });
    };
    this.link.on('open', () => (aliveTimer = setTimeout(up, ALIVE_AFTER_MS)));
    this.link.on('down', (d) => {
      if (aliveTimer) clearTimeout(aliveTimer);
      alive = false;
      const down = serialDeviceDown(d);
      if (down) this.emit('link', down);
    });
    this.link.on('line', (line) => {
      up();
      this.emit('code', { text: line.text, shown: line.text, keys: '', at: line.at });
    });
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }
}
