import t from 'tap';
import type { RotorDirection, WheelState, WheelStatus } from '../../../drivers/wheel/wheel.js';
import { silentLogger } from '../../log.js';
import type { EventDraft } from '../../kernel/events.js';
import { RouletteEngine, type RouletteRules } from './roulette-engine.js';
import type { RouletteSnapshot } from './table-state.js';

const AUTO: RouletteRules = {
  statusFrames: true,
  manualStart: false,
  directionAlternates: true,
  numberLine: true,
  rotorWindow: { minRpm: 16, maxRpm: 18 },
  timeScale: 1,
};

/** A wheel driven frame by frame, 500 ms apart, with the engine watching. */
function table(rules: Partial<RouletteRules> = {}, opts: { restored?: RouletteSnapshot; startFails?: string } = {}) {
  const events: EventDraft[] = [];
  const commands: string[] = [];
  const engine = new RouletteEngine(
    { ...AUTO, ...rules },
    (e) => events.push(e),
    {
      startGame: () => (commands.push('*u 1'), opts.startFails ? Promise.reject(new Error(opts.startFails)) : Promise.resolve()),
      respin: () => (commands.push('*R'), Promise.resolve()),
    },
    silentLogger,
    opts.restored ?? null,
  );
  let at = 0;
  let spin = 100;
  let direction: RotorDirection = 'clockwise';
  let lastNumber: number | null = null;
  const frame = (state: WheelState, over: Partial<WheelStatus> = {}): void => {
    at += 500;
    engine.onStatus({ state, spin, lastNumber, warnings: 0, rotorRpm: state === 3 ? 17 : 0, direction, at, ...over });
  };
  const w = {
    engine,
    events,
    commands,
    types: () => events.map((e) => e.type),
    frame,
    /** Idle at the last result, link up, table open. */
    ready(): void {
      engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
      frame(5);
      engine.openTable('test');
      events.length = 0;
    },
    /** One game: launch (2), rim (3), no more bets (4); returns before the result. */
    spinUntilNoMoreBets(): void {
      spin = (spin % 256) + 1;
      direction = direction === 'clockwise' ? 'anticlockwise' : 'clockwise';
      frame(2);
      frame(3);
      frame(3);
      frame(4);
    },
    numberLine(n: number): void {
      at += 100;
      engine.onWinningNumber({ number: n, at });
    },
    result(n: number, over: Partial<WheelStatus> = {}): void {
      w.numberLine(over.lastNumber ?? n);
      lastNumber = n;
      frame(5, { lastNumber: n, ...over });
    },
    setSpin(s: number): void {
      spin = s;
    },
    setDirection(d: RotorDirection): void {
      direction = d;
    },
  };
  return w;
}

t.test('a clean game: opened, closed, result with number, colour, spin, rotor', async (t) => {
  const w = table();
  w.ready();
  w.spinUntilNoMoreBets();
  w.result(32);
  t.same(w.types(), ['round.opened', 'round.closed', 'round.result']);
  t.match(w.events[2], { round: 1, data: { number: 32, colour: 'red', spin: 101, rotorRpm: 17, direction: 'anticlockwise' } });
  w.frame(5, { lastNumber: 32 });
  w.frame(5, { lastNumber: 32 });
  t.equal(w.types().filter((x) => x === 'round.result').length, 1, 'later state-5 frames never repeat the result');
});

t.test('the spin counter wraps from 256 to 1', async (t) => {
  const w = table();
  w.ready();
  w.setSpin(255);
  w.spinUntilNoMoreBets();
  w.result(0);
  w.spinUntilNoMoreBets();
  w.result(7);
  const results = w.events.filter((e) => e.type === 'round.result').map((e) => e.data.spin);
  t.same(results, [256, 1]);
});

