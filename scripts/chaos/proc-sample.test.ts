import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { descendants, roleOf, sampleProcess } from './proc-sample.js';

t.test('roles from command lines', async (t) => {
  t.equal(roleOf('/usr/bin/node --import tsx /x/appliance/cli.ts run --config t.yaml'), 'appliance');
  t.equal(roleOf('/usr/bin/node /x/drivers/camera/camera-worker.ts'), 'camera-worker');
  t.equal(roleOf('/usr/bin/node /x/drivers/camera/whip/whip-output-worker.ts'), 'whip-output-worker');
  t.equal(roleOf('/usr/bin/node /x/drivers/camera/output-worker.ts'), 'output-worker');
  t.equal(roleOf('bash -c true'), 'other');
});

t.test('a real process tree: descendants found, their fds and memory read, a gone process is null', async (t) => {
  // A shell that opens three extra descriptors and starts a grandchild.
  const child = spawn('bash', ['-c', 'exec 3</dev/null 4</dev/null 5</dev/null; sleep 30 & wait'], { stdio: 'ignore' });
  await sleep(300);
  const tree = descendants(process.pid);
  t.ok(tree.includes(child.pid!), 'the child');
  t.ok(tree.length >= 2, 'and its sleep');
  const s = sampleProcess(child.pid!)!;
  t.ok(s.fds >= 6, `fds ${s.fds} (stdio + 3 opened)`);
  t.ok(s.rssBytes > 0 && s.threads >= 1);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  for (const pid of descendants(process.pid)) process.kill(pid, 'SIGKILL');
  await sleep(100);
  t.equal(sampleProcess(child.pid!), null, 'reaped: nothing to sample');
});
