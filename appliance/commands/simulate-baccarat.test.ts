import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { brokerPort, freePort, until } from '../test-support/harness.js';

const root = new URL('../../', import.meta.url).pathname;

/**
 * scripts/simulate-baccarat.sh end to end, as a newcomer runs it, for a bounded time: nobody
 * types, and it prints verified round.result events of rounds it played by itself. Run from the
 * sources (PITBOX_CLI) on its own ports and directory.
 */
t.test('simulate-baccarat.sh plays rounds by itself and prints them verified', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-baccarat-sim-'));
  const brokerAt = await brokerPort();
  const env = { ...process.env, PITBOX_CLI: `${process.execPath} --import tsx ${join(root, 'appliance/cli.ts')}`, PITBOX_SIM_DIR: dir, PITBOX_SIM_HTTP_PORT: String(await freePort()), PITBOX_SIM_BROKER_PORT: String(brokerAt) };
  const started = Date.now();
  const sim = spawn('bash', [join(root, 'scripts/simulate-baccarat.sh')], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  sim.stdout.on('data', (d: Buffer) => (out += d.toString()));
  sim.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((resolve) => sim.once('exit', resolve));
  t.teardown(async () => {
    try {
      process.kill(-sim.pid!, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    try {
      process.kill(-sim.pid!, 'SIGKILL');
    } catch {
      // every process of the group has ended
    }
  });
  t.teardown(() => {
    if (!t.passing()) t.comment(`stdout:\n${out}\nstderr:\n${err.slice(-6000)}`);
  });

  const results = (): string[] => [...out.matchAll(/ sim\/baccarat-sim #\d+ round (\d+) RESULT (.*)/g)].map((m) => `${m[1]} ${m[2]}`);
  await until('two rounds played and printed', () => results().length >= 2 || /VIOLATION/.test(out + err), 240_000);
  t.comment(`two results printed ${((Date.now() - started) / 1000).toFixed(1)} s after the script started (loaded shared machine)`);
  const [first, second] = results();
  t.match(first, /^\d+ player wins 9-1 \(player 2C 3D 4S; banker 5H KS 6H\)/, 'the clip\'s round, read by the camera and the shoe together');
  t.equal(Number(second!.split(' ')[0]), Number(first!.split(' ')[0]) + 1, 'the next round, by itself');
  t.match(second, /player wins 9-1/);
  t.notMatch(out + err, /VIOLATION/, 'every event verified');
  t.match(err, `pitbox tail: waiting for the broker at mqtt://127.0.0.1:${brokerAt}`, 'tail says what it waits for');
  t.match(err, /dealer: the layout is clear: start/);
  t.match(err, /dealer: round \d+: the shoe reads 2C \(card 1 of 6\)/, 'the dealer says what it does');
  t.match(err, /misread CARD/, 'and what one can type');
  t.match(out, /round \d+ opened by keypad:KEY_F1/, 'through the keypad');
});
