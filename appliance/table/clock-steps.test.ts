import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import type { EventEnvelope } from '../contract/envelope.js';
import { ClockControl, libfaketimePath } from '../test-support/clock-step.js';
import {
  auditResults,
  journaledEvents,
  simulatedTable,
  startAppliance,
  startMosquitto,
  startBroker,
  stopAppliance,
  stopMosquitto,
  Subscriber,
  until,
  verifyReceived,
  type SimulatedTable,
} from '../test-support/harness.js';

// The box's wall clock stepped under a running `pitbox run` (libfaketime: this process and the
// broker keep the real time), forward and back, by minutes and hours, mid-game and while the
// uplink is down. What must hold: every result arrives once, verified, in seq order, whatever
// `ts` says; nothing is pruned because the clock jumped, and pruning goes on after a step back.

const HOUR = 3600;
const skip = libfaketimePath() ? false : 'libfaketime is not installed';

/**
 * A roulette table at speed 20, whose wheel-silence limit is then 400 ms rather than the 200 ms
 * of speed 50: on the loaded test machine the appliance stalls 200 ms now and then (it did
 * before any step), and a wheel-link void would hide whether a step did anything. Silence
 * detection is a monotonic setTimeout (clock-step.test.ts shows such timers ignore steps).
 */
async function table(t: Test, brokerPort: number, seed: number, maxAgeDays: number): Promise<SimulatedTable> {
  const table = await simulatedTable({ brokerPort, speed: 20, seed, faults: {}, journalConfig: ['journal:', '  path: JOURNAL', '  retention:', `    maxAgeDays: ${maxAgeDays}`] });
  t.teardown(() => {
    if (!t.passing()) t.comment(`appliance output:\n${table.output.join('').slice(-6000)}`);
  });
  return table;
}

function prunedThrough(table: SimulatedTable): number {
  const db = new Database(join(table.dir, 'journal.db'), { readonly: true });
  try {
    return Number((db.prepare("SELECT value FROM meta WHERE key = 'pruned_through'").get() as { value: string } | undefined)?.value ?? 0);
  } finally {
    db.close();
  }
}

