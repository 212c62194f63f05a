import { spawnSync } from 'node:child_process';
import type { CameraConfig, EncoderChoice } from './config.js';

export type EncoderKind = Exclude<EncoderChoice, 'auto'>;

interface EncoderSpec {
  /** The GStreamer element; a hardware one is registered only where its driver and device exist. */
  readonly element: string;
  readonly hardware: boolean;
  /** Raw format the encoder takes without an extra conversion inside it. */
  readonly format: 'I420' | 'NV12';
  readonly launch: (e: CameraConfig['encoder'], gop: number) => string;
}

/**
 * H.264 encoders, every one configured for live video: constant bitrate, a keyframe every
 * `keyframeIntervalS`, no B-frames (a B-frame holds its neighbours back), no lookahead.
 */
const ENCODERS: Record<EncoderKind, EncoderSpec> = {
  nvenc: {
    element: 'nvh264enc',
    hardware: true,
    format: 'NV12',
    launch: (e, gop) => `nvh264enc name=enc bitrate=${e.bitrateKbps} gop-size=${gop} bframes=0 rc-mode=cbr preset=low-latency-hq zerolatency=true`,
  },
  vaapi: {
    element: 'vah264enc',
    hardware: true,
    format: 'NV12',
    launch: (e, gop) => `vah264enc name=enc bitrate=${e.bitrateKbps} key-int-max=${gop} b-frames=0 rate-control=cbr target-usage=7`,
  },
  qsv: {
    element: 'qsvh264enc',
    hardware: true,
    format: 'NV12',
    launch: (e, gop) => `qsvh264enc name=enc bitrate=${e.bitrateKbps} gop-size=${gop} b-frames=0 low-latency=true`,
  },
  v4l2m2m: {
    element: 'v4l2h264enc',
    hardware: true,
    format: 'NV12',
    launch: (e, gop) => `v4l2h264enc name=enc extra-controls="controls,video_bitrate=${e.bitrateKbps * 1000},h264_i_frame_period=${gop}"`,
  },
  // tune=zerolatency: no lookahead, no B-frames, sliced threads. Without it x264 buffers half a
  // second or more of frames (see the GStreamer notes), and a tee behind it stalls.
  x264: {
    element: 'x264enc',
    hardware: false,
    format: 'I420',
    launch: (e, gop) => `x264enc name=enc tune=zerolatency speed-preset=${e.preset} bitrate=${e.bitrateKbps} key-int-max=${gop} bframes=0 byte-stream=true`,
  },
  openh264: {
    element: 'openh264enc',
    hardware: false,
    format: 'I420',
    launch: (e, gop) => `openh264enc name=enc bitrate=${e.bitrateKbps * 1000} gop-size=${gop} rate-control=bitrate complexity=low`,
  },
};

/** The order `auto` tries: hardware first, x264 last (it is always installed). */
const AUTO_ORDER: readonly EncoderKind[] = ['nvenc', 'vaapi', 'qsv', 'v4l2m2m', 'x264'];

export type ElementExists = (element: string) => boolean;

/** Asks GStreamer's registry, as gst-launch would see it. */
export const gstElementExists: ElementExists = (element) => spawnSync('gst-inspect-1.0', ['--exists', element], { stdio: 'ignore' }).status === 0;

export interface EncoderPick {
  readonly kind: EncoderKind;
  readonly element: string;
  readonly hardware: boolean;
  readonly format: 'I420' | 'NV12';
  readonly launch: string;
}

/**
 * Picks the encoder for a camera. `auto` takes the first hardware encoder the box has, skipping
 * any in `failed` (one that would not start here before), and falls back to x264. An explicit
 * choice that the box lacks is an error naming the element, not a silent fallback.
 */
export function pickEncoder(config: CameraConfig, exists: ElementExists = gstElementExists, failed: ReadonlySet<EncoderKind> = new Set()): EncoderPick {
  const gop = Math.max(1, Math.round(config.encoder.keyframeIntervalS * config.source.framerate));
  const make = (kind: EncoderKind): EncoderPick => {
    const spec = ENCODERS[kind];
    return { kind, element: spec.element, hardware: spec.hardware, format: spec.format, launch: spec.launch(config.encoder, gop) };
  };
  const choice = config.encoder.kind;
  if (choice !== 'auto') {
    if (!exists(ENCODERS[choice].element)) throw new Error(`encoder ${choice} (${ENCODERS[choice].element}) is not available on this box`);
    return make(choice);
  }
  for (const kind of AUTO_ORDER) {
    if (failed.has(kind) && kind !== 'x264') continue;
    if (exists(ENCODERS[kind].element)) return make(kind);
  }
  throw new Error('no H.264 encoder: x264enc is missing (install gstreamer1.0-plugins-ugly)');
}
