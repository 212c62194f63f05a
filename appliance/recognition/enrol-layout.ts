import type { Point } from './quad.js';

/**
 * The layout a technician lays a deck out in to enrol it (`pitbox cards enrol`): four rows of
 * 13, face up, portrait, apart from each other, on a dark cloth. Rows top to bottom are the
 * suits in the order clubs, diamonds, hearts, spades (pitbox's own suit order, C D H S); each
 * row runs A 2 3 4 5 6 7 8 9 10 J Q K from left to right. One still may hold all four rows, or
 * several stills hold whole rows each, in that order.
 *
 * This file is the check, pure: which cut face lies in which place, and whether what the reader
 * makes of each face is the card that belongs there. Missing, swapped and duplicated cards are
 * named; a face the reader is not sure of is left for the person looking at the contact sheet.
 */
export const LAYOUT_SUITS = ['C', 'D', 'H', 'S'] as const;
export const LAYOUT_RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', 'T', 'J', 'Q', 'K'] as const;
export const ROWS = LAYOUT_SUITS.length;
export const COLUMNS = LAYOUT_RANKS.length;
const SUIT_NAME: Record<string, string> = { C: 'clubs', D: 'diamonds', H: 'hearts', S: 'spades' };

export const LAYOUT_DESCRIPTION =
  'four rows of 13, face up and upright, apart from each other on a dark cloth: clubs, diamonds, hearts, spades from the top, each row A 2 3 4 5 6 7 8 9 10 J Q K from the left';

/** The card that belongs in row `row`, column `col` (0-based). */
export function expectedAt(row: number, col: number): string {
  return LAYOUT_RANKS[col]! + LAYOUT_SUITS[row]!;
}

/** A place in words, for the technician: "row 3 (hearts), column 7". */
export function placeName(row: number, col: number): string {
  return `row ${row + 1} (${SUIT_NAME[LAYOUT_SUITS[row]!]}), column ${col + 1}`;
}

/** Where one card face lies in a still, and its size there. */
export interface LaidOut {
  readonly centre: Point;
  readonly width: number;
  readonly height: number;
}

/**
 * The grid a still's cards make: rows split where the centres' y leaves a gap of more than half
 * a card, columns likewise in x; a column nobody lies in (a whole rank missing) is found from the
 * columns' spacing. `rows[r][c]` is the index of the card in that place, or null. Problems: more
 * than one card in a place, a still that is not whole rows of 13.
 */
export function gridOf(cards: readonly LaidOut[]): { rows: (number | null)[][]; problems: string[] } {
  if (cards.length === 0) return { rows: [], problems: ['no cards found in the still'] };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const w = median(cards.map((c) => c.width));
  const h = median(cards.map((c) => c.height));
  const rowOf = clusters(cards.map((c) => c.centre.y), 0.5 * h);
  const xs = cards.map((c) => c.centre.x);
  const colLabels = clusters(xs, 0.5 * w).labels;
  const colCentres = meansOf(xs, colLabels);
  // a gap of two pitches or more between column centres: a column with no card in it
  const gaps = colCentres.slice(1).map((x, i) => x - colCentres[i]!);
  const pitch = gaps.length ? median(gaps.filter((g) => g < 1.5 * median(gaps))) : w;
  const colIndex = colCentres.map((x) => Math.round((x - colCentres[0]!) / pitch));
  const nRows = Math.max(...rowOf.labels) + 1;
  const nCols = colIndex[colIndex.length - 1]! + 1;
  const problems: string[] = [];
  if (nCols !== COLUMNS) problems.push(`found ${nCols} columns, not ${COLUMNS}: lay the deck out as ${LAYOUT_DESCRIPTION}`);
  const rows: (number | null)[][] = Array.from({ length: nRows }, () => Array<number | null>(Math.max(nCols, COLUMNS)).fill(null));
  cards.forEach((_, i) => {
    const r = rowOf.labels[i]!;
    const c = colIndex[colLabels[i]!]!;
    const there = rows[r]![c];
    if (there !== null && there !== undefined) problems.push(`two cards in one place (row ${r + 1}, column ${c + 1}): lay them apart`);
    else rows[r]![c] = i;
  });
  return { rows, problems };
}

/** 1-D clusters: sorted values split where a gap exceeds `gap`. Labels in ascending order. */
function clusters(values: readonly number[], gap: number): { labels: number[] } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const labels = Array<number>(values.length).fill(0);
  let label = 0;
  order.forEach((o, k) => {
    if (k > 0 && o.v - order[k - 1]!.v > gap) label += 1;
    labels[o.i] = label;
  });
  return { labels };
}