/** Each exception of the reference, and what the engine must make of it: never a result. */
const exceptions: {
  name: string;
  play: (w: ReturnType<typeof table>) => void;
  void: string;
  suspend?: string;
  respin?: boolean;
}[] = [
  {
    name: 'miss-spin: warn 2 in state 3 voids and re-spins',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101, warnings: 2 });
    },
    void: 'miss-spin',
    respin: true,
  },
  {
    name: 'launch failure: warn 8 past 3 s of state 3',
    play: (w) => {
      w.frame(2, { spin: 101 });
      for (let i = 0; i < 8; i++) w.frame(3, { spin: 101, warnings: 8 });
    },
    void: 'launch-failure',
    respin: true,
  },
  {
    name: 'ball not detected for more than 5 s in state 4',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      for (let i = 0; i < 13; i++) w.frame(4, { spin: 101, warnings: 1 });
    },
    void: 'ball-not-detected',
    respin: true,
  },
  {
    name: 'sensor fault (warn 4) voids and suspends',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 101, warnings: 4 });
    },
    void: 'wheel-fault',
    suspend: 'wheel-fault',
  },
  {
    name: 'jump to state 6 mid-game',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(6, { spin: 101 });
    },
    void: 'wheel-stopped',
    suspend: 'wheel-stopped',
  },
  {
    name: 'spin counter skips a game',
    play: (w) => {
      w.spinUntilNoMoreBets();
      w.result(8);
      w.events.length = 0;
      w.frame(2, { spin: 103, direction: 'clockwise' });
      w.frame(3, { spin: 103, direction: 'clockwise' });
    },
    void: 'spin-counter',
    suspend: 'spin-counter',
  },
  {
    name: 'spin counter changes mid-game',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 102 });
    },
    void: 'spin-counter',
    suspend: 'spin-counter',
  },
  {
    name: 'state goes backwards (4 to 3)',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 101 });
      w.frame(3, { spin: 101 });
    },
    void: 'state-sequence',
    suspend: 'state-sequence',
  },
  {
    name: 'result without no more bets (3 to 5)',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.numberLine(4);
      w.frame(5, { spin: 101, lastNumber: 4 });
    },
    void: 'state-sequence',
    suspend: 'state-sequence',
  },
  {
    name: 'rotor speed outside the window at launch',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101, rotorRpm: 12.5 });
    },
    void: 'rotor-speed',
  },
  {
    name: 'rotor did not reverse when the mode says it must',
    play: (w) => {
      // The game before ran anticlockwise (ready() primes nothing; play one clean game first).
      w.frame(2, { spin: 101, direction: 'anticlockwise' });
      w.frame(3, { spin: 101, direction: 'anticlockwise' });
      w.frame(4, { spin: 101, direction: 'anticlockwise' });
      w.numberLine(9);
      w.frame(5, { spin: 101, direction: 'anticlockwise', lastNumber: 9 });
      w.events.length = 0;
      w.frame(2, { spin: 102, direction: 'anticlockwise' });
      w.frame(3, { spin: 102, direction: 'anticlockwise' });
    },
    void: 'rotor-direction',
  },
  {
    name: 'warning flag at the result',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 101 });
      w.numberLine(5);
      w.frame(5, { spin: 101, lastNumber: 5, warnings: 1 });
    },
    void: 'warning-at-result',
  },
  {
    name: 'number line disagrees with the status frame',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 101 });
      w.numberLine(17);
      w.frame(5, { spin: 101, lastNumber: 18 });
    },
    void: 'number-mismatch',
    suspend: 'number-mismatch',
  },
  {
    name: 'number line never comes',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.frame(4, { spin: 101 });
      for (let i = 0; i < 5; i++) w.frame(5, { spin: 101, lastNumber: 18 });
    },
    void: 'number-line-missing',
  },
  {
    name: 'link lost mid-round',
    play: (w) => {
      w.frame(2, { spin: 101 });
      w.frame(3, { spin: 101 });
      w.engine.onLink({ up: false, reason: 'silent', detail: 'no bytes for 2000 ms', retryInMs: 500 });
    },
    void: 'wheel-link',
    suspend: 'wheel-link',
  },
];

