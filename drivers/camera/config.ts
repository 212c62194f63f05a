import { z } from 'zod';
import { OutputUrlError, parseOutput } from './outputs.js';

const size = {
  width: z.number().int().min(16).max(7680),
  height: z.number().int().min(16).max(4320),
  framerate: z.number().int().min(1).max(120),
};

/** A USB or V4L2 camera. `format` is what the camera sends; MJPG is decoded on the box. */
const v4l2Source = z.strictObject({
  kind: z.literal('v4l2'),
  device: z.string().regex(/^\/dev\//, 'a device path, e.g. /dev/video0 or a udev name under /dev/'),
  ...size,
  format: z.enum(['YUY2', 'NV12', 'MJPG', 'UYVY', 'I420']).default('YUY2'),
});

/** A synthetic picture (simulation, tests, benchmarks); `qr` stamps each frame with its count and time. */
const testSource = z.strictObject({
  kind: z.literal('test'),
  ...size,
  pattern: z.enum(['smpte', 'ball', 'snow', 'black', 'checkers-8', 'colors']).default('smpte'),
  overlay: z.enum(['none', 'qr']).default('none'),
  jitterMs: z.number().min(0).max(15).default(0).describe('Capture times wander by up to this much either side of the frame period, as a V4L2 camera\'s do (tests of the frame link)'),
});

/** A recorded clip (a dealt round), played at its own rate, looped unless told otherwise. */
const fileSource = z.strictObject({
  kind: z.literal('file'),
  path: z.string().min(1),
  ...size,
  loop: z.boolean().default(true),
});

/**
 * Any other capture device as a GStreamer source description: an SDI card is a config change,
 * e.g. `decklinkvideosrc device-number=0 mode=1080p30` or `aja src`. Whatever it produces is
 * converted to the size and rate given here.
 */
const gstSource = z.strictObject({
  kind: z.literal('gstreamer'),
  launch: z.string().min(1).refine((s) => !/!\s*$|^\s*!/.test(s), 'a source description, without leading or trailing "!"'),
  ...size,
});

export const cameraSource = z.discriminatedUnion('kind', [v4l2Source, testSource, fileSource, gstSource]);
export type CameraSource = z.infer<typeof cameraSource>;

export const ENCODERS = ['auto', 'x264', 'openh264', 'vaapi', 'nvenc', 'qsv', 'v4l2m2m'] as const;
export type EncoderChoice = (typeof ENCODERS)[number];

const encoder = z.strictObject({
  kind: z.enum(ENCODERS).default('auto').describe('auto: a hardware H.264 encoder when the box has one, else x264'),
  bitrateKbps: z.number().int().min(100).max(50_000).default(3000),
  keyframeIntervalS: z.number().min(0.2).max(10).default(1).describe('Receivers can join, and recover from loss, at each keyframe'),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast']).default('ultrafast').describe('x264 only'),
});

const outputUrl = z.string().superRefine((raw, ctx) => {
  try {
    parseOutput(raw);
  } catch (err) {
    if (!(err instanceof OutputUrlError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});

const analysis = z.strictObject({
  enabled: z.boolean().default(true),
  width: z.number().int().min(32).max(3840).optional().describe('Default: the source width (positions are in these pixels)'),
  height: z.number().int().min(32).max(2160).optional().describe('Default: the source height'),
  maxFps: z.number().int().min(1).max(60).default(15).describe('Frames per second offered to recognition; more are dropped, never queued'),
  scaledWidth: z
    .number()
    .int()
    .min(32)
    .max(1920)
    .optional()
    .describe('Also deliver each analysis frame scaled to this width (height by its aspect), planar BGR: a detector\'s input, scaled by GStreamer instead of on the CPU of recognition. A card table sets it'),
});

const preview = z.strictObject({
  enabled: z.boolean().default(true).describe('JPEG stills for the status page, from a branch of their own'),
  maxFps: z.number().int().min(1).max(10).default(2),
  width: z.number().int().min(160).max(1920).default(640).describe('Height follows the source aspect'),
  quality: z.number().int().min(10).max(95).default(70),
});

const restart = z.strictObject({
  initialMs: z.number().int().min(50).default(500),
  maxMs: z.number().int().min(100).default(30_000),
  budget: z.number().int().min(1).default(5).describe('Restarts allowed within windowS before the camera is declared failed'),
  windowS: z.number().min(1).default(60),
  cooldownS: z.number().min(1).default(60).describe('A failed camera is tried again after this long'),
});

export const cameraConfig = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only'),
  source: cameraSource,
  encoder: encoder.default({ kind: 'auto', bitrateKbps: 3000, keyframeIntervalS: 1, preset: 'ultrafast' }),
  outputs: z.array(outputUrl).default([]).describe('srt://, rtmp://, rtp:// or whip+https:// URLs; none: encode for health and analysis only'),
  analysis: analysis.default({ enabled: true, maxFps: 15 }),
  preview: preview.default({ enabled: true, maxFps: 2, width: 640, quality: 70 }),
  silenceMs: z.number().int().min(200).default(2000).describe('No encoded frame for this long: the camera is down and its worker restarted'),
  firstFrameMs: z.number().int().min(1000).default(10_000).describe('A new worker with no first frame after this long (or silenceMs, if longer) is restarted: a slow box or a slow source needs more'),
  restart: restart.default({ initialMs: 500, maxMs: 30_000, budget: 5, windowS: 60, cooldownS: 60 }),
});

export type CameraConfig = z.infer<typeof cameraConfig>;

export const camerasConfig = z
  .array(cameraConfig)
  .default([])
  .superRefine((cameras, ctx) => {
    const seen = new Set<string>();
    cameras.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `camera name "${c.name}" is used twice` });
      seen.add(c.name);
    });
  });
