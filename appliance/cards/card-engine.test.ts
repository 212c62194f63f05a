import t from 'tap';
import { silentLogger } from '../log.js';
import type { EventDraft } from '../kernel/events.js';
import { CardEngine, type CardSnapshot } from './card-engine.js';
import type { SeenCard } from './card.js';
import { baccarat } from '../games/baccarat/baccarat-game.js';
import { blackjack } from '../games/blackjack/blackjack-game.js';
import type { CardGame } from './card-game.js';

/** A card table fed frame by frame (100 ms apart), two frames to confirm a card. */
function table(game: CardGame = baccarat, restored: CardSnapshot | null = null) {
  const events: EventDraft[] = [];
  const engine = new CardEngine(game, { frames: 2, threshold: 0.9 }, (e) => events.push(e), silentLogger, restored);
  engine.begin();
  let at = 1_700_000_000_000;
  const onTable = new Map<string, SeenCard | null>();
  const frame = (): void => {
    at += 100;
    engine.onFrame({ readings: [...onTable].map(([position, card]) => ({ position, card, confidence: 0.99 })), frameTime: at, camera: 'overhead' });
  };
  /** The dealer lays a card: it is seen in two frames. */
  const deal = (position: string, card: SeenCard | null): void => {
    onTable.set(position, card);
    frame();
    frame();
  };
  const clear = (): void => {
    onTable.clear();
    frame();
  };
  const types = (): string[] => events.map((e) => e.type);
  const last = (type: string): EventDraft | undefined => events.filter((e) => e.type === type).at(-1);
  return { engine, events, deal, clear, frame, types, last };
}

function openRound(tb: ReturnType<typeof table>): void {
  tb.engine.openTable('test');
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
}

t.test('baccarat: a natural, four cards in the tableau order, the result with side results', async (t) => {
  const tb = table();
  openRound(tb);
  for (const [p, c] of [['player1', '4H'], ['banker1', '3S'], ['player2', '4D'], ['banker2', 'KC']] as const) tb.deal(p, c);
  t.same(tb.types(), ['table.opened', 'round.opened', 'round.closed', 'card.dealt', 'card.dealt', 'card.dealt', 'card.dealt', 'round.result']);
  t.match(tb.events[3]!.data, { position: 'player1', hand: 'player', card: '4H', camera: 'overhead' });
  t.equal((tb.events[3]!.data['frameTimes'] as number[]).length, 2, 'the frames that confirmed it');
  t.match(tb.last('round.result')!.data, { game: 'baccarat', player: ['4H', '4D'], banker: ['3S', 'KC'], winner: 'player', playerTotal: 8, bankerTotal: 3, natural: true, playerPair: true, bankerPair: false });
  t.same(tb.engine.state().round, null);
});

t.test('baccarat: third cards by the tableau, cards turned face down first, and the next round needs a clear table', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', 'XX');
  tb.deal('player1', '2C'); // turned over: the flip, not a conflict
  tb.deal('banker1', '5D');
  tb.deal('player2', '3C');
  tb.deal('banker2', 'TS');
  t.equal(tb.last('round.result'), undefined, 'player 5 draws');
  tb.deal('player3', '4S'); // player 9; banker 5 draws on a 4
  t.equal(tb.last('round.result'), undefined);
  tb.deal('banker3', '6H');
  t.match(tb.last('round.result')!.data, { player: ['2C', '3C', '4S'], banker: ['5D', 'TS', '6H'], winner: 'player', playerTotal: 9, bankerTotal: 1 });
  t.match(tb.engine.startRound('dealer'), { ok: false, reason: /still on the table at banker1, banker2, banker3, player1/ });
  tb.clear();
  t.same(tb.engine.startRound('dealer'), { ok: true });
});

t.test('baccarat: a third card the tableau forbids voids the round and suspends the table', async (t) => {
  const tb = table();
  openRound(tb);
  for (const [p, c] of [['player1', '2H'], ['banker1', '3S'], ['player2', '4D'], ['banker2', 'KC']] as const) tb.deal(p, c);
  tb.deal('player3', '5S'); // the player (6) stands; only the banker (3) may draw
  t.match(tb.last('round.voided')!.data, { code: 'card-sequence', reason: /5S at player3: a third card to the player while the banker must draw first/ });
  t.match(tb.engine.state().suspended, { code: 'card-sequence' });
  t.match(tb.engine.startRound('dealer'), { ok: false, reason: /suspended/ });
  t.notOk(tb.types().includes('round.result'));
});

