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
  const cv = opencv();
  // From a buffer, not a JS array of rows: opencv4nodejs's array constructor crashed the process
  // at exit now and then (seen in this file's test).
  const m = new cv.Mat(Buffer.from(Float64Array.from(patchAffine(corner).flat()).buffer), 2, 3, cv.CV_64F);
  const patch = frame.warpAffine(m, new cv.Size(PATCH_W, PATCH_H), cv.INTER_LINEAR + cv.WARP_INVERSE_MAP, cv.BORDER_REPLICATE).getData();
  const plane = PATCH_W * PATCH_H;
  for (let i = 0; i < plane; i++) {
    batch[offset + i] = patch[i * 3]! / 255;
    batch[offset + plane + i] = patch[i * 3 + 1]! / 255;
    batch[offset + 2 * plane + i] = patch[i * 3 + 2]! / 255;
  }
}
