/**
 * A studio's worth of tables into pitbox-ingest: N simulated tables (real Ed25519 signing, the
 * contract's chain, an in-memory journal, one real MQTT client each, birth/state/status as the
 * appliance sends them), half roulette (a result every 40 s) and half baccarat (a round every
 * 25 s), into one mosquitto; 3 ingester processes on a shared subscription into one PostgreSQL;
 * uplink cuts with replays; one ingester killed (SIGKILL) mid-run and restarted.
 *
 *   node --import tsx scripts/studio-load.ts [--tables 50] [--seconds 180] [--speed 1] [--ingesters 3]
 *        [--cut-share 0.1] [--no-kill]
 *
 * Prints one JSON line of figures: events, events/s, seal-to-committed-row p50/p99, CPU of the
 * ingesters, the database and the broker per 1,000 events/s, and the checks (lost, duplicated,
 * open gaps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { brokerPort, childPids, startMosquitto, stopMosquitto } from '../appliance/test-support/harness.js';
import { startPostgres } from '../packages/ingest/src/test-support/postgres.js';
import { SimTable } from '../packages/ingest/src/test-support/studio-sim.js';

const { values: v } = parseArgs({ options: { tables: { type: 'string' }, seconds: { type: 'string' }, speed: { type: 'string' }, ingesters: { type: 'string' }, 'cut-share': { type: 'string' }, 'no-kill': { type: 'boolean' } } });
const N = Number(v.tables ?? 50);
const SECONDS = Number(v.seconds ?? 180);
const SPEED = Number(v.speed ?? 1);
const INGESTERS = Number(v.ingesters ?? 3);
const CUT_SHARE = Number(v['cut-share'] ?? 0.1);
const cli = new URL('../packages/ingest/src/cli.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`studio-load: ${s}\n`);

/** CPU seconds (user + system) a process and its children have used so far. */
function cpuSeconds(pid: number): number {
  let total = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // gone
    }
  }
  return total;
}

/** The PostgreSQL cluster: its postmaster and the backends it forked. */
function postgresCpu(dir: string): number {
  return cpuSeconds(Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]));
}

const running = new Set<ChildProcess>();

