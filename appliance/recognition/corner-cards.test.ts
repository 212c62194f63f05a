import t from 'tap';
import { cardQuad, cardsFromCorners as resolve, pairCorners, type ReadCorner } from './corner-cards.js';
import type { DetectedCorner } from './corner-detector.js';
import { cascadeOrder, readPositions } from './positions.js';

/** The two index corners of an upright card of width w whose top-left is at (x, y), turned by `deg`. */
function cardCorners(x: number, y: number, w: number, deg = 0): [DetectedCorner, DetectedCorner] {
  const a = (deg * Math.PI) / 180;
  const k = w / 240;
  const rot = (u: number, v: number) => ({ x: x + (u * Math.cos(a) - v * Math.sin(a)) * k, y: y + (u * Math.sin(a) + v * Math.cos(a)) * k });
  const down = { x: -Math.sin(a), y: Math.cos(a) };
  return [
    { at: rot(29, 52), down, width: w, score: 0.9 },
    { at: rot(240 - 29, 336 - 52), down: { x: -down.x, y: -down.y }, width: w, score: 0.9 },
  ];
}
/** What the recogniser does: pair by geometry, then resolve the readings. */
const cardsFromCorners = (read: ReadCorner[], backs: Parameters<typeof resolve>[2], threshold: number) => resolve(read, pairCorners(read.map((r) => r.corner)).pairs, backs, threshold);
const read = (corner: DetectedCorner, card: string | null, confidence = 0.99, best = card ?? '--'): ReadCorner => ({ corner, reading: { card, confidence, best } });

t.test('a corner says where its whole card lies, from either index', async (t) => {
  const [tl, br] = cardCorners(100, 200, 240, 30);
  const a = cardQuad(tl);
  const b = cardQuad(br);
  t.ok(Math.abs(a[0].x - 100) < 1e-6 && Math.abs(a[0].y - 200) < 1e-6, 'the top-left corner of the card');
  for (let i = 0; i < 4; i++) {
    t.ok(Math.hypot(a[i]!.x - b[(i + 2) % 4]!.x, a[i]!.y - b[(i + 2) % 4]!.y) < 1e-6, `corner ${i}: the same card seen from the other index, turned 180 degrees`);
  }
});

t.test('two corners of one card are one card and must agree', async (t) => {
  const [tl, br] = cardCorners(100, 100, 150);
  const [tl2, br2] = cardCorners(600, 100, 150, 90);
  const cards = cardsFromCorners([read(tl, 'AS'), read(br, 'AS', 0.95), read(tl2, 'KH'), read(br2, 'QH')], [], 0.9);
  t.equal(cards.length, 2);
  t.match(cards[0], { card: 'AS', confidence: 0.99, indices: 2 });
  t.match(cards[1], { card: null, indices: 2, conflict: 'its two corners read KH and QH' }, 'disagreeing corners: the card is not vouched for');
  t.ok(Math.abs(cards[0]!.centre.x - 175) < 1e-6 && Math.abs(cards[0]!.centre.y - 205) < 1e-6, 'the centre of the card');
});

t.test('one corner alone reads its card; an unsure one leaves it unknown; a sure "not an index" is nothing', async (t) => {
  const [tl] = cardCorners(100, 100, 150);
  const [tl2, br2] = cardCorners(400, 100, 150);
  const [pip] = cardCorners(800, 100, 150);
  const cards = cardsFromCorners([read(tl, '7D'), read(tl2, null, 0.6, '7H'), read(br2, '7H'), read(pip, null, 0.97, '--')], [], 0.9);
  t.same(cards.map((c) => [c.card, c.indices]), [['7D', 1], ['7H', 2]], 'the sure corner reads the card its unsure partner leans to as well');
  const leaning = cardsFromCorners([read(tl2, null, 0.6, '7C'), read(br2, '7H')], [], 0.9);
  t.same(leaning.map((c) => c.card), [null], 'a partner leaning to another card: not vouched for');
  const strict = resolve([read(tl, '7D', 0.95)], [], [], 0.9, 0.99);
  t.same(strict.map((c) => [c.card, c.best]), [[null, '7D']], 'one index alone must pass the stricter threshold');
  const sure = resolve([read(tl, '7D', 0.995)], [], [], 0.9, 0.99);
  t.same(sure.map((c) => [c.card, c.indices]), [['7D', 1]], 'a card seen by one index is read when that index is read surely');
  const unsure = cardsFromCorners([read(tl2, null, 0.6, '7C')], [], 0.9);
  t.match(unsure, [{ card: null, best: '7C', confidence: 0.6 }]);
});