function meansOf(values: readonly number[], labels: readonly number[]): number[] {
  const n = Math.max(...labels) + 1;
  const sum = Array<number>(n).fill(0);
  const count = Array<number>(n).fill(0);
  values.forEach((v, i) => {
    sum[labels[i]!]! += v;
    count[labels[i]!]! += 1;
  });
  return sum.map((s, k) => s / count[k]!);
}

/** What the generic reader made of one cut face (both its indices). */
export interface FaceReading {
  readonly best: string;
  readonly confidence: number;
}

export interface LayoutReport {
  /** 52 places filled, nothing missing, swapped, duplicated or misplaced. */
  readonly ok: boolean;
  readonly missing: string[];
  readonly swapped: string[];
  readonly duplicated: string[];
  readonly misplaced: string[];
  /** Places whose face the reader is not sure of: for the person looking at the contact sheet. */
  readonly unconfirmed: string[];
  readonly problems: string[];
  /** Every line above, for the technician. */
  readonly lines: string[];
}

/**
 * The check: `places[r][c]` is the reading of the face in that place (null: no card there),
 * rows in the layout's suit order. A reading counts when its confidence is at least `sure`.
 */
export function checkLayout(places: readonly (readonly (FaceReading | null)[])[], sure: number, gridProblems: readonly string[] = []): LayoutReport {
  const problems = [...gridProblems];
  if (places.length !== ROWS) problems.push(`found ${places.length} rows of cards, not ${ROWS}: lay the deck out as ${LAYOUT_DESCRIPTION}`);
  const missing: string[] = [];
  const swapped: string[] = [];
  const duplicated: string[] = [];
  const misplaced: string[] = [];
  const unconfirmed: string[] = [];
  const readAt = new Map<string, { row: number; col: number }[]>();
  const reads = (row: number, col: number): string | null => {
    const f = places[row]?.[col];
    return f && f.confidence >= sure && f.best !== '--' ? f.best : null;
  };
  for (let row = 0; row < Math.min(ROWS, places.length); row++) {
    for (let col = 0; col < COLUMNS; col++) {
      const face = places[row]![col];
      if (!face) {
        missing.push(`${expectedAt(row, col)} (${placeName(row, col)}: no card there)`);
        continue;
      }
      const card = reads(row, col);
      if (card === null) unconfirmed.push(`${expectedAt(row, col)} (${placeName(row, col)}; the reader's best guess ${face.best}, ${(100 * face.confidence).toFixed(0)} %)`);
      else readAt.set(card, [...(readAt.get(card) ?? []), { row, col }]);
    }
  }
  for (const [card, at] of readAt) {
    if (at.length > 1) duplicated.push(`${card} at ${at.map((p) => placeName(p.row, p.col)).join(' and ')}`);
  }
  const done = new Set<string>();
  for (const [card, at] of readAt) {
    if (at.length > 1) continue;
    const { row, col } = at[0]!;
    const expected = expectedAt(row, col);
    if (card === expected || done.has(expected)) continue;
    // the card that belongs here lies where this one belongs: the two are swapped
    const r = LAYOUT_SUITS.indexOf(card[1] as (typeof LAYOUT_SUITS)[number]);
    const c = LAYOUT_RANKS.indexOf(card[0] as (typeof LAYOUT_RANKS)[number]);
    if (reads(r, c) === expected) {
      swapped.push(`${expected} and ${card} (${placeName(row, col)} holds ${card}; ${placeName(r, c)} holds ${expected})`);
      done.add(expected).add(card);
    } else {
      misplaced.push(`${placeName(row, col)} should hold ${expected} but holds ${card}`);
    }
  }
  const ok = problems.length + missing.length + swapped.length + duplicated.length + misplaced.length === 0;
  const lines = [
    ...problems,
    ...missing.map((m) => `missing: ${m}`),
    ...swapped.map((s) => `swapped: ${s}`),
    ...duplicated.map((d) => `duplicated: ${d}`),
    ...misplaced.map((m) => `misplaced: ${m}`),
    ...unconfirmed.map((u) => `not confirmed by the reader (check it on the contact sheet): ${u}`),
  ];
  return { ok, missing, swapped, duplicated, misplaced, unconfirmed, problems, lines };
}
