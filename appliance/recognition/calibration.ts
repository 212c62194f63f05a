import { writeFileSync } from 'node:fs';
import { type Mat, opencv } from './opencv.js';
import { inside } from './quad.js';
import type { Positions } from './positions.js';
import type { FoundCard } from './recognizer.js';

/**
 * Draws the configured positions (and the cards found) over a still, for the technician to
 * check the camera angle against the layout. Returns a line per position saying what lies there.
 */
export function drawPositions(image: Mat, positions: Positions, found: readonly FoundCard[], out: string): string[] {
  const cv = opencv();
  const canvas = image.copy();
  const thick = Math.max(2, Math.round(image.cols / 640));
  const report: string[] = [];
  for (const [name, corners] of Object.entries(positions)) {
    const pts = corners.map((p) => new cv.Point2(Math.round(p.x), Math.round(p.y)));
    canvas.drawPolylines([pts], true, new cv.Vec3(0, 255, 255), thick);
    const cx = corners.reduce((s, p) => s + p.x, 0) / corners.length;
    const top = Math.min(...corners.map((p) => p.y));
    canvas.putText(name, new cv.Point2(Math.round(cx - name.length * 6 * thick), Math.max(12, Math.round(top - 6))), cv.FONT_HERSHEY_SIMPLEX, 0.5 * thick, new cv.Vec3(0, 255, 255), thick);
    const here = found.filter((c) => inside(c.centre, corners));
    report.push(`${name}: ${here.length === 0 ? 'empty' : here.map((c) => `${c.card ?? 'unknown'} ${(c.confidence * 100).toFixed(1)}%`).join(', ')}`);
  }
  for (const c of found) {
    const colour = c.card === null ? new cv.Vec3(0, 0, 255) : new cv.Vec3(0, 255, 0);
    canvas.drawPolylines([c.corners.map((p) => new cv.Point2(Math.round(p.x), Math.round(p.y)))], true, colour, thick);
    canvas.putText(c.card ?? '?', new cv.Point2(Math.round(c.centre.x) - 10 * thick, Math.round(c.centre.y)), cv.FONT_HERSHEY_SIMPLEX, 0.6 * thick, colour, thick);
  }
  const stray = found.filter((c) => !Object.values(positions).some((p) => inside(c.centre, p)));
  if (stray.length > 0) report.push(`outside every position: ${stray.map((c) => c.card ?? 'unknown').join(', ')}`);
  writeFileSync(out, cv.imencode('.png', canvas));
  return report;
}
