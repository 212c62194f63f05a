import t, { type Test } from 'tap';
import { silentLogger } from '../log.js';
import type { EventDraft } from '../kernel/events.js';
import { CardEngine, type DealingRules } from './card-engine.js';
import type { Card, SeenCard } from './card.js';
import { baccarat } from '../games/baccarat/baccarat-game.js';
import { blackjack } from '../games/blackjack/blackjack-game.js';
import type { CardGame } from './card-game.js';

/** A card table with a shoe: frames 100 ms apart, two frames to confirm. */
function table(rules: Partial<DealingRules>, game: CardGame = baccarat) {
  const events: EventDraft[] = [];
  const engine = new CardEngine(game, { frames: 2, threshold: 0.9 }, (e) => events.push(e), silentLogger, null, { source: 'both', matchWindowMs: 20_000, bettingMs: 0, ...rules });
  engine.begin();
  engine.onShoeLink(null);
  let at = 1_700_000_000_000;
  const onTable = new Map<string, SeenCard | null>();
  const frame = (): void => {
    at += 100;
    engine.onFrame({ readings: [...onTable].map(([position, card]) => ({ position, card, confidence: 0.99 })), frameTime: at, camera: 'overhead' });
  };
  const lay = (position: string, card: SeenCard | null): void => {
    onTable.set(position, card);
    frame();
    frame();
  };
  const draw = (card: Card | null, code = card ?? '??'): void => engine.onShoe({ card, code, at: performance.now(), ...(card ? {} : { error: 'unreadable' }) }, 'shoe:shoe');
  const types = (): string[] => events.map((e) => e.type);
  const last = (type: string): EventDraft | undefined => events.filter((e) => e.type === type).at(-1);
  return { engine, events, lay, draw, frame, types, last };
}

function openRound(tb: ReturnType<typeof table>): void {
  tb.engine.openTable('test');
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
}

t.test('both: shoe and camera agree card by card; the result carries both readings', async (t) => {
  const tb = table({});
  openRound(tb);
  // Face down first (squeeze), then turned: the shoe reads each as it is drawn.
  for (const [p, c] of [['player1', '4H'], ['banker1', '3S'], ['player2', '4D'], ['banker2', 'KC']] as const) {
    tb.draw(c);
    tb.lay(p, 'XX');
  }
  t.equal(tb.events.filter((e) => e.type === 'card.dealt').length, 0, 'nothing dealt while the cards are face down');
  for (const [p, c] of [['banker2', 'KC'], ['player1', '4H'], ['player2', '4D'], ['banker1', '3S']] as const) tb.lay(p, c);
  t.same(tb.events.filter((e) => e.type === 'card.drawn').map((e) => e.data['card']), ['4H', '3S', '4D', 'KC'], 'every shoe read is journaled');
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['card'], e.data['shoeIndex']]), [['banker2', 'KC', 4], ['player1', '4H', 1], ['player2', '4D', 3], ['banker1', '3S', 2]], 'turned in any order, each matched to its own shoe card');
  t.match(tb.last('round.result')?.data, { winner: 'player', playerTotal: 8 });
});

t.test('both: a shoe card that disagrees with the camera voids and suspends, with both readings', async (t) => {
  const tb = table({});
  openRound(tb);
  tb.draw('4H');
  tb.lay('player1', '4H');
  tb.draw('9S');
  tb.lay('banker1', '3S');
  t.match(tb.last('card.conflict')?.data, { code: 'shoe-mismatch', position: 'banker1', shoeCard: '9S', cameraCard: '3S', shoeIndex: 2, camera: 'overhead' });
  t.match(tb.last('round.voided')?.data, { code: 'shoe-mismatch', reason: /banker1: the shoe read 9S, the camera 3S/ });
  t.match(tb.last('table.suspended')?.data, { code: 'shoe-mismatch' });
  t.notOk(tb.events.some((e) => e.type === 'card.dealt' && e.data['position'] === 'banker1'), 'the disputed card was never dealt');
  t.match(tb.engine.startRound('dealer'), { ok: false, reason: /suspended/ });
});

t.test('both: a camera card the shoe never read, and a shoe read no card answers, run out of time', async (t) => {
  const missing = table({ matchWindowMs: 60 });
  openRound(missing);
  missing.lay('player1', '4H');
  await new Promise((r) => setTimeout(r, 120));
  t.match(missing.last('round.voided')?.data, { code: 'shoe-missing', reason: /camera read 4H at player1 but the shoe never read it/ });

  const unconfirmed = table({ matchWindowMs: 60 });
  openRound(unconfirmed);
  unconfirmed.draw('4H');
  await new Promise((r) => setTimeout(r, 120));
  t.match(unconfirmed.last('round.voided')?.data, { code: 'shoe-unconfirmed', reason: /shoe read 4H/ });
  t.match(unconfirmed.last('table.suspended')?.data, { code: 'shoe-unconfirmed' });
});

t.test('the shoe: burn cards outside a round, a card while bets are open, an unreadable code, the shoe unplugged', async (t) => {
  const tb = table({});
  tb.engine.openTable('test');
  tb.draw('7C');
  t.match(tb.last('card.drawn'), { round: null, data: { card: '7C' } }, 'a burn card is journaled, nothing else');
  t.notOk(tb.types().includes('table.suspended'));
  tb.engine.startRound('dealer');
  tb.draw('4H');
  t.match(tb.last('round.voided')?.data, { code: 'card-before-close' });
  tb.engine.resume('tech');
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
  tb.draw(null, 'Z?');
  t.match(tb.last('round.voided')?.data, { code: 'shoe-unreadable' });
  tb.engine.resume('tech');
  tb.engine.onShoeLink('shoe: unplugged');
  t.match(tb.last('table.suspended')?.data, { code: 'shoe-down' });
  t.match(tb.engine.resume('tech'), { ok: false, reason: /shoe is down/ });
  tb.engine.onShoeLink(null);
  t.match(tb.last('table.resumed')?.data, { reason: /shoe is back/ });
});

