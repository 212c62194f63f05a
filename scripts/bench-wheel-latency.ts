/**
 * Latency from the last byte of a status frame on the wheel's pty to the resulting event
 * arriving at a subscriber on a real mosquitto, through `pitbox run` (driver, engine, SQLite
 * journal with fsync, mqtt.js). Measured for every frame that changes the game state (2: round
 * opened, 4: round closed, 5: result). Baseline in the same run: the same broker's own
 * publish-to-subscriber latency from this process, no appliance.
 *
 *   node --import tsx scripts/bench-wheel-latency.ts [events=1000] [speed=100]
 */
import { brokerBaseline, stats } from './bench/broker-baseline.js';
import { simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until } from '../appliance/test-support/harness.js';

const wanted = Number(process.argv[2] ?? 1000);
const speed = Number(process.argv[3] ?? 100);
const TRIGGER: Record<string, number> = { 'round.opened': 2, 'round.closed': 4, 'round.result': 5 };


const started = await startBroker();
const port = started.port;
const mosquitto = started.proc;
const table = await simulatedTable({ brokerPort: port, speed, faults: {}, seed: 11 });
const sub = await Subscriber.connect(port);

// Frame times of each state change, in order, as the simulator handed their last byte to the pty.
const transitions: Record<number, number[]> = { 2: [], 4: [], 5: [] };
let lastState = 0;
table.sim.wheel.on('frame', ({ state, at }) => {
  if (state !== lastState && state in transitions) transitions[state]!.push(at);
  lastState = state;
});
let stopping = false;
startAppliance(table).once('exit', (code) => {
  if (stopping) return;
  console.error(`the appliance exited (${code}):\n${table.output.join('').slice(-3000)}`);
  process.exit(1);
});
await until(`${wanted} events`, () => sub.unique().filter((e) => e.type in TRIGGER).length >= wanted + 3, 30 * 60_000);
stopping = true;
await stopAppliance(table);
await table.sim.stop();

const latencies: number[] = [];
const used: Record<number, number> = { 2: 0, 4: 0, 5: 0 };
for (const e of sub.unique()) {
  const state = TRIGGER[e.type];
  if (state === undefined) continue;
  const received = sub.receivedAt.get(e.seq)!;
  // The newest transition to this state that happened before the event arrived.
  const times = transitions[state]!;
  while (used[state]! + 1 < times.length && times[used[state]! + 1]! <= received) used[state]!++;
  const frameAt = times[used[state]!];
  if (frameAt !== undefined && frameAt <= received) latencies.push(received - frameAt);
}
const measured = stats(latencies.slice(3)); // the first round starts while the table opens

// Baseline: the broker alone, QoS 1, from this process to itself.
const baseline = await brokerBaseline(port, sub);
await sub.close();
mosquitto.kill();

const wireMs = (21 * 10 * 1000) / 9600;
const f = (x: number) => x.toFixed(2);
console.log(`frames measured: ${measured.n} (state changes 2, 4, 5 at simulator speed ${speed})`);
console.log(`frame wire time at 9600 baud (21 bytes, 8N1): ${f(wireMs)} ms`);
console.log(`added latency, pty last byte -> subscriber:  p50 ${f(measured.p50)} ms  p99 ${f(measured.p99)} ms  max ${f(measured.max)} ms`);
console.log(`baseline, mosquitto alone (QoS 1, n=${baseline.n}): p50 ${f(baseline.p50)} ms  p99 ${f(baseline.p99)} ms`);
console.log(`ratio to baseline: p50 ${f(measured.p50 / baseline.p50)}x  p99 ${f(measured.p99 / baseline.p99)}x`);
process.exit(0);
