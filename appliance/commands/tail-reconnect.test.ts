import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { seal, type BirthMessage } from '../contract/envelope.js';
import { Journal } from '../journal/journal.js';
import { generateKey } from '../signing/keyring.js';
import { brokerPort, startMosquitto, stopMosquitto, until } from '../test-support/harness.js';

const cli = new URL('../cli.ts', import.meta.url).pathname;

/** `pitbox ...` in the background: its stdout and stderr apart, and its exit code. */
function pitbox(...args: string[]): { out: () => string; err: () => string; done: Promise<number | null>; stop: () => void; signal: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { out: () => out, err: () => err, done, stop: () => child.kill('SIGTERM'), signal: (s) => child.kill(s) };
}

/** A table's birth and events 1..n, signed and chained by the appliance's own journal. */
function table(n: number): { birth: string; events: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-tail-'));
  const key = generateKey(join(dir, 'keys'));
  const journal = Journal.create({ path: join(dir, 'j.db'), studio: 's', table: 't' });
  journal.activateKey(key.jwk, key.signer);
  const events = Array.from({ length: n }, (_, i) => journal.append({ type: i % 2 ? 'round.result' : 'round.opened', round: i + 1, data: { number: i % 37, by: 'test' } }, {}).body);
  journal.close();
  const birth = seal<BirthMessage>(
    { v: 1, studio: 's', table: 't', ts: new Date().toISOString(), software: 'test', config: 'c', boot: 'b', lastSeq: n, activeKid: key.jwk.kid, keys: [key.jwk], kid: key.jwk.kid },
    key.signer,
  ).text;
  return { birth, events };
}

/** Publishes as the table does: the retained birth first, then events at QoS 1. */
async function publish(port: number, retained: string | null, events: readonly string[]): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  if (retained !== null) await client.publishAsync('pitbox/v1/s/t/birth', retained, { qos: 1, retain: true });
  for (const e of events) await client.publishAsync('pitbox/v1/s/t/events', e, { qos: 1 });
  await client.endAsync();
}

const seqsPrinted = (out: string): number[] => [...out.matchAll(/ s\/t #(\d+) /g)].map((m) => Number(m[1]));

t.test('pitbox tail started before its broker and across a broker restart: waits, says so, reconnects, prints every event once', async (t) => {
  const port = await brokerPort();
  const url = `mqtt://127.0.0.1:${port}`;
  const { birth, events } = table(6);
  const tail = pitbox('tail', '--url', url, '--studio', 's', '--table', 't');
  t.teardown(tail.stop);
  t.teardown(() => {
    if (!t.passing()) t.comment(`stdout:\n${tail.out()}\nstderr:\n${tail.err()}`);
  });

  await until('tail says it waits for the broker', () => tail.err().includes(`pitbox tail: waiting for the broker at ${url} (connect ECONNREFUSED 127.0.0.1:${port})`), 30_000);
  let broker = await startMosquitto(port);
  t.teardown(() => stopMosquitto(broker));
  await until('tail connected', () => tail.err().includes(`pitbox tail: connected to ${url}`), 10_000);
  await publish(port, birth, []);
  await until('the birth printed', () => /s\/t connected: test/.test(tail.out()), 10_000);
  await publish(port, null, events.slice(0, 3));
  await until('events 1-3 printed', () => seqsPrinted(tail.out()).length === 3, 10_000);

  await stopMosquitto(broker);
  await until('tail says it lost the broker', () => tail.err().includes(`pitbox tail: lost the broker at ${url}`), 10_000);
  broker = await startMosquitto(port);
  await until('tail connected again', () => tail.err().split(`pitbox tail: connected to ${url}`).length === 3, 10_000);
  // A fresh broker has no retained birth: the table publishes it on connect, then replays what
  // it cannot know was delivered (event 3 again) and goes on.
  await publish(port, birth, []);
  await until('the birth printed again', () => tail.out().split('s/t connected: test').length === 3, 10_000);
  await publish(port, null, events.slice(2));
  await until('events 4-6 printed', () => seqsPrinted(tail.out()).includes(6), 10_000);

  t.same(seqsPrinted(tail.out()), [1, 2, 3, 4, 5, 6], 'every event printed once, in order; the replayed one not again');
  t.notMatch(tail.out(), /VIOLATION/);
  tail.stop();
  t.equal(await tail.done, 0, 'a clean stop: nothing missing, nothing tampered');
  t.equal(tail.err().split('lost the broker').length, 2, 'a lost broker said once, not again when tail itself ends');
});

t.test('--broker-timeout: 0 gives up at the first refused connect, S after S seconds without a broker; exit 1 with the URL', async (t) => {
  const port = await brokerPort();
  const url = `mqtt://127.0.0.1:${port}`;
  const now = pitbox('verify', '--url', url, '--broker-timeout', '0');
  t.equal(await now.done, 1);
  t.match(now.err(), `pitbox verify: no broker at ${url}: connect ECONNREFUSED`);
  const later = pitbox('tail', '--url', url, '--broker-timeout', '1');
  t.equal(await later.done, 1);
  t.match(later.err(), `pitbox tail: waiting for the broker at ${url}`);
  t.match(later.err(), `pitbox tail: no broker at ${url} for 1 s (connect ECONNREFUSED 127.0.0.1:${port}): giving up`);
});

t.test('--session: events published while tail was away (its broker restarted meanwhile) arrive when it is back', async (t) => {
  const port = await brokerPort();
  const url = `mqtt://127.0.0.1:${port}`;
  const persist = mkdtempSync(join(tmpdir(), 'pitbox-tail-broker-'));
  const { birth, events } = table(6);
  let broker = await startMosquitto(port, persist);
  t.teardown(() => stopMosquitto(broker));
  const tail = pitbox('tail', '--url', url, '--studio', 's', '--table', 't', '--session', `tail-session-${process.pid}`);
  t.teardown(tail.stop);
  await publish(port, birth, []);
  await until('the retained birth printed (tail subscribed)', () => /s\/t connected: test/.test(tail.out()), 10_000);
  await publish(port, null, events.slice(0, 3));
  await until('events 1-3 printed', () => seqsPrinted(tail.out()).length === 3, 10_000);

  // Away: stopped while the broker restarts (persistence keeps sessions) and the table goes on.
  tail.signal('SIGSTOP');
  await stopMosquitto(broker);
  broker = await startMosquitto(port, persist);
  await publish(port, birth, events.slice(3));
  tail.signal('SIGCONT');
  await until('events 4-6 printed after the reconnect', () => seqsPrinted(tail.out()).includes(6), 20_000);
  t.same(seqsPrinted(tail.out()), [1, 2, 3, 4, 5, 6], 'nothing published while it was away is missing');
  tail.stop();
  t.equal(await tail.done, 0, 'a clean stop: no gap');
});
