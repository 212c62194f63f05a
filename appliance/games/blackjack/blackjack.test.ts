import t from 'tap';
import { blackjackTotal, boxOutcome, dealerDraws } from './blackjack.js';
import type { Card } from '../../cards/card.js';

const cards = (s: string) => s.split(' ') as Card[];

t.test('totals with soft aces, blackjack and bust', async (t) => {
  t.match(blackjackTotal(cards('AS KH')), { total: 21, soft: true, blackjack: true, bust: false });
  t.match(blackjackTotal(cards('AS 6H')), { total: 17, soft: true });
  t.match(blackjackTotal(cards('AS 6H 9C')), { total: 16, soft: false });
  t.match(blackjackTotal(cards('AS AH 9C')), { total: 21, soft: true, blackjack: false });
  t.match(blackjackTotal(cards('KS QH 5C')), { total: 25, bust: true });
  t.match(blackjackTotal(cards('7S 7H 7C')), { total: 21, blackjack: false });
});

t.test('the dealer rule: stand or hit on soft 17', async (t) => {
  t.equal(dealerDraws(cards('TS 6H'), false), true);
  t.equal(dealerDraws(cards('TS 7H'), false), false);
  t.equal(dealerDraws(cards('AS 6H'), false), false, 'S17: stands on soft 17');
  t.equal(dealerDraws(cards('AS 6H'), true), true, 'H17: hits soft 17');
  t.equal(dealerDraws(cards('TS 6H AC'), true), false, 'hard 17 always stands');
});

t.test('box outcomes', async (t) => {
  t.equal(boxOutcome(cards('AS KH'), cards('TS 9H')), 'blackjack');
  t.equal(boxOutcome(cards('AS KH'), cards('AD QH')), 'push');
  t.equal(boxOutcome(cards('TS 9H 2C'), cards('AD QH')), 'lose', 'a dealer blackjack beats 21 in three');
  t.equal(boxOutcome(cards('TS 9H'), cards('TD 6H 8C')), 'win', 'dealer bust');
  t.equal(boxOutcome(cards('TS 6H 8C'), cards('TD 6H 8C')), 'bust', 'a player bust loses even when the dealer busts');
  t.equal(boxOutcome(cards('TS 8H'), cards('9D 9H')), 'push');
  t.equal(boxOutcome(cards('TS 7H'), cards('9D 9H')), 'lose');
});
