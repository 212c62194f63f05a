/**
 * Press to subscriber: from the last byte of a key's input_event records (written to the
 * keypad's node, read by the grab helper) to the resulting event at a subscriber on a real
 * mosquitto, through `pitbox run` (evdev driver, gate, engine, SQLite journal with fsync,
 * mqtt.js). Presses alternate start (round.opened) and void (round.voided) on a baccarat table
 * dealing from a shoe, so every press makes exactly one event. The keypad is a FIFO and the
 * helper a stand-in `intercept` (cat): the kernel's own path from the USB report to the evdev
 * buffer is not in the figure. Baseline in the same run: the broker alone, QoS 1.
 *
 *   node --import tsx scripts/bench-press.ts [presses=1000]
 */
import { brokerBaseline, stats } from './bench/broker-baseline.js';
import { keyRecords } from '../drivers/input/input-event.js';
import { cardTable, startAppliance, startBroker, stopAppliance, Subscriber, until } from '../appliance/test-support/harness.js';
import { dealerHardware, standInBin } from '../appliance/test-support/input-stand-ins.js';

const wanted = Number(process.argv[2] ?? 1000);


const { port, proc: mosquitto } = await startBroker();
const table = cardTable('bench-press', [
  'game: baccarat',
  'openOnStart: true',
  'cards:',
  '  source: shoe',
  '  shoe: { driver: serial, port: DIR/shoe }',
  'inputs:',
  '  - { name: keypad, driver: evdev, path: DIR/keypad, keys: { KEY_F1: start, KEY_F3: void }, minGapMs: 0 }',
  'control:',
  '  socket: DIR/control.sock',
  'uplink:',
  `  url: mqtt://127.0.0.1:${port}`,
  'broker:',
  '  enabled: false',
  'log:',
  '  level: warn',
]);
const { keypad, shoe } = await dealerHardware(table);
const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/bench-press');
startAppliance(table, { PATH: `${standInBin()}:${process.env['PATH']}` });
await keypad.open();
await until('the table open and not suspended', () => sub.states.at(-1)?.state['open'] === true && sub.states.at(-1)?.state['suspended'] === null, 60_000);

const latencies: number[] = [];
for (let i = 0; i < wanted + 5; i++) {
  const code = i % 2 === 0 ? 59 : 61; // F1 start, F3 void
  const type = i % 2 === 0 ? 'round.opened' : 'round.voided';
  const before = sub.unique().length;
  const down = keyRecords(code, 1, keypad.stamp());
  await keypad.write(down, () => 0.99); // in one write: the record's last byte leaves now
  const t0 = performance.now();
  await until(type, () => sub.unique().length > before, 10_000);
  const e = sub.unique().at(-1)!;
  if (e.type !== type) throw new Error(`expected ${type}, got ${e.type} ${JSON.stringify(e.data)}`);
  if (i >= 5) latencies.push(sub.receivedAt.get(e.seq)! - t0);
  await keypad.write(keyRecords(code, 0, keypad.stamp()), () => 0.99);
  await new Promise((r) => setTimeout(r, 5));
}
await stopAppliance(table);
await shoe.unplug();

const baseline = await brokerBaseline(port, sub);
await sub.close();
mosquitto.kill();

const m = stats(latencies);
const b = baseline;
const f = (x: number) => x.toFixed(2);
console.log(`presses measured: ${m.n}`);
console.log(`press (last byte of the key record) -> subscriber:  p50 ${f(m.p50)} ms  p99 ${f(m.p99)} ms  max ${f(m.max)} ms  (target p99 < 20 ms)`);
console.log(`baseline, mosquitto alone (QoS 1, n=${b.n}): p50 ${f(b.p50)} ms  p99 ${f(b.p99)} ms`);
console.log(`ratio to baseline: p50 ${f(m.p50 / b.p50)}x  p99 ${f(m.p99 / b.p99)}x`);
process.exit(0);
