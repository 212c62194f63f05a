import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { cardTable, freePort, simulatedTable, startAppliance, startBroker, stopAppliance, stopMosquitto, until } from '../test-support/harness.js';
import { outputReachable } from './checks.js';
import { exitCode, fail, formatLines, pass, runChecks, warn } from './doctor.js';

const cli = new URL('../cli.ts', import.meta.url).pathname;

interface Line {
  check: string;
  status: string;
  found: string;
  fix?: string;
}

/** `pitbox doctor --json`, asynchronously (the simulator and the broker live in this process). */
function doctor(...args: string[]): Promise<{ code: number | null; lines: Line[]; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'doctor', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      let lines: Line[] = [];
      try {
        lines = (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { checks: Line[] }).checks ?? [];
      } catch {
        // left empty: the assertions below show `out`
      }
      resolve({ code, lines, out });
    });
  });
}

const status = (lines: Line[], check: string) => lines.filter((l) => l.check === check).map((l) => l.status);

t.test('the runner: a check that throws or hangs is reported as crashed, and the rest still run', async (t) => {
  const lines = await runChecks(
    [
      { name: 'a', run: () => pass('fine') },
      { name: 'b', run: () => Promise.reject(new Error('boom')) },
      { name: 'c', timeoutS: 0.2, run: () => new Promise(() => undefined) },
      { name: 'd', run: () => [warn('one', 'do x'), fail('two', 'do y')] },
    ],
    {},
  );
  t.same(
    lines.map((l) => [l.check, l.status]),
    [
      ['a', 'pass'],
      ['b', 'crashed'],
      ['c', 'crashed'],
      ['d', 'warn'],
      ['d', 'fail'],
    ],
  );
  t.match(lines[1]?.found, /boom/);
  t.match(lines[2]?.found, /did not finish in 0.2 s/);
  t.equal(exitCode(lines), 1);
  t.equal(exitCode(lines.filter((l) => l.status === 'pass' || l.status === 'warn')), 0, 'warnings alone pass');
  const text = formatLines(lines);
  t.match(text, /✓ pass +a +fine/);
  t.match(text, /fix: do y/);
  t.match(text, /5 checks: 1 pass, 1 warn, 1 fail, 2 crashed/);
});

t.test('a simulated table: every check passes or says why not; a running appliance is asked, its port never opened', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = await simulatedTable({ brokerPort: port, speed: 20, seed: 31, faults: {} });
  t.teardown(() => table.sim.stop());

  // Not running: the doctor opens the wheel's port itself and hears status frames.
  const cold = await doctor('--config', table.configFile);
  t.same(status(cold.lines, 'config'), ['pass'], cold.out);
  t.same(status(cold.lines, 'wheel-port'), ['pass'], JSON.stringify(cold.lines.find((l) => l.check === 'wheel-port')));
  t.match(cold.lines.find((l) => l.check === 'wheel-port')?.found, /status frame/);
  t.same(status(cold.lines, 'journal'), ['pass']);
  t.match(cold.lines.find((l) => l.check === 'signing-key'), { status: 'warn', found: /plain key file\(s\) .*anyone who copies this disk/, fix: /pitbox keys seal --dir/ }, 'a plain key works, with a warning');
  t.same(status(cold.lines, 'uplink'), ['pass'], JSON.stringify(cold.lines.find((l) => l.check === 'uplink')));
  t.same(status(cold.lines, 'service'), ['warn'], 'not running: a warning with how to start it');
  t.same(status(cold.lines, 'cameras'), ['skip']);
  t.notOk(cold.lines.some((l) => l.status === 'crashed'), 'no check crashed');
  // This development box has no `pitbox` user: the only failure, named with its fix.
  t.same(cold.lines.filter((l) => l.status === 'fail').map((l) => l.check), ['user']);
  t.match(cold.lines.find((l) => l.check === 'user')?.fix, /sysusers|package/);
  t.equal(cold.code, 1, 'exit 1 while anything fails');
  const only = await doctor('--config', table.configFile, '--only', 'journal,signing-key');
  t.same(only.lines.map((l) => l.check), ['journal', 'signing-key'], '--only runs just those (and the config, shown when it fails)');
  t.equal(only.code, 0);

  // Running: the doctor asks the appliance, and the appliance keeps its link.
  startAppliance(table);
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  await until('the appliance has the wheel', () => table.output.join('').includes('table running'), 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  const warm = await doctor('--config', table.configFile, '--only', 'service,wheel-port,local-broker,uplink');
  t.match(warm.lines.find((l) => l.check === 'wheel-port'), { status: 'pass', found: /held by the running appliance, link up/ }, warm.out);
  t.match(warm.lines.find((l) => l.check === 'service'), { status: 'pass', found: /running/ });
  t.notMatch(table.output.join(''), /wheel link lost/, 'the appliance never lost its wheel to the doctor');
  t.equal(await stopAppliance(table), 0);
});

