import { isCard } from '../cards/card.js';

/**
 * Scoring the recogniser against what a person says is in each still: the cards a studio's
 * technician writes down for its own captures (cards.csv), or what the renderer knows. Pure: the
 * command reads the files and runs the recogniser, this counts.
 *
 * cards.csv, one row per still (or per position of a still):
 *   image,position,cards,hidden
 *   table-0001.jpg,,AS KH XX,          the cards whose index can be seen (XX: face down)
 *   table-0002.jpg,box1,9H 5C KD,      a position's cards, in deal order (positions need --config)
 *   table-0003.jpg,,7D,QS              `hidden`: there, but no index visible (reading it is not wrong)
 * Only `image` and `cards` are required; codes as pitbox writes them (T for ten), any case.
 */
export interface TruthRow {
  readonly image: string;
  readonly position: string | null;
  readonly cards: readonly string[];
  readonly hidden: readonly string[];
}

export class TruthError extends Error {}

export function parseTruthCsv(text: string, file: string): TruthRow[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '' && !l.startsWith('#'));
  const head = lines.shift();
  if (!head) throw new TruthError(`${file}: empty (a header line "image,cards" at least)`);
  const columns = splitCsv(head.l).map((c) => c.trim().toLowerCase());
  const at = (name: string): number => columns.indexOf(name);
  if (at('image') < 0 || at('cards') < 0) throw new TruthError(`${file}:${head.n}: the header needs columns "image" and "cards" (has ${columns.join(', ')})`);
  const problems: string[] = [];
  const codes = (field: string | undefined, n: number, column: string): string[] => {
    const out: string[] = [];
    for (const raw of (field ?? '').trim().split(/[\s;]+/).filter(Boolean)) {
      const c = normalise(raw);
      if (c === null) problems.push(`${file}:${n}: ${column}: "${raw}" is not a card (AS, TH, 10H, XX for face down)`);
      else out.push(c);
    }
    return out;
  };
  const rows = lines.map(({ l, n }) => {
    const f = splitCsv(l);
    const image = (f[at('image')] ?? '').trim();
    if (!image) problems.push(`${file}:${n}: no image`);
    const position = at('position') >= 0 ? (f[at('position')] ?? '').trim() || null : null;
    return { image, position, cards: codes(f[at('cards')], n, 'cards'), hidden: at('hidden') >= 0 ? codes(f[at('hidden')], n, 'hidden') : [] };
  });
  if (problems.length > 0) throw new TruthError(problems.slice(0, 20).join('\n'));
  return rows;
}

function normalise(raw: string): string | null {
  const s = raw.toUpperCase().replace(/^10/, 'T').replace(/10$/, 'T');
  if (s === 'XX') return 'XX';
  if (isCard(s)) return s;
  const swapped = s.length === 2 ? s[1]! + s[0]! : s; // suit first: SA, HT
  return isCard(swapped) ? swapped : null;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** What the recogniser reported for one still (or one position of it). */
export interface Reported {
  /** Cards it vouches for. */
  readonly sure: readonly string[];
  /** Cards it found but would not name (abstained), with its best guess. */
  readonly unsure: readonly string[];
}

export interface ImageScore {
  readonly image: string;
  readonly position: string | null;
  readonly expected: number;
  readonly read: number;
  readonly wrong: readonly string[];
  readonly missed: readonly string[];
  readonly abstained: number;
  readonly ms: number;
}

/** One still (or position): multiset matching of what was vouched for against the truth. */
export function scoreImage(truth: TruthRow, got: Reported, ms: number): ImageScore {
  const left = [...truth.cards];
  const hidden = [...truth.hidden];
  const wrong: string[] = [];
  let read = 0;
  for (const c of got.sure) {
    const i = left.indexOf(c);
    if (i >= 0) {
      left.splice(i, 1);
      read += 1;
      continue;
    }
    const h = hidden.indexOf(c);
    if (h >= 0) hidden.splice(h, 1); // read through a gap: right, though nobody asked for it
    else wrong.push(c);
  }
  return { image: truth.image, position: truth.position, expected: truth.cards.length, read, wrong, missed: left, abstained: got.unsure.length, ms };
}

export interface Summary {
  readonly images: number;
  readonly cards: number;
  readonly read: number;
  readonly wrong: number;
  readonly missed: number;
  readonly abstained: number;
  /** Of the cards it named, the share right. */
  readonly precision: number;
  /** Of the cards there to be read, the share it named right. */
  readonly recall: number;
  /** Of the cards it found, the share it would not name; overall and in the worst still. */
  readonly abstainRate: number;
  readonly worstAbstainRate: number;
  /** true -> read, for wrong cards paired with a missed card of the same still. */
  readonly confusions: Readonly<Record<string, number>>;
  readonly medianMs: number;
  readonly worst: readonly ImageScore[];
}

export function summarise(scores: readonly ImageScore[], worstCount = 10): Summary {
  const sum = (f: (s: ImageScore) => number): number => scores.reduce((a, s) => a + f(s), 0);
  const cards = sum((s) => s.expected);
  const read = sum((s) => s.read);
  const wrong = sum((s) => s.wrong.length);
  const abstained = sum((s) => s.abstained);
  const confusions: Record<string, number> = {};
  for (const s of scores) {
    s.wrong.forEach((w, i) => {
      const key = `${s.missed[i] ?? '?'}->${w}`;
      confusions[key] = (confusions[key] ?? 0) + 1;
    });
  }
  const byImage = new Map<string, { found: number; abstained: number }>();
  for (const s of scores) {
    const e = byImage.get(s.image) ?? { found: 0, abstained: 0 };
    byImage.set(s.image, { found: e.found + s.read + s.wrong.length + s.abstained, abstained: e.abstained + s.abstained });
  }
  const rates = [...byImage.values()].map((e) => (e.found ? e.abstained / e.found : 0));
  const ms = [...new Set(scores.map((s) => `${s.image}\0${s.ms}`))].map((k) => Number(k.split('\0')[1])).sort((a, b) => a - b);
  const badness = (s: ImageScore): number => s.wrong.length * 100 + s.missed.length * 2 + s.abstained;
  return {
    images: byImage.size,
    cards,
    read,
    wrong,
    missed: sum((s) => s.missed.length),
    abstained,
    precision: read + wrong ? read / (read + wrong) : 1,
    recall: cards ? read / cards : 1,
    abstainRate: read + wrong + abstained ? abstained / (read + wrong + abstained) : 0,
    worstAbstainRate: rates.length ? Math.max(...rates) : 0,
    confusions,
    medianMs: ms.length ? ms[ms.length >> 1]! : 0,
    worst: [...scores].filter((s) => badness(s) > 0).sort((a, b) => badness(b) - badness(a)).slice(0, worstCount),
  };
}