t.test('baccarat: once the tableau ends the coup the result is out; a card dealt after it belongs to no round', async (t) => {
  const tb = table();
  openRound(tb);
  for (const [p, c] of [['player1', '2H'], ['banker1', '7S'], ['player2', '4D'], ['banker2', 'KC']] as const) tb.deal(p, c);
  t.match(tb.last('round.result')!.data, { winner: 'banker', playerTotal: 6, bankerTotal: 7 }, 'player 6 and banker 7 stand');
  tb.deal('banker3', '5S');
  t.equal(tb.events.filter((e) => e.type === 'card.dealt').length, 4);
  t.match(tb.engine.startRound('dealer'), { ok: false, reason: /banker3/ }, 'the stray card must be cleared first');
});

t.test('baccarat: a third card before the first four, and a card before bets close', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', '2H');
  tb.deal('player3', '5D');
  t.match(tb.last('round.voided')!.data, { code: 'card-sequence', reason: /before the first four cards/ });
  tb.engine.resume('technician');
  tb.clear();
  tb.engine.startRound('dealer');
  tb.deal('player1', '9C');
  t.match(tb.last('round.voided')!.data, { code: 'card-before-close', reason: /9C turned at player1 while bets were open/ });
  t.match(tb.engine.state().suspended, { code: 'card-before-close' });
});

t.test('a confirmed card that reads differently is an integrity event: void and suspend, never corrected', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', '6H');
  tb.deal('player1', '8H');
  t.match(tb.last('card.conflict')!.data, { position: 'player1', confirmed: '6H', read: '8H', camera: 'overhead' });
  t.match(tb.last('round.voided')!.data, { code: 'card-conflict', cards: { player1: '6H' } });
  t.match(tb.engine.state().suspended, { code: 'card-conflict' });
  t.notOk(tb.types().includes('round.result'));
});

t.test('a card conflict waits for a person: frames that look fine again do not lift it, resume does', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', '6H');
  tb.deal('player1', '8H');
  t.match(tb.engine.state().suspended, { code: 'card-conflict' });
  tb.clear();
  tb.frame();
  tb.engine.onCamera(null);
  t.match(tb.engine.state().suspended, { code: 'card-conflict' }, 'a clear table and a healthy camera are not a person');
  t.match(tb.engine.startRound('dealer'), { ok: false, reason: /suspended/ });
  t.ok(tb.engine.resume('pit boss').ok);
  t.equal(tb.types().at(-1), 'table.resumed');
  t.ok(tb.engine.startRound('dealer').ok, 'play goes on after the resume');
});

t.test('a card the recogniser is unsure of is never dealt', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', null);
  tb.deal('player1', null);
  t.notOk(tb.types().includes('card.dealt'));
  t.same(tb.engine.state().occupied, ['player1'], 'but the position is taken');
});

t.test('camera down: the round is voided, the table suspended until the camera is back', async (t) => {
  const tb = table();
  openRound(tb);
  tb.deal('player1', '2H');
  tb.engine.onCamera('overhead: no frames for 2 s');
  t.match(tb.last('round.voided')!.data, { code: 'camera-down', cards: { player1: '2H' } });
  t.match(tb.engine.state().suspended, { code: 'camera-down' });
  t.match(tb.engine.resume('technician'), { ok: false, reason: /camera is down/ });
  tb.engine.onCamera(null);
  t.same(tb.engine.state().suspended, null);
  t.equal(tb.types().at(-1), 'table.resumed');
});

t.test('a restart mid-round voids the round it interrupted', async (t) => {
  const first = table();
  openRound(first);
  const tb = table(baccarat, first.engine.snapshot());
  t.match(tb.events, [{ type: 'round.voided', round: 1, data: { code: 'restart' } }]);
  t.equal(tb.engine.state().open, true);
});