t.test('broken tables: each problem is a failing line naming it, with the fix', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = await simulatedTable({ brokerPort: port, speed: 20, seed: 32, faults: {} });
  await table.sim.stop();
  // A key others can read, a journal with a deleted middle row, a wheel that is not there.
  const keyDir = join(table.dir, 'keys');
  chmodSync(join(keyDir, readdirSync(keyDir)[0] as string), 0o644);
  const db = new Database(join(table.dir, 'journal.db'));
  db.prepare("UPDATE meta SET value = '3' WHERE key = 'last_seq'").run();
  db.close();
  const r = await doctor('--config', table.configFile, '--only', 'wheel-port,journal,signing-key');
  t.match(r.lines.find((l) => l.check === 'wheel-port'), { status: 'fail', found: /does not exist/, fix: /plug in/ }, r.out);
  t.match(r.lines.find((l) => l.check === 'journal'), { status: 'fail', found: /chain broken at seq 1/ });
  t.match(r.lines.find((l) => l.check === 'signing-key'), { status: 'fail', found: /mode 644/, fix: /chmod 600/ });
  t.equal(r.code, 1);

  writeFileSync(table.configFile, 'studio: x\ntable: y\ngame: roulette\nwheel: { driver: cammegh-ss2 }\n');
  const bad = await doctor('--config', table.configFile);
  t.match(bad.lines[0], { check: 'config', status: 'fail', found: /wheel\.port/ });
  t.ok(bad.lines.slice(1).every((l) => l.status === 'skip' || l.check === 'clock' || l.check === 'temperature'), 'the rest skip: no usable config');
});

t.test('a card table: the model loads, matches its hash and answers within budget; the camera gives frames', async (t) => {
  const fixtures = new URL('../../test-fixtures/cards/', import.meta.url).pathname;
  const table = cardTable('baccarat-09', [
    'game: baccarat',
    'cameras:',
    '  - name: overhead',
    `    source: { kind: file, path: ${join(fixtures, 'baccarat-round.mkv')}, width: 1920, height: 1080, framerate: 10 }`,
    'cards:',
    '  camera: overhead',
    '  positions:',
    '    player1: [[0, 0], [960, 0], [960, 1080], [0, 1080]]',
    'control:',
    '  socket: /nonexistent/pitbox-doctor-test.sock',
  ]);
  const r = await doctor('--config', table.configFile, '--only', 'model,cameras');
  t.match(r.lines.find((l) => l.check === 'model'), { status: /pass|warn/, found: /hashes match, loaded in \d+ ms, a 1080p frame with 8 corners in/ }, r.out);
  t.match(r.lines.find((l) => l.check === 'cameras'), { status: /pass|warn/, found: /overhead: \d+ frames in 2 s/ });
});

