import type { AppSink, AppSrc, GstPipeline } from './gst.js';

/** The pattern's frames, made ahead of time (not live: it makes the next one when asked). */
export function patternLaunch(pattern: string, width: number, height: number, framerate: number, sink: string): string {
  return `videotestsrc pattern=${pattern} ! video/x-raw,format=I420,width=${width},height=${height},framerate=${framerate}/1 ! appsink name=${sink} sync=false max-buffers=2`;
}

/**
 * A test camera whose capture times wander, as a V4L2 camera's do: frames of a test pattern
 * pushed into the capture pipeline's appsrc (`do-timestamp`, so each is stamped as it arrives,
 * like v4l2src stamps a sensor's frame) at the frame period plus a random offset of up to
 * `jitterMs` either side, never more than 0.4 periods so frames keep their order. Timer error
 * under load adds to the wander; a frame not ready in time is skipped, as a sensor's can be.
 * Stops when the process does (the worker is never restarted in-process).
 */
export function feedJittered(pattern: GstPipeline, patternSink: AppSink, source: AppSrc, framerate: number, jitterMs: number): void {
  const periodMs = 1000 / framerate;
  const jitter = Math.min(jitterMs, 0.4 * periodMs);
  let ready: Buffer | null = null;
  const pullNext = (): void => patternSink.pull((buf) => (buf ? (ready = buf) : void setTimeout(pullNext, 20)));
  pattern.play();
  pullNext();
  const t0 = performance.now();
  let k = 0;
  const tick = (): void => {
    if (ready) {
      source.push(ready);
      ready = null;
      pullNext();
    }
    k += 1;
    const target = t0 + k * periodMs + (Math.random() * 2 - 1) * jitter;
    setTimeout(tick, Math.max(0, target - performance.now()));
  };
  setTimeout(tick, 0);
}
