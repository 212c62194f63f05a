import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import pg from 'pg';
import t from 'tap';
import { brokerPort, startMosquitto, stopMosquitto, until } from '../../../appliance/test-support/harness.js';
import { startPostgres } from './test-support/postgres.js';
import { SimTable } from './test-support/studio-sim.js';

const cli = new URL('./cli.ts', import.meta.url).pathname;

interface Instance {
  proc: ChildProcess;
  lines: string[];
}

function ingester(name: string, broker: string, database: string): Instance {
  const proc = spawn(process.execPath, ['--import', 'tsx', cli, '--broker', broker, '--database', database, '--instance', name, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: proc.stderr }).on('line', (l) => lines.push(l));
  return { proc, lines };
}

async function eventually(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function count(sql: pg.Client, from: string): Promise<number> {
  return Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`)).rows[0]!.n);
}

const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

t.test('20 tables, 3 instances on a shared subscription, cuts and replays, one instance killed: every event once, every gap closed', async (t) => {
  const db = await startPostgres();
  t.teardown(() => db.stop());
  // As README.md requires of a platform's broker: no limit on what a session may queue (mosquitto
  // drops QoS 1 messages beyond 1,000 by default, e.g. for an instance that is down).
  const port = await brokerPort();
  const broker = await startMosquitto(port, undefined, ['max_queued_messages 0']);
  t.teardown(() => stopMosquitto(broker));
  const url = `mqtt://127.0.0.1:${port}`;
  const sql = new pg.Client(db.url);
  await sql.connect();
  t.teardown(() => sql.end());

  const instances = ['a', 'b', 'c'].map((n) => ingester(`ingest-${n}`, url, db.url));
  t.teardown(async () => {
    for (const i of instances) i.proc.kill('SIGKILL');
    await Promise.all(instances.map((i) => exited(i.proc)));
  });
  await until('three instances running', () => instances.every((i) => i.lines.includes('pitbox-ingest: running')), 60_000);

  const tables = Array.from({ length: 20 }, (_, i) => new SimTable('studio-e2e', `table-${String(i + 1).padStart(2, '0')}`, i % 2 ? 'baccarat' : 'roulette', url));
  await Promise.all(tables.map((s) => s.connect()));
  for (const s of tables) s.play(100); // a round every 0.4 s (roulette) and 0.25 s (baccarat)

  await new Promise((r) => setTimeout(r, 3000));
  for (const s of tables.slice(0, 5)) s.cut(1500); // uplink cuts: the backlog is replayed after
  // One instance killed mid-stream (what it held unacknowledged goes back to the broker), then restarted.
  instances[1]!.proc.kill('SIGKILL');
  await exited(instances[1]!.proc);
  await new Promise((r) => setTimeout(r, 2000));
  instances[1] = ingester('ingest-b', url, db.url);
  await new Promise((r) => setTimeout(r, 3000));

  // The database refuses writes for a while: nothing is acknowledged that was not committed.
  await sql.query(`CREATE TABLE refuse (x int); INSERT INTO refuse VALUES (1);
    CREATE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN IF EXISTS (SELECT 1 FROM refuse) THEN RAISE EXCEPTION 'writes refused (test)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER refuse BEFORE INSERT ON pitbox_events FOR EACH ROW EXECUTE FUNCTION refuse_writes();`);
  await until('an instance retried a refused write', () => instances.some((i) => i.lines.some((l) => l.includes('retrying (not acknowledged)'))), 30_000);
  await sql.query('DELETE FROM refuse');

  for (const s of tables) s.stop();
  await Promise.all(tables.map((s) => s.close()));
  const journaled = tables.reduce((n, s) => n + s.journal.length, 0);
  t.ok(journaled > 400, `${journaled} events journaled`);

  await eventually('every event stored', async () => await count(sql, 'pitbox_events') >= journaled, 120_000).catch(() => undefined);
  const rows = (await sql.query<{ table_name: string; seq: string; body: string }>('SELECT table_name, seq, body FROM pitbox_events ORDER BY table_name, seq')).rows;
  t.equal(rows.length, journaled, '0 lost, 0 duplicated');
  const byTable = new Map(tables.map((s) => [s.table, s]));
  const wrong = rows.filter((r) => byTable.get(r.table_name)?.journal[Number(r.seq) - 1] !== r.body);
  t.same(wrong, [], 'every row is the journaled text of its seq');
  const progress = (await sql.query<{ table_name: string; contiguous: string; highest: string }>('SELECT table_name, contiguous, highest FROM pitbox_tables')).rows;
  t.same(progress.filter((p) => Number(p.contiguous) !== byTable.get(p.table_name)?.journal.length).map((p) => p.table_name), [], 'every table contiguous to its last event');
  t.equal(await count(sql, 'pitbox_gaps'), 0, 'no open gap');
  const results = await count(sql, 'pitbox_results');
  t.equal(results, tables.reduce((n, s) => n + s.results.length, 0), 'one result row per round');
  const by = (await sql.query<{ ingested_by: string; n: string }>('SELECT ingested_by, count(*) AS n FROM pitbox_events GROUP BY 1 ORDER BY 1')).rows;
  t.equal(by.length, 3, `the load was shared: ${JSON.stringify(by)}`);
  const replays = tables.reduce((n, s) => n + s.published, 0) - journaled;
  t.ok(replays >= 0, `${replays} replays set aside`);
  t.same((await sql.query('SELECT code FROM pitbox_violations')).rows, [], 'no violation in an honest stream');

  // Bad input: a clear violation each, nothing stored, no crash.
  const pub = await mqtt.connectAsync(url);
  t.teardown(() => pub.endAsync());
  const honest = tables[0]!;
  const stranger = new SimTable('studio-e2e', 'table-99', 'roulette', url);
  stranger.playRound();
  await pub.publishAsync('pitbox/v1/studio-e2e/table-01/events', '{"v":1,"seq":', { qos: 1 });
  await pub.publishAsync('pitbox/v1/studio-e2e/table-01/events', honest.journal[0]!.replace(/"seq":1,/, '"seq":"1",'), { qos: 1 });
  await pub.publishAsync('pitbox/v1/studio-e2e/table-99/events', stranger.journal[0]!, { qos: 1 });
  await pub.publishAsync('pitbox/v1/studio-e2e/table-01/events', honest.journal[2]!.replace('"round.result"', '"round.resulT"'), { qos: 1 });
  await eventually('four violations recorded', async () => await count(sql, 'pitbox_violations') >= 4, 30_000).catch(() => undefined);
  const codes = (await sql.query<{ code: string; table_name: string }>('SELECT code, table_name FROM pitbox_violations ORDER BY id')).rows;
  t.same(codes.map((c) => c.code).sort(), ['bad-signature', 'malformed', 'malformed', 'unknown-key'], JSON.stringify(codes));
  t.equal(await count(sql, 'pitbox_events'), journaled, 'and nothing more stored');
  t.ok(instances.every((i) => i.proc.exitCode === null), 'every instance still running');
});
