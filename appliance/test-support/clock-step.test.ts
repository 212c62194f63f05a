import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import t from 'tap';
import { seededRandom } from '../../drivers/wheel/ss2/simulator/random.js';
import { ClockControl, clockStepFault, libfaketimePath, spawnOnClock } from './clock-step.js';

/**
 * A real child on a stepped clock. Asked with a line on stdin, it answers with what its clocks
 * read: V8's Date, SQLite's (better-sqlite3), a grandchild's Date (workers inherit the clock),
 * and the monotonic ones (performance.now, process.hrtime). A 1.5 s setTimeout armed at start
 * reports when it fired, by the monotonic clock.
 */
const PROBE = `
const Database = require('better-sqlite3');
const { execFileSync } = require('node:child_process');
const db = new Database(':memory:');
const started = performance.now();
setTimeout(() => console.log(JSON.stringify({ timer: performance.now() - started })), 1500);
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  const grandchild = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { encoding: 'utf8' }));
  console.log(JSON.stringify({
    date: Date.now(),
    sqlite: db.prepare("SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS ms").get().ms,
    grandchild,
    perf: performance.now(),
    hrtime: Number(process.hrtime.bigint() / 1000000n),
  }));
});
`;

interface Reading {
  date: number;
  sqlite: number;
  grandchild: number;
  perf: number;
  hrtime: number;
}

t.test('a running child: its wall clock steps both ways, its monotonic clock does not', { skip: libfaketimePath() ? false : 'libfaketime is not installed' }, async (t) => {
  const clock = ClockControl.create();
  const child = spawnOnClock(clock, process.execPath, ['-e', PROBE], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.kill();
  });
  const lines = createInterface({ input: child.stdout! });
  const replies: Reading[] = [];
  let timer: number | null = null;
  const waiting: ((r: Reading) => void)[] = [];
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as Reading | { timer: number };
    if ('timer' in msg) timer = msg.timer;
    else waiting.shift()?.(msg);
  });
  const ask = async (): Promise<Reading> => {
    const reply = new Promise<Reading>((resolve) => waiting.push(resolve));
    child.stdin!.write('probe\n');
    const r = await reply;
    replies.push(r);
    return r;
  };

  const before = await ask();
  t.ok(Math.abs(before.date - Date.now()) < 60_000, 'at offset zero the child reads the real time');
  clock.step(3600);
  t.equal(clock.read(), '+3600', 'the control file holds the offset');
  const ahead = await ask();
  clock.step(-2 * 3600);
  const behind = await ask();
  clock.reset();
  const back = await ask();

  // Each reading is taken after the previous one, so real time only moved forward between them.
  t.ok(ahead.date - before.date >= 3600_000, `Date.now() jumped an hour forward (${ahead.date - before.date} ms)`);
  t.ok(behind.date - ahead.date <= -2 * 3600_000 + 60_000, `then two hours back (${behind.date - ahead.date} ms)`);
  t.ok(back.date - behind.date >= 3600_000, 'reset: back to the real time');
  t.ok(Math.abs(back.date - Date.now()) < 60_000, 'and it agrees with this process again');
  for (const [name, r] of Object.entries({ before, ahead, behind, back })) {
    t.ok(Math.abs(r.sqlite - r.date) < 5_000, `${name}: SQLite's clock is the stepped one`);
    t.ok(Math.abs(r.grandchild - r.date) < 60_000, `${name}: a process the child starts inherits the step`);
  }
  const mono = [before, ahead, behind, back];
  for (let i = 1; i < mono.length; i++) {
    const [a, b] = [mono[i - 1]!, mono[i]!];
    t.ok(b.perf >= a.perf && b.perf - a.perf < 60_000, `performance.now() went on (${(b.perf - a.perf).toFixed(0)} ms)`);
    t.ok(b.hrtime >= a.hrtime && b.hrtime - a.hrtime < 60_000, `process.hrtime went on (${b.hrtime - a.hrtime} ms)`);
  }

  // The timer was armed before the steps: on the monotonic clock it neither fired at the step
  // forward nor waited out the step back.
  while (timer === null) await new Promise((r) => setTimeout(r, 50));
  t.ok(timer >= 1500 && timer < 60_000, `a 1.5 s setTimeout fired after ${Math.round(timer)} ms of monotonic time`);
  child.stdin!.end();
  await once(child, 'exit');
});

t.test('control file: offsets accumulate, a file made elsewhere is read back, junk is refused', async (t) => {
  const clock = ClockControl.create();
  clock.step(90);
  clock.step(-30.5);
  t.equal(clock.offsetSeconds, 59.5);
  t.equal(readFileSync(clock.file, 'utf8'), '+59.5\n');
  const again = ClockControl.open(clock.file);
  t.equal(again.offsetSeconds, 59.5, 'the soak can hand over just the path');
  again.step(-100);
  t.equal(readFileSync(clock.file, 'utf8'), '-40.5\n');
  t.throws(() => clock.step(Number.NaN), /not a number/);
  writeFileSync(clock.file, 'yesterday\n');
  t.throws(() => ClockControl.open(clock.file), /"yesterday" is not an offset/);
});

t.test('realTimeOf: a stepped reading (an event ts) back to the real time it was taken', async (t) => {
  const clock = ClockControl.create();
  const t0 = Date.now();
  const before = t0 + 1;
  while (Date.now() < t0 + 5) await new Promise((r) => setTimeout(r, 1));
  clock.step(3600);
  const at = Date.now();
  t.equal(clock.realTimeOf(before), before, 'before any step: as read');
  t.equal(clock.realTimeOf(at + 3_600_000 + 2), at + 2, 'after +1 h: an hour less');
  while (Date.now() < at + 5) await new Promise((r) => setTimeout(r, 1));
  clock.step(-7200);
  const back = Date.now();
  t.equal(clock.realTimeOf(back - 3_600_000 + 1), back + 1, 'after a net -1 h: an hour more');
});

t.test('clockStepFault: either direction, seconds to hours, the same for the same seed, undone by end()', async (t) => {
  const draw = (seed: number, n: number): number[] => {
    const clock = ClockControl.create();
    const random = seededRandom(seed);
    const wrong: string[] = [];
    const steps = Array.from({ length: n }, () => {
      const step = clockStepFault(clock.file, random);
      if (ClockControl.open(clock.file).offsetSeconds !== step.seconds) wrong.push(`${step.seconds}: not stepped at once`);
      step.end();
      step.end();
      if (ClockControl.open(clock.file).offsetSeconds !== 0) wrong.push(`${step.seconds}: end() did not step back exactly once`);
      return step.seconds;
    });
    t.same(wrong, [], `seed ${seed}: each step applied at once and undone once by end()`);
    return steps;
  };
  const steps = draw(7, 40);
  t.same(draw(7, 40), steps, 'same seed, same steps');
  t.ok(steps.some((s) => s < 0) && steps.some((s) => s > 0), 'both directions');
  t.ok(steps.every((s) => Math.abs(s) >= 2 && Math.abs(s) <= 6 * 3600), 'between 2 s and 6 h');
  t.ok(steps.some((s) => Math.abs(s) < 60) && steps.some((s) => Math.abs(s) > 600), 'short and long');
});