for (const x of exceptions) {
  t.test(x.name, async (t) => {
    const w = table();
    w.ready();
    x.play(w);
    const voided = w.events.filter((e) => e.type === 'round.voided');
    t.equal(voided.length, 1, 'the round is voided once');
    t.equal(voided[0]?.data.code, x.void, 'with the right reason code');
    t.type(voided[0]?.data.reason, 'string');
    t.notOk(w.types().includes('round.result'), 'and no result is emitted');
    const suspended = w.events.find((e) => e.type === 'table.suspended');
    t.equal(suspended?.data.code, x.suspend, x.suspend ? 'the table is suspended' : 'the table stays open');
    t.equal(w.commands.includes('*R'), x.respin === true, x.respin ? 'the wheel is told to re-spin' : 'no re-spin is asked for');
  });
}

t.test('benign warnings do not void: launch retry under 3 s, ball flicker under 5 s', async (t) => {
  const w = table();
  w.ready();
  w.frame(2, { spin: 101, direction: 'anticlockwise' });
  w.frame(3, { spin: 101, warnings: 8, direction: 'anticlockwise' });
  w.frame(3, { spin: 101, warnings: 8, direction: 'anticlockwise' });
  w.frame(3, { spin: 101, direction: 'anticlockwise' });
  w.frame(4, { spin: 101, warnings: 1, direction: 'anticlockwise' });
  w.frame(4, { spin: 101, warnings: 1, direction: 'anticlockwise' });
  w.frame(4, { spin: 101, direction: 'anticlockwise' });
  w.numberLine(3);
  w.frame(5, { spin: 101, lastNumber: 3, direction: 'anticlockwise' });
  t.same(w.types(), ['round.opened', 'round.closed', 'round.result']);
});

t.test('after a miss-spin the re-spin is a new round', async (t) => {
  const w = table();
  w.ready();
  w.frame(2, { spin: 101 });
  w.frame(3, { spin: 101, warnings: 2 });
  w.frame(3, { spin: 101, warnings: 2 });
  w.setSpin(101);
  w.spinUntilNoMoreBets();
  w.result(11);
  t.same(w.types(), ['round.opened', 'round.voided', 'round.opened', 'round.closed', 'round.result']);
  t.match(w.events[4], { round: 2, data: { number: 11, spin: 102 } });
});

t.test('link loss suspends; reconnection resumes; the game in flight is not a round', async (t) => {
  const w = table();
  w.ready();
  w.engine.onLink({ up: false, reason: 'disconnected', detail: 'EIO', retryInMs: 500 });
  t.equal(w.engine.state().suspended?.code, 'wheel-link');
  t.notOk(w.engine.startRound('dealer').ok, 'no round while suspended');
  w.engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  t.equal(w.engine.state().suspended, null, 'resumed by itself');
  w.frame(3, { spin: 140 });
  w.frame(4, { spin: 140 });
  w.result(2, { spin: 140 });
  t.same(w.types(), ['table.suspended', 'table.resumed'], 'a game whose start we missed yields nothing');
  w.setSpin(140);
  w.spinUntilNoMoreBets();
  w.result(12);
  t.same(w.types().slice(2), ['round.opened', 'round.closed', 'round.result']);
});

t.test('integrity suspensions wait for a person', async (t) => {
  const w = table();
  w.ready();
  w.frame(2, { spin: 101 });
  w.frame(3, { spin: 101 });
  w.frame(4, { spin: 101 });
  w.numberLine(1);
  w.frame(5, { spin: 101, lastNumber: 2 });
  w.spinUntilNoMoreBets();
  t.notOk(w.types().includes('round.opened') && w.types().lastIndexOf('round.opened') > 0, 'no new round while suspended');
  const d = w.engine.resume('pit boss');
  t.ok(d.ok);
  t.equal(w.events.at(-1)?.type, 'table.resumed');
});

