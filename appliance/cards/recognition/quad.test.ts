import t from 'tap';
import { centre, inside, orderQuad } from './quad.js';
import { readPositions } from './positions.js';
import type { FoundCard } from './recognizer.js';

t.test('corners come out clockwise from a short edge, whatever order they came in', async (t) => {
  // a portrait card 100 wide, 140 tall
  const tl = { x: 0, y: 0 };
  const tr = { x: 100, y: 0 };
  const br = { x: 100, y: 140 };
  const bl = { x: 0, y: 140 };
  for (const order of [[tl, tr, br, bl], [br, tl, bl, tr], [bl, br, tr, tl]]) {
    const q = orderQuad(order);
    const first = Math.hypot(q[0].x - q[1].x, q[0].y - q[1].y);
    t.equal(first, 100, 'starts along a short edge');
    const cross = (q[1].x - q[0].x) * (q[2].y - q[1].y) - (q[1].y - q[0].y) * (q[2].x - q[1].x);
    t.ok(cross > 0, 'clockwise with y down (never mirrored)');
  }
  // the same card lying sideways (a baccarat third card)
  const q = orderQuad([{ x: 0, y: 0 }, { x: 140, y: 0 }, { x: 140, y: 100 }, { x: 0, y: 100 }]);
  t.equal(Math.hypot(q[0].x - q[1].x, q[0].y - q[1].y), 100);
  t.throws(() => orderQuad([tl, tr, br]), /4 corners, not 3/);
  t.same(centre([tl, tr, br, bl]), { x: 50, y: 70 });
});

t.test('positions: a card belongs where its centre lies; two in one position read as unknown', async (t) => {
  const box = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }];
  t.ok(inside({ x: 50, y: 50 }, box));
  t.notOk(inside({ x: 150, y: 50 }, box));
  const card = (x: number, y: number, name: string | null): FoundCard => ({
    card: name,
    best: name ?? '--',
    confidence: 0.99,
    corners: [{ x, y }, { x, y }, { x, y }, { x, y }],
    centre: { x, y },
    indices: 2,
  });
  const positions = { player1: box, banker1: box.map((p) => ({ x: p.x + 200, y: p.y })) };
  t.same(readPositions([card(50, 50, 'TH'), card(250, 50, 'XX'), card(500, 500, 'AS')], positions), [
    { position: 'player1', card: 'TH', confidence: 0.99 },
    { position: 'banker1', card: 'XX', confidence: 0.99 },
  ], 'the card outside every position is not the game\'s');
  t.same(readPositions([card(40, 40, 'TH'), card(60, 60, '9C')], positions), [{ position: 'player1', card: null, confidence: 0 }]);
});
