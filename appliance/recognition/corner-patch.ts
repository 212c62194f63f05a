import type { DetectedCorner } from './corner-detector.js';
import { type Mat, opencv } from './opencv.js';

/**
 * What the corner reader classifies: the index cut from the full-resolution frame, upright in
 * the corner's own frame (x along "right", y along "down"), PATCH_W x PATCH_H BGR scaled to 0..1,
 * channel-major. The region is given in card widths from the keypoint, so it scales with the
 * card. Must match corner_patch in models/training/table_scenes.py.
 */
export const PATCH_X = [-0.1375, 0.196] as const;
export const PATCH_Y = [-0.233, 0.267] as const;
export const PATCH_W = 32;
export const PATCH_H = 48;
export const PATCH_SIZE = 3 * PATCH_W * PATCH_H;
/** A byte's value as the reader takes it (0..1), looked up rather than divided per pixel. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** The 2x3 affine from patch pixels (sampled at their centres) to frame pixels. */
export function patchAffine(corner: Pick<DetectedCorner, 'at' | 'down' | 'width'>): number[][] {
  const { at, down, width } = corner;
  const right = { x: down.y, y: -down.x }; // image axes (y down): "right" is "down" turned a quarter back
  const sx = ((PATCH_X[1] - PATCH_X[0]) * width) / PATCH_W;
  const sy = ((PATCH_Y[1] - PATCH_Y[0]) * width) / PATCH_H;
  const ox = at.x + right.x * PATCH_X[0] * width + down.x * PATCH_Y[0] * width;
  const oy = at.y + right.y * PATCH_X[0] * width + down.y * PATCH_Y[0] * width;
  // patch pixel (u, v) samples the frame at A (u + 0.5, v + 0.5) - 0.5
  const a = [right.x * sx, down.x * sy];
  const b = [right.y * sx, down.y * sy];
  return [
    [a[0]!, a[1]!, ox + 0.5 * (a[0]! + a[1]!) - 0.5],
    [b[0]!, b[1]!, oy + 0.5 * (b[0]! + b[1]!) - 0.5],
  ];
}

/** Writes one corner's patch at `offset` (a multiple of PATCH_SIZE) in a batch buffer. */
export function writeCornerPatch(frame: Mat, corner: DetectedCorner, batch: Float32Array, offset: number): void {
  warpPatch(frame, patchAffine(corner), batch, offset);
}

/** Packed BGR pixels, rows top to bottom without padding (a camera's analysis frame). */
export interface BgrPixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * The same patch from a frame's bytes, without making a Mat of the whole frame (a 6 MB copy at
 * 1080p): only the rows and columns the patch samples are copied (plus the bilinear's second
 * tap), and the warp is shifted by the region's origin. Where the region is clipped by the
 * frame's edge, BORDER_REPLICATE repeats the same edge pixels the whole frame would.
 */
export function writeCornerPatchFrom(frame: BgrPixels, corner: DetectedCorner, batch: Float32Array, offset: number): void {
  const cv = opencv();
  const a = patchAffine(corner);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [[0, 0], [PATCH_W - 1, 0], [0, PATCH_H - 1], [PATCH_W - 1, PATCH_H - 1]] as const) {
    xs.push(a[0]![0]! * u + a[0]![1]! * v + a[0]![2]!);
    ys.push(a[1]![0]! * u + a[1]![1]! * v + a[1]![2]!);
  }
  const span = (lo: number, hi: number, size: number): [number, number] => {
    const from = Math.min(Math.max(Math.floor(lo) - 1, 0), size - 1);
    return [from, Math.max(Math.min(Math.ceil(hi) + 2, size), from + 1)];
  };
  const [x0, x1] = span(Math.min(...xs), Math.max(...xs), frame.width);
  const [y0, y1] = span(Math.min(...ys), Math.max(...ys), frame.height);
  const rowBytes = (x1 - x0) * 3;
  const region = Buffer.allocUnsafe(rowBytes * (y1 - y0));
  for (let y = y0; y < y1; y++) frame.data.copy(region, (y - y0) * rowBytes, (y * frame.width + x0) * 3, (y * frame.width + x1) * 3);
  a[0]![2]! -= x0;
  a[1]![2]! -= y0;
  warpPatch(new cv.Mat(region, y1 - y0, x1 - x0, cv.CV_8UC3), a, batch, offset);
}

function warpPatch(frame: Mat, affine: number[][], batch: Float32Array, offset: number): void {
  const cv = opencv();
  // From a buffer, not a JS array of rows: opencv4nodejs's array constructor crashed the process
  // at exit now and then (seen in this file's test).
  const m = new cv.Mat(Buffer.from(Float64Array.from(affine.flat()).buffer), 2, 3, cv.CV_64F);
  const patch = frame.warpAffine(m, new cv.Size(PATCH_W, PATCH_H), cv.INTER_LINEAR + cv.WARP_INVERSE_MAP, cv.BORDER_REPLICATE).getData();
  const plane = PATCH_W * PATCH_H;
  for (let i = 0; i < plane; i++) {
    batch[offset + i] = BYTE_TO_UNIT[patch[i * 3]!]!;
    batch[offset + plane + i] = BYTE_TO_UNIT[patch[i * 3 + 1]!]!;
    batch[offset + 2 * plane + i] = BYTE_TO_UNIT[patch[i * 3 + 2]!]!;
  }
}
