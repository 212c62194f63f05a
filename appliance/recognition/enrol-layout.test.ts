import t from 'tap';
import { checkLayout, COLUMNS, expectedAt, type FaceReading, gridOf, type LaidOut, ROWS } from './enrol-layout.js';

/** A deck laid out as it should be: every place read as its own card. */
function laidOut(): (FaceReading | null)[][] {
  return Array.from({ length: ROWS }, (_, r) => Array.from({ length: COLUMNS }, (_, c) => ({ best: expectedAt(r, c), confidence: 0.999 })));
}

t.test('the layout order: clubs, diamonds, hearts, spades from the top; A to K from the left', async (t) => {
  t.equal(expectedAt(0, 0), 'AC');
  t.equal(expectedAt(1, 9), 'TD');
  t.equal(expectedAt(3, 12), 'KS');
  const report = checkLayout(laidOut(), 0.9);
  t.ok(report.ok);
  t.same(report.lines, []);
});

t.test('a missing card is named with its place', async (t) => {
  const places = laidOut();
  places[2]![6] = null;
  const r = checkLayout(places, 0.9);
  t.notOk(r.ok);
  t.same(r.missing, ['7H (row 3 (hearts), column 7: no card there)']);
  t.same(r.swapped, []);
});

t.test('two swapped cards are named as a swap, not as two misplaced cards', async (t) => {
  const places = laidOut();
  places[2]![6] = { best: '8H', confidence: 0.99 };
  places[2]![7] = { best: '7H', confidence: 0.99 };
  const r = checkLayout(places, 0.9);
  t.notOk(r.ok);
  t.same(r.swapped, ['7H and 8H (row 3 (hearts), column 7 holds 8H; row 3 (hearts), column 8 holds 7H)']);
  t.same(r.misplaced, []);
  t.same(r.duplicated, []);
});

t.test('a duplicated card is named with both places; a card in the wrong place alone is misplaced', async (t) => {
  const places = laidOut();
  places[0]![3] = { best: 'KS', confidence: 0.995 };
  const r = checkLayout(places, 0.9);
  t.notOk(r.ok);
  t.same(r.duplicated, ['KS at row 1 (clubs), column 4 and row 4 (spades), column 13']);
  const moved = laidOut();
  moved[1]![0] = { best: '2C', confidence: 0.97 };
  moved[0]![1] = { best: '9S', confidence: 0.97 };
  moved[3]![8] = { best: 'AD', confidence: 0.97 };
  const m = checkLayout(moved, 0.9);
  t.same(m.misplaced.length, 3, 'a three-way move: each place named');
  t.match(m.misplaced[0], /row 1 \(clubs\), column 2 should hold 2C but holds 9S/);
});

t.test('a face the reader is unsure of is left to the contact sheet, not called wrong', async (t) => {
  const places = laidOut();
  places[1]![11] = { best: 'QH', confidence: 0.6 };
  const r = checkLayout(places, 0.9);
  t.ok(r.ok, 'unsure is not a layout error');
  t.same(r.unconfirmed, ['QD (row 2 (diamonds), column 12; the reader\'s best guess QH, 60 %)']);
  t.match(r.lines[0], /^not confirmed by the reader \(check it on the contact sheet\): QD/);
});

t.test('a short row set is a problem stated with the layout to use', async (t) => {
  const r = checkLayout(laidOut().slice(0, 3), 0.9);
  t.notOk(r.ok);
  t.match(r.problems[0], /found 3 rows of cards, not 4: lay the deck out as four rows of 13/);
});

/** Card centres on a grid (110 px apart, 150 px between rows), slightly uneven like a real layout. */
function grid(skip: (r: number, c: number) => boolean = () => false): LaidOut[] {
  const out: LaidOut[] = [];
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 13; c++) {
      if (!skip(r, c)) out.push({ centre: { x: 80 + c * 140 + ((r * 7 + c * 3) % 9), y: 100 + r * 220 + ((c * 5) % 11) }, width: 110, height: 154 });
    }
  }
  return out;
}

t.test('grid: every card in its row and column; a missing card leaves its place empty', async (t) => {
  const all = gridOf(grid());
  t.same(all.problems, []);
  t.equal(all.rows.length, 4);
  t.ok(all.rows.every((row) => row.length === 13 && row.every((i) => i !== null)));
  t.equal(all.rows[2]![6], 2 * 13 + 6);
  const gap = gridOf(grid((r, c) => r === 1 && c === 4));
  t.equal(gap.rows[1]![4], null);
  t.equal(gap.rows[1]![5], 13 + 4, 'the next card stays in its own column');
  const column = gridOf(grid((_, c) => c === 5));
  t.same(column.problems, [], 'a whole rank missing: its column is found from the spacing');
  t.ok(column.rows.every((row) => row[5] === null && row[6] !== null));
  const messy = gridOf([...grid(), { centre: { x: 85, y: 105 }, width: 110, height: 154 }]);
  t.match(messy.problems.join(), /two cards in one place \(row 1, column 1\)/);
});
