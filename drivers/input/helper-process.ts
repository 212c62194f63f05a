import type { ChildProcess } from 'node:child_process';

/** Ends a helper (intercept, gpiomon) and waits for it: its grab or line request goes with it. */
export async function endHelper(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