t.test('dealer actions are refused with a reason when the state does not allow them', async (t) => {
  const w = table({ manualStart: true });
  t.match(w.engine.openTable('dealer'), { ok: false, reason: /not connected/ });
  w.engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  t.match(w.engine.startRound('dealer'), { ok: false, reason: /closed/ });
  t.ok(w.engine.openTable('dealer').ok);
  t.match(w.engine.openTable('dealer'), { ok: false, reason: /already open/ });
  t.match(w.engine.voidRound({ code: 'dealer', reason: 'x' }), { ok: false, reason: /no round/ });
  w.frame(2);
  t.ok(w.engine.startRound('dealer').ok, 'start while the wheel waits in state 2');
  t.same(w.commands, ['*u 1'], 'the wheel is told to start');
  t.match(w.engine.startRound('dealer'), { ok: false, reason: /in progress/ });
  t.match(w.engine.closeTable('dealer'), { ok: false, reason: /in progress/ });
  t.match(w.engine.closeBets('dealer'), { ok: false, reason: /calls no more bets itself/ });
  t.ok(w.engine.voidRound({ code: 'dealer', reason: 'dealer voided' }).ok);
  t.ok(w.engine.closeTable('dealer').ok);
  t.same(w.types(), ['table.opened', 'round.opened', 'round.voided', 'table.closed']);
});

t.test('a generic number-line wheel: dealer opens and closes, the wheel gives the number', async (t) => {
  const w = table({ statusFrames: false, manualStart: true, numberLine: true, rotorWindow: null, directionAlternates: false });
  w.engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  w.engine.openTable('dealer');
  w.engine.startRound('dealer');
  w.numberLine(5);
  t.equal(w.events.at(-1)?.data.code, 'number-before-close', 'a number while betting is open voids the round');
  w.engine.startRound('dealer');
  w.engine.closeBets('dealer');
  w.numberLine(0);
  t.match(w.events.at(-1), { type: 'round.result', data: { number: 0, colour: 'green' } });
  t.same(w.commands, [], 'nothing is sent to a wheel that takes no commands');
});

t.test('a restart mid-round voids that round and keeps the round counter', async (t) => {
  const events: EventDraft[] = [];
  const engine = new RouletteEngine(AUTO, (e) => events.push(e), { startGame: () => Promise.resolve(), respin: () => Promise.resolve() }, silentLogger, {
    tableOpen: true,
    suspension: null,
    roundCounter: 41,
    openRound: 41,
    lastResult: null,
  });
  engine.begin();
  t.match(events, [{ type: 'round.voided', round: 41, data: { code: 'restart' } }]);
  t.equal(engine.snapshot().roundCounter, 41);
  t.equal(engine.state().open, true);
});

t.test('after a restart, a wheel left waiting for *R after a miss-spin is re-spun, once, and play resumes', async (t) => {
  const events: EventDraft[] = [];
  const commands: string[] = [];
  const engine = new RouletteEngine(AUTO, (e) => events.push(e), { startGame: () => Promise.resolve(), respin: () => (commands.push('*R'), Promise.resolve()) }, silentLogger, {
    tableOpen: true,
    suspension: null,
    roundCounter: 7,
    openRound: 7,
    lastResult: null,
  });
  engine.begin();
  engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  const frame = (state: WheelState, warnings: number, at: number, spin = 42): void =>
    engine.onStatus({ state, spin, lastNumber: null, warnings, rotorRpm: 17, direction: 'clockwise', at });
  frame(3, 2, 500);
  frame(3, 2, 1000);
  t.same(commands, ['*R'], 'the wheel is told to re-spin, once for that spin');
  frame(2, 0, 1500, 43);
  t.match(events.at(-1), { type: 'round.opened', round: 8, data: { by: 'wheel (re-spin)' } });
  frame(3, 0, 2000, 43);
  t.notOk(events.some((e) => e.type === 'table.suspended'), 'no suspension');
});

