import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CardClassifier } from './classifier.js';
import { checkLayout, COLUMNS, expectedAt, type FaceReading, gridOf, type LayoutReport, placeName, ROWS } from './enrol-layout.js';
import { ART_H, ART_W, cutFace, findLaidOutCards } from './layout-cut.js';
import { type Mat, opencv } from './opencv.js';
import { PATCH_SIZE, writeCornerPatch } from './corner-patch.js';

/**
 * The first half of enrolling a deck (`pitbox cards enrol`): the stills of the laid-out deck in,
 * every face cut, placed and checked, the art written for training and a contact sheet for a
 * person to confirm. The second half (rendering and fine-tuning) is enrol-training.ts.
 */

/** The index keypoints of the art (models/training/table_scenes.py INDEX_AT, and its half-turn). */
const INDICES = [
  { at: { x: 29, y: 52 }, down: { x: 0, y: 1 } },
  { at: { x: ART_W - 29, y: ART_H - 52 }, down: { x: 0, y: -1 } },
];

export interface LaidOutDeck {
  /** faces[r][c]: the face in that place, upright ART_W x ART_H BGR, or null. */
  readonly faces: (Mat | null)[][];
  readonly readings: (FaceReading | null)[][];
  readonly report: LayoutReport;
}

/**
 * Cuts and checks a deck from its stills: each still whole rows of 13 (one still of four rows,
 * or four stills of one), rows in the layout's order across the stills.
 */
export async function readLayout(stills: readonly Mat[], reader: CardClassifier, sure: number): Promise<LaidOutDeck> {
  const faces: (Mat | null)[][] = [];
  const gridProblems: string[] = [];
  stills.forEach((still, s) => {
    const { cards, problems } = findLaidOutCards(still);
    const grid = gridOf(cards);
    const where = stills.length > 1 ? `still ${s + 1}: ` : '';
    gridProblems.push(...[...problems, ...grid.problems].map((p) => where + p));
    for (const row of grid.rows) faces.push(row.slice(0, COLUMNS).map((i) => (i === null ? null : cutFace(still, cards[i]!.quad))));
  });
  const readings = await readFaces(faces, reader);
  return { faces, readings, report: checkLayout(readings, sure, gridProblems) };
}

/** Both indices of every face, one batch; a face's reading is its surer index when the two agree, else the lower. */
async function readFaces(faces: readonly (readonly (Mat | null)[])[], reader: CardClassifier): Promise<(FaceReading | null)[][]> {
  const flat = faces.flat().filter((f): f is Mat => f !== null);
  const batch = new Float32Array(2 * flat.length * PATCH_SIZE);
  flat.forEach((face, i) => INDICES.forEach((idx, k) => writeCornerPatch(face, { ...idx, width: ART_W, score: 1 }, batch, (2 * i + k) * PATCH_SIZE)));
  const read = await reader.classify(batch, 2 * flat.length);
  let i = 0;
  return faces.map((row) =>
    row.map((face) => {
      if (face === null) return null;
      const [a, b] = [read[2 * i]!, read[2 * i + 1]!];
      i += 1;
      if (a.best === b.best) return { best: a.best, confidence: Math.max(a.confidence, b.confidence) };
      return a.confidence >= b.confidence ? { best: a.best, confidence: Math.min(a.confidence, 1 - b.confidence) } : { best: b.best, confidence: Math.min(b.confidence, 1 - a.confidence) };
    }),
  );
}

/**
 * Writes each face as DIR/<card>.png under the card that belongs in its place (what the renderer
 * trains on), and the contact sheet: every face at its place with the card it will be learnt as,
 * framed red where the check found a problem and amber where the reader was unsure.
 */
export function writeArtAndSheet(deck: LaidOutDeck, artDir: string, sheetPath: string): void {
  const cv = opencv();
  mkdirSync(artDir, { recursive: true });
  const cellW = ART_W / 2;
  const cellH = ART_H / 2 + 22;
  const sheet = new cv.Mat(ROWS * cellH + 8, COLUMNS * cellW + 8, cv.CV_8UC3, [40, 40, 40]);
  const bad = new Set(
    [...deck.report.missing, ...deck.report.swapped, ...deck.report.duplicated, ...deck.report.misplaced].flatMap((line) => line.match(/row \d \(\w+\), column \d+/g) ?? []),
  );
  const unsure = new Set(deck.report.unconfirmed.flatMap((line) => line.match(/row \d \(\w+\), column \d+/g) ?? []));
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLUMNS; c++) {
      const card = expectedAt(r, c);
      const x = 4 + c * cellW;
      const y = 4 + r * cellH;
      const face = deck.faces[r]?.[c] ?? null;
      if (face) {
        writeFileSync(join(artDir, `${card}.png`), cv.imencode('.png', face));
        face.resize(ART_H / 2, ART_W / 2, 0, 0, cv.INTER_AREA).copyTo(sheet.getRegion(new cv.Rect(x, y + 22, cellW, ART_H / 2)));
      }
      const place = placeName(r, c);
      const colour = bad.has(place) || !face ? new cv.Vec3(0, 0, 255) : unsure.has(place) ? new cv.Vec3(0, 180, 255) : new cv.Vec3(0, 200, 0);
      sheet.drawRectangle(new cv.Point2(x, y + 22), new cv.Point2(x + cellW - 1, y + cellH - 1), colour, 2);
      const read = deck.readings[r]?.[c];
      const label = face ? `${card}${read && read.best !== card ? ` (${read.best}?)` : ''}` : `${card} missing`;
      sheet.putText(label, new cv.Point2(x + 4, y + 16), cv.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1);
    }
  }
  writeFileSync(sheetPath, cv.imencode('.png', sheet));
}
