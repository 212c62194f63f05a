import { type Mat, opencv } from './opencv.js';
import { inside, orderQuad, type Point, type Quad } from './quad.js';

export interface DetectorOptions {
  /** Frames are searched at this width (faster, and card edges survive it); corners are scaled back. */
  readonly workWidth: number;
  /** Smallest card, as a fraction of the frame width (long side of the card). */
  readonly minCardFraction: number;
  readonly maxCardFraction: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { workWidth: 960, minCardFraction: 0.03, maxCardFraction: 0.5 };

/** A card is 88x63 mm: 1.40. Perspective and a card seen at an angle stretch it a little. */
const MIN_ASPECT = 1.2;
const MAX_ASPECT = 1.75;
/** The blob's hull must fill its rotated rectangle (a card is a rectangle, a hand or a chip stack is not)... */
const MIN_RECTANGULARITY = 0.9;
/** ...and the blob its hull: ink at the card's edge notches it a little, a card merged with a hand a lot. */
const MIN_SOLIDITY = 0.75;
/** Mean BGR distance below which the inside of a rectangle "is the felt": a printed layout box. */
const FELT_DISTANCE = 30;

/**
 * Finds card-shaped bright regions: a card's face, or a back with the white border casino backs
 * have, is bright and unsaturated against felt. Thresholded on (value - saturation) with Otsu, so
 * the cut follows the table's lighting; closed, so a thin border broken by a face card's picture
 * or an index printed near the edge still outlines the card. Each blob's convex hull must be a
 * card-sized rectangle. Cards lying on top of each other form one blob and are not found until
 * they are apart: reported as nothing rather than guessed.
 */
export function findCards(frame: Mat, options: DetectorOptions = DEFAULT_DETECTOR): Quad[] {
  const cv = opencv();
  const k = frame.cols > options.workWidth ? options.workWidth / frame.cols : 1;
  const small = k < 1 ? frame.resize(Math.round(frame.rows * k), Math.round(frame.cols * k), 0, 0, cv.INTER_AREA) : frame;
  const [, s, v] = small.cvtColor(cv.COLOR_BGR2HSV).splitChannels() as [Mat, Mat, Mat];
  const whiteness = v.sub(s); // saturating subtraction on 8-bit
  const closed = whiteness
    .threshold(0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU)
    // thin printed lines first (they would close loops with a card and be filled with it)...
    .morphologyEx(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(3, 3)), cv.MORPH_OPEN)
    // ...then bridge what ink at a card's edge broke
    .morphologyEx(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(5, 5)), cv.MORPH_CLOSE);
  // Fill every blob, then open: a filled card survives, a printed line touching it does not.
  const filled = new cv.Mat(closed.rows, closed.cols, cv.CV_8UC1, 0);
  const outlines = closed.findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE).map((c) => c.getPoints());
  if (outlines.length > 0) filled.drawContours(outlines, -1, new cv.Vec3(255, 255, 255), -1);
  const mask = filled.morphologyEx(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(7, 7)), cv.MORPH_OPEN);
  const minSide = options.minCardFraction * small.cols;
  const maxSide = options.maxCardFraction * small.cols;
  const cards: Quad[] = [];
  let pixels: Buffer | null = null; // the frame's bytes, copied out of OpenCV once, when needed
  for (const contour of mask.findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)) {
    if (contour.area < (minSide * minSide) / MAX_ASPECT) continue;
    const hull = contour.convexHull();
    const rect = hull.minAreaRect();
    const long = Math.max(rect.size.width, rect.size.height);
    const short = Math.min(rect.size.width, rect.size.height);
    if (long < minSide || long > maxSide || short === 0) continue;
    const aspect = long / short;
    if (aspect < MIN_ASPECT || aspect > MAX_ASPECT) continue;
    if (hull.area / (long * short) < MIN_RECTANGULARITY || contour.area / hull.area < MIN_SOLIDITY) continue;
    const poly = hull.approxPolyDP(0.03 * hull.arcLength(true), true);
    const corners: Point[] = poly.length === 4 ? poly : rectCorners(rect.center, rect.size.width, rect.size.height, rect.angle);
    pixels ??= small.getData();
    if (printedOnFelt(pixels, small.cols, small.rows, corners)) continue;
    cards.push(orderQuad(corners.map((p) => ({ x: p.x / k, y: p.y / k }))));
  }
  return cards;
}

/**
 * The layout's printed boxes are card-sized rectangles too, and filling blobs turns their outline
 * into one. A card's inside (a face, or a back's pattern) differs from the felt around it; a
 * printed box's inside is the felt. Compares the mean colour well inside the rectangle with a
 * band just outside it, on a sparse grid.
 */
function printedOnFelt(data: Buffer, cols: number, rows: number, corners: readonly Point[]): boolean {
  const c = { x: corners.reduce((s, p) => s + p.x, 0) / 4, y: corners.reduce((s, p) => s + p.y, 0) / 4 };
  const scaled = (f: number): Point[] => corners.map((p) => ({ x: c.x + (p.x - c.x) * f, y: c.y + (p.y - c.y) * f }));
  const inner = scaled(0.7);
  const near = scaled(1.08);
  const far = scaled(1.3);
  const xs = far.map((p) => p.x);
  const ys = far.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(cols - 1, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(rows - 1, Math.ceil(Math.max(...ys)));
  const sumIn = [0, 0, 0, 0];
  const sumOut = [0, 0, 0, 0];
  const step = Math.max(2, Math.round((x1 - x0) / 40)); // ~40x40 samples: a mean needs no more
  for (let y = y0; y <= y1; y += step) {
    for (let x = x0; x <= x1; x += step) {
      const p = { x, y };
      const acc = inside(p, inner) ? sumIn : !inside(p, near) && inside(p, far) ? sumOut : null;
      if (!acc) continue;
      const i = (y * cols + x) * 3;
      acc[0]! += data[i]!;
      acc[1]! += data[i + 1]!;
      acc[2]! += data[i + 2]!;
      acc[3]! += 1;
    }
  }
  if (sumIn[3] === 0 || sumOut[3] === 0) return false;
  const d = Math.hypot(...[0, 1, 2].map((j) => sumIn[j]! / sumIn[3]! - sumOut[j]! / sumOut[3]!));
  return d < FELT_DISTANCE;
}

function rectCorners(c: Point, w: number, h: number, angleDeg: number): Point[] {
  const a = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  return [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ].map(([x, y]) => ({ x: c.x + x! * cos - y! * sin, y: c.y + x! * sin + y! * cos }));
}