t.test('a re-spin the wheel refuses (it declared the launch failure after we did) is asked again', async (t) => {
  const events: EventDraft[] = [];
  let asks = 0;
  const engine = new RouletteEngine(AUTO, (e) => events.push(e), {
    startGame: () => Promise.resolve(),
    respin: () => (++asks === 1 ? Promise.reject(new Error('*R NO')) : Promise.resolve()),
  }, silentLogger, null);
  engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  const frame = (state: WheelState, warnings: number, at: number, spin = 42): void =>
    engine.onStatus({ state, spin, lastNumber: null, warnings, rotorRpm: 17, direction: 'clockwise', at });
  frame(5, 0, 0, 41);
  engine.openTable('test');
  frame(2, 0, 500);
  frame(3, 8, 1000);
  frame(3, 8, 4500);
  t.match(events.at(-1), { type: 'round.voided', data: { code: 'launch-failure' } });
  t.equal(asks, 1);
  await new Promise((r) => setImmediate(r));
  frame(3, 8, 5000);
  t.equal(asks, 1, 'not on every frame');
  frame(3, 8, 7000);
  t.equal(asks, 2, 'asked again 2 s later, while the wheel still shows the failure');
  frame(2, 0, 7500, 43);
  t.match(events.at(-1), { type: 'round.opened', data: { by: 'wheel (re-spin)' } });
});

// ---- rules the scenario table above does not reach ----------------------------------------------

const codes = (w: ReturnType<typeof table>, type: string) => w.events.filter((e) => e.type === type).map((e) => (e.data as { code?: string }).code);

t.test('a stale number line (from before betting closed) is never the result; the fresh one is', async (t) => {
  const w = table();
  w.ready();
  w.setSpin(101);
  w.frame(2);
  w.frame(3);
  w.numberLine(9); // the previous game's number, repeated before this game's no more bets
  w.frame(3);
  w.frame(4);
  w.frame(5, { lastNumber: 22 });
  t.notOk(w.types().includes('round.result'), 'no result from the stale line');
  t.same(codes(w, 'table.suspended'), [], 'and no mismatch: it is not this game\'s line');
  w.numberLine(22);
  t.match(w.events.at(-1), { type: 'round.result', data: { number: 22, spin: 101 } });
});

t.test('only a stale line: the round is voided for the missing line, never resolved from the stale one', async (t) => {
  const w = table();
  w.ready();
  w.setSpin(101);
  w.frame(2);
  w.frame(3);
  w.numberLine(9);
  w.frame(4);
  for (let i = 0; i < 12; i++) w.frame(5, { lastNumber: 9 });
  t.notOk(w.types().includes('round.result'));
  t.same(codes(w, 'round.voided'), ['number-line-missing']);
});

t.test('the number line arriving after the result frame: the result waits for it, and a disagreeing one is a mismatch', async (t) => {
  const w = table();
  w.ready();
  w.spinUntilNoMoreBets();
  w.frame(5, { lastNumber: 17 });
  t.notOk(w.types().includes('round.result'), 'the frame alone does not make the result');
  w.numberLine(17);
  t.match(w.events.at(-1), { type: 'round.result', data: { number: 17 } });

  const m = table();
  m.ready();
  m.spinUntilNoMoreBets();
  m.frame(5, { lastNumber: 17 });
  m.numberLine(18);
  t.same(codes(m, 'round.voided'), ['number-mismatch']);
  t.same(codes(m, 'table.suspended'), ['number-mismatch']);
});

t.test('duplicate-result: after a restart, the wheel reporting a result for a spin that already has one', async (t) => {
  const restored: RouletteSnapshot = { tableOpen: true, suspension: null, roundCounter: 4, openRound: null, lastResult: { round: 4, number: 5, spin: 101 } };
  const w = table({}, { restored });
  w.engine.begin();
  w.engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  w.frame(5, { spin: 100, lastNumber: 5 });
  w.setSpin(101); // the counter did not move: this is the same game again
  w.frame(2);
  w.frame(3);
  w.frame(4);
  w.result(5);
  t.notOk(w.types().includes('round.result'), 'no second result for spin 101');
  t.same(codes(w, 'round.voided'), ['duplicate-result']);
  t.same(codes(w, 'table.suspended'), ['duplicate-result'], 'and a person must look');
});

t.test('wheel-idle: state 6 with no game suspends the table, leaving it resumes by itself', async (t) => {
  const w = table();
  w.ready();
  w.frame(6);
  t.same(codes(w, 'table.suspended'), ['wheel-idle']);
  t.same(codes(w, 'round.voided'), [], 'nothing to void');
  w.frame(1);
  t.equal(w.types().at(-1), 'table.resumed');
});

