import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SerialLink, type SerialBinding } from '../../serial/serial-link.js';
import type { BackoffPolicy } from '../../serial/backoff.js';
import type { WheelCapabilities, WheelDriver, WheelEvents } from '../wheel.js';
import { WheelCommandError } from '../wheel.js';

export interface NumberLineWheelOptions {
  readonly port: string;
  readonly baudRate: number;
  readonly binding: SerialBinding;
  /** A regular expression with one capture group holding the winning number. */
  readonly pattern: RegExp;
  /** Highest pocket number (36 on single-zero wheels). */
  readonly maxNumber: number;
  readonly reconnect: BackoffPolicy;
  readonly log: Logger;
}

/**
 * For wheels that only print the winning number, one line per result, and take no commands.
 * Such a wheel is silent between results, so silence says nothing about the link; only a
 * closed port does. The round engine opens and closes betting on the dealer's word instead of
 * the wheel's states.
 */
export class NumberLineWheel extends EventEmitter<WheelEvents> implements WheelDriver {
  readonly capabilities: WheelCapabilities = { statusFrames: false, startGame: false, respin: false };
  private readonly link: SerialLink;

  constructor(private readonly opts: NumberLineWheelOptions) {
    super();
    this.link = new SerialLink({ ...opts, path: opts.port, silenceMs: null });
  }

  start(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.link.on('open', () => this.emit('link', { up: true, port: this.opts.port, rotorWindow: null }));
    this.link.on('down', (down) => this.emit('link', { up: false, ...down }));
    this.link.on('line', ({ text, at }) => {
      const number = parseNumberLine(text, this.opts.pattern, this.opts.maxNumber);
      if (number === null) {
        this.opts.log.warn({ line: JSON.stringify(text) }, 'wheel line does not match the configured pattern');
        this.emit('garbage', { line: text, at });
      } else {
        this.emit('winningNumber', { number, at });
      }
    });
    this.link.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  startGame(): Promise<void> {
    return Promise.reject(new WheelCommandError('start', 'unsupported', 'this wheel takes no commands'));
  }

  respin(): Promise<void> {
    return Promise.reject(new WheelCommandError('respin', 'unsupported', 'this wheel takes no commands'));
  }
}

/** The number captured by `pattern`, or null when the line does not match or is out of range. */
export function parseNumberLine(text: string, pattern: RegExp, maxNumber: number): number | null {
  const m = pattern.exec(text);
  const digits = m?.[1];
  if (digits === undefined || !/^\d{1,2}$/.test(digits.trim())) return null;
  const n = Number(digits.trim());
  return n <= maxNumber ? n : null;
}
