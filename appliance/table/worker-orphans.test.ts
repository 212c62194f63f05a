/**
 * No worker outlives a SIGKILLed appliance (issue 24: a camera worker was seen running on after
 * its appliance was killed, holding the camera). `pitbox run` with a camera whose SRT output
 * feeds a real receiver; the camera worker is stopped (SIGSTOP: it can run none of its own
 * handlers), the appliance is SIGKILLed, and every process it had started must be gone.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { isRunning as running } from '../../drivers/camera/tied-worker.js';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import { childPids, freePort, simulatedTable, startAppliance, startBroker, stopMosquitto, until } from '../test-support/harness.js';

/** Every process below `pid`, with its command line. */
function tree(pid: number): { pid: number; args: string }[] {
  return childPids(pid).flatMap((child) => {
    let args = '';
    try {
      args = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return [];
    }
    return [{ pid: child, args }, ...tree(child)];
  });
}

t.test('a SIGKILLed appliance leaves no camera or output worker behind, even a stopped one', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const srtPort = await freePort();
  const table = await simulatedTable({
    brokerPort: port,
    speed: 10,
    seed: 5,
    faults: {},
    extraConfig: [
      'cameras:',
      '  - name: overhead',
      '    source: { kind: test, width: 320, height: 240, framerate: 10 }',
      `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120"]`,
      '    analysis: { enabled: false }',
      '    preview: { enabled: false }',
    ],
  });
  t.teardown(() => table.sim.stop());
  const entry = workerEntry(new URL('../consumer/stamp-receiver-worker.ts', import.meta.url).href, 'stamp-receiver-worker');
  const receiver = fork(entry.path, [`srt://127.0.0.1:${srtPort}?mode=listener&latency=120`], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  t.teardown(() => receiver.kill('SIGKILL'));
  let stamped = 0;
  receiver.stdout!.on('data', () => stamped++);

  const appliance = startAppliance(table);
  t.teardown(() => appliance.kill('SIGKILL'));
  const workers = () => tree(appliance.pid!);
  await until('video at the receiver (camera and output workers up)', () => stamped > 5 && workers().some((p) => p.args.includes('output-worker')), 60_000);
  const before = workers();
  const camera = before.find((p) => p.args.includes('camera-worker') && !p.args.startsWith('/usr/bin/setpriv'));
  t.ok(camera, 'a camera worker');
  t.ok(before.some((p) => p.args.includes('output-worker')), 'an output worker');
  t.comment(before.map((p) => `${p.pid} ${p.args.slice(0, 120)}`).join('\n'));

  process.kill(camera!.pid, 'SIGSTOP');
  appliance.kill('SIGKILL');
  await new Promise((resolve) => appliance.once('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && before.some((p) => running(p.pid))) await sleep(100);
  t.same(before.filter((p) => running(p.pid)).map((p) => `${p.pid} ${p.args}`), [], 'every process the appliance started is gone');
});
