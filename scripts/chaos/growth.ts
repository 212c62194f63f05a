/**
 * Does a series grow? A leak shows as a steady slope once the process has warmed up, so each
 * process lifetime (a series is cut where the pid changes: a restart frees everything) is fitted
 * after its own warm-up by least squares, and the slope is given relative to the series' level:
 * percent per real hour, and per simulated day at the run's acceleration. Noise around a flat
 * line averages out in the fit; a sawtooth from GC is flat on average.
 */

export interface Sample {
  /** Real milliseconds since the run started. */
  readonly t: number;
  readonly v: number;
  /** The process the sample came from; a new pid starts a new segment. */
  readonly pid?: number;
}

export interface Growth {
  /** Units per real hour (weighted over the segments long enough to fit). */
  readonly slopePerHour: number;
  /** The slope as a percentage of the fitted segments' mean level, per real hour. */
  readonly percentPerHour: number;
  /** Units per simulated day (slope per real hour x 24 / speed). */
  readonly slopePerSimDay: number;
  /** Samples used in the fit, and how many segments (process lifetimes) they came from. */
  readonly samples: number;
  readonly segments: number;
}

export interface GrowthOptions {
  /** Each segment's first `warmupMs` are left out (JIT, caches, pools filling). */
  readonly warmupMs: number;
  /** Segments shorter than this after warm-up are too short to fit. */
  readonly minSegmentMs: number;
  /** Simulated time per real time. */
  readonly speed: number;
}

export function segments(series: readonly Sample[]): Sample[][] {
  const out: Sample[][] = [];
  for (const s of series) {
    const last = out.at(-1);
    if (last && last[0]!.pid === s.pid) last.push(s);
    else out.push([s]);
  }
  return out;
}

/** Least-squares slope (units per ms) and mean of one segment. */
function fit(points: readonly Sample[]): { slope: number; mean: number } {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return { slope: den === 0 ? 0 : num / den, mean: mv };
}

export function growth(series: readonly Sample[], opts: GrowthOptions): Growth | null {
  let weighted = 0;
  let level = 0;
  let span = 0;
  let used = 0;
  let count = 0;
  for (const seg of segments(series)) {
    const start = seg[0]!.t + opts.warmupMs;
    const fitted = seg.filter((s) => s.t >= start);
    if (fitted.length < 3) continue;
    const length = fitted.at(-1)!.t - fitted[0]!.t;
    if (length < opts.minSegmentMs) continue;
    const { slope, mean } = fit(fitted);
    // Longer lifetimes weigh more: they are where a slow leak shows.
    weighted += slope * length;
    level += mean * length;
    span += length;
    used += fitted.length;
    count++;
  }
  if (span === 0) return null;
  const slopePerHour = (weighted / span) * 3_600_000;
  const meanLevel = level / span;
  return {
    slopePerHour,
    percentPerHour: meanLevel === 0 ? 0 : (slopePerHour / meanLevel) * 100,
    slopePerSimDay: (slopePerHour * 24) / opts.speed,
    samples: used,
    segments: count,
  };
}

export interface Baseline {
  readonly fault: number;
  readonly value: number;
  readonly baseline: number;
}

/**
 * After every fault window ends (plus `settleMs`), is the series back at or under its baseline
 * (the median of the samples before the first fault) plus `tolerance`? Returns the windows that
 * did not come back: file descriptors or threads that a restart wave left behind.
 */
export function notBackToBaseline(
  series: readonly Sample[],
  windows: readonly { id: number; endMs: number; fromMs?: number }[],
  opts: { settleMs: number; tolerance: number; firstFaultMs: number },
): Baseline[] {
  // A sample is quiet when no fault lasts then and none ended less than settleMs before it: a
  // restart wave of the next fault (a new appliance opening its journal and workers) is not
  // the last fault's descriptors failing to come back.
  const quiet = (t: number) => windows.every((x) => t < (x.fromMs ?? x.endMs) || t >= x.endMs + opts.settleMs);
  const before = series.filter((s) => s.t < opts.firstFaultMs).map((s) => s.v).sort((a, b) => a - b);
  if (before.length === 0) return [];
  const baseline = before[Math.floor(before.length / 2)]!;
  const out: Baseline[] = [];
  for (const w of windows) {
    const after = series.find((s) => s.t >= w.endMs + opts.settleMs && quiet(s.t));
    if (after && after.v > baseline + opts.tolerance) out.push({ fault: w.id, value: after.v, baseline });
  }
  return out;
}
