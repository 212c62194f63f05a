import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until } from '../test-support/harness.js';

const cli = new URL('../cli.ts', import.meta.url).pathname;
const pitbox = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });

/** Runs `pitbox` in the background, collecting its output, resolving with its exit code. */
function pitboxAsync(...args: string[]): { done: Promise<number | null>; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { done: new Promise((resolve) => child.once('exit', resolve)), out: () => out };
}

t.test('keys generate --plain and list: 0600, the public JWK only', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'pitbox-cli-')), 'keys');
  const gen = pitbox('keys', 'generate', '--plain', '--dir', dir);
  t.equal(gen.status, 0, gen.stderr);
  const jwk = JSON.parse(gen.stdout) as { kid: string; kty: string; d?: string };
  t.match(jwk, { kty: 'OKP', crv: 'Ed25519' });
  t.equal(jwk.d, undefined, 'no private part printed');
  t.equal(statSync(join(dir, `${jwk.kid}.key`)).mode & 0o777, 0o600);
  const list = pitbox('keys', 'list', '--dir', dir);
  t.equal((JSON.parse(list.stdout) as { kid: string }).kid, jwk.kid);
  t.equal(pitbox('keys', 'frobnicate', '--dir', dir).status, 2, 'usage error');
});

t.test('journal init creates once and refuses twice; info reports', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'pitbox-cli-'));
  const config = join(d, 't.yaml');
  writeFileSync(config, `studio: s\ntable: t\ngame: roulette\nwheel:\n  driver: cammegh-ss2\n  port: /dev/null\njournal:\n  path: ${d}/j.db\nsigning:\n  keyDir: ${d}/keys\n`);
  t.equal(pitbox('journal', 'info', '--config', config).status, 1, 'no journal yet');
  const init = pitbox('journal', 'init', '--config', config);
  t.equal(init.status, 0, init.stderr);
  t.match(init.stdout, /created .*"lastSeq":0/);
  const again = pitbox('journal', 'init', '--config', config);
  t.equal(again.status, 1);
  t.match(again.stderr, /already exists/);
  t.match(pitbox('journal', 'info', '--config', config).stdout, /"undelivered":0/);
  const run = pitbox('run', '--config', config);
  t.equal(run.status, 1, 'run refuses to start without a signing key');
  t.match(run.stderr, /no signing key|cannot read the key directory/);
});

t.test('verify and tail against a live table; verify exits 1 on a tampered event', async (t) => {
  const started = await startBroker();
  const port = started.port;
  const broker = started.proc;
  t.teardown(() => broker.kill());
  const table = await simulatedTable({ brokerPort: port, speed: 50, seed: 12, faults: {} });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());
  const url = `mqtt://127.0.0.1:${port}`;
  const trust = join(table.dir, 'trust.jsonl');
  writeFileSync(trust, pitbox('keys', 'list', '--dir', join(table.dir, 'keys')).stdout);

  const verify = pitboxAsync('verify', '--url', url, '--studio', 'e2e', '--table', 'roulette-01', '--trust', trust, '--count', '8');
  const tail = pitboxAsync('tail', '--config', table.configFile, '--url', url, '--count', '3');
  startAppliance(table);
  t.equal(await verify.done, 0, verify.out());
  t.match(verify.out(), /"ok":true/);
  t.equal(await tail.done, 0, tail.out());
  // Which event tail sees first depends on how fast it subscribed on a loaded machine.
  t.match(tail.out(), /\d\d:\d\d:\d\d\.\d{3} e2e\/roulette-01 #\d+ (table opened by|round \d+ (opened by|no more bets|RESULT|VOID))/);
  t.notMatch(tail.out(), /"seq":/, 'no JSON for people');

  // A forged copy of a real event: one digit of the result changed.
  await until('a result', () => sub.unique().some((e) => e.type === 'round.result'), 30_000);
  const watcher = pitboxAsync('verify', '--url', url, '--trust', trust);
  const real = sub.raw.find((r) => r.kind === 'events' && r.text.includes('"type":"round.result"'))!.text;
  const forged = real.replace(/"number":(\d+)/, (_m, n: string) => `"number":${(Number(n) + 1) % 37}`);
  const evil = await mqtt.connectAsync(url);
  const tampered = forged.replace(/"id":"[^"]+"/, '"id":"00000000-0000-4000-8000-000000000000"');
  // Sent until the verifier reacts: it may still be starting up on a loaded machine.
  let exited = false;
  void watcher.done.then(() => (exited = true));
  for (let i = 0; i < 60 && !exited; i++) {
    await evil.publishAsync('pitbox/v1/e2e/roulette-01/events', tampered, { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
  }
  await evil.endAsync();
  t.equal(await watcher.done, 1, 'exit 1 on the first violation');
  t.match(watcher.out(), /VIOLATION e2e\/roulette-01: bad-signature/);
  t.ok(readFileSync(trust, 'utf8').length > 0);
});