t.test('wall clock steps of hours and minutes, both ways, mid-game and with the uplink down', { skip }, async (t) => {
  const clock = ClockControl.create();
  // A persistent broker and session: what was published while the subscriber was reconnecting
  // after the broker restart is kept for it, as a platform's would be.
  const persist = mkdtempSync(join(tmpdir(), 'pitbox-clock-broker-'));
  const started = await startBroker(persist);
  let broker = started.proc;
  t.teardown(() => broker.kill());
  // Retention of 6 hours: the steps forward add up to more, so ages read off the wall clock
  // would prune what was delivered a minute ago.
  const tb = await table(t, started.port, 24, 0.25);
  t.teardown(() => tb.sim.stop());
  t.teardown(() => stopAppliance(tb, 'SIGKILL'));
  const sub = await Subscriber.connect(started.port, 'pitbox/v1/e2e/roulette-01', 'clock-steps');
  t.teardown(() => sub.close());
  startAppliance(tb, clock.env());
  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  const journaledResults = () => journaledEvents(tb).filter((e) => e.body.includes('"round.result"')).length;
  const moreResults = async (what: string, n: number, count = results) => {
    const from = count();
    await until(`${n} more results ${what}`, () => count() >= from + n, 90_000);
  };

  await moreResults('at the real time', 3);
  clock.step(7 * HOUR);
  await moreResults('after a step 7 hours forward', 3);
  clock.step(-9 * HOUR);
  await moreResults('after a step 9 hours back', 3);

  // The uplink down, and the clock stepped both ways while events wait in the journal.
  await stopMosquitto(broker);
  await moreResults('journaled with the uplink down', 2, journaledResults);
  clock.step(10 * 60);
  await moreResults('journaled after 10 minutes forward, uplink down', 2, journaledResults);
  clock.step(-25 * 60);
  await moreResults('journaled after 25 minutes back, uplink down', 2, journaledResults);
  broker = await startMosquitto(started.port, persist);
  await moreResults('after the uplink came back', 3);
  clock.step(8 * HOUR);
  await moreResults('after a step 8 hours forward (7 h ahead of the real time)', 3);
  const beforeDrain = sub.unique();

  // Drain: the wheel stops, everything journaled must reach the subscriber.
  await tb.sim.unplug();
  await sleep(500);
  const missing = () => {
    const got = new Set(sub.unique().map((e) => e.seq));
    return journaledEvents(tb).filter((e) => !got.has(e.seq));
  };
  await until('every journaled event at the subscriber', () => missing().length === 0, 60_000).catch((err: Error) => {
    const uplink = tb.output.join('').split('\n').filter((l) => /uplink|publish|deliver/.test(l)).slice(-15);
    throw new Error(`${err.message}: missing ${JSON.stringify(missing().map((e) => [e.seq, e.delivered]))}; uplink log:\n${uplink.join('\n')}`);
  });
  const { verifier, violations } = verifyReceived(sub.raw);
  t.same(violations, [], 'the verifier accepts every message: a ts that goes back is no violation');
  t.same(verifier.gaps(), [], 'no seq missing');
  t.same(auditResults(sub.unique(), tb.games), [], 'every result is one the wheel spun, seq contiguous from 1');
  // The one void this machine causes on its own: the wheel silent for 400 ms while the appliance
  // was stalled by load (seen before any step, too). Anything else would be the step's doing.
  const loadStall = (e: EventEnvelope) => (e.data as { code?: string }).code === 'wheel-link' && /silent/.test(String((e.data as { reason?: string }).reason));
  const trouble = beforeDrain.filter((e) => (e.type === 'round.voided' || e.type === 'table.suspended') && !loadStall(e)).map((e) => `${e.seq} ${e.ts} ${e.type} ${JSON.stringify(e.data)}`);
  t.same(trouble, [], 'no round voided and no suspension for a clock step');

  // What ts did: it follows the stepped wall clock, so it goes back where the clock did.
  const ts = beforeDrain.map((e) => Date.parse(e.ts));
  const jumps = ts.slice(1).map((v, i) => v - ts[i]!);
  t.ok(jumps.some((d) => d > 6 * HOUR * 1000), 'ts jumped forward by hours between consecutive seqs');
  t.ok(jumps.some((d) => d < -8 * HOUR * 1000), 'and back by hours');
  t.ok(jumps.some((d) => d < -20 * 60 * 1000 && d > -HOUR * 1000), 'and back by minutes (journaled while the uplink was down)');

  t.equal(prunedThrough(tb), 0, 'nothing pruned: every event is minutes old, though the clock went 8 h past the 6 h retention');
  t.equal(journaledEvents(tb)[0]?.seq, 1, 'the journal still starts at seq 1');
  t.equal(await stopAppliance(tb), 0, 'the appliance stops cleanly');
});

t.test('pruning goes on after the wall clock steps back an hour', { skip }, async (t) => {
  const clock = ClockControl.create();
  const { port, proc } = await startBroker();
  t.teardown(() => proc.kill());
  // Delivered events are pruned once 2 seconds old (maxAgeDays is any positive number).
  const tb = await table(t, port, 25, 2 / 86_400);
  t.teardown(() => tb.sim.stop());
  t.teardown(() => stopAppliance(tb, 'SIGKILL'));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());
  startAppliance(tb, clock.env());
  await until('pruning to start', () => prunedThrough(tb) > 0, 90_000);
  clock.step(-HOUR);
  const mark = prunedThrough(tb);
  const lastBeforeStep = sub.unique().at(-1)?.seq ?? 0;
  // Ages on the wall clock would put everything delivered after the step an hour behind what
  // was delivered before it: pruning, a prefix, would stop there for the hour.
  await until(`pruning past seq ${lastBeforeStep}, the last event before the step`, () => prunedThrough(tb) > lastBeforeStep, 90_000);
  t.ok(prunedThrough(tb) > mark, `pruned through ${prunedThrough(tb)}, past ${lastBeforeStep} (the mark was ${mark} at the step)`);
  const undelivered = journaledEvents(tb).filter((e) => e.delivered === null).map((e) => e.seq);
  t.ok(undelivered.every((s) => s > prunedThrough(tb)), 'nothing undelivered was pruned');
});
