import type { CameraConfig, CameraSource } from './config.js';
import type { EncoderPick } from './encoders.js';
import { outputLaunch, type OutputSpec } from './outputs.js';

/** Element names the worker looks up in the pipelines it builds. */
export const ENCODED_SINK = 'encoded';
export const ANALYSIS_SINK = 'analysis';
/** The same analysis frames, already scaled for a detector (analysis.scaledWidth). */
export const SCALED_SINK = 'analysis-scaled';
export const PREVIEW_SINK = 'preview';
/** Where the worker learns each frame's stamp at capture, before the encoder has it (camera.ts frameAt). */
export const CAPTURED_SINK = 'captured';
/** The element right after the encoder: a force-key-unit event sent upstream from it reaches the encoder. */
export const ENCODER_NEXT = 'encparse';

/** The preview's size: the configured width, the height by the source's aspect (even, for jpegenc). */
export function previewSize(config: CameraConfig): { width: number; height: number } {
  const width = Math.min(config.preview.width, config.source.width);
  return { width, height: Math.max(2, Math.round((width * config.source.height) / config.source.width / 2) * 2) };
}
export const OUTPUT_SRC = 'src';

/** The size frames reach recognition at: the configured analysis size, else the source's. */
export function analysisSize(config: CameraConfig): { width: number; height: number } {
  return { width: config.analysis.width ?? config.source.width, height: config.analysis.height ?? config.source.height };
}

/** The pre-scaled copy's size (analysis.scaledWidth, height by the analysis frame's aspect), or null. */
export function scaledSize(config: CameraConfig): { width: number; height: number } | null {
  const width = config.analysis.scaledWidth;
  if (width === undefined) return null;
  const full = analysisSize(config);
  return { width, height: Math.max(1, Math.round((full.height * width) / full.width)) };
}

function rawCaps(s: CameraSource, format?: string): string {
  return `video/x-raw${format ? `,format=${format}` : ''},width=${s.width},height=${s.height},framerate=${s.framerate}/1`;
}

/** The source, ending in raw video of the configured size and rate. */
export function sourceLaunch(s: CameraSource): string {
  switch (s.kind) {
    case 'v4l2': {
      // do-timestamp: buffers carry the time they were captured, which frames keep to the end.
      const src = `v4l2src name=source device=${s.device} do-timestamp=true`;
      if (s.format === 'MJPG') return `${src} ! image/jpeg,width=${s.width},height=${s.height},framerate=${s.framerate}/1 ! jpegdec`;
      return `${src} ! ${rawCaps(s, s.format)}`;
    }
    case 'test': {
      // Jittered: the worker pushes the pattern's frames at wandering times (jittered-source.ts),
      // and appsrc stamps each one as it comes, as v4l2src does with a real sensor.
      const src =
        s.jitterMs > 0
          ? `appsrc name=source is-live=true do-timestamp=true format=time caps="${rawCaps(s, 'I420')}"`
          : `videotestsrc name=source is-live=true pattern=${s.pattern} ! ${rawCaps(s)}`;
      // The QR code carries the frame's count and timestamp for the glass-to-glass benchmark;
      // top-left and small so a receiver decodes it from a crop.
      if (s.overlay === 'qr') return `${src} ! debugqroverlay x=2 y=2 pixel-size=2`;
      return src;
    }
    case 'file':
      // A file is not live: identity sync=true plays it at its own rate instead of as fast as
      // the encoder can go.
      return `filesrc name=source location="${s.path.replace(/"/g, '')}" ! decodebin ! videoconvert ! videoscale ! videorate ! ${rawCaps(s)} ! identity sync=true`;
    case 'gstreamer':
      return `${s.launch} ! videoconvert ! videoscale ! videorate ! ${rawCaps(s)}`;
  }
}

/**
 * One camera's capture pipeline. The tee feeds two branches that cannot hold each other up:
 *  - video: a short leaky queue (the encoder drops old frames rather than fall behind), the
 *    encoder, and an appsink from which the worker hands encoded frames to the outputs;
 *  - analysis: a one-frame leaky queue, rate limit, scale, BGR, and an appsink that drops
 *    rather than waits. Recognition that stalls loses analysis frames, never video.
 * `async=false` on the appsinks: a sink that gets no data must not hold the pipeline out of
 * PLAYING.
 */
