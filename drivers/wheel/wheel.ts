import type { LinkDownReason } from '../serial/serial-link.js';
import type { EventEmitter } from 'node:events';

/** SS2 game states as the controller reports them (reference: "Status frame"). */
export type WheelState =
  | 1 // before game
  | 2 // place bets: wheel preparing and launching
  | 3 // ball in rim
  | 4 // no more bets
  | 5 // winning number: ball settled, pocket sensors agree
  | 6; // table closed, idle, or fault stop

/** Warning bits of the status frame's `warn` digit. */
export const WheelWarning = {
  ballNotDetected: 1,
  ballWithRotor: 2,
  sensorFault: 4,
  launchFailed: 8,
} as const;

export type RotorDirection = 'clockwise' | 'anticlockwise';

/** One status frame, decoded. `at` is when its last byte arrived (performance.now() ms). */
export interface WheelStatus {
  readonly state: WheelState;
  /** Game counter 1..256, wraps to 1. */
  readonly spin: number;
  /** Last winning number, or null before the first result after power-up. */
  readonly lastNumber: number | null;
  /** Bitmask of WheelWarning. */
  readonly warnings: number;
  readonly rotorRpm: number;
  readonly direction: RotorDirection;
  readonly at: number;
}

export interface WinningNumber {
  readonly number: number;
  readonly at: number;
}

/** Why the link to the wheel is down: the serial link's reasons. */
export type { LinkDownReason };

/** The rotor speed the wheel holds at launch (`*T s`). */
export interface RotorWindow {
  readonly minRpm: number;
  readonly maxRpm: number;
}

export type WheelLink =
  | { readonly up: true; readonly port: string; readonly rotorWindow: RotorWindow | null }
  | { readonly up: false; readonly reason: LinkDownReason; readonly detail: string; readonly retryInMs: number | null };

export interface WheelEvents {
  /** A decoded status frame. Only drivers with `capabilities.statusFrames`. */
  status: [WheelStatus];
  /** The wheel announced a winning number on its own line. */
  winningNumber: [WinningNumber];
  /** The link came up (after mode set-up) or went down. Emitted on every change, never twice in a row. */
  link: [WheelLink];
  /** Bytes that could not be understood: counted and logged, never acted on. */
  garbage: [{ readonly line: string; readonly at: number }];
}

export interface WheelCapabilities {
  /** Sends SS2 status frames (state, spin counter, rotor, warnings). */
  readonly statusFrames: boolean;
  /** Accepts a start-game command (`*u 1`). */
  readonly startGame: boolean;
  /** Accepts a void-and-respin command (`*R`). */
  readonly respin: boolean;
}

/**
 * What the appliance sees of a roulette wheel.
 *
 * Contract:
 * - `start()` resolves once the driver runs, whether or not the wheel is reachable: a missing
 *   or silent port is reported as `link` down and retried with backoff, never thrown.
 *   It rejects only if `signal` aborts first.
 * - While the link is down no `status` or `winningNumber` is emitted.
 * - Commands reject with `WheelCommandError` when the wheel refuses (`NO`, `BUSY`), does not
 *   answer in time, or the link is down. They never retry on their own: the caller decides.
 * - `stop()` closes the port and cancels reconnection; the last `link` event says `stopped`.
 */
export interface WheelDriver extends EventEmitter<WheelEvents> {
  readonly capabilities: WheelCapabilities;
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  startGame(): Promise<void>;
  respin(): Promise<void>;
}

export type WheelCommandFailure = 'refused' | 'busy' | 'timeout' | 'link-down' | 'unsupported';

export class WheelCommandError extends Error {
  constructor(
    readonly command: string,
    readonly failure: WheelCommandFailure,
    detail?: string,
  ) {
    super(`wheel command ${JSON.stringify(command)} failed: ${failure}${detail ? ` (${detail})` : ''}`);
    this.name = 'WheelCommandError';
  }
}
