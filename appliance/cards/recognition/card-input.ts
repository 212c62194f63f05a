import { type Mat, opencv } from './opencv.js';
import type { Quad } from './quad.js';

/**
 * What the classifier reads: the detected card warped upright to CARD_W x CARD_H, then its two
 * index corners (top-left, and bottom-right turned 180 degrees) side by side, 64x64 BGR scaled
 * to 0..1, channel-major. Both corners, so a card half covered by the dealer's hand is still read.
 * Must match card_input in models/training/scenes.py.
 */
export const CARD_W = 112;
export const CARD_H = 160;
export const CORNER_W = 32;
export const CORNER_H = 64;
export const INPUT_W = 2 * CORNER_W;
export const INPUT_H = CORNER_H;
export const INPUT_SIZE = 3 * INPUT_W * INPUT_H;

/** Writes one card's input at `offset` (a multiple of INPUT_SIZE) in a batch buffer. */
export function writeCardInput(frame: Mat, quad: Quad, batch: Float32Array, offset: number): void {
  const cv = opencv();
  const dst = [new cv.Point2(0, 0), new cv.Point2(CARD_W, 0), new cv.Point2(CARD_W, CARD_H), new cv.Point2(0, CARD_H)];
  const m = cv.getPerspectiveTransform(
    quad.map((p) => new cv.Point2(p.x, p.y)),
    dst,
  );
  const card = frame.warpPerspective(m, new cv.Size(CARD_W, CARD_H), cv.INTER_LINEAR, cv.BORDER_REPLICATE).getData();
  const plane = INPUT_W * INPUT_H;
  for (let y = 0; y < CORNER_H; y++) {
    for (let x = 0; x < INPUT_W; x++) {
      // left half: the card's top-left corner; right half: its bottom-right corner, upright
      const sy = x < CORNER_W ? y : CARD_H - 1 - y;
      const sx = x < CORNER_W ? x : CARD_W - 1 - (x - CORNER_W);
      const src = (sy * CARD_W + sx) * 3;
      const dstIndex = offset + y * INPUT_W + x;
      batch[dstIndex] = card[src]! / 255;
      batch[dstIndex + plane] = card[src + 1]! / 255;
      batch[dstIndex + 2 * plane] = card[src + 2]! / 255;
    }
  }
}
