/**
 * Trusted-delivery benchmarks, on a real SQLite file and a real mosquitto (figures in
 * README.md, "Trusted delivery", with this command):
 *
 *   node --import tsx scripts/bench-delivery.ts [backlog=100000] [reps=3]
 *
 * 1. Durable append rate: events sealed (JCS + Ed25519 + hash chain) and committed with fsync,
 *    for bursts of 1, 10 and 100 events per event-loop turn (the group commit).
 * 2. Backlog replay after an outage: `backlog` undelivered events published from the journal at
 *    QoS 1 until every PUBACK is recorded, next to raw mqtt.js publishing the same bodies to the
 *    same broker with no journal and the same 256 in flight, alternating, `reps` times each.
 * 3. Live latency while a backlog drains: a result appended every 20 ms while the backlog is
 *    replayed at 5,000 events/s; time from its commit to a subscriber on the broker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Journal } from '../appliance/journal/journal.js';
import { silentLogger } from '../appliance/log.js';
import { generateKey } from '../appliance/signing/keyring.js';
import { startBroker } from '../appliance/test-support/harness.js';
import { Publisher } from '../appliance/uplink/publisher.js';
import { tableTopics } from '../appliance/contract/topics.js';

const backlogSize = Number(process.argv[2] ?? 100_000);
const reps = Number(process.argv[3] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'pitbox-bench-'));
const key = generateKey(join(work, 'keys'));
const topics = tableTopics('pitbox/v1', 'bench', 't1');
let journals = 0;

function newJournal(): Journal {
  const j = Journal.create({ path: join(work, `j${journals++}.db`), studio: 'bench', table: 't1' });
  j.activateKey(key.jwk, key.signer);
  return j;
}
const result = (n: number) => ({ type: 'round.result' as const, round: n, data: { number: n % 37, colour: 'red', spin: (n % 256) + 1, rotorRpm: 17.3, direction: 'clockwise' } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const turn = () => new Promise<void>((r) => setImmediate(r));

// ---- 1. durable append rate -------------------------------------------------------------------
console.log('1. durable append rate (seal + fsync\'d group commit), median of 5 runs of 4,000 events');
for (const burst of [1, 10, 100]) {
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const j = newJournal();
    const n = 4000;
    const t0 = performance.now();
    for (let i = 0; i < n; i += burst) {
      for (let k = 0; k < burst; k++) j.append(result(i + k), { i });
      await turn(); // the scheduled group commit runs here
    }
    j.flush();
    rates.push(n / ((performance.now() - t0) / 1000));
    j.close();
  }
  console.log(`   burst ${String(burst).padStart(3)}: ${Math.round(median(rates)).toLocaleString('en')} events/s (runs: ${rates.map((r) => Math.round(r)).join(', ')})`);
}

// ---- 2. backlog replay vs raw mqtt.js -----------------------------------------------------------
const started = await startBroker();
const port = started.port;
const broker = started.proc;
const url = `mqtt://127.0.0.1:${port}`;

function filledJournal(n: number): Journal {
  const j = newJournal();
  for (let i = 0; i < n; i += 1000) {
    for (let k = i; k < Math.min(n, i + 1000); k++) j.append(result(k), {});
    j.flush();
  }
  return j;
}

/** Connects a Publisher over the journal: it starts replaying the backlog at once. */
function replay(j: Journal, rate: number): { publisher: Publisher; client: mqtt.MqttClient } {
  const client = mqtt.connect(url, { clientId: `bench-${journals}`, reconnectPeriod: 1000 });
  const publisher = new Publisher({ client, journal: j, topics, log: silentLogger, liveWindow: 64, backlogWindow: 256, backlogRate: rate, birth: () => '{}' });
  publisher.start();
  return { publisher, client };
}

async function untilDelivered(j: Journal): Promise<void> {
  while (j.countUndelivered() > 0) await new Promise((r) => setTimeout(r, 5));
}

/** Raw mqtt.js, QoS 1, the same window of 256 in flight (MQTT has 65,535 packet ids at most). */
async function rawMqtt(bodies: string[]): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: `raw-${journals++}` });
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) await client.publishAsync(topics.events, bodies[next++]!, { qos: 1 });
  };
  await Promise.all(Array.from({ length: 256 }, lane));
  const ms = performance.now() - t0;
  await client.endAsync();
  return ms;
}

console.log(`2. backlog replay of ${backlogSize.toLocaleString('en')} events to mosquitto at QoS 1, ${reps} alternating runs each`);
const journalRates: number[] = [];
const rawRates: number[] = [];
for (let r = 0; r < reps; r++) {
  const j = filledJournal(backlogSize);
  const bodies = j.undelivered(0, backlogSize).map((e) => e.body);
  rawRates.push(backlogSize / ((await rawMqtt(bodies)) / 1000));
  const t0 = performance.now();
  const { client, publisher } = replay(j, 0);
  await untilDelivered(j);
  journalRates.push(backlogSize / ((performance.now() - t0) / 1000));
  publisher.stop();
  await client.endAsync();
  j.close();
}
const jr = median(journalRates);
const rr = median(rawRates);
console.log(`   journal -> mqtt.js (window 256, PUBACK marks): ${Math.round(jr).toLocaleString('en')} events/s (runs: ${journalRates.map(Math.round).join(', ')})`);
console.log(`   raw mqtt.js, no journal:                       ${Math.round(rr).toLocaleString('en')} events/s (runs: ${rawRates.map(Math.round).join(', ')})`);
console.log(`   cost of the journal: ${(rr / jr).toFixed(2)}x the raw time (target <= 1.5x)`);

// ---- 3. live latency while the backlog drains --------------------------------------------------
console.log(`3. live result latency while ${backlogSize.toLocaleString('en')} backlog events drain at 5,000/s`);
{
  const j = filledJournal(backlogSize);
  const sub = await mqtt.connectAsync(url, { clientId: 'bench-sub' });
  const committedAt = new Map<number, number>();
  const latencies: number[] = [];
  let lastBacklogSeen = 0;
  sub.on('message', (_topic, payload) => {
    const text = payload.toString();
    const seq = Number(/"seq":(\d+)/.exec(text)?.[1]);
    const at = committedAt.get(seq);
    if (at !== undefined) latencies.push(performance.now() - at);
    else lastBacklogSeen = Math.max(lastBacklogSeen, seq);
  });
  await sub.subscribeAsync(topics.events, { qos: 1 });
  j.on('durable', (batch) => {
    for (const e of batch) committedAt.set(e.seq, performance.now());
  });
  const { client, publisher } = replay(j, 5000);
  await new Promise((r) => setTimeout(r, 500));
  let n = 0;
  const live = setInterval(() => j.append(result(backlogSize + n++), {}), 20);
  const tStart = performance.now();
  while (publisher.backlogRemaining() > 0 || lastBacklogSeen < backlogSize) await new Promise((r) => setTimeout(r, 50));
  clearInterval(live);
  const drainS = (performance.now() - tStart) / 1000;
  await untilDelivered(j);
  await new Promise((r) => setTimeout(r, 200));
  console.log(`   ${latencies.length} live results during a ${drainS.toFixed(1)} s drain: p50 ${median(latencies).toFixed(2)} ms  p99 ${pct(latencies, 0.99).toFixed(2)} ms  max ${Math.max(...latencies).toFixed(2)} ms (target p99 < 100 ms)`);
  publisher.stop();
  await client.endAsync();
  await sub.endAsync();
  j.close();
}

broker.kill();
rmSync(work, { recursive: true, force: true });
process.exit(0);
