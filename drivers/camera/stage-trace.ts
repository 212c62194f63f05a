import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Per-frame stage times for the latency benchmark (`scripts/bench-camera.ts`): with
 * PITBOX_STAGE_TRACE=PREFIX set, the camera worker appends one line per encoded frame to
 * PREFIX.worker and each output process one per frame to PREFIX.output.<pid>, every field a
 * CLOCK_MONOTONIC time in ns (or a frame number), space-separated. The benchmark joins them on
 * the capture time to say where glass-to-glass goes. Unset (always, in service): no cost but a
 * null check per frame.
 */
export type StageTrace = (...fields: readonly (number | null | undefined)[]) => void;

export function stageTrace(role: 'worker' | 'output'): StageTrace | null {
  const prefix = process.env.PITBOX_STAGE_TRACE;
  if (!prefix) return null;
  const path = role === 'worker' ? `${prefix}.worker` : `${prefix}.output.${process.pid}`;
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch {
    return null; // a diagnostic that cannot open its file must not stop the camera
  }
  process.once('exit', () => closeSync(fd));
  // Synchronous: a line is a few dozen bytes into the page cache, and it must not reorder.
  return (...fields) => void writeSync(fd, `${fields.map((f) => f ?? '-').join(' ')}\n`);
}

/** One line of a trace file back as numbers (`-` is null). */
export function parseStageLine(line: string): (number | null)[] {
  return line.trim().split(' ').map((f) => (f === '-' ? null : Number(f)));
}
