import t from 'tap';
import { CardEngine, type DealingRules } from '../../cards/card-engine.js';
import type { Card, SeenCard } from '../../cards/card.js';
import type { EventDraft } from '../../kernel/events.js';
import { silentLogger } from '../../log.js';
import { dragonTiger } from './dragon-tiger-game.js';

const dealt = (cards: Record<string, Card>) => new Map(Object.entries(cards));

t.test('where a card may land: one to each side, nothing more', async (t) => {
  t.equal(dragonTiger.refuse(dealt({}), 'dragon'), null);
  t.equal(dragonTiger.refuse(dealt({}), 'tiger'), null, 'either side may be turned first');
  t.match(dragonTiger.refuse(dealt({ dragon: '4H' }), 'dragon'), /a second card to the dragon/);
  t.match(dragonTiger.refuse(dealt({ dragon: '4H', tiger: 'KS' }), 'tiger'), /a third card/);
  t.match(dragonTiger.refuse(dealt({ dragon: '4H', tiger: 'KS' }), 'dragon'), /a third card/);
  t.match(dragonTiger.refuse(dealt({}), 'player1'), /not a dragon-tiger position/);
  t.match(dragonTiger.refuse(dealt({ dragon: '4H' }), 'tie'), /not a dragon-tiger position/, 'the tie box is for bets, never a card');
});

t.test('the result: decided as soon as both sides have a card', async (t) => {
  t.equal(dragonTiger.result(dealt({ dragon: '4H' })), null);
  t.same(dragonTiger.result(dealt({ dragon: '4H', tiger: 'KS' })), { dragon: '4H', tiger: 'KS', winner: 'tiger', dragonRank: 4, tigerRank: 13, suitedTie: false });
  t.same(dragonTiger.nextPosition!(dealt({})), 'dragon', 'the shoe deals the dragon first');
  t.same(dragonTiger.nextPosition!(dealt({ dragon: '4H' })), 'tiger');
  t.same(dragonTiger.nextPosition!(dealt({ dragon: '4H', tiger: 'KS' })), null);
  t.match(dragonTiger.settle(dealt({ dragon: '4H' })), { refused: /both cards/ });
  t.ok(dragonTiger.dealRank('dragon') < dragonTiger.dealRank('tiger'));
});

/** A Dragon Tiger table on the card engine: frames 100 ms apart, two frames to confirm. */
function table(rules: Partial<DealingRules>) {
  const events: EventDraft[] = [];
  const engine = new CardEngine(dragonTiger, { frames: 2, threshold: 0.9 }, (e) => events.push(e), silentLogger, null, { source: 'camera', matchWindowMs: 20_000, bettingMs: 0, ...rules });
  engine.begin();
  engine.onShoeLink(null);
  let at = 1_700_000_000_000;
  const onTable = new Map<string, SeenCard>();
  const frame = (): void => {
    at += 100;
    engine.onFrame({ readings: [...onTable].map(([position, card]) => ({ position, card, confidence: 0.99 })), frameTime: at, camera: 'overhead' });
  };
  const lay = (position: string, card: SeenCard): void => {
    onTable.set(position, card);
    frame();
    frame();
  };
  const clear = (): void => {
    onTable.clear();
    frame();
  };
  const draw = (card: Card): void => engine.onShoe({ card, code: card, at: performance.now() }, 'shoe:shoe');
  const last = (type: string): EventDraft | undefined => events.filter((e) => e.type === type).at(-1);
  const round = (): void => {
    engine.startRound('dealer');
    engine.closeBets('dealer');
  };
  return { engine, events, lay, clear, draw, last, round };
}

t.test('the camera: both cards turned, the result; a tie; a card that changes is a conflict', async (t) => {
  const tb = table({});
  tb.engine.openTable('test');
  tb.round();
  tb.lay('tiger', '9C');
  tb.lay('dragon', 'JD');
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['hand'], e.data['card']]), [['tiger', 'tiger', '9C'], ['dragon', 'dragon', 'JD']]);
  t.same(tb.last('round.result')?.data, { game: 'dragon-tiger', dragon: 'JD', tiger: '9C', winner: 'dragon', dragonRank: 11, tigerRank: 9, suitedTie: false });
  tb.clear();
  tb.round();
  tb.lay('dragon', '7S');
  tb.lay('tiger', '7S');
  t.match(tb.last('round.result')?.data, { winner: 'tie', suitedTie: true });
  tb.clear();
  tb.round();
  tb.lay('dragon', '5H');
  tb.lay('dragon', '6H');
  t.match(tb.last('card.conflict')?.data, { position: 'dragon', confirmed: '5H', read: '6H' });
  t.match(tb.last('round.voided')?.data, { code: 'card-conflict' });
  t.match(tb.last('table.suspended')?.data, { code: 'card-conflict' });
});

t.test('the shoe: burn cards outside a round, dragon then tiger, a card while bets are open', async (t) => {
  const tb = table({ source: 'shoe' });
  tb.engine.openTable('test');
  tb.draw('3C');
  tb.draw('QH');
  t.same(tb.events.filter((e) => e.type === 'card.drawn').map((e) => [e.round, e.data['card']]), [[null, '3C'], [null, 'QH']], 'burn cards are journaled, nothing else');
  t.notOk(tb.events.some((e) => e.type === 'card.dealt' || e.type === 'table.suspended'));
  tb.round();
  tb.draw('2D');
  tb.draw('AS');
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['card'], e.data['shoeIndex']]), [['dragon', '2D', 1], ['tiger', 'AS', 2]]);
  t.match(tb.last('round.result')?.data, { dragon: '2D', tiger: 'AS', winner: 'dragon' }, 'ace low: 2 beats A');
  tb.draw('KC');
  t.match(tb.last('card.drawn'), { round: null, data: { card: 'KC' } }, 'a card after the result is outside the round: a burn card');
  t.notOk(tb.events.some((e) => e.type === 'table.suspended'));
  tb.engine.startRound('dealer');
  tb.draw('4S');
  t.match(tb.last('round.voided')?.data, { code: 'card-before-close' });
});

t.test('both: the shoe and the camera agree card by card; a disagreement voids and suspends', async (t) => {
  const tb = table({ source: 'both' });
  tb.engine.openTable('test');
  tb.round();
  tb.draw('8H');
  tb.lay('dragon', '8H');
  tb.draw('8C');
  tb.lay('tiger', '8C');
  t.match(tb.last('round.result')?.data, { winner: 'tie', suitedTie: false });
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => e.data['shoeIndex']), [1, 2]);
  tb.clear();
  tb.round();
  tb.draw('9S');
  tb.lay('dragon', '6S');
  t.match(tb.last('card.conflict')?.data, { code: 'shoe-mismatch', position: 'dragon', shoeCard: '9S', cameraCard: '6S' });
  t.match(tb.last('table.suspended')?.data, { code: 'shoe-mismatch' });
});
