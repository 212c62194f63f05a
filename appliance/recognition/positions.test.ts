import t from 'tap';
import { inside } from './quad.js';
import { readPositions } from './positions.js';
import type { FoundCard } from './recognizer.js';

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
