import type { DetectedBack, DetectedCorner } from './corner-detector.js';
import type { Point, Quad } from './quad.js';

/**
 * From index corners read one by one to cards. A card shows two index corners (its top-left,
 * and its bottom-right turned 180 degrees); each corner, with its reading frame and the card's
 * width, says where the whole card lies. Two corners that put a card in the same place facing
 * opposite ways are one card, and must agree; a corner alone (the other under the next card of a
 * cascade, or under the dealer's hand) reads the card by itself.
 */

/** The card art the geometry is measured on (models/training/table_scenes.py). */
const ART_W = 240;
const ART_H = 336;
const INDEX_AT = { x: 29, y: 52 };

/** What the reader said about one corner. */
export interface CornerReading {
  /** A card, or null: not sure, or not an index at all. */
  readonly card: string | null;
  readonly confidence: number;
  /** Best class even when unsure ("--": not an index). */
  readonly best: string;
}

export interface ReadCorner {
  readonly corner: DetectedCorner;
  readonly reading: CornerReading;
}

/** One card found in a frame. `card` null: a card whose reading the box cannot vouch for. */
export interface CornerCard {
  readonly card: string | null;
  readonly confidence: number;
  readonly best: string;
  /** Clockwise from the top-left of the card as its (first) index reads upright. */
  readonly corners: Quad;
  readonly centre: Point;
  /** How many of its index corners were seen and read (1 or 2; 0 for a face-down card). */
  readonly indices: number;
  /** Why a card found is not read: its two corners disagree. */
  readonly conflict?: string;
}

export function cardQuad(c: Pick<DetectedCorner, 'at' | 'down' | 'width'>): Quad {
  const k = c.width / ART_W;
  const r = { x: c.down.y, y: -c.down.x };
  const d = c.down;
  const tl = { x: c.at.x - r.x * INDEX_AT.x * k - d.x * INDEX_AT.y * k, y: c.at.y - r.y * INDEX_AT.x * k - d.y * INDEX_AT.y * k };
  const at = (u: number, v: number): Point => ({ x: tl.x + r.x * u * k + d.x * v * k, y: tl.y + r.y * u * k + d.y * v * k });
  return [at(0, 0), at(ART_W, 0), at(ART_W, ART_H), at(0, ART_H)];
}

const centreOf = (q: Quad): Point => ({ x: (q[0].x + q[2].x) / 2, y: (q[0].y + q[2].y) / 2 });

/** From one index keypoint to the other, in the first one's frame (art pixels): the card's diagonal. */
const DIAGONAL = { u: ART_W - 2 * INDEX_AT.x, v: ART_H - 2 * INDEX_AT.y };
const DIAGONAL_LENGTH = Math.hypot(DIAGONAL.u, DIAGONAL.v);

/**
 * Which corners are the two indices of one card, from geometry alone: facing opposite ways, the
 * second where the first one's card diagonal ends. The scale does not have to agree (the
 * detector's width is its least certain output): the angle of the diagonal in the first corner's
 * frame must, and the width the distance implies must lie between 0.6 of the larger estimate
 * and 1.6 times the smaller. Closest
 * to the expected angle first. Returns the pairs and, for each corner, the card width to use:
 * the one the pair's distance implies (far more exact than either estimate), or for a corner
 * alone its own estimate, or the frame's median pair width when its estimate is within 40 % of
 * it (cards on one table are one size).
 */
export function pairCorners(corners: readonly Pick<DetectedCorner, 'at' | 'down' | 'width'>[]): { pairs: [number, number][]; widths: number[] } {
  const expected = Math.atan2(DIAGONAL.v, DIAGONAL.u);
  const candidates: { i: number; j: number; err: number; width: number }[] = [];
  for (let i = 0; i < corners.length; i++) {
    for (let j = i + 1; j < corners.length; j++) {
      const a = corners[i]!;
      const b = corners[j]!;
      if (a.down.x * b.down.x + a.down.y * b.down.y > -0.8) continue;
      const dx = b.at.x - a.at.x;
      const dy = b.at.y - a.at.y;
      const u = dx * a.down.y - dy * a.down.x; // along a's "right"
      const v = dx * a.down.x + dy * a.down.y; // along a's "down"
      const err = Math.abs(Math.atan2(v, u) - expected);
      const width = (Math.hypot(dx, dy) / DIAGONAL_LENGTH) * ART_W;
      if (err > 0.2 || width < 0.6 * Math.max(a.width, b.width) || width > 1.6 * Math.min(a.width, b.width)) continue;
      candidates.push({ i, j, err, width });
    }
  }
  candidates.sort((a, b) => a.err - b.err);
  const widths = corners.map((c) => c.width);
  const taken = new Set<number>();
  const pairs: [number, number][] = [];
  for (const c of candidates) {
    if (taken.has(c.i) || taken.has(c.j)) continue;
    taken.add(c.i).add(c.j);
    pairs.push([c.i, c.j]);
    widths[c.i] = widths[c.j] = c.width;
  }
  const paired = pairs.map(([i]) => widths[i]!).sort((a, b) => a - b);
  if (paired.length > 0) {
    const median = paired[paired.length >> 1]!;
    corners.forEach((c, k) => {
      if (!taken.has(k) && c.width > 0.6 * median && c.width < 1.4 * median) widths[k] = median;
    });
  }
  return { pairs, widths };
}

