import t from 'tap';
import { DECK, RANKS, SUITS, type Card } from '../../cards/card.js';
import { dragonTigerOutcome, dragonTigerRank } from './dragon-tiger.js';

t.test('ranks: ace low, 2-10 as printed, jack 11, queen 12, king 13', async (t) => {
  t.same(RANKS.map((r) => dragonTigerRank(`${r}S`)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  t.same(SUITS.map((s) => dragonTigerRank(`Q${s}`)), [12, 12, 12, 12], 'suits do not rank');
});

t.test('every rank pair: the higher rank wins, equal ranks tie', async (t) => {
  let pairs = 0;
  RANKS.forEach((dr, di) => {
    RANKS.forEach((tr, ti) => {
      // Different suits: a tie here is never suited.
      const o = dragonTigerOutcome(`${dr}H`, `${tr}C`);
      const want = di > ti ? 'dragon' : ti > di ? 'tiger' : 'tie';
      if (o.winner !== want || o.suitedTie) t.fail(`${dr}H v ${tr}C: ${JSON.stringify(o)}, want ${want}`);
      pairs += 1;
    });
  });
  t.equal(pairs, 169, 'all 13 x 13 rank pairs');
  t.match(dragonTigerOutcome('AS', '2S'), { winner: 'tiger', dragonRank: 1, tigerRank: 2 }, 'the ace is low');
  t.match(dragonTigerOutcome('KD', 'QD'), { winner: 'dragon', dragonRank: 13, tigerRank: 12 });
});

t.test('ties: every same-rank pair of cards; suited only when the suits match too', async (t) => {
  const byRank = new Map<string, Card[]>();
  for (const c of DECK) byRank.set(c[0]!, [...(byRank.get(c[0]!) ?? []), c]);
  let ties = 0;
  let suited = 0;
  for (const cards of byRank.values()) {
    for (const d of cards) {
      for (const tg of cards) {
        const o = dragonTigerOutcome(d, tg);
        if (o.winner !== 'tie') t.fail(`${d} v ${tg} is not a tie`);
        if (o.suitedTie !== (d === tg)) t.fail(`${d} v ${tg}: suitedTie ${o.suitedTie}`);
        ties += 1;
        if (o.suitedTie) suited += 1;
      }
    }
  }
  t.equal(ties, 13 * 16);
  t.equal(suited, 52, 'a suited tie is the same card twice (a multi-deck shoe)');
  t.same(dragonTigerOutcome('7H', '7H'), { winner: 'tie', dragonRank: 7, tigerRank: 7, suitedTie: true });
  t.same(dragonTigerOutcome('7H', '7D'), { winner: 'tie', dragonRank: 7, tigerRank: 7, suitedTie: false });
});
