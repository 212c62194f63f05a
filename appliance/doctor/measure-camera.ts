import { Camera, type CameraFrame } from '../../drivers/camera/camera.js';
import type { CameraConfig } from '../../drivers/camera/config.js';
import type { silentLogger } from '../log.js';

/** How long a camera may take to deliver its first frame before it counts as not working. */
const STARTUP_S = 15;

/**
 * Runs the camera as the appliance would (worker, encoder, outputs) for `seconds` from its first
 * frame, or gives up after `startupS` without one; what `camera test` prints and `doctor` checks.
 */
export async function measureCamera(config: CameraConfig, seconds: number, log: typeof silentLogger, startupS = STARTUP_S) {
  const camera = new Camera({ ...config, analysis: { ...config.analysis, enabled: true } }, log);
  const delays: number[] = [];
  let lastDown: string | null = null;
  camera.on('down', ({ reason }) => (lastDown = reason));
  camera.setConsumer((frame: CameraFrame) => {
    if (frame.captureTime !== null) delays.push(Date.now() - frame.captureTime);
  });
  // Measure `seconds` of video, counted from the first frame (opening a camera takes a while),
  // or give up when it has not come up within the start-up grace.
  const up = new Promise<boolean>((resolve) => {
    camera.once('up', () => resolve(true));
    camera.on('down', ({ failed }) => failed && resolve(false));
    setTimeout(() => resolve(false), startupS * 1000);
  });
  camera.start();
  const started = await up;
  const from = camera.health().framesOut;
  if (started) await new Promise((r) => setTimeout(r, seconds * 1000));
  const health = camera.health();
  await camera.stop();
  delays.sort((a, b) => a - b);
  const result = {
    camera: config.name,
    ok: health.framesOut > 0,
    seconds,
    encoder: health.encoder,
    fps: health.fps,
    framesOut: health.framesOut - from,
    framesDropped: health.framesDropped,
    bitrateKbps: health.bitrateKbps,
    encodeLatencyMs: health.encodeLatencyMs,
    analysis: { ...health.analysis, captureToDeliveryMs: delays.length ? { p50: round(delays[Math.floor(delays.length / 2)]), max: round(delays[delays.length - 1]) } : null },
    outputs: health.outputs.map(({ url, state, frames, dropped, restarts, error }) => ({ url, state, frames, dropped, restarts, error })),
    restarts: health.restarts,
    problem: health.framesOut > 0 ? null : (lastDown ?? health.reason ?? 'no frames'),
  };
  return result;
}

function round(x: number | undefined): number {
  return Math.round((x ?? 0) * 10) / 10;
}
