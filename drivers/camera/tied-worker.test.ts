/**
 * Workers die with the process that started them, even when they cannot run a line of their own
 * code (issue 24). A parent process forks a worker, then is SIGKILLed; the worker must be gone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { isRunning as running } from './tied-worker.js';

const TIED = new URL('./tied-worker.ts', import.meta.url).pathname;

/**
 * Starts a parent that forks `workerSource` (plain JS) through forkTiedWorker and prints the
 * worker's pid once the worker says it is up; resolves with both pids.
 */
async function parentWithWorker(workerSource: string, setpriv?: string): Promise<{ parent: number; worker: number; kill: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-tied-'));
  const worker = join(dir, 'worker.mjs');
  writeFileSync(worker, workerSource);
  const script = [
    `import { forkTiedWorker } from ${JSON.stringify(TIED)};`,
    `const child = forkTiedWorker({ path: ${JSON.stringify(worker)}, execArgv: ['--import', 'tsx'] }, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }${setpriv ? `, ${JSON.stringify(setpriv)}` : ''});`,
    `child.on('message', () => console.log(child.pid));`,
  ].join('\n');
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before its worker was up`)));
  });
  return { parent: parent.pid!, worker: pid, kill: () => parent.kill('SIGKILL') };
}

async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!running(pid)) return true;
  return !running(pid);
}

// The worker's loop is blocked for a minute right after it says it is up: no handler of its own
// (IPC 'disconnect', an interval) can run. Only the kernel's parent-death signal can end it.
const BLOCKED = `
import { dieWithParent } from ${JSON.stringify(TIED)};
dieWithParent();
process.on('disconnect', () => process.exit(0));
process.send('up', () => { const end = Date.now() + 60_000; while (Date.now() < end); });
`;

t.test('a worker blocked in a synchronous call dies with its SIGKILLed parent (setpriv --pdeathsig)', async (t) => {
  const { worker, kill } = await parentWithWorker(BLOCKED);
  t.teardown(() => void (running(worker) && process.kill(worker, 'SIGKILL')));
  t.ok(running(worker), 'the worker runs');
  kill();
  t.ok(await gone(worker, 10_000), 'the blocked worker is gone with its parent');
});

t.test('a stopped worker (SIGSTOP) dies with its SIGKILLed parent', async (t) => {
  const { worker, kill } = await parentWithWorker(`process.send('up'); setInterval(() => undefined, 1000);`);
  t.teardown(() => void (running(worker) && process.kill(worker, 'SIGKILL')));
  process.kill(worker, 'SIGSTOP');
  kill();
  t.ok(await gone(worker, 10_000), 'the stopped worker is gone with its parent');
});

// Without setpriv (another distribution), the worker's own check: a worker that ignores its IPC
// channel closing (its 'disconnect' handler does nothing) notices that it has a new parent.
t.test('without setpriv, the worker notices its parent is gone and ends itself', async (t) => {
  const source = `
import { dieWithParent } from ${JSON.stringify(TIED)};
dieWithParent(200);
process.on('disconnect', () => undefined);
setInterval(() => undefined, 1000);
process.send('up');
`;
  const { worker, kill } = await parentWithWorker(source, '/nonexistent/setpriv');
  t.teardown(() => void (running(worker) && process.kill(worker, 'SIGKILL')));
  t.ok(running(worker), 'the worker runs');
  kill();
  t.ok(await gone(worker, 10_000), 'the worker ended itself');
});