function ingester(i: number, broker: string, database: string): ChildProcess {
  const p = spawn(process.execPath, ['--import', 'tsx', cli, '--broker', broker, '--database', database, '--instance', `ingest-${i}`, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  createInterface({ input: p.stderr }).on('line', (l) => {
    if (l.endsWith('running')) running.add(p);
    else log(`ingest-${i}: ${l}`);
  });
  return p;
}

/**
 * Until every instance has subscribed: a shared subscription holds messages for its group only
 * once a member has subscribed (with a persistent session, also while all members are away);
 * what tables publish before that reaches no one.
 */
async function allRunning(list: readonly ChildProcess[]): Promise<void> {
  while (!list.every((p) => running.has(p))) await sleep(200);
}

const db = await startPostgres();
// mosquitto keeps at most 1,000 messages per session by default and drops the rest (QoS 1 too):
// an ingester that is down or behind would lose events. A platform's broker must queue enough
// for the longest outage of an instance (here: without limit).
const port = await brokerPort();
const broker = await startMosquitto(port, undefined, ['max_queued_messages 0']);
const url = `mqtt://127.0.0.1:${port}`;
const sql = new pg.Client(db.url);
await sql.connect();
const ingesters = Array.from({ length: INGESTERS }, (_, i) => ingester(i, url, db.url));
await allRunning(ingesters); // they migrate (one at a time, under an advisory lock) and subscribe

const tables = Array.from({ length: N }, (_, i) => new SimTable('studio-load', `t${String(i + 1).padStart(4, '0')}`, i % 2 ? 'baccarat' : 'roulette', url));
for (let i = 0; i < tables.length; i += 50) await Promise.all(tables.slice(i, i + 50).map((s) => s.connect()));
log(`${N} tables connected; playing ${SECONDS} s at ${SPEED}x`);
const cpu0 = { ingest: ingesters.reduce((n, p) => n + cpuSeconds(p.pid!), 0), pg: postgresCpu(db.dir), broker: cpuSeconds(broker.pid!), self: process.cpuUsage() };
const t0 = Date.now();
for (const s of tables) s.play(SPEED);
const statusTimer = setInterval(() => void Promise.all(tables.map((s) => s.status(true).catch(() => undefined))), 10_000 / SPEED);

// Cuts: a share of the tables loses its uplink for 20 s (of studio time) somewhere in the run.
for (const s of tables) if (Math.random() < CUT_SHARE) setTimeout(() => s.cut(20_000 / SPEED), Math.random() * SECONDS * 700);
let killedCpu = 0;
if (!v['no-kill']) {
  await sleep((SECONDS * 1000) / 2);
  log('killing ingest-1 (SIGKILL) and restarting it in 5 s');
  killedCpu = cpuSeconds(ingesters[1]!.pid!) - 0;
  ingesters[1]!.kill('SIGKILL');
  await sleep(5000);
  ingesters[1] = ingester(1, url, db.url);
  await sleep(Math.max(0, SECONDS * 1000 - (Date.now() - t0)));
} else await sleep(SECONDS * 1000);

for (const s of tables) s.stop();
clearInterval(statusTimer);
await Promise.all(tables.map((s) => s.close()));
const journaled = tables.reduce((n, s) => n + s.journal.length, 0);
const playedS = (Date.now() - t0) / 1000;
const deadline = Date.now() + 300_000;
let stored = 0;
while (Date.now() < deadline) {
  stored = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM pitbox_events')).rows[0]!.n);
  if (stored >= journaled) break;
  await sleep(500);
}
const drainS = (Date.now() - t0) / 1000 - playedS;
const cpu = {
  ingest: ingesters.reduce((n, p) => n + cpuSeconds(p.pid!), 0) + killedCpu - cpu0.ingest,
  pg: postgresCpu(db.dir) - cpu0.pg,
  broker: cpuSeconds(broker.pid!) - cpu0.broker,
  generator: (process.cpuUsage(cpu0.self).user + process.cpuUsage(cpu0.self).system) / 1e6,
};

const rows = (await sql.query<{ table_name: string; seq: string; at: number }>('SELECT table_name, seq, extract(epoch from committed_at) * 1000 AS at FROM pitbox_events')).rows;
const byName = new Map(tables.map((s) => [s.table, s]));
const latencies = rows.map((r) => Number(r.at) - byName.get(r.table_name)!.sealedAt[Number(r.seq) - 1]!).sort((a, b) => a - b);
const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
const progress = (await sql.query<{ table_name: string; contiguous: string }>('SELECT table_name, contiguous FROM pitbox_tables')).rows;
const incomplete = tables.filter((s) => Number(progress.find((p) => p.table_name === s.table)?.contiguous ?? 0) !== s.journal.length).length;
const gaps = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM pitbox_gaps')).rows[0]!.n);
const distinct = Number((await sql.query<{ n: string }>('SELECT count(DISTINCT (table_name, id)) AS n FROM pitbox_events')).rows[0]!.n);
const violations = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM pitbox_violations')).rows[0]!.n);
const perIngester = (await sql.query<{ ingested_by: string; n: string }>('SELECT ingested_by, count(*) AS n FROM pitbox_events GROUP BY 1 ORDER BY 1')).rows.map((r) => Number(r.n));
const published = tables.reduce((n, s) => n + s.published, 0);
const eps = stored / playedS;
const per1k = (s: number) => Math.round((s / playedS / (eps / 1000)) * 100) / 100;
const figures = {
  tables: N,
  speed: SPEED,
  seconds: Math.round(playedS),
  events: journaled,
  published,
  replays: published - journaled,
  stored,
  lost: journaled - stored,
  duplicatedRows: stored - distinct,
  tablesNotContiguous: incomplete,
  openGaps: gaps,
  violations,
  eventsPerS: Math.round(eps * 10) / 10,
  drainAfterStopS: Math.round(drainS * 10) / 10,
  sealToRowMs: { p50: q(0.5), p99: q(0.99), max: q(1) },
  perIngester,
  cpuSeconds: { ingesters: Math.round(cpu.ingest), postgres: Math.round(cpu.pg), mosquitto: Math.round(cpu.broker), generator: Math.round(cpu.generator) },
  coresPer1000EventsPerS: { ingesters: per1k(cpu.ingest), postgres: per1k(cpu.pg), mosquitto: per1k(cpu.broker) },
  killedIngester: !v['no-kill'],
};
console.log(JSON.stringify(figures));

for (const p of ingesters) p.kill('SIGTERM');
await sql.end();
await stopMosquitto(broker);
await db.stop();
process.exit(0);