t.test('blackjack: hits, the dealer draws to 17, per-box outcomes', async (t) => {
  const tb = table(blackjack({ boxes: 2, maxCards: 5, hitSoft17: false }));
  openRound(tb);
  tb.deal('box1.1', 'TH');
  tb.deal('box2.1', '9C');
  tb.deal('dealer1', '6S');
  tb.deal('box1.2', 'AC'); // blackjack
  tb.deal('box2.2', '5D');
  tb.deal('dealer2', 'XX'); // hole card
  tb.deal('box2.3', '7H'); // 21
  tb.deal('dealer2', 'TD'); // 16: draws
  t.equal(tb.last('round.result'), undefined);
  tb.deal('dealer3', '2S'); // 18
  t.match(tb.last('round.result')!.data, {
    game: 'blackjack',
    dealer: { cards: ['6S', 'TD', '2S'], total: 18 },
    boxes: { box1: { outcome: 'blackjack' }, box2: { cards: ['9C', '5D', '7H'], total: 21, outcome: 'win' } },
  });
});

t.test('blackjack: the dealer standing on soft 17 must not draw; hitting a 21 is impossible', async (t) => {
  const tb = table(blackjack({ boxes: 1, maxCards: 5, hitSoft17: false }));
  openRound(tb);
  tb.deal('box1.1', '9H');
  tb.deal('dealer1', 'AS');
  tb.deal('box1.2', '8C');
  tb.deal('dealer2', '6D');
  t.match(tb.last('round.result')!.data, { dealer: { total: 17 }, boxes: { box1: { outcome: 'push' } } }, 'S17: soft 17 stands, the round ends');
  tb.clear();
  tb.engine.startRound('dealer');
  tb.engine.closeBets('dealer');
  tb.deal('box1.1', 'KH');
  tb.deal('box1.2', 'AD');
  tb.deal('box1.3', '2D');
  t.match(tb.last('round.voided')!.data, { code: 'card-sequence', reason: /box1, which has 21/ });
});

t.test('blackjack: the dealer settles early only when every box is bust or blackjack', async (t) => {
  const tb = table(blackjack({ boxes: 1, maxCards: 5, hitSoft17: true }));
  openRound(tb);
  tb.deal('box1.1', 'KH');
  tb.deal('dealer1', '5S');
  tb.deal('box1.2', '6D');
  t.match(tb.engine.settle('dealer'), { ok: false, reason: /box1 still in play/ });
  tb.deal('box1.3', '9C'); // 25: bust
  t.same(tb.engine.settle('dealer'), { ok: true });
  t.match(tb.last('round.result')!.data, { boxes: { box1: { total: 25, outcome: 'bust' } }, settledBy: 'dealer' });
});

t.test('what stands in the way of the next action stands in the state until it clears, in the words a press is refused with', async (t) => {
  const tb = table();
  t.same(tb.engine.state().blocked, { action: 'open', reason: 'the table is closed' });
  tb.engine.openTable('test');
  t.same(tb.engine.state().blocked, null, 'open, clear, between rounds: nothing');
  tb.deal('banker1', '5H');
  tb.deal('player2', '3D');
  const blocked = { action: 'start', reason: 'cards are still on the table at banker1, player2: clear it first' };
  t.same(tb.engine.state().blocked, blocked, 'last round\'s cards');
  t.same(tb.engine.startRound('dealer'), { ok: false, reason: blocked.reason }, 'a press says the same');
  t.same(tb.engine.state().blocked, blocked, 'and it stands after the refusal');
  tb.clear();
  t.same(tb.engine.state().blocked, null, 'cleared with the cards');
  t.ok(tb.engine.startRound('dealer').ok);
  t.same(tb.engine.state().blocked, { action: 'deal', reason: 'bets are still open: close bets before the first card' });
  tb.engine.closeBets('dealer');
  t.same(tb.engine.state().blocked, null, 'dealing');
  tb.engine.onCamera('overhead: no frames for 2 s');
  t.same(tb.engine.state().blocked, { action: 'resume', reason: 'the table is suspended: overhead: no frames for 2 s' });
  tb.engine.onCamera(null);
  t.same(tb.engine.state().blocked, null);
});

t.test('a betting window that closes by itself: the dealer waits for it', async (t) => {
  const events: EventDraft[] = [];
  const engine = new CardEngine(baccarat, { frames: 2, threshold: 0.9 }, (e) => events.push(e), silentLogger, null, { source: 'camera', matchWindowMs: 20_000, bettingMs: 60_000 });
  engine.openTable('test');
  t.ok(engine.startRound('dealer').ok);
  t.same(engine.state().blocked, { action: 'deal', reason: 'bets are still open: wait for them to close before the first card' });
  engine.stop();
});
