import type { BufferTiming } from './gst.js';

/** What a camera worker reports about its encoded stream, once a second. */
export interface StreamStats {
  /** Frames that came out of the encoder since the worker started. */
  readonly framesOut: number;
  /** Frames the timestamps say are missing: dropped at the source, the queue or the encoder. */
  readonly dropped: number;
  readonly keyframes: number;
  readonly bytes: number;
  /** Over the last interval. */
  readonly fps: number;
  readonly bitrateKbps: number;
  /** Capture to encoded, over the last interval, ms: the camera's own share of glass-to-glass. */
  readonly encodeLatencyMs: { readonly p50: number; readonly max: number } | null;
}

/**
 * Counts the encoded stream as it leaves the encoder. Lost frames are found from the gaps in
 * the presentation timestamps, which the source sets at capture: a frame dropped anywhere
 * between the sensor and here leaves a hole of one frame period.
 */
export class StreamCounter {
  private framesOut = 0;
  private dropped = 0;
  private keyframes = 0;
  private bytes = 0;
  private lastRunningNs: number | null = null;
  private interval = { frames: 0, bytes: 0, latencies: [] as number[], since: 0 };

  constructor(
    private readonly frameNs: number,
    now: number,
  ) {
    this.interval.since = now;
  }

  onEncoded(size: number, timing: BufferTiming, nowNs: number): void {
    this.framesOut++;
    this.bytes += size;
    this.interval.frames++;
    this.interval.bytes += size;
    if (timing.keyframe) this.keyframes++;
    const running = timing.runningTime;
    if (running !== undefined) {
      if (this.lastRunningNs !== null && running > this.lastRunningNs) {
        // Half a period of slack: timestamps of a live source jitter.
        const missing = Math.round((running - this.lastRunningNs) / this.frameNs) - 1;
        if (missing > 0) this.dropped += missing;
      }
      // A running time that goes back (a file looped, a flushing seek) starts counting afresh.
      this.lastRunningNs = running;
    }
    if (timing.clockTime !== undefined) this.interval.latencies.push((nowNs - timing.clockTime) / 1e6);
  }

  /** The totals, and the interval since the last call (which starts a new one). */
  take(nowMs: number): StreamStats {
    const { interval } = this;
    const seconds = Math.max(0.001, (nowMs - interval.since) / 1000);
    const sorted = interval.latencies.sort((a, b) => a - b);
    const stats: StreamStats = {
      framesOut: this.framesOut,
      dropped: this.dropped,
      keyframes: this.keyframes,
      bytes: this.bytes,
      fps: round(interval.frames / seconds, 1),
      bitrateKbps: Math.round((interval.bytes * 8) / seconds / 1000),
      encodeLatencyMs: sorted.length > 0 ? { p50: round(percentile(sorted, 0.5), 2), max: round(sorted[sorted.length - 1] ?? 0, 2) } : null,
    };
    this.interval = { frames: 0, bytes: 0, latencies: [], since: nowMs };
    return stats;
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
