import t from 'tap';
import { CardConfirmer, type Reading } from './confirmation.js';

const rules = { frames: 3, threshold: 0.9 };
const at = (position: string, card: Reading['card'], confidence = 0.99): Reading => ({ position, card, confidence });

t.test('a card counts after three consistent confident frames, with their times', async (t) => {
  const c = new CardConfirmer(rules);
  t.same(c.frame([at('player1', 'TH')], 1), []);
  t.same(c.frame([at('player1', 'TH')], 2), []);
  t.same(c.frame([at('player1', 'TH')], 3), [{ kind: 'confirmed', position: 'player1', card: 'TH', frameTimes: [1, 2, 3] }]);
  t.same(c.frame([at('player1', 'TH')], 4), [], 'confirmed once');
  t.equal(c.cards().get('player1'), 'TH');
});

t.test('a change of identity, an abstain, low confidence or an empty frame starts over', async (t) => {
  const c = new CardConfirmer(rules);
  c.frame([at('b1', '6S')], 1);
  c.frame([at('b1', '6S')], 2);
  t.same(c.frame([at('b1', '9S')], 3), [], 'read differently while it slid');
  c.frame([at('b1', '9S')], 4);
  t.same(c.frame([at('b1', null)], 5), [], 'abstain');
  c.frame([at('b1', '9S')], 6);
  c.frame([at('b1', '9S', 0.5)], 7);
  c.frame([at('b1', '9S')], 8);
  t.same(c.frame([], 9), [], 'the card left the position');
  c.frame([at('b1', '9S')], 10);
  c.frame([at('b1', '9S')], 11);
  t.match(c.frame([at('b1', '9S')], 12), [{ kind: 'confirmed', card: '9S', frameTimes: [10, 11, 12] }]);
});

t.test('a confirmed card that later reads differently is a conflict, not a correction', async (t) => {
  const c = new CardConfirmer(rules);
  for (const f of [1, 2, 3]) c.frame([at('p1', 'QS')], f);
  t.same(c.frame([at('p1', 'QC')], 4), [], 'one odd frame is not enough');
  t.same(c.frame([at('p1', 'QS')], 5), [], 'and resets');
  c.frame([at('p1', 'QC')], 6);
  c.frame([at('p1', 'QC')], 7);
  t.same(c.frame([at('p1', 'QC')], 8), [{ kind: 'conflict', position: 'p1', confirmed: 'QS', read: 'QC', frameTime: 8 }]);
  t.equal(c.cards().get('p1'), 'QS', 'the confirmed card stands');
});

t.test('a face-down card turned over is confirmed as the card', async (t) => {
  const c = new CardConfirmer(rules);
  for (const f of [1, 2, 3]) c.frame([at('d1', 'XX')], f);
  t.equal(c.cards().get('d1'), 'XX');
  c.frame([at('d1', 'AH')], 4);
  c.frame([at('d1', 'AH')], 5);
  t.match(c.frame([at('d1', 'AH')], 6), [{ kind: 'confirmed', card: 'AH' }]);
  c.reset();
  t.equal(c.cards().size, 0);
});
