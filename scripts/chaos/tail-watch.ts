/**
 * `pitbox tail` (the real CLI, as a backend's operator runs it) on every table of the soak's
 * broker for the whole run, `--json`: at the end it is stopped with SIGTERM, and its exit code
 * (0: nothing failed verification, no gap left) and what it verified per table are the verdict.
 */
import { spawn } from 'node:child_process';

export interface TailVerdict {
  /** Exit code (0: every event verified, no gap); null if it had to be killed. */
  readonly exit: number | null;
  /** New (not duplicate) events it verified, per table. */
  readonly events: Record<string, number>;
  /** Its VIOLATION line, if any. */
  readonly violation: string | null;
  /** Its last words on stderr. */
  readonly summary: string;
}

export function startTail(brokerPort: number): { stop: () => Promise<TailVerdict> } {
  const cli = new URL('../../appliance/cli.ts', import.meta.url).pathname;
  // A gap may stay open while the uplink is cut for minutes: the gap timeout outlasts any fault.
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'tail', '--json', '--url', `mqtt://127.0.0.1:${brokerPort}`, '--studio', 'e2e', '--gap-timeout', '600', '--session', `chaos-tail-${process.pid}-${Date.now()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, number> = {};
  let err = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const item = JSON.parse(line) as { kind?: string; table?: string; duplicate?: boolean };
        if (item.kind === 'event' && !item.duplicate && item.table) events[item.table] = (events[item.table] ?? 0) + 1;
      } catch {
        // not JSON: said for people, not counted
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const exit = await exited;
      clearTimeout(timer);
      return { exit, events, violation: /VIOLATION (.*)/.exec(err)?.[1] ?? null, summary: err.trim().split('\n').slice(-3).join(' | ') };
    },
  };
}
