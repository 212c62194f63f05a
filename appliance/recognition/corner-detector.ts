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
 * path of INTER_AREA) and its height cropped or padded to the network's 352 rows, centred.
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

export interface CornerDetectorOptions {
  /** Peak height for an index corner (the reader still decides whether it is one). */
  readonly cornerThreshold: number;
  /** Peak height for a face-down card. */
  readonly backThreshold: number;
}

/** Maps the network's input pixels back to the frame's. */
interface Letterbox {
  readonly scale: number;
  readonly top: number;
}

export class CornerDetector {
  private readonly input = new Float32Array(3 * PLANE);

  constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly options: CornerDetectorOptions,
  ) {}

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
    return { scale, top };
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  async detect(frame: Mat): Promise<{ corners: DetectedCorner[]; backs: DetectedBack[] }> {
    const box = this.prepare(frame);
    const out = await this.session.run({ frame: new this.ort.Tensor('float32', this.input, [1, 3, NET_H, NET_W]) });
    const heat = out['heat']!.data as Float32Array;
    const geometry = out['geometry']!.data as Float32Array;
    // A network pixel covers `scale` frame pixels: its centre is (scale - 1) / 2 in from their edge.
    const half = (box.scale - 1) / 2;
    const toFrame = (gx: number, gy: number): Point => ({ x: gx * STRIDE * box.scale + half, y: (gy * STRIDE + box.top) * box.scale + half });
    const corners: DetectedCorner[] = [];
    for (const { x, y, score } of peaks(heat, 0, this.options.cornerThreshold)) {
      const cell = y * GRID_W + x;
      const g = (k: number): number => geometry[k * GRID_W * GRID_H + cell]!;
      const norm = Math.hypot(g(0), g(1)) || 1;
      corners.push({
        at: toFrame(x + g(3), y + g(4)),
        down: { x: g(0) / norm, y: g(1) / norm },
        width: 32 * Math.exp(g(2)) * box.scale,
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
