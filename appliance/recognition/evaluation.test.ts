import t from 'tap';
import { parseTruthCsv, scoreImage, summarise } from './evaluation.js';

t.test('cards.csv: the columns a technician writes, codes in any usual spelling, errors named by line', async (t) => {
  const rows = parseTruthCsv('image,position,cards,hidden\n# a comment\na.jpg,,AS 10h xx,\n"b, c.jpg",box1,9H;5c SK,QD\n\n', 'cards.csv');
  t.same(rows, [
    { image: 'a.jpg', position: null, cards: ['AS', 'TH', 'XX'], hidden: [] },
    { image: 'b, c.jpg', position: 'box1', cards: ['9H', '5C', 'KS'], hidden: ['QD'] },
  ]);
  t.same(parseTruthCsv('cards,image\n7D,x.png\n', 'f'), [{ image: 'x.png', position: null, cards: ['7D'], hidden: [] }], 'columns in any order; only image and cards needed');
  t.throws(() => parseTruthCsv('image,cards\nx.png,AS ZZ\n,7D\n', 'f.csv'), /f\.csv:2: cards: "ZZ" is not a card[\s\S]*f\.csv:3: no image/);
  t.throws(() => parseTruthCsv('picture,cards\n', 'f.csv'), /f\.csv:1: the header needs columns "image" and "cards"/);
  t.throws(() => parseTruthCsv('', 'f.csv'), /f\.csv: empty/);
});

t.test('scoring: right, wrong, abstained and missed; a hidden card read is not wrong', async (t) => {
  const truth = { image: 'a.jpg', position: null, cards: ['AS', 'KH', 'KH', '7D'], hidden: ['2C'] };
  const s = scoreImage(truth, { sure: ['KH', 'AS', '2C', '9S'], unsure: ['7D'] }, 12);
  t.same(s, { image: 'a.jpg', position: null, expected: 4, read: 2, wrong: ['9S'], missed: ['KH', '7D'], abstained: 1, ms: 12 });
  const clean = scoreImage({ image: 'b.jpg', position: null, cards: ['QS'], hidden: [] }, { sure: ['QS'], unsure: [] }, 8);
  const sum = summarise([s, clean]);
  t.match(sum, { images: 2, cards: 5, read: 3, wrong: 1, abstained: 1, missed: 2, precision: 0.75, recall: 0.6, abstainRate: 0.2, worstAbstainRate: 0.25, medianMs: 12 });
  t.same(sum.confusions, { 'KH->9S': 1 }, 'the wrong read paired with a card that was missed');
  t.same(sum.worst.map((w) => w.image), ['a.jpg'], 'a still with nothing wrong is not among the worst');
  t.match(summarise([]), { precision: 1, recall: 1, abstainRate: 0 });
});