/**
 * Resolves read corners into cards. `pairs` from pairCorners (the corners given already carry
 * the widths it chose). `notIndex`: the reader's class for "not an index" (a sure one is
 * dropped: a pip, a picture, the table). `threshold`: the reading a card needs to be reported as
 * that card.
 */
export function cardsFromCorners(
  read: readonly ReadCorner[],
  pairs: readonly (readonly [number, number])[],
  backs: readonly DetectedBack[],
  threshold: number,
  singleThreshold = threshold,
  notIndex = '--',
): CornerCard[] {
  const notAnIndex = (k: number): boolean => read[k]!.reading.best === notIndex;
  const partner = new Map<number, number>();
  for (const [i, j] of pairs) {
    if (notAnIndex(i) || notAnIndex(j)) continue; // one of them is not an index after all: each stands alone
    partner.set(i, j).set(j, i);
  }
  const placed = read.map((r) => {
    const quad = cardQuad(r.corner);
    return { r, quad, centre: centreOf(quad) };
  });
  const cards: CornerCard[] = [];
  placed.forEach((p, i) => {
    if (notAnIndex(i)) return;
    const j = partner.get(i);
    if (j !== undefined && j < i) return; // reported with its partner
    const other = j === undefined ? undefined : placed[j]!;
    const a = p.r.reading;
    const b = other?.r.reading;
    // A card seen by one index only (the other under the next card, or a hand) must be read
    // more surely: an index partly covered can look like another one.
    const needed = other ? threshold : singleThreshold;
    const sure = (x: CornerReading | undefined): x is CornerReading & { card: string } => x !== undefined && x.card !== null && x.confidence >= needed;
    let card: string | null = null;
    let conflict: string | undefined;
    if (sure(a) && sure(b) && a.card !== b.card) conflict = `its two corners read ${a.card} and ${b.card}`;
    else if (sure(a) && (!b || b.best === a.card)) card = a.card;
    else if (sure(b) && b.best === a.best) card = b.card;
    const best = [a, ...(b ? [b] : [])].reduce((x, y) => (y.confidence > x.confidence ? y : x));
    // The quad from the corner read with more confidence; the centre between both.
    const quad = other && b && b.confidence > a.confidence ? other.quad : p.quad;
    // Two indices: the card's centre is exactly between their keypoints.
    const centre = other ? { x: (p.r.corner.at.x + other.r.corner.at.x) / 2, y: (p.r.corner.at.y + other.r.corner.at.y) / 2 } : p.centre;
    const confidence = card === null ? best.confidence : Math.max(...[a, b].filter((x) => x?.card === card).map((x) => x!.confidence));
    cards.push({ card, confidence, best: best.best, corners: quad, centre, indices: other ? 2 : 1, ...(conflict ? { conflict } : {}) });
  });
  // Face-down cards: a back's centre, sized like the face cards of the frame. A back peak on a
  // card already read (a picture card's centre) is that card, not a second one.
  const widths = cards.map((c) => Math.hypot(c.corners[1].x - c.corners[0].x, c.corners[1].y - c.corners[0].y)).sort((x, y) => x - y);
  const width = widths.length ? widths[widths.length >> 1]! : 0;
  for (const back of backs) {
    const w = width || 150;
    if (cards.some((c) => Math.hypot(c.centre.x - back.at.x, c.centre.y - back.at.y) < w * 0.45)) continue;
    const h = (w * ART_H) / ART_W;
    const { x, y } = back.at;
    cards.push({
      card: 'XX',
      // The face-down decision is the detector's: a back peak at or above its back threshold
      // (chosen on validation scenes) is a face-down card; there is no class probability to give.
      confidence: 1,
      best: 'XX',
      corners: [{ x: x - w / 2, y: y - h / 2 }, { x: x + w / 2, y: y - h / 2 }, { x: x + w / 2, y: y + h / 2 }, { x: x - w / 2, y: y + h / 2 }],
      centre: back.at,
      indices: 0,
    });
  }
  return cards;
}
