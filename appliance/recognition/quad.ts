/** A point in image pixels. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A card's four corners in image pixels, clockwise (y down) from its top-left as its index reads upright. */
export type Quad = readonly [Point, Point, Point, Point];

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