t.test('an enrolled deck: never enrolled, a model whose hash does not match, and one that does', async (t) => {
  const table = cardTable('baccarat-deck', ['game: baccarat', 'cameras:', '  - name: overhead', '    source: { kind: test, width: 320, height: 240, framerate: 10 }', 'cards:', '  camera: overhead', '  deck: studio-red', 'control:', '  socket: /nonexistent/pitbox-doctor-test.sock']);
  const none = await doctor('--config', table.configFile, '--only', 'model');
  t.match(none.lines.find((l) => l.check === 'model'), { status: 'fail', found: /cards\.deck "studio-red": no enrolled reader at .*decks\/studio-red\/cards\.json/, fix: /pitbox cards enrol/ }, none.out);
  // An enrolled deck as enrol writes it: its own cards.json beside copies of the models.
  const deck = join(table.dir, 'decks', 'studio-red');
  const models = new URL('../../models/', import.meta.url).pathname;
  mkdirSync(deck, { recursive: true });
  for (const f of ['cards.json', 'corners.onnx', 'corner-reader.onnx']) copyFileSync(join(models, f), join(deck, f));
  const good = await doctor('--config', table.configFile, '--only', 'model');
  t.match(good.lines.find((l) => l.check === 'model'), { status: /pass|warn/, found: /hashes match/ }, good.out);
  const reader = readFileSync(join(deck, 'corner-reader.onnx'));
  reader.writeUInt8(reader.readUInt8(reader.length - 1) ^ 1, reader.length - 1);
  writeFileSync(join(deck, 'corner-reader.onnx'), reader);
  const bad = await doctor('--config', table.configFile, '--only', 'model');
  t.match(bad.lines.find((l) => l.check === 'model'), { status: 'fail', found: /corner-reader\.onnx has sha256 [0-9a-f]{64}, but .*describes/, fix: /enrol the deck again/ }, bad.out);
});

t.test('outputs: a WHIP endpoint that answers, one that refuses the token, a token file missing', async (t) => {
  const server = createServer((req, res) => res.writeHead(req.headers.authorization === 'Bearer good' ? 204 : 401).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const table = cardTable('whip-doc', ['game: baccarat', 'cards: { source: shoe, shoe: { driver: serial, port: /dev/null-shoe } }', 'cameras:', '  - name: overhead', '    source: { kind: test, width: 320, height: 240, framerate: 10 }', '    outputs:', '      - whip+http://127.0.0.1:PORT/whip?tokenFile=DIR/good', '      - whip+http://127.0.0.1:PORT/whip?tokenFile=DIR/bad', '      - whip+http://127.0.0.1:PORT/whip?tokenFile=DIR/missing']);
  writeFileSync(join(table.dir, 'good'), 'good\n');
  writeFileSync(join(table.dir, 'bad'), 'bad\n');
  writeFileSync(table.configFile, readFileSync(table.configFile, 'utf8').replaceAll('PORT', String(port)).replaceAll('DIR', table.dir));
  const { lines, out } = await doctor('--config', table.configFile, '--only', 'outputs');
  const found = lines.filter((l) => l.check === 'outputs');
  t.equal(found.length, 3, out);
  t.match(found[0], { status: 'pass', found: /the WHIP endpoint answers \(204\)/ });
  t.match(found[1], { status: 'fail', found: /refuses the token \(401\)/ });
  t.match(found[2], { status: 'fail', found: /cannot read the token file .*missing \(ENOENT\)/ });
});

t.test('outputs: every URL the schema accepts gets an answer, never a crash (an SRT listener has no host)', async (t) => {
  const refused = await freePort();
  t.match(await outputReachable('overhead', 'srt://:9000?mode=listener&latency=120'), { status: 'pass', found: /srt listener on port 9000/ });
  t.match(await outputReachable('overhead', 'srt://0.0.0.0:9001?mode=listener'), { status: 'pass', found: /listener on port 9001/ });
  t.match(await outputReachable('overhead', 'srt://127.0.0.1:9000?mode=caller'), { status: 'pass', found: /resolves/ });
  t.match(await outputReachable('overhead', 'rtp://127.0.0.1:5004'), { status: 'pass', found: /resolves/ });
  t.match(await outputReachable('overhead', `rtmp://127.0.0.1:${refused}/live/key`), { status: 'fail', found: /nothing answers on TCP/ });
  t.match(await outputReachable('overhead', 'srt://no-such-host.invalid:9000'), { status: 'fail', found: /cannot resolve/ });
  t.match(await outputReachable('overhead', 'http://example/x'), { status: 'fail', found: /unsupported protocol/ });
  t.match(await outputReachable('overhead', 'not a url'), { status: 'fail', found: /not a URL/ });
});

t.test('every shipped config: doctor answers every check, none crashes', async (t) => {
  const dir = new URL('../../config/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 4, files.join(', '));
  for (const file of files) {
    const r = await doctor('--config', join(dir, file));
    t.ok(r.lines.length > 5, `${file}: doctor answered\n${r.out}`);
    t.same(r.lines.filter((l) => l.status === 'crashed'), [], `${file}: no check crashed`);
    t.same(status(r.lines, 'config'), ['pass'], `${file}: the config itself is valid`);
  }
});