t.test('start-failed: the wheel refusing *u 1 voids the round the dealer opened', async (t) => {
  const w = table({ manualStart: true }, { startFails: 'wheel answered *u NO' });
  w.ready();
  w.frame(1);
  t.ok(w.engine.startRound('dealer').ok);
  await new Promise((r) => setImmediate(r));
  t.match(w.events.at(-1), { type: 'round.voided', data: { code: 'start-failed', reason: /\*u NO/ } });
  t.same(codes(w, 'table.suspended'), [], 'the table stays open: the dealer may try again');
});

t.test('the rotor window reported by the wheel (*T s) is the one enforced when the config sets none', async (t) => {
  /** A table whose config has no window, the wheel reporting `window`, a launch at 20 rpm. */
  const launchAt20 = (window: { minRpm: number; maxRpm: number }) => {
    const w = table({ rotorWindow: null });
    w.engine.onLink({ up: true, port: '/dev/null', rotorWindow: window });
    w.frame(5);
    w.engine.openTable('test');
    w.setSpin(101);
    w.frame(2);
    w.frame(3, { rotorRpm: 20 });
    return w;
  };
  const narrow = launchAt20({ minRpm: 16, maxRpm: 18 });
  t.same(codes(narrow, 'round.voided'), ['rotor-speed'], '20 rpm is outside the wheel\'s 16-18');

  const wide = launchAt20({ minRpm: 19, maxRpm: 21 });
  wide.frame(4, { rotorRpm: 20 });
  wide.result(8, { rotorRpm: 20 });
  t.same(codes(wide, 'round.voided'), [], 'inside the wheel\'s 19-21');
  t.match(wide.events.at(-1), { type: 'round.result', data: { number: 8 } });
});

t.test('several suspension causes: the table resumes only when the last one is gone', async (t) => {
  const w = table();
  w.ready();
  w.frame(6);
  w.engine.onStorage('only 10 MiB free');
  t.same(codes(w, 'table.suspended'), ['wheel-idle']);
  w.frame(1);
  t.same(codes(w, 'table.suspended'), ['wheel-idle', 'journal-space'], 'the wheel is back, the journal is still full: suspended for that');
  t.notOk(w.types().includes('table.resumed'));
  t.match(w.engine.resume('pit boss'), { ok: false, reason: /journal cannot take events/ });
  w.engine.onStorage(null);
  t.equal(w.types().at(-1), 'table.resumed');

  const l = table();
  l.ready();
  l.engine.onStorage('only 10 MiB free');
  l.engine.onLink({ up: false, reason: 'disconnected', detail: 'unplugged', port: '/dev/null' } as never);
  l.engine.onStorage(null);
  t.notOk(l.types().includes('table.resumed'), 'storage back, wheel still unplugged: still suspended');
  l.engine.onLink({ up: true, port: '/dev/null', rotorWindow: null });
  t.equal(l.types().at(-1), 'table.resumed', 'the last cause gone');
});

t.test('the wheel moving on while a round waits for its number line voids that round; a later line is not its line', async (t) => {
  // Found by the structure-aware fuzz (scripts/fuzz-wheel.ts, seed 1): spin 6's line never
  // came, spin 7 started, and a line during spin 7's no-more-bets was taken as spin 7's result
  // with the number spin 6 had shown.
  const w = table();
  w.ready();
  w.spinUntilNoMoreBets();
  w.frame(5, { lastNumber: 2 });
  w.frame(5, { lastNumber: 2 });
  w.spinUntilNoMoreBets();
  t.same(codes(w, 'round.voided'), ['number-line-missing'], 'voided when the wheel left the result');
  w.numberLine(2);
  t.notOk(w.types().includes('round.result'), 'a line during no more bets is not a result');
  w.result(10);
  t.match(w.events.at(-1), { type: 'round.result', data: { number: 10 } }, 'the next game resolves normally');
});
