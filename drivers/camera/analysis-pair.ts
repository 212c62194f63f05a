import type { BufferTiming, Caps } from './gst.js';

/** One analysis appsink's frame. */
export interface Pulled {
  readonly buf: Buffer;
  readonly caps: Caps;
  readonly timing: BufferTiming;
}

/**
 * Pairs each analysis frame with its copy scaled for the detector (pipeline.ts, SCALED_SINK).
 * Both appsinks get every frame the rate limit lets through, each through a leaky queue of its
 * own, so either may have dropped a frame the other kept: a pair is two frames with the same
 * timestamp, and a frame whose twin is gone gives way to the next one (counted as dropped,
 * like a frame the consumer had no time for).
 */
export class AnalysisPairs {
  private full: Pulled | null = null;
  private scaled: Pulled | null = null;
  /** Full-size frames given up because their scaled copy never came. */
  unpaired = 0;

  offerFull(frame: Pulled): [Pulled, Pulled] | null {
    if (this.full) this.unpaired++;
    this.full = frame;
    return this.match();
  }

  offerScaled(frame: Pulled): [Pulled, Pulled] | null {
    this.scaled = frame;
    return this.match();
  }

  private match(): [Pulled, Pulled] | null {
    const { full, scaled } = this;
    if (!full || !scaled) return null;
    const f = when(full);
    const s = when(scaled);
    if (f === s) {
      this.full = this.scaled = null;
      return [full, scaled];
    }
    // The older one's twin was dropped: it can never be paired.
    if (f === undefined || (s !== undefined && f < s)) {
      this.full = null;
      this.unpaired++;
    } else this.scaled = null;
    return null;
  }
}

/** The frame's place on the pipeline's timeline (the same for both copies of one capture). */
function when(p: Pulled): number | undefined {
  return p.timing.runningTime ?? p.timing.clockTime;
}
