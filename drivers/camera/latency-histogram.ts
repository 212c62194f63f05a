/**
 * Latencies in 0.1 ms bins up to 2 s (beyond: the last bin), kept for a process's life: what an
 * output reports as capture-to-send percentiles, at a fixed cost per frame however long it runs.
 */
export class LatencyHistogram {
  private readonly bins = new Uint32Array(20_001);
  private count = 0;

  add(ms: number): void {
    this.bins[Math.min(this.bins.length - 1, Math.max(0, Math.round(ms * 10)))]! += 1;
    this.count += 1;
  }

  /** p50, p95 and p99 in ms (nearest rank), or null before the first sample. */
  summary(): { p50: number; p95: number; p99: number; n: number } | null {
    if (this.count === 0) return null;
    const at = (q: number): number => {
      const rank = Math.ceil(q * this.count);
      let seen = 0;
      for (let i = 0; i < this.bins.length; i++) {
        seen += this.bins[i]!;
        if (seen >= rank) return i / 10;
      }
      return (this.bins.length - 1) / 10;
    };
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: this.count };
  }
}
