import type * as Ort from 'onnxruntime-node';
import { type Mat, opencv } from './opencv.js';
import type { Point } from './quad.js';

/**
 * The index-corner detector (models/training/train_corners.py): a small fully convolutional
 * network on the frame scaled to 640 pixels wide, CenterNet style. Where a card's index (rank
 * and suit in its corner) is, it gives a peak; there, the direction "down" the index, the card's
 * width and the keypoint's sub-cell offset. A second heat channel marks face-down cards.
 *
 * The frame is scaled by a whole factor where it can be (1920 and 1280 wide: 3 and 2, the fast
 * path of INTER_AREA) and its height cropped or padded to the network's 352 rows, centred. A
 * camera's frames come already scaled (its analysis.scaledWidth branch): detectScaled.
 */
export const NET_W = 640;
export const NET_H = 352;
export const STRIDE = 4;
const GRID_W = NET_W / STRIDE;
const GRID_H = NET_H / STRIDE;
const PLANE = NET_W * NET_H;

/** One index corner found, in frame pixels. */
export interface DetectedCorner {
  /** Keypoint inside the index (INDEX_AT of the card art). */
  readonly at: Point;
  /** Unit vector: which way is "down" when reading this index upright. */
  readonly down: Point;
  /** The card's width at this corner, frame pixels. */
  readonly width: number;
  /** Peak height (0..1). */
  readonly score: number;
}

export interface DetectedBack {
  readonly at: Point;
  readonly score: number;
}

export interface Detected {
  readonly corners: DetectedCorner[];
  readonly backs: DetectedBack[];
}

export interface CornerDetectorOptions {
  /** Peak height for an index corner (the reader still decides whether it is one). */
  readonly cornerThreshold: number;
  /** Peak height for a face-down card. */
  readonly backThreshold: number;
}

/** Maps the network's input pixels back to the frame's: frame pixels per input pixel, and the rows cropped (negative: padded). */
interface Letterbox {
  readonly scaleX: number;
  readonly scaleY: number;
  readonly top: number;
}

/** A frame scaled for the detector by the camera: planes of B, G and R bytes, each width x height. */
export interface PlanarFrame {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}


export class CornerDetector {
  private readonly input = new Float32Array(3 * PLANE);
  /** The network's own time on the last frame, ms (the benchmark's profile). */
  lastRunMs = 0;
  /** Wraps `input` (no copy): made once, refilled for each frame. */
  private readonly tensor: Ort.Tensor;

  constructor(
    ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly options: CornerDetectorOptions,
  ) {
    this.tensor = new ort.Tensor('float32', this.input, [1, 3, NET_H, NET_W]);
  }

  /** Writes the frame into the network's input; returns how to map back. */
  private prepare(frame: Mat): Letterbox {
    const cv = opencv();
    const scale = frame.cols / NET_W;
    const rows = Math.round(frame.rows / scale);
    const resized = frame.resize(rows, NET_W, 0, 0, cv.INTER_AREA).convertTo(cv.CV_32FC3, 1 / 255);
    const top = Math.round((rows - NET_H) / 2); // positive: rows cropped; negative: rows padded
    const channels = resized.splitChannels();
    // Padding (a frame wider than 640:352) reads as a grey, not as a black edge that looks like a card's.
    if (top < 0) this.input.fill(0.5);
    channels.forEach((channel, c) => {
      const bytes = channel.getData();
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const from = Math.max(0, top);
      const to = Math.min(rows, top + NET_H);
      this.input.set(data.subarray(from * NET_W, to * NET_W), c * PLANE + (from - top) * NET_W);
    });
    return { scaleX: scale, scaleY: scale, top };
  }