export function captureLaunch(config: CameraConfig, encoder: EncoderPick): string {
  const video = [
    'queue name=vq leaky=downstream max-size-buffers=3 max-size-bytes=0 max-size-time=0',
    'videoconvert',
    `video/x-raw,format=${encoder.format}`,
    encoder.launch,
    // Named: a keyframe request is pushed upstream from its sink pad into the encoder.
    `h264parse name=${ENCODER_NEXT} config-interval=-1`,
    'video/x-h264,stream-format=byte-stream,alignment=au',
    `appsink name=${ENCODED_SINK} sync=false async=false max-buffers=60 drop=true`,
  ].join(' ! ');
  // Each frame's capture time, as it is captured: a tiny copy of the frame (the pixels are
  // not wanted, only its timestamp, which the scaler keeps), never dropped while the worker keeps up.
  const captured = [
    'queue name=cq leaky=downstream max-size-buffers=30 max-size-bytes=0 max-size-time=0',
    'videoscale method=nearest-neighbour',
    'video/x-raw,width=16,height=16',
    `appsink name=${CAPTURED_SINK} sync=false async=false max-buffers=30 drop=true`,
  ].join(' ! ');
  const branches = [`t. ! ${video}`, `t. ! ${captured}`];
  if (config.analysis.enabled) {
    const { width, height } = analysisSize(config);
    const full = [
      'videoscale',
      'videoconvert',
      `video/x-raw,format=BGR,width=${width},height=${height}`,
      `appsink name=${ANALYSIS_SINK} sync=false async=false max-buffers=1 drop=true`,
    ];
    const rated = ['queue name=aq leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0', `videorate drop-only=true max-rate=${config.analysis.maxFps}`];
    const scaled = scaledSize(config);
    if (!scaled) branches.push(`t. ! ${[...rated, ...full].join(' ! ')}`);
    else {
      // The detector's copy is scaled here, before conversion (fewer pixels to convert), planar
      // as the network takes it. Bilinear: on the test stills it finds and reads as many cards
      // as OpenCV's INTER_AREA on the CPU, and at half the cost of the multi-tap filters
      // (models/README.md). Both copies of a frame carry its timestamp; the worker pairs them.
      const detector = [
        'queue name=sq leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0',
        'videoscale method=bilinear',
        'videoconvert',
        `video/x-raw,format=BGRP,width=${scaled.width},height=${scaled.height}`,
        `appsink name=${SCALED_SINK} sync=false async=false max-buffers=1 drop=true`,
      ];
      const tee = 'tee name=at allow-not-linked=true';
      const fullQueue = 'queue name=fq leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0';
      branches.push(`t. ! ${[...rated, tee].join(' ! ')} at. ! ${[fullQueue, ...full].join(' ! ')} at. ! ${detector.join(' ! ')}`);
    }
  }
  if (config.preview.enabled) {
    // Stills for people (the status page): as leaky and rate-limited as analysis, so a page that
    // is open costs a few small JPEGs a second and never holds the video up.
    const { width, height } = previewSize(config);
    const still = [
      'queue name=pq leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0',
      `videorate drop-only=true max-rate=${Math.max(1, Math.round(config.preview.maxFps))}`,
      'videoscale',
      'videoconvert',
      `video/x-raw,format=I420,width=${width},height=${height}`,
      `jpegenc quality=${config.preview.quality}`,
      `appsink name=${PREVIEW_SINK} sync=false async=false max-buffers=1 drop=true`,
    ].join(' ! ');
    branches.push(`t. ! ${still}`);
  }
  return `${sourceLaunch(config.source)} ! tee name=t allow-not-linked=true ${branches.join(' ')}`;
}

/** One output's pipeline, fed encoded frames by the worker (an output process of its own). */
export function outputPipelineLaunch(spec: OutputSpec): string {
  return [
    `appsrc name=${OUTPUT_SRC} is-live=true format=time do-timestamp=false caps="video/x-h264,stream-format=byte-stream,alignment=au"`,
    'h264parse',
    outputLaunch(spec),
  ].join(' ! ');
}
