import { type Mat, opencv } from './opencv.js';
import type { Point, Quad } from './quad.js';

/**
 * Cuts the card faces out of an enrolment still (enrol-layout.ts: a deck laid out apart on a dark
 * cloth). Not the table's detector: here every card is whole, apart and face up, so a bright,
 * unsaturated, card-shaped blob is a card, and its outline gives the four corners exactly. Each
 * face is warped upright to the art size the training renders at (ART_W x ART_H).
 */
export const ART_W = 240;
export const ART_H = 336;

/** A card is 88x63 mm: 1.40; perspective stretches it a little. */
const MIN_ASPECT = 1.2;
const MAX_ASPECT = 1.75;

export interface CutCard {
  /** Clockwise from the top-left, portrait. */
  readonly quad: Quad;
  readonly centre: Point;
  readonly width: number;
  readonly height: number;
}

/** Card-shaped bright blobs, largest first; blobs much larger than the typical card are reported (cards touching). */
export function findLaidOutCards(image: Mat): { cards: CutCard[]; problems: string[] } {
  const cv = opencv();
  const [, s, v] = image.cvtColor(cv.COLOR_BGR2HSV).splitChannels() as [Mat, Mat, Mat];
  // White and unsaturated (a card face against cloth), brighter than its surroundings over a
  // window of about two cards: light that falls off across the deck moves the surroundings too.
  const block = Math.floor(image.cols / 8) | 1;
  const mask = v
    .sub(s)
    .adaptiveThreshold(255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY, block, -10)
    .morphologyEx(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(5, 5)), cv.MORPH_CLOSE)
    .morphologyEx(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(3, 3)), cv.MORPH_OPEN);
  const minArea = (image.cols * image.rows) / 3000;
  const blobs = mask.findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE).filter((c) => c.area > minArea);
  const hulls = blobs.map((c) => c.convexHull());
  const areas = hulls.map((h) => h.area).sort((a, b) => a - b);
  const typical = areas[areas.length >> 1] ?? 0;
  const cards: CutCard[] = [];
  const problems: string[] = [];
  for (const hull of hulls) {
    const rect = hull.minAreaRect();
    const long = Math.max(rect.size.width, rect.size.height);
    const short = Math.min(rect.size.width, rect.size.height);
    if (short === 0) continue;
    if (hull.area > 1.6 * typical) {
      problems.push(`cards touching near (${Math.round(rect.center.x)}, ${Math.round(rect.center.y)}): lay them apart`);
      continue;
    }
    if (hull.area < 0.5 * typical || long / short < MIN_ASPECT || long / short > MAX_ASPECT) continue;
    const poly = hull.approxPolyDP(0.03 * hull.arcLength(true), true);
    const corners = poly.length === 4 ? poly.map((p) => ({ x: p.x, y: p.y })) : rectCorners(rect.center, rect.size.width, rect.size.height, rect.angle);
    const quad = portrait(corners);
    const centre = { x: quad.reduce((a, p) => a + p.x, 0) / 4, y: quad.reduce((a, p) => a + p.y, 0) / 4 };
    cards.push({ quad, centre, width: short, height: long });
  }
  return { cards, problems };
}

/** The face upright at ART_W x ART_H (BGR). */
export function cutFace(image: Mat, quad: Quad): Mat {
  const cv = opencv();
  const src = quad.map((p) => new cv.Point2(p.x, p.y));
  const dst = [new cv.Point2(0, 0), new cv.Point2(ART_W, 0), new cv.Point2(ART_W, ART_H), new cv.Point2(0, ART_H)];
  return image.warpPerspective(cv.getPerspectiveTransform(src, dst), new cv.Size(ART_W, ART_H), cv.INTER_AREA, cv.BORDER_REPLICATE);
}

/**
 * Clockwise from the top-left as the card lies upright (portrait): the corner nearest the image's
 * top-left of the two that start a short edge. A card laid upside down reads the same: its two
 * indices are each other's image turned half round.
 */
function portrait(points: readonly Point[]): Quad {
  const cx = points.reduce((a, p) => a + p.x, 0) / 4;
  const cy = points.reduce((a, p) => a + p.y, 0) / 4;
  const p = [...points].sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx)); // clockwise in image axes
  const d = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
  // rotate so that p[0] -> p[1] is a short edge, and p[0] is the upper-left of the two candidates
  let start = d(p[0]!, p[1]!) < d(p[1]!, p[2]!) ? 0 : 1;
  if (p[start]!.y + p[start]!.x > p[start + 2]!.y + p[start + 2]!.x) start += 2;
  const q = [0, 1, 2, 3].map((k) => p[(start + k) % 4]!);
  return [q[0]!, q[1]!, q[2]!, q[3]!];
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
