/**
 * A simulated table for a long, accelerated run on real parts (the SS2 simulator on a pty,
 * `pitbox run` as a child process, a real mosquitto with persistence), with the uplink cut for
 * several minutes in the middle. At the end every result must have reached the subscriber,
 * match a game the wheel really played, and verify (signatures, chain, order, no gaps).
 *
 *   node --import tsx scripts/soak.ts [minutes=10] [speed=20] [cutMinutes=3]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
} from '../appliance/test-support/harness.js';

const minutes = Number(process.argv[2] ?? 10);
const speed = Number(process.argv[3] ?? 20);
const cutMinutes = Number(process.argv[4] ?? 3);
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const persist = mkdtempSync(join(tmpdir(), 'pitbox-soak-broker-'));
const started = await startBroker(persist);
const port = started.port;
let broker = started.proc;
const table = await simulatedTable({
  brokerPort: port,
  speed,
  seed: 2026,
  faults: { 'miss-spin': 0.03, 'launch-retry': 0.1, 'launch-failure': 0.02, 'ball-flicker': 0.05, 'ball-not-detected': 0.01, 'number-mismatch': 0.01, garble: 0.001, 'drop-bytes': 0.001 },
});
const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/roulette-01', 'soak-backend');
const t0 = Date.now();
startAppliance(table);
log(`table running: ${minutes} min at ${speed}x, uplink cut for ${cutMinutes} min from minute ${((minutes - cutMinutes) / 2).toFixed(1)}`);

const cutAt = ((minutes - cutMinutes) / 2) * 60_000;
await sleep(cutAt);
await stopMosquitto(broker);
log(`uplink cut (broker stopped); results so far at the subscriber: ${sub.unique().filter((e) => e.type === 'round.result').length}`);
await sleep(cutMinutes * 60_000);
const backlog = journaledEvents(table).filter((e) => e.delivered === null).length;
broker = await startMosquitto(port, persist);
log(`uplink restored; ${backlog} events waited in the journal`);
await sleep(Math.max(0, minutes * 60_000 - (Date.now() - t0)));

await table.sim.unplug();
await sleep(1000);
await until('every journaled event at the subscriber', () => {
  const got = new Set(sub.unique().map((e) => e.seq));
  return journaledEvents(table).every((e) => got.has(e.seq));
}, 120_000);
const code = await stopAppliance(table);
const events = sub.unique();
const { verifier, violations } = verifyReceived(sub.raw);
const problems = auditResults(events, table.games);
const wheelResults = table.games.filter((g) => g.outcome === 'result').length;
const results = events.filter((e) => e.type === 'round.result').length;
const voids = events.filter((e) => e.type === 'round.voided');
const byCode = new Map<string, number>();
for (const v of voids) {
  const code = JSON.stringify(v.data.code);
  byCode.set(code, (byCode.get(code) ?? 0) + 1);
}
log(`ran ${((Date.now() - t0) / 60_000).toFixed(1)} min (${((Date.now() - t0) * speed / 3_600_000).toFixed(1)} field hours); appliance exit ${code}`);
log(`wheel: ${table.games.length} games, ${wheelResults} results; subscriber: ${events.length} events (seq 1-${events.at(-1)?.seq}), ${results} results, ${voids.length} voids ${JSON.stringify(Object.fromEntries(byCode))}, ${sub.events.length - events.length} duplicates`);
log(`verifier: ${verifier.verified} verified, ${violations.length} violations, gaps ${JSON.stringify(verifier.gaps())}; audit problems: ${problems.length}`);
for (const p of [...violations.map((v) => JSON.stringify(v)), ...problems].slice(0, 10)) log(`  PROBLEM ${p}`);
await sub.close();
await table.sim.stop();
broker.kill();
const ok = violations.length === 0 && problems.length === 0 && verifier.gaps().length === 0 && code === 0 && results > 0;
log(ok ? 'OK: every result delivered, correct and verified' : 'FAILED');
process.exit(ok ? 0 : 1);
