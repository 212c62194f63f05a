import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { childPids, simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until, verifyReceived } from '../test-support/harness.js';

/** The camera worker of `camera` under the appliance process, found by its config in its environment. */
function cameraWorkerPid(appliance: ChildProcess, camera: string): number | null {
  for (const pid of childPids(appliance.pid as number)) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`"name":"${camera}"`)) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

// End to end: `pitbox run` with a wheel and two cameras, one good (videotestsrc, in its worker)
// and one whose device does not exist. The roulette table runs on its wheel regardless; camera
// outages are journaled, signed and visible in state and status.
t.test('a roulette table keeps running with a bad camera, and journals a killed camera worker as a gap', async (t) => {
  const started = await startBroker();
  const port = started.port;
  const mosquitto = started.proc;
  t.teardown(() => mosquitto.kill());
  const table = await simulatedTable({
    brokerPort: port,
    speed: 25,
    seed: 11,
    faults: {},
    extraConfig: [
      'cameras:',
      '  - name: overhead',
      '    source: { kind: test, width: 640, height: 360, framerate: 30 }',
      '    analysis: { enabled: false }',
      '    restart: { initialMs: 200, maxMs: 1000 }',
      '  - name: side',
      '    source: { kind: v4l2, device: /dev/video-pitbox-missing, width: 1280, height: 720, framerate: 30 }',
      '    restart: { initialMs: 500, maxMs: 2000 }',
    ],
  });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());
  const appliance = startAppliance(table);
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-4000));
  });

  const ofType = (type: string, camera: string) => sub.unique().filter((e) => e.type === type && (e.data as { camera: string }).camera === camera);
  await until('overhead up, side down', () => ofType('camera.up', 'overhead').length > 0 && ofType('camera.down', 'side').length > 0, 30_000);
  t.match(ofType('camera.down', 'side')[0]?.data, { reason: /\/dev\/video-pitbox-missing does not exist/ }, 'the bad camera is named, with why');
  t.match(ofType('camera.up', 'overhead')[0]?.data, { encoder: 'x264enc' });

  const results = () => sub.unique().filter((e) => e.type === 'round.result').length;
  await until('2 results with a camera down', () => results() >= 2, 30_000);
  t.notOk(sub.unique().some((e) => e.type === 'table.suspended'), 'a roulette table does not suspend for a camera');

  await until('status with camera health', () => sub.statuses.some((s) => JSON.stringify(s).includes('"fps":30')), 15_000);
  const status = sub.statuses.at(-1) as unknown as { alarms: { code: string; reason: string }[]; cameras: { name: string; state: string; fps: number }[] };
  t.match(status.alarms, [{ code: 'camera-down', reason: /side: device/ }]);
  t.match(status.cameras.find((c) => c.name === 'overhead'), { state: 'up' });
  t.match(status.cameras.find((c) => c.name === 'side'), { state: /down|failed/ });
  t.match(sub.states.at(-1)?.state, { cameras: { overhead: 'up', side: 'down' } }, 'the signed state says which cameras are up');

  const pid = cameraWorkerPid(appliance, 'overhead');
  t.ok(pid, 'found the overhead camera worker');
  process.kill(pid as number, 'SIGKILL');
  await until('the gap is journaled', () => ofType('camera.up', 'overhead').length >= 2, 15_000);
  t.equal(ofType('camera.down', 'overhead').length, 1);
  t.match(ofType('camera.down', 'overhead')[0]?.data, { reason: /worker died \(SIGKILL\)/ });
  const gap = (ofType('camera.up', 'overhead')[1]?.data as { downMs: number }).downMs;
  t.ok(gap > 0, `the gap's length is in the event (${gap} ms)`);
  const before = results();
  await until('results go on', () => results() > before, 30_000);

  const worker = cameraWorkerPid(appliance, 'overhead');
  t.equal(await stopAppliance(table), 0);
  t.notOk(existsSync(`/proc/${worker}`), 'no camera worker outlives the appliance');
  const { violations } = verifyReceived(sub.raw);
  t.same(violations, [], 'camera events are signed and chained like every other');
});
