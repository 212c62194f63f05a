import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { auditResults, simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until, verifyReceived } from '../test-support/harness.js';

// End to end on real parts: the simulated SS2 wheel on a real pty, `pitbox run` as a child
// process with the real driver and engine, a real mosquitto on a loopback port.
t.test('results flow from the wheel to a subscriber, survive an unplug, and state is retained', async (t) => {
  const started = await startBroker();
  const port = started.port;
  const mosquitto: ChildProcess = started.proc;
  t.teardown(() => mosquitto.kill());
  const table = await simulatedTable({ brokerPort: port, speed: 25, seed: 3, faults: { 'launch-retry': 0.2, 'ball-flicker': 0.2, garble: 0.01, 'drop-bytes': 0.01 } });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());
  startAppliance(table);

  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  await until('3 results', () => results() >= 3, 30_000);

  await table.sim.unplug();
  await until('the table to be suspended', () => sub.unique().some((e) => e.type === 'table.suspended' && (e.data as { code: string }).code === 'wheel-link'), 10_000);
  await sleep(300);
  await table.sim.replug();
  await until('the table to resume', () => sub.unique().some((e) => e.type === 'table.resumed'), 10_000);
  const before = results();
  await until('2 more results after the replug', () => results() >= before + 2, 30_000);

  const events = sub.unique();
  t.same(auditResults(events, table.games), [], 'every result matches what the wheel spun; seq contiguous from 1');
  t.equal(events[0]?.type, 'table.opened');
  t.ok(events.every((e) => e.v === 1 && e.studio === 'e2e' && e.table === 'roulette-01' && typeof e.id === 'string' && !Number.isNaN(Date.parse(e.ts))), 'every envelope is complete');
  const voidedOnUnplug = events.filter((e) => e.type === 'round.voided' && (e.data as { code: string }).code === 'wheel-link').length;
  const opened = events.filter((e) => e.type === 'round.opened').length;
  const closedRounds = events.filter((e) => e.type === 'round.result' || e.type === 'round.voided').length;
  t.ok(opened - closedRounds <= 1, `every round ends in a result or a void (opened ${opened}, ended ${closedRounds}, voided on unplug ${voidedOnUnplug})`);

  // A subscriber that joins now sees the present at once: state and status are retained.
  const late = await Subscriber.connect(port);
  await until('retained state', () => late.states.length > 0 && late.statuses.length > 0, 5000);
  t.match(late.states[0], { studio: 'e2e', table: 'roulette-01', state: { open: true, wheel: { link: 'up' } } });
  t.match(late.statuses[0], { online: true, alarms: [] });
  t.equal(late.births.length, 1, 'the retained birth is there for a late subscriber');
  await late.close();

  const code = await stopAppliance(table);
  t.equal(code, 0, 'SIGTERM stops the appliance cleanly');
  const after = await Subscriber.connect(port);
  await until('retained status', () => after.statuses.length > 0, 5000);
  t.match(after.statuses[0], { online: false }, 'a stopped table says offline');
  await after.close();

  const { verifier, violations } = verifyReceived(sub.raw);
  t.same(violations, [], 'every signature, the hash chain and the order verify');
  t.same(verifier.gaps(), [], 'no gaps');
  t.equal(verifier.verified, events.length);
});

t.test('a bad config key stops the appliance before any hardware is touched, naming the key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-badcfg-'));
  const file = join(dir, 't.yaml');
  writeFileSync(file, 'studio: s\ntable: t\ngame: roulette\nwheel:\n  driver: cammegh-ss2\n  prot: /dev/ttyUSB0\njournal:\n  path: /nonexistent/j.db\n');
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', '--config', file], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /wheel\.prot: unknown key/);
  t.match(r.stderr, /wheel\.port: missing/);
});
