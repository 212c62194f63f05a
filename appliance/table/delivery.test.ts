import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { seededRandom } from '../../drivers/wheel/ss2/simulator/random.js';
import {
  auditResults,
    journaledEvents,
  simulatedTable,
  startAppliance,
  startBroker,
  startMosquitto,
  stopMosquitto,
  stopAppliance,
  Subscriber,
  until,
  verifyReceived,
  type SimulatedTable,
} from '../test-support/harness.js';

// Trusted delivery on real parts: `pitbox run` as a child process killed with SIGKILL, a real
// mosquitto stopped and restarted, a journal that runs out of room. After each, what a backend
// received is checked against the journal file itself with the reference verifier.

const KILLS = Number(process.env.PITBOX_CRASH_KILLS ?? 50);

/** Unplugs the wheel so no new events come, then waits until the subscriber has every journaled one. */
async function drain(table: SimulatedTable, sub: Subscriber, ms: number): Promise<{ seq: number; body: string }[]> {
  await table.sim.unplug();
  await sleep(500);
  let journaled = journaledEvents(table);
  let missing: number[] = [];
  await until('every journaled event at the subscriber', () => {
    journaled = journaledEvents(table);
    const got = new Set(sub.unique().map((e) => e.seq));
    missing = journaled.filter((e) => !got.has(e.seq)).map((e) => e.seq);
    return journaled.length > 0 && missing.length === 0;
  }, ms).catch((err: Error) => {
    const bodies = journaled.filter((e) => missing.includes(e.seq)).map((e) => `${e.seq} delivered=${e.delivered}`);
    throw new Error(`${err.message}: missing ${missing.slice(0, 20).join(',')} of ${journaled.length} (${bodies.join(' | ')}); received seqs in order: ${sub.events.map((e) => e.seq).join(',')}`);
  });
  return journaled;
}

function checkDelivered(t: Test, sub: Subscriber, table: SimulatedTable, journaled: { seq: number; body: string }[]): void {
  const { verifier, violations } = verifyReceived(sub.raw);
  t.same(violations, [], 'every signature, the chain and the per-lane order verify');
  t.same(verifier.gaps(), [], 'no seq is missing');
  t.equal(verifier.range.lowest, 1, 'from seq 1');
  const received = new Map<number, string>();
  for (const r of sub.raw) if (r.kind === 'events') received.set((JSON.parse(r.text) as { seq: number }).seq, r.text);
  t.ok(journaled.every((e) => received.get(e.seq) === e.body), `the journal's ${journaled.length} events arrived byte for byte`);
  t.same(auditResults(sub.unique(), table.games), [], 'every result is one the wheel really spun');
}

