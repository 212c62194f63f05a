/** A point in image pixels. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A card's four corners in image pixels, clockwise (y down) from a corner of a short edge. */
export type Quad = readonly [Point, Point, Point, Point];

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * Puts four corners in the order the classifier's input assumes: clockwise from a corner of a
 * short edge, so the warp is always portrait. Which of the two short edges comes first does not
 * matter: the input holds both index corners, and the model is trained on both orders. Must
 * match order_quad in models/training/scenes.py.
 */
export function orderQuad(points: readonly Point[]): Quad {
  if (points.length !== 4) throw new Error(`a card has 4 corners, not ${points.length}`);
  const cx = points.reduce((s, p) => s + p.x, 0) / 4;
  const cy = points.reduce((s, p) => s + p.y, 0) / 4;
  const p = [...points].sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
  const q = dist(p[0]!, p[1]!) > dist(p[1]!, p[2]!) ? [p[1]!, p[2]!, p[3]!, p[0]!] : p;
  return [q[0]!, q[1]!, q[2]!, q[3]!];
}

export function centre(q: Quad): Point {
  return { x: (q[0].x + q[1].x + q[2].x + q[3].x) / 4, y: (q[0].y + q[1].y + q[2].y + q[3].y) / 4 };
}

/** Point-in-polygon by ray casting (positions are simple polygons a technician draws). */
export function inside(p: Point, polygon: readonly Point[]): boolean {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) hit = !hit;
  }
  return hit;
}

export function scaleQuad(q: Quad, k: number): Quad {
  return q.map((p) => ({ x: p.x * k, y: p.y * k })) as unknown as Quad;
}
