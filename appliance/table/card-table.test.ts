import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { cardTable, startAppliance, startBroker, stopAppliance, stopMosquitto, Subscriber, until, verifyReceived } from '../test-support/harness.js';
import { clipCameraLines, clipCardLines, renderedClip } from '../test-support/rendered-clip.js';

const round = renderedClip('baccarat-round');

/** One request on the table's control socket, as a dealer's button would send it. */
function press(socket: string, action: string): Promise<{ ok: boolean; reason?: string }> {
  return new Promise((resolve, reject) => {
    const c = createConnection(socket);
    let buf = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.write(`${JSON.stringify({ action, by: 'button' })}\n`));
    c.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) {
        c.end();
        resolve(JSON.parse(buf) as { ok: boolean; reason?: string });
      }
    });
    c.on('error', reject);
  });
}

t.test('a dealt baccarat round on video: pitbox run reads the clip, deals the cards in order, signs the result', async (t) => {
  const mqttBroker = await startBroker();
  const port = mqttBroker.port;
  const broker = mqttBroker.proc;
  t.teardown(() => stopMosquitto(broker));
  const table = cardTable('baccarat-01', [
    'game: baccarat',
    'openOnStart: true',
    ...clipCameraLines(round),
    ...clipCardLines(round, { confirmFrames: 3 }),
    'control:',
    '  socket: SOCKET',
    'uplink:',
    `  url: mqtt://127.0.0.1:${port}`,
    'broker:',
    '  enabled: false',
  ]);
  const socket = join(table.dir, 'control.sock');
  writeFileSync(table.configFile, readFileSync(table.configFile, 'utf8').replace('SOCKET', socket));
  const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/baccarat-01');
  t.teardown(() => sub.close());
  startAppliance(table);
  t.teardown(() => stopAppliance(table));
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-6000));
  });

  const state = (): Record<string, unknown> | undefined => sub.states.at(-1)?.state;
  await until('the camera is up and the table not suspended', () => state()?.['suspended'] === null && (state()?.['cameras'] as Record<string, string>)?.['overhead'] === 'up', 60_000);
  t.match(await press(socket, 'close-bets'), { ok: false, reason: /no round is taking bets/ }, 'the engine refuses what makes no sense');

  // The status page draws the configured positions over the recognition camera's stills.
  const httpPort = Number(/"port":(\d+),"auth":false,"msg":"local HTTP server listening"/.exec(table.output.join(''))?.[1]);
  const live = await fetch(`http://127.0.0.1:${httpPort}/live`);
  const reader = live.body!.getReader();
  let sse = '';
  while (!sse.includes('\n\n')) sse += Buffer.from((await reader.read()).value ?? []).toString();
  await reader.cancel();
  const snapshot = JSON.parse(/^event: snapshot\ndata: (.*)$/m.exec(sse)?.[1] ?? '{}') as { cameras: string[]; overlay: { camera: string; width: number; height: number; positions: Record<string, number[][]> } };
  t.same(snapshot.cameras, ['overhead']);
  t.match(snapshot.overlay, { camera: 'overhead', width: round.width, height: round.height });
  t.same(snapshot.overlay.positions, round.positions, 'the positions as configured, in analysis pixels');

  // The clip loops: the round can start only while the layout is empty (its first 3 s), and
  // bets close at once, before the first card lands.
  let started = false;
  const deadline = Date.now() + 90_000;
  while (!started && Date.now() < deadline) {
    const answer = await press(socket, 'start');
    if (answer.ok) {
      started = true;
      t.match(await press(socket, 'close-bets'), { ok: true });
    } else {
      t.match(answer.reason, /cards are still on the table|in progress/, 'refused only because the layout is not clear yet');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  t.ok(started, 'the dealer could start a round');

  await until('round.result', () => sub.unique().some((e) => e.type === 'round.result' || e.type === 'round.voided'), 60_000);
  const events = sub.unique();
  const dealt = events.filter((e) => e.type === 'card.dealt').map((e) => e.data as { position: string; card: string; frameTimes: number[]; camera: string });
  t.same(
    dealt.map((d) => ({ position: d.position, card: d.card })),
    round.expected.dealt,
    'every card, at its position, in the order dealt',
  );
  for (const d of dealt) {
    t.equal(d.frameTimes.length, 3, 'confirmed over three frames');
    t.equal(d.camera, 'overhead');
    t.ok(d.frameTimes.every((ft, i) => i === 0 || ft > d.frameTimes[i - 1]!), 'frame times in order');
  }
  const result = events.find((e) => e.type === 'round.result');
  t.ok(result, `a result, not a void (${JSON.stringify(events.filter((e) => e.type === 'round.voided').map((e) => e.data))})`);
  t.match(result?.data, { game: 'baccarat', ...round.expected.result });
  t.notOk(events.some((e) => e.type === 'table.suspended' && (e.data as { code: string }).code !== 'camera-down'), 'no integrity suspension');
  const { violations } = verifyReceived(sub.raw, 'baccarat-01');
  t.same(violations, [], 'every event verifies: signatures, chain, no gaps');

  // The recognition camera dies: the table suspends (the appliance decides, not the engine test's
  // fake), and resumes by itself once the restarted worker delivers frames again.
  const worker = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(table.appliance?.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .find((l) => l.includes('camera-worker'));
  t.ok(worker, 'the camera worker is a child of the appliance');
  const seen = sub.unique().length;
  process.kill(Number(worker?.trim().split(/\s+/)[0]), 'SIGKILL');
  const after = () => sub.unique().slice(seen);
  await until('table.suspended for the camera', () => after().some((e) => e.type === 'table.suspended'), 30_000);
  t.match(after().find((e) => e.type === 'table.suspended')?.data, { code: 'camera-down', reason: /overhead/ });
  await until('table.resumed', () => after().some((e) => e.type === 'table.resumed'), 60_000);
  t.ok(
    after().findIndex((e) => e.type === 'camera.up') < after().findIndex((e) => e.type === 'table.resumed'),
    'resumed after the camera was back',
  );
  t.same(verifyReceived(sub.raw, 'baccarat-01').violations, [], 'and all of it verifies');
});
