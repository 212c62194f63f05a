import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { silentLogger } from '../../appliance/log.js';
import { Camera } from './camera.js';
import { cameraConfig } from './config.js';

// A wall-clock step (NTP) under a running camera: a real worker on videotestsrc, and this
// process's Date.now() stepped, which is all the supervisor could read the wall clock through
// (the appliance under libfaketime: appliance/table/clock-steps.test.ts). The silence watchdog
// and the restart budget must measure on the monotonic clock.

const FAST_RESTART = { initialMs: 200, maxMs: 1000, budget: 50, windowS: 60, cooldownS: 5 };
const small = (silenceMs: number) => cameraConfig.parse({ name: 'small', source: { kind: 'test', width: 320, height: 240, framerate: 30 }, restart: FAST_RESTART, silenceMs });

/** Date.now() of this process, stepped by `offsetMs`; restored at the end of the test. */
function steppedWallClock(t: Test): { step(ms: number): void } {
  const real = Date.now;
  let offset = 0;
  Date.now = () => real() + offset;
  t.teardown(() => {
    Date.now = real;
  });
  return { step: (ms) => (offset += ms) };
}

t.test('a step forward does not make a healthy camera look silent', async (t) => {
  const wall = steppedWallClock(t);
  const camera = new Camera(small(3000), silentLogger);
  t.teardown(() => camera.stop());
  const downs: string[] = [];
  camera.on('down', ({ reason }) => downs.push(reason));
  const up = once(camera, 'up');
  camera.start();
  await up;
  const pid = camera.pid;
  wall.step(3_600_000);
  // Several watchdog rounds and stats periods: a watchdog on the wall clock sees an hour of silence.
  await sleep(3000);
  // A stall of this loaded machine may still kill a worker after 3 s of real silence; the step
  // would have it declared silent for an hour.
  const claimed = downs.map((r) => Number(/(\d+) ms/.exec(r)?.[1]));
  t.same(claimed.filter((ms) => !(ms < 60_000)), [], `no worker declared silent for longer than real time passed (${downs.join('; ') || 'none declared down'})`);
  if (downs.length === 0) t.equal(camera.pid, pid, 'the same worker');
});

t.test('a step back does not hide a frozen worker for as long as the step', async (t) => {
  const wall = steppedWallClock(t);
  const camera = new Camera(small(600), silentLogger);
  t.teardown(() => camera.stop());
  const up = once(camera, 'up');
  camera.start();
  await up;
  const down = once(camera, 'down');
  process.kill(camera.pid as number, 'SIGSTOP');
  wall.step(-3_600_000);
  // Bounded: a watchdog on the wall clock would wait an hour before it saw the silence.
  const [{ reason }] = (await Promise.race([down, sleep(30_000).then(() => Promise.reject(new Error('the frozen worker was not declared down within 30 s')))])) as [{ reason: string }];
  t.match(reason, /^no frames for \d+ ms$/, 'declared silent after silenceMs of real time');
  const back = await Promise.race([once(camera, 'up'), sleep(30_000).then(() => null)]);
  t.ok(back, 'and a new worker came up');
  const [{ downMs }] = back as [{ downMs: number | null }];
  t.ok(downMs !== null && downMs >= 0 && downMs < 60_000, `camera.up's downMs is the real outage (${downMs} ms), not an hour off`);
});
