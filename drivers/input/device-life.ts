import { Backoff, type BackoffPolicy } from '../serial/backoff.js';

/** A helper (intercept, gpiomon) that has not exited in this long has the device: it is up. */
export const ALIVE_AFTER_MS = 1000;
/** An attempt that stayed up this long was a real recovery: the backoff starts over after it. */
export const STEADY_MS = 10_000;

/**
 * When a device counts as back, and how long to wait before the next try. A helper that starts
 * or a port that opens is not yet a device: gpiomon on a line without interrupts exits at once,
 * a serial adapter opens with its panel unpowered. So the device is up only once it has shown
 * life, and the backoff starts over only after it stayed up `steadyMs`; otherwise each retry
 * waits longer, and a flapping device costs a few tries an hour, not thousands.
 */
export class DeviceLife {
  private readonly backoff: Backoff;
  private aliveAt: number | null = null;

  constructor(policy: BackoffPolicy, private readonly steadyMs = STEADY_MS, private readonly now: () => number = () => performance.now()) {
    this.backoff = new Backoff(policy);
  }

  /** The device showed life on this attempt; true the first time (report it up then). */
  alive(): boolean {
    if (this.aliveAt !== null) return false;
    this.aliveAt = this.now();
    return true;
  }

  /** The attempt ended (or failed to start): the delay before the next one. */
  ended(): number {
    if (this.aliveAt !== null && this.now() - this.aliveAt >= this.steadyMs) this.backoff.reset();
    this.aliveAt = null;
    return this.backoff.next();
  }
}