t.test('face-down cards: a back peak is a card, unless it is the middle of a card already read', async (t) => {
  const [tl, br] = cardCorners(100, 100, 150);
  const cards = cardsFromCorners([read(tl, 'QS'), read(br, 'QS')], [{ at: { x: 175, y: 205 }, score: 0.8 }, { at: { x: 600, y: 300 }, score: 0.7 }], 0.9);
  t.same(cards.map((c) => c.card), ['QS', 'XX']);
  const back = cards[1]!;
  t.equal(Math.round(back.corners[1].x - back.corners[0].x), 150, 'sized like the cards around it');
});

t.test('a cascade is read in the order it was dealt, each card to its slot', async (t) => {
  // Three cards, each dealt 20 % of a width further along the card's diagonal, over the last.
  const w = 150;
  const step = 0.2 * w;
  const hand = [0, 1, 2].map((k) => cardCorners(300 + step * k, 300 + step * k, w, 10));
  const codes = ['9H', '5C', 'KD'];
  const corners: ReadCorner[] = [];
  hand.forEach(([tl, br], k) => {
    corners.push(read(tl, codes[k]!));
    if (k === 2) corners.push(read(br, codes[k]!)); // the others' far corners are under the next card
  });
  const found = cardsFromCorners(corners.reverse(), [], 0.9);
  t.same(cascadeOrder(found).map((c) => c.card), codes, 'dealt order, whatever order they were found in');
  const box = [{ x: 250, y: 250 }, { x: 600, y: 250 }, { x: 600, y: 700 }, { x: 250, y: 700 }];
  t.same(readPositions(found, { box1: box }, { box1: ['box1.1', 'box1.2', 'box1.3', 'box1.4'] }), [
    { position: 'box1.1', card: '9H', confidence: 0.99 },
    { position: 'box1.2', card: '5C', confidence: 0.99 },
    { position: 'box1.3', card: 'KD', confidence: 0.99 },
  ]);
  t.same(readPositions(found, { box1: box }, { box1: ['box1.1', 'box1.2'] }).map((r) => r.card), [null, null], 'more cards than the hand holds: none vouched for');
  // The same cascade turned 180 degrees on the table (dealt towards the top of the picture).
  const turned = [0, 1, 2].map((k) => cardCorners(900 - step * k, 900 - step * k, w, 190));
  const rc: ReadCorner[] = turned.map(([tl], k) => read(tl, codes[k]!));
  rc.push(read(turned[2]![1], codes[2]!));
  t.same(cascadeOrder(cardsFromCorners(rc, [], 0.9)).map((c) => c.card), codes);
});

t.test('pairing does not trust the detector\'s widths: the distance between the indices gives the card\'s', async (t) => {
  const [tl, br] = cardCorners(100, 100, 200, 20);
  const [lone] = cardCorners(700, 100, 200, 20);
  const [far] = cardCorners(1200, 100, 100, 20);
  const { pairs, widths } = pairCorners([{ ...tl, width: 270 }, { ...br, width: 190 }, { ...lone, width: 240 }, { ...far, width: 100 }]);
  t.same(pairs, [[0, 1]]);
  t.ok(Math.abs(widths[0]! - 200) < 1e-6 && Math.abs(widths[1]! - 200) < 1e-6, `the pair's width ${widths[0]}`);
  t.equal(widths[2], widths[0], 'a corner alone, near the others\' size, takes the frame\'s card width');
  t.equal(widths[3], 100, 'one far from it keeps its own (a card nearer the camera, or something else)');
  const [tl2] = cardCorners(100, 100, 200, 20);
  const [, br2] = cardCorners(100, 100, 200, 60);
  t.same(pairCorners([tl2, br2]).pairs, [], 'two indices of different cards facing apart are not one card');
});