  /**
   * The same from a frame the camera already scaled to NET_W wide, planar (B, G, R planes of
   * bytes): no resize, no colour conversion, no split; only bytes to floats.
   */
  private preparePlanar(scaled: PlanarFrame, full: { readonly width: number; readonly height: number }): Letterbox {
    const { width, height, data } = scaled;
    if (width !== NET_W) throw new RangeError(`the detector takes frames ${NET_W} wide, not ${width} (camera analysis.scaledWidth)`);
    if (data.length !== 3 * width * height) throw new RangeError(`a ${width}x${height} planar BGR frame has ${3 * width * height} bytes, not ${data.length}`);
    const top = Math.round((height - NET_H) / 2);
    if (top < 0) this.input.fill(0.5);
    const from = Math.max(0, top);
    const to = Math.min(height, top + NET_H);
    // The three planes as one tall single-channel image: one native conversion to floats
    // (three times faster than a JavaScript loop over the bytes, measured), then a copy per plane.
    const cv = opencv();
    const bytes = new cv.Mat(data, 3 * height, width, cv.CV_8UC1).convertTo(cv.CV_32F, 1 / 255).getData();
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let c = 0; c < 3; c++) {
      const plane = c * width * height;
      this.input.set(floats.subarray(plane + from * NET_W, plane + to * NET_W), c * PLANE + (from - top) * NET_W);
    }
    return { scaleX: full.width / width, scaleY: full.height / height, top };
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  async detect(frame: Mat): Promise<Detected> {
    return this.run(this.prepare(frame));
  }

  /** Corners in `full`'s pixels, found on its copy the camera scaled (see preparePlanar). */
  async detectScaled(scaled: PlanarFrame, full: { readonly width: number; readonly height: number }): Promise<Detected> {
    return this.run(this.preparePlanar(scaled, full));
  }

  private async run(box: Letterbox): Promise<Detected> {
    const t0 = performance.now();
    const out = await this.session.run({ frame: this.tensor });
    this.lastRunMs = performance.now() - t0;
    const heat = out['heat']!.data as Float32Array;
    const geometry = out['geometry']!.data as Float32Array;
    // A network pixel covers `scale` frame pixels: its centre is at (i + 0.5) * scale - 0.5.
    const toFrame = (gx: number, gy: number): Point => ({ x: (gx * STRIDE + 0.5) * box.scaleX - 0.5, y: (gy * STRIDE + box.top + 0.5) * box.scaleY - 0.5 });
    const corners: DetectedCorner[] = [];
    for (const { x, y, score } of peaks(heat, 0, this.options.cornerThreshold)) {
      const cell = y * GRID_W + x;
      const g = (k: number): number => geometry[k * GRID_W * GRID_H + cell]!;
      const norm = Math.hypot(g(0), g(1)) || 1;
      corners.push({
        at: toFrame(x + g(3), y + g(4)),
        down: { x: g(0) / norm, y: g(1) / norm },
        width: 32 * Math.exp(g(2)) * box.scaleX,
        score,
      });
    }
    const backs = peaks(heat, 1, this.options.backThreshold).map(({ x, y, score }) => ({ at: toFrame(x + 0.5, y + 0.5), score }));
    return { corners, backs };
  }
}

/** Local maxima (3x3) of one heat channel at or above a threshold. */
export function peaks(heat: Float32Array, channel: number, threshold: number): { x: number; y: number; score: number }[] {
  const base = channel * GRID_W * GRID_H;
  const found: { x: number; y: number; score: number }[] = [];
  for (let y = 0; y < GRID_H; y++) {
    for (let x = 0; x < GRID_W; x++) {
      const v = heat[base + y * GRID_W + x]!;
      if (v < threshold) continue;
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= GRID_W || ny >= GRID_H) continue;
          const n = heat[base + ny * GRID_W + nx]!;
          // ties go to the first in scan order, so a flat top gives one peak
          if (n > v || (n === v && (dy < 0 || (dy === 0 && dx < 0)))) {
            top = false;
            break;
          }
        }
      }
      if (top) found.push({ x, y, score: v });
    }
  }
  return found;
}