t.test('shoe alone (baccarat): the tableau places each card', async (t) => {
  const tb = table({ source: 'shoe' });
  openRound(tb);
  for (const c of ['2C', '5H', '3D', 'KS', '4S', '6H'] as const) tb.draw(c);
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => e.data['position']), ['player1', 'banker1', 'player2', 'banker2', 'player3', 'banker3']);
  t.match(tb.last('round.result')?.data, { player: ['2C', '3D', '4S'], banker: ['5H', 'KS', '6H'], winner: 'player' });
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
  for (const c of ['9C', '5H', 'TD', 'KS'] as const) tb.draw(c);
  t.match(tb.last('round.result')?.data, { natural: true, winner: 'player' }, 'a natural ends the coup after four cards');
  tb.draw('3H');
  t.match(tb.last('card.drawn'), { round: null, data: { card: '3H' } }, 'a card after the coup belongs to no round');
  t.equal(tb.events.filter((e) => e.type === 'card.dealt').length, 10);
});

t.test('blackjack with both: landing order comes from the camera, ties in one frame by the first-deal order', async (t) => {
  const tb = table({}, blackjack({ boxes: 3, maxCards: 5, hitSoft17: false }));
  openRound(tb);
  for (const c of ['TH', '9S', '7D'] as const) tb.draw(c);
  // box1.1 and box2.1 land within one frame; dealer1 a frame later
  tb.lay('box2.1', 'XX');
  t.equal(tb.events.filter((e) => e.type === 'card.conflict').length, 0);
  tb.lay('box2.1', '9S');
  t.match(tb.last('card.conflict')?.data, { code: 'shoe-mismatch', shoeCard: 'TH', cameraCard: '9S' }, 'box2 landed first, so it is the shoe\'s first card: they disagree');
});

t.test('betting timer: bets close by themselves at the deadline in the round\'s event and state', async (t) => {
  const tb = table({ source: 'camera', bettingMs: 80 });
  tb.engine.openTable('test');
  const before = Date.now();
  tb.engine.startRound('dealer');
  const opened = tb.last('round.opened')?.data;
  const closesAt = Date.parse(opened?.['bettingClosesAt'] as string);
  t.ok(closesAt >= before + 80 && closesAt <= Date.now() + 80, 'the deadline is start + 80 ms');
  t.equal(tb.engine.state().round?.bettingClosesAt, opened?.['bettingClosesAt'], 'the state carries the same deadline');
  await new Promise((r) => setTimeout(r, 150));
  t.match(tb.last('round.closed')?.data, { by: 'betting-timer' });
  t.ok(Date.now() >= closesAt);

  // the dealer closes early: the timer does not close anything twice, nor the next round's bets.
  // The next round starts half a window later, so the earlier round's deadline falls inside its
  // betting window (timers fire in deadline order, so this holds however late they run).
  tb.engine.voidRound({ code: 'dealer', reason: 'test' });
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
  tb.engine.voidRound({ code: 'dealer', reason: 'test' });
  await new Promise((r) => setTimeout(r, 40));
  tb.engine.startRound('dealer');
  await new Promise((r) => setTimeout(r, 60));
  t.equal(tb.engine.state().round?.phase, 'betting', 'an earlier round\'s timer, past its deadline, does not close this one');
  await new Promise((r) => setTimeout(r, 80));
  t.equal(tb.engine.state().round?.phase, 'dealing', 'its own timer does');
  t.equal(tb.events.filter((e) => e.type === 'round.closed').length, 3);
  tb.engine.stop();
});

/** This process's Date.now() stepped by `ms` (an NTP step of the box's clock) until the test ends. */
function stepWallClock(t: Test, ms: number): void {
  const real = Date.now;
  Date.now = () => real() + ms;
  t.teardown(() => {
    Date.now = real;
  });
}

t.test('both: the wall clock stepped an hour forward mid-round runs no match window out', async (t) => {
  const tb = table({});
  openRound(tb);
  tb.draw('4H');
  tb.draw('3S');
  stepWallClock(t, 3_600_000);
  tb.lay('player1', '4H');
  // 3S waits for the camera: its 20 s window must not have run out because the clock jumped.
  await new Promise((r) => setTimeout(r, 100));
  t.same(tb.events.filter((e) => e.type === 'round.voided').map((e) => e.data), [], 'no void');
  tb.lay('banker1', '3S');
  t.same(tb.events.filter((e) => e.type === 'card.dealt').map((e) => e.data['card']), ['4H', '3S'], 'both cards dealt');
});

t.test('both: the wall clock stepped an hour back mid-round does not stretch the match window', async (t) => {
  const tb = table({ matchWindowMs: 60 });
  openRound(tb);
  tb.draw('4H');
  stepWallClock(t, -3_600_000);
  const deadline = performance.now() + 10_000;
  while (!tb.last('round.voided') && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.match(tb.last('round.voided')?.data, { code: 'shoe-unconfirmed' }, 'the card the camera never saw voids the round after its 60 ms, not an hour later');
});
