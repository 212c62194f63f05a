export interface BackoffPolicy {
  /** First retry delay. */
  readonly initialMs: number;
  /** Ceiling for the delay. */
  readonly maxMs: number;
}

/**
 * Exponential backoff with ±20 % jitter, so that boxes sharing a power cut do not retry in step.
 * `next()` gives the delay before the next attempt; `reset()` after a success.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
