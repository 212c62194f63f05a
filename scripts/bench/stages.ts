/**
 * Where a pitbox frame's glass-to-glass time goes, stage by stage, from the stage traces the
 * camera worker and its output processes write under PITBOX_STAGE_TRACE
 * (drivers/camera/stage-trace.ts) and the receiver's arrival and decode times, all on
 * CLOCK_MONOTONIC, joined on each frame's capture time (and its stamp's frame number at the
 * receiver).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseStageLine } from '../../drivers/camera/stage-trace.js';
import { percentile } from '../../drivers/camera/stream-stats.js';

export interface StageInput {
  /** The PITBOX_STAGE_TRACE prefix the run used. */
  readonly prefix: string;
  /** Frames decoded at the receiver: capture time (sender's clock, ns) -> decoded (ns). */
  readonly decoded: ReadonlyMap<number, number>;
  /** Access units at the receiver: frame number (pitbox's stamp) -> arrived (ns). */
  readonly arrived: ReadonlyMap<number, number>;
}

const STAGES = [
  ['capture -> encoded frame in the worker (queue, encoder, appsink, event loop)', 0, 1],
  ['-> written to the output pipe (stamp)', 1, 2],
  ['-> read by the output process (pipe, its event loop)', 2, 3],
  ['-> pushed into its pipeline', 3, 4],
  ['-> access unit at the receiver (mux, SRT latency, demux)', 4, 5],
  ['-> QR code decoded at the receiver', 5, 6],
] as const;

/** Per-stage p50/p95/p99 lines (ms) over the frames decoded in the measured span; removes the trace files. */
export function stageLines(input: StageInput): string[] {
  const worker = new Map<number, (number | null)[]>();
  const output = new Map<number, (number | null)[]>();
  const files = readdirSync(dirname(input.prefix)).filter((f) => f.startsWith(basename(input.prefix)));
  for (const file of files) {
    const path = join(dirname(input.prefix), file);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line) continue;
      const f = parseStageLine(line);
      // worker: frameNo capture encoded written; output: capture read pushed
      if (file.endsWith('.worker') && f[1] != null) worker.set(f[1], f);
      else if (f[0] != null && !output.has(f[0])) output.set(f[0], f);
    }
    rmSync(path, { force: true });
  }
  const samples: number[][] = STAGES.map(() => []);
  for (const [capture, decodedNs] of input.decoded) {
    const w = worker.get(capture);
    const o = output.get(capture);
    if (!w || !o) continue;
    const arrivedNs = w[0] == null ? undefined : input.arrived.get(w[0]);
    const t = [capture, w[2], w[3], o[1], o[2], arrivedNs ?? null, decodedNs];
    STAGES.forEach(([, from, to], i) => {
      const a = t[from];
      const b = t[to];
      if (a != null && b != null) samples[i]?.push((b - a) / 1e6);
    });
  }
  return STAGES.map(([name], i) => {
    const s = (samples[i] ?? []).sort((a, b) => a - b);
    const fmt = (q: number): string => (s.length ? percentile(s, q).toFixed(1) : '-');
    return `${name.padEnd(78)} p50 ${fmt(0.5).padStart(7)}  p95 ${fmt(0.95).padStart(7)}  p99 ${fmt(0.99).padStart(7)} ms  (${s.length} frames)`;
  });
}
