import { Backoff } from '../serial/backoff.js';

export interface RestartConfig {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Restarts allowed within `windowS`; one more and the thing is declared failed. */
  readonly budget: number;
  readonly windowS: number;
  /** How long a failed thing rests before it is tried again. */
  readonly cooldownS: number;
}

export interface RestartDecision {
  readonly delayMs: number;
  /** True when the budget is spent: the delay is the cooldown, and people should be told. */
  readonly failed: boolean;
}

/**
 * When to restart a worker that died: exponential backoff with jitter, and a budget so that a
 * camera that dies every second is reported as failed (and retried slowly) rather than spun.
 * Never gives up for good: a camera plugged back in an hour later must come back by itself.
 */
export class RestartPolicy {
  private readonly backoff: Backoff;
  private restarts: number[] = [];

  constructor(
    private readonly config: RestartConfig,
    random: () => number = Math.random,
  ) {
    this.backoff = new Backoff({ initialMs: config.initialMs, maxMs: config.maxMs }, random);
  }

  /** The worker exited at `now` (ms on a monotonic clock: performance.now(), so a wall-clock step neither spends nor refills the budget): how long to wait before the next start. */
  onExit(now: number): RestartDecision {
    const windowStart = now - this.config.windowS * 1000;
    this.restarts = this.restarts.filter((t) => t > windowStart);
    this.restarts.push(now);
    if (this.restarts.length > this.config.budget) {
      this.restarts = [];
      this.backoff.reset();
      return { delayMs: this.config.cooldownS * 1000, failed: true };
    }
    return { delayMs: this.backoff.next(), failed: false };
  }

  /** The worker has been delivering for a while: the next failure starts the backoff afresh. */
  onHealthy(): void {
    this.backoff.reset();
  }

  /** Restarts counted in the current window. */
  recent(): number {
    return this.restarts.length;
  }
}