t.test(`kill -9 at ${KILLS} random moments: every journaled event arrives once after dedupe, in order, verified`, async (t) => {
  const started = await startBroker();
  const port = started.port;
  const broker = started.proc;
  t.teardown(() => broker.kill());
  const table = await simulatedTable({ brokerPort: port, speed: 50, seed: 21, faults: { 'miss-spin': 0.05, 'launch-retry': 0.1 } });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());

  const random = seededRandom(99);
  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  const starts: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const births = sub.births.length;
    const t0 = performance.now();
    startAppliance(table);
    // Half the kills land during start-up (journal open, key load, connect), half mid-game.
    if (i % 2 === 1) {
      await until('the appliance to connect', () => sub.births.length > births, 30_000);
      starts.push(performance.now() - t0);
    }
    await sleep(random() * 2000);
    await stopAppliance(table, 'SIGKILL');
  }
  startAppliance(table);
  const seen = results();
  await until('results after the last restart', () => results() >= seen + 2, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}; last events: ${JSON.stringify(sub.unique().slice(-4).map((e) => [e.seq, e.type, e.data]))}`);
  });
  const journaled = await drain(table, sub, 60_000);
  checkDelivered(t, sub, table, journaled);
  const restarts = sub.unique().filter((e) => e.type === 'round.voided' && (e.data as { code: string }).code === 'restart').length;
  starts.sort((a, b) => a - b);
  t.ok(results() >= KILLS / 10, `results kept flowing between kills (${results()} results, ${restarts} rounds voided by a restart, ${sub.events.length - sub.unique().length} duplicates, median start ${Math.round(starts[starts.length >> 1] ?? 0)} ms)`);
  t.equal(await stopAppliance(table), 0);
});

t.test('the broker restarts mid-stream and the uplink is cut: nothing lost, nothing out of order', async (t) => {
  const persist = mkdtempSync(join(tmpdir(), 'pitbox-broker-'));
  const started = await startBroker(persist);
  const port = started.port;
  let broker = started.proc;
  t.teardown(() => broker.kill());
  const table = await simulatedTable({ brokerPort: port, speed: 50, seed: 5, faults: {} });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/roulette-01', 'backend-restarts');
  t.teardown(() => sub.close());
  startAppliance(table);
  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  await until('2 results', () => results() >= 2, 30_000);

  const random = seededRandom(3);
  for (let i = 0; i < 5; i++) {
    await stopMosquitto(broker);
    await sleep(300 + random() * 1500);
    broker = await startMosquitto(port, persist);
    await sleep(500 + random() * 2000);
  }
  const cutMs = Number(process.env.PITBOX_UPLINK_CUT_MS ?? 15_000);
  await stopMosquitto(broker);
  const before = journaledEvents(table).length;
  await sleep(cutMs);
  t.ok(journaledEvents(table).length > before, 'the table kept running into the journal while the uplink was cut');
  broker = await startMosquitto(port, persist);
  const seen = results();
  await until('results after the cut', () => results() >= seen + 2, 60_000);
  const journaled = await drain(table, sub, 60_000);
  checkDelivered(t, sub, table, journaled);
  t.ok(sub.births.some((b) => b.lastSeq > 0), `births after reconnects name the backlog boundary (${sub.births.length} births seen)`);
});

t.test('a journal out of room: table suspended and alarm raised, nothing lost, and it recovers', async (t) => {
  const persist = mkdtempSync(join(tmpdir(), 'pitbox-broker-'));
  const started = await startBroker(persist);
  const port = started.port;
  let broker = started.proc;
  t.teardown(() => broker.kill());
  const table = await simulatedTable({
    brokerPort: port,
    speed: 100,
    seed: 8,
    faults: {},
    journalConfig: ['journal:', `  path: JOURNAL`, '  maxMiB: 0.07', '  minFreeMiB: 1', '  retention: { maxAgeDays: 30, maxMiB: 0.035 }'],
  });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/roulette-01', 'backend-disk');
  t.teardown(() => sub.close());
  startAppliance(table);
  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  await until('2 results', () => results() >= 2, 30_000);

  // Without the uplink nothing is delivered, so nothing can be pruned: the journal fills up.
  await stopMosquitto(broker);
  const spaceSuspension = () => journaledEvents(table).find((e) => e.body.includes('"type":"table.suspended"') && e.body.includes('"code":"journal-space"'));
  await until('a journal-space suspension in the journal', () => spaceSuspension() !== undefined, 90_000);
  const suspendedAt = (JSON.parse(spaceSuspension()!.body) as { seq: number }).seq;
  await sleep(1500);
  const after = journaledEvents(table).filter((e) => e.seq > suspendedAt);
  t.notOk(after.some((e) => e.body.includes('"type":"round.opened"')), 'no round opens while the journal is full');

  broker = await startMosquitto(port, persist);
  await until('the alarm in the retained status', () => sub.statuses.some((s) => s.alarms?.some((a) => a.code === 'journal-space')), 30_000);
  await until('the table to resume by itself once the backlog is delivered and pruned', () => sub.unique().some((e) => e.type === 'table.resumed' && e.seq > suspendedAt), 60_000);
  const seen = results();
  await until('results again', () => results() >= seen + 2, 60_000);
  const journaled = await drain(table, sub, 60_000);
  checkDelivered(t, sub, table, journaled);
  t.ok(journaled[0]!.seq > 1, `delivered events were pruned to make room (oldest kept: ${journaled[0]!.seq})`);
});
