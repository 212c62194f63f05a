import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import t from 'tap';
import { startBroker, stopMosquitto, until } from '../../../appliance/test-support/harness.js';
import { ed25519Signer, seal, type EventEnvelope } from './envelope.js';
import { FrameHold } from './frame-hold.js';
import { TableVerifier, type VerifierCheckpoint } from './verifier.js';
import { ReceivedFrames } from './video-link.js';

const root = new URL('../', import.meta.url).pathname;
const repo = new URL('../../../', import.meta.url).pathname;
interface Step {
  topic: 'birth' | 'state' | 'events';
  message: string;
}
const vector = (name: string) => JSON.parse(readFileSync(join(root, 'conformance', 'vectors', `${name}.json`), 'utf8')) as { steps: Step[] };
const valid = vector('valid-stream').steps;
const birth = valid[0]!.message;
const events = valid.filter((s) => s.topic === 'events').map((s) => s.message); // seq 1..10
const keyA = (JSON.parse(readFileSync(join(root, 'conformance', 'keys.json'), 'utf8')) as { keys: { A: { private: { kid: string } } } }).keys.A.private;
const signerA = ed25519Signer(keyA.kid, createPrivateKey({ key: keyA as never, format: 'jwk' }));
const resealed = (text: string, change: Partial<EventEnvelope>) => {
  const { sig: _sig, ...unsigned } = JSON.parse(text) as EventEnvelope;
  return seal<EventEnvelope>({ ...unsigned, ...change }, signerA).text;
};
const opts = { studio: 'conformance', table: 'table-01' };

t.test('resume: a checkpoint stored as JSON carries keys, chain and view across a restart', async (t) => {
  const before = new TableVerifier(opts);
  t.equal(before.birth(birth), null);
  for (const e of events.slice(0, 6)) t.equal(before.event(e).kind, 'new');
  const cp = JSON.parse(JSON.stringify(before.checkpoint())) as VerifierCheckpoint;
  t.match(cp, { contiguous: 6, trusted: null, view: { seq: 6 } });
  t.equal(cp.keys.length, 1);

  const after = TableVerifier.resume(opts, cp);
  t.equal(after.event(events[2]!).kind, 'duplicate', 'a replay of a stored event, without the birth first: keys came from the checkpoint');
  t.equal(after.event(events[5]!).kind, 'duplicate', 'the event at the checkpoint, same hash');
  const other6 = resealed(events[5]!, { data: { number: 1, colour: 'red' } });
  t.match(after.event(other6), { kind: 'violation', violation: { code: 'conflicting-duplicate', seq: 6 } }, 'another event 6, validly signed');
  t.match(after.event(resealed(events[6]!, { prev: 'A'.repeat(43) })), { kind: 'violation', violation: { code: 'chain-broken', seq: 7 } }, 'the chain continues from the checkpoint');
  for (const e of events.slice(6)) t.equal(after.event(e).kind, 'new');
  t.same(after.gaps(), []);
  t.match(after.checkpoint(), { contiguous: 10, hash: String });
  t.equal(after.view.results, 3, 'the view goes on from where it was');
  t.match(after.birth(birth), null, 'the next birth is trusted: its key is known');
});

t.test('resume: a checkpoint taken with a gap stops at the gap', async (t) => {
  const v = new TableVerifier(opts);
  v.birth(birth);
  for (const i of [0, 1, 2, 4, 5]) v.event(events[i]!);
  t.match(v.checkpoint(), { contiguous: 3 });
  const after = TableVerifier.resume(opts, v.checkpoint());
  for (const i of [4, 5]) t.equal(after.event(events[i]!).kind, 'new', 'the stored events above the checkpoint, fed again');
  const reconnect = vector('gap-filled-by-replay').steps.find((s) => s.topic === 'birth' && s.message.includes('"lastSeq":5'))!.message;
  t.equal(after.birth(reconnect), null, 'the table reconnects: backlog up to 5');
  t.equal(after.event(events[3]!).kind, 'new', 'and its replay fills the gap');
  t.same(after.gaps(), []);
});

