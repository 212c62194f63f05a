import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Camera, type CameraFrame } from '../../drivers/camera/camera.js';
import type { CameraConfig } from '../../drivers/camera/config.js';
import { bgrToPng } from '../../drivers/camera/png.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { measureCamera } from '../doctor/measure-camera.js';
import { createLogger, silentLogger } from '../log.js';

const USAGE = `usage: pitbox camera test --config FILE [--camera NAME] [--seconds N] [--json]
       pitbox camera snapshot --config FILE [--camera NAME] --out FILE.png`;

/** `pitbox camera test|snapshot`: one camera of a table's config, run on its own. */
export async function cameraCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string', short: 'c' },
      camera: { type: 'string' },
      seconds: { type: 'string', default: '5' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  if ((sub !== 'test' && sub !== 'snapshot') || !values.config || (sub === 'snapshot' && !values.out)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let camera: CameraConfig;
  try {
    camera = pickCamera(values.config, values.camera);
  } catch (err) {
    process.stderr.write(`pitbox camera: ${(err as Error).message}\n`);
    return 2;
  }
  const log = values.verbose ? createLogger('info', 2) : silentLogger;
  if (sub === 'snapshot') return snapshot(camera, values.out as string, log);
  const seconds = Number(values.seconds);
  if (!(seconds > 0 && seconds <= 3600)) {
    process.stderr.write('pitbox camera test: --seconds must be between 0 and 3600\n');
    return 2;
  }
  return test(camera, seconds, values.json, log);
}

function pickCamera(file: string, name: string | undefined): CameraConfig {
  let config;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`invalid config ${err.message}`);
    throw err;
  }
  if (config.cameras.length === 0) throw new Error(`${file} has no cameras`);
  if (name === undefined) {
    if (config.cameras.length > 1) throw new Error(`${file} has ${config.cameras.length} cameras: pick one with --camera (${config.cameras.map((c) => c.name).join(', ')})`);
    return config.cameras[0] as CameraConfig;
  }
  const camera = config.cameras.find((c) => c.name === name);
  if (!camera) throw new Error(`no camera "${name}" in ${file} (there is ${config.cameras.map((c) => c.name).join(', ')})`);
  return camera;
}

/** Runs the camera as the appliance would (worker, encoder, outputs) and prints what it measured. */
async function test(config: CameraConfig, seconds: number, json: boolean, log: typeof silentLogger): Promise<number> {
  const result = await measureCamera(config, seconds, log);
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const lines = [
      `camera ${config.name}: ${result.ok ? 'OK' : `NO VIDEO: ${result.problem}`}`,
      `  encoder          ${result.encoder ?? '-'}`,
      `  frames           ${result.framesOut} encoded in ${seconds} s after the first (${result.fps} fps now), ${result.framesDropped} lost`,
      `  bitrate          ${result.bitrateKbps} kbit/s`,
      `  encode latency   ${result.encodeLatencyMs ? `p50 ${result.encodeLatencyMs.p50} ms, max ${result.encodeLatencyMs.max} ms (capture to encoded)` : '-'}`,
      `  analysis         ${result.analysis.delivered} frames delivered, ${result.analysis.dropped} dropped${result.analysis.captureToDeliveryMs ? `, capture to delivery p50 ${result.analysis.captureToDeliveryMs.p50} ms` : ''}`,
      ...result.outputs.map((o) => `  output           ${o.url}: ${o.state}, ${o.frames} frames sent, ${o.dropped} dropped${o.error ? ` (${o.error})` : ''}`),
      ...(result.restarts > 0 ? [`  restarts         ${result.restarts}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.ok ? 0 : 1;
}

/** The first frame of the camera, full size, as PNG. */
async function snapshot(config: CameraConfig, out: string, log: typeof silentLogger): Promise<number> {
  const camera = new Camera({ ...config, outputs: [], analysis: { enabled: true, maxFps: 5 } }, log);
  let lastDown = 'no frame within 15 s';
  camera.on('down', ({ reason }) => (lastDown = reason));
  const frame = await new Promise<CameraFrame | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 15_000);
    camera.setConsumer((f) => {
      clearTimeout(timer);
      resolve(f);
    });
    camera.on('down', ({ failed }) => {
      if (failed) {
        clearTimeout(timer);
        resolve(null);
      }
    });
    camera.start();
  });
  await camera.stop();
  if (!frame) {
    process.stderr.write(`pitbox camera snapshot: camera ${config.name}: ${lastDown}\n`);
    return 1;
  }
  writeFileSync(out, bgrToPng(frame.data, frame.width, frame.height));
  process.stdout.write(`${out}: ${frame.width}x${frame.height} from camera ${config.name}\n`);
  return 0;
}
