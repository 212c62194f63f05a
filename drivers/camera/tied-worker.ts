/**
 * Worker processes that never outlive the process that started them (issue 24: a camera worker
 * was seen running on after its appliance was SIGKILLed). Two nets, because a worker's own
 * event loop cannot be trusted to notice: it may be blocked in GStreamer (a pipeline taken to
 * NULL, a sink stuck connecting) or in a long synchronous job (the chain check), and then its
 * IPC 'disconnect' handler never runs.
 *
 * 1. The kernel: the worker is started through util-linux's `setpriv --pdeathsig KILL`, which
 *    sets PR_SET_PDEATHSIG and then execs node (same pid, same IPC channel), so the kernel
 *    SIGKILLs the worker the moment its parent dies, whatever the worker is doing, stopped or not.
 * 2. The worker itself (`dieWithParent`, for a box without setpriv and for the race where the
 *    parent dies before setpriv's prctl): it compares its parent, read from /proc, with the pid
 *    it was started by, at start and every second.
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
const PARENT_ENV = 'PITBOX_PARENT_PID';

/**
 * `fork()` of a worker module (see `workerEntry`) that dies with this process. `setpriv`: where
 * util-linux's setpriv is (tests pass a missing path to exercise the worker's own check alone).
 */
export function forkTiedWorker(entry: { path: string; execArgv: string[] }, args: readonly string[], options: Omit<ForkOptions, 'execArgv' | 'execPath'>, setpriv = SETPRIV): ChildProcess {
  const env = { ...(options.env ?? process.env), [PARENT_ENV]: String(process.pid) };
  if (!existsSync(setpriv)) return fork(entry.path, [...args], { ...options, env, execArgv: entry.execArgv });
  // fork() runs `execPath ...execArgv module ...args`: setpriv becomes the program, node its argument.
  return fork(entry.path, [...args], { ...options, env, execPath: setpriv, execArgv: ['--pdeathsig', 'KILL', process.execPath, ...entry.execArgv] });
}

/** A process's state letter and parent from /proc (null: gone, or no /proc). */
export function procState(pid: number | 'self'): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const [state = '?', ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** Still running: not ended, and not a zombie awaiting its reaper. */
export function isRunning(pid: number): boolean {
  const s = procState(pid);
  return s !== null && s.state !== 'Z';
}

/**
 * In a worker started by `forkTiedWorker`: SIGKILL this process as soon as its parent is no
 * longer the one that started it (re-parented to init or a subreaper). Not process.exit(): its
 * teardown can block on GStreamer's threads. Does nothing in a process not started that way.
 */
export function dieWithParent(periodMs = 1000): void {
  const expected = Number(process.env[PARENT_ENV]);
  if (!Number.isInteger(expected) || expected <= 0) return;
  const check = (): void => {
    // `process.ppid` is read once at start-up and never changes; /proc says who it is now.
    // No /proc: the kernel net (or IPC 'disconnect') has to do.
    const parent = procState('self')?.ppid;
    if (parent !== undefined && parent !== expected) process.kill(process.pid, 'SIGKILL');
  };
  check();
  setInterval(check, periodMs).unref();
}