t.test('frame hold: a result waits for its frame, then goes out with how long it waited', async (t) => {
  let now = 0;
  const hold = new FrameHold(() => now);
  const frames = new ReceivedFrames(40_000);
  const T0 = 1_764_000_000_000_000;
  for (let i = 0; i < 10; i++) frames.add({ captureUs: T0 + i * 40_000, frameNo: i, receivedAt: i });
  const e = (seq: number, namedUs: number) => ({ ...(JSON.parse(events[0]!) as EventEnvelope), seq, data: { video: { overhead: namedUs } } });
  t.match(hold.hold(e(1, T0 + 5 * 40_000), T0 + 5 * 40_000, frames), [{ event: { seq: 1 }, link: { kind: 'in-video', offsetFrames: 0 }, heldMs: 0 }], 'already in the video');
  t.same(hold.hold(e(2, T0 + 12 * 40_000), T0 + 12 * 40_000, frames), [], 'two frames ahead: held');
  t.same(hold.hold(e(3, T0 + 13 * 40_000), T0 + 13 * 40_000, null), [], 'no frames yet at all: held');
  t.equal(hold.size, 2);
  now = 80;
  for (let i = 10; i < 13; i++) frames.add({ captureUs: T0 + i * 40_000, frameNo: i, receivedAt: i });
  t.match(hold.settle(frames), [{ event: { seq: 2 }, heldMs: 80, link: { kind: 'in-video', frame: { frameNo: 12 } } }]);
  t.equal(hold.size, 1);
});

t.test('npm pack: the tarball holds the compiled package, and the README example runs from it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-pack-'));
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  t.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path).sort();
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('README.md') && files.includes('package.json'), files.join(' '));
  t.notOk(files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');
  t.notOk(files.some((f) => f.includes('.test.')), 'no tests');

  // A backend's project: the packed package and mqtt.js, nothing else of this repository.
  const app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules', '@pitbox'), { recursive: true });
  t.equal(spawnSync('tar', ['-xzf', join(dir, info!.filename), '-C', join(app, 'node_modules', '@pitbox')]).status, 0);
  spawnSync('mv', [join(app, 'node_modules', '@pitbox', 'package'), join(app, 'node_modules', '@pitbox', 'consumer')]);
  for (const dep of ['mqtt']) symlinkSync(join(repo, 'node_modules', dep), join(app, 'node_modules', dep));
  // mqtt's own dependencies resolve from its real path (the repository's node_modules).
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /<!-- example:[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
  t.ok(example, 'the README has the example');
  writeFileSync(join(app, 'consume.mjs'), example!);
  writeFileSync(join(app, 'types.ts'), "import { TableVerifier, type EventOutcome } from '@pitbox/consumer';\nconst out: EventOutcome = new TableVerifier({ studio: 's', table: 't' }).event('{}');\nexport const code: string = out.kind;\n");
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: false, typeRoots: [join(repo, 'node_modules', '@types')] }, files: ['types.ts'] }));
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
  t.equal(tsc.status, 0, `the declarations type-check in a consumer's project: ${tsc.stdout}`);

  const { port, proc: broker } = await startBroker();
  t.teardown(() => stopMosquitto(broker));
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
  t.teardown(() => pub.endAsync());
  const base = 'pitbox/v1/conformance/table-01';
  await pub.publishAsync(`${base}/birth`, birth, { qos: 1, retain: true });
  const child = spawn(process.execPath, ['consume.mjs'], { cwd: app, env: { ...process.env, PITBOX_BROKER: `mqtt://127.0.0.1:${port}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill());
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => err.push(l));
  // The table's events, again and again until the example (starting up) has subscribed: each
  // result is printed once however often it arrives. Then one forged.
  for (let tries = 0; out.length < 3 && tries < 40; tries++) {
    for (const e of events) await pub.publishAsync(`${base}/events`, e, { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
  }
  await pub.publishAsync(`${base}/events`, events[9]!.replace(/"number":\d+/, '"number":0'), { qos: 1 });
  await until('the example printed three results and a violation', () => out.length >= 3 && err.length >= 1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  t.same(out.map((l) => /round (\d+) result/.exec(l)?.[1]), ['1', '2', '3'], out.join('\n'));
  t.match(err, [/conformance\/table-01 VIOLATION (bad-signature|conflicting-duplicate)/]);
});
