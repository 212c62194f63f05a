import t from 'tap';
import { bankerDraws, baccaratValue, handTotal, nextCard, outcome } from './baccarat.js';
import { DECK, parseCard, type Card } from '../../cards/card.js';

const cards = (s: string) => s.split(' ').filter(Boolean) as Card[];

t.test('card notation', async (t) => {
  t.equal(DECK.length, 52);
  t.equal(new Set(DECK).size, 52);
  t.equal(parseCard('TH'), 'TH');
  t.equal(parseCard('XX'), 'XX');
  t.throws(() => parseCard('10H'), /"10H" is not a card/);
  t.throws(() => parseCard('th'), /not a card/);
});

t.test('values and totals', async (t) => {
  t.same(cards('AS 9H TD JC QH KS 5C').map(baccaratValue), [1, 9, 0, 0, 0, 0, 5]);
  t.equal(handTotal(cards('9H 8D')), 7);
  t.equal(handTotal(cards('KS QS')), 0);
});

t.test('the banker rule table, every total against every player third card', async (t) => {
  // Rows: banker total 0-7; columns: player third card value 0-9. 1 = draw.
  const table = [
    '1111111111',
    '1111111111',
    '1111111111',
    '1111111101',
    '0011111100',
    '0000111100',
    '0000001100',
    '0000000000',
  ];
  table.forEach((row, total) => {
    [...row].forEach((d, third) => t.equal(bankerDraws(total, third), d === '1', `banker ${total}, third ${third}`));
  });
});

t.test('the order of the tableau', async (t) => {
  t.equal(nextCard([], []), 'player');
  t.equal(nextCard(cards('2H'), []), 'banker');
  t.equal(nextCard(cards('2H'), cards('3D')), 'player');
  t.equal(nextCard(cards('2H 3C'), cards('3D')), 'banker');
  t.equal(nextCard(cards('9H TC'), cards('3D 2S')), null, 'player natural: both stand');
  t.equal(nextCard(cards('2H 3C'), cards('8D KS')), null, 'banker natural: both stand');
  t.equal(nextCard(cards('2H 3C'), cards('KD 4S')), 'player', 'player 5 draws');
  t.equal(nextCard(cards('2H 4C'), cards('KD 4S')), 'banker', 'player stands on 6, banker 4 draws');
  t.equal(nextCard(cards('2H 4C'), cards('KD 6S')), null, 'player stands on 6, banker 6 stands');
  t.equal(nextCard(cards('2H 3C 7D'), cards('KD 4S')), 'banker', 'banker 4 draws on a player 7');
  t.equal(nextCard(cards('2H 3C 8D'), cards('KD 3S')), null, 'banker 3 stands on a player 8');
  t.equal(nextCard(cards('2H 3C 7D'), cards('KD 4S 2C')), null, 'no fourth card');
});

t.test('outcomes and side results', async (t) => {
  t.match(outcome(cards('9H TC'), cards('3D 2S')), { winner: 'player', playerTotal: 9, bankerTotal: 5, natural: true, playerPair: false });
  t.match(outcome(cards('2H 3C 7D'), cards('KD 4S 2C')), { winner: 'banker', playerTotal: 2, bankerTotal: 6, natural: false });
  t.match(outcome(cards('4H 4C'), cards('8D KS')), { winner: 'tie', playerPair: true, bankerPair: false, natural: true });
  t.throws(() => outcome(cards('2H 3C'), cards('KD 4S')), /not complete/);
});
