/**
 * What each process of the box holds right now, read from /proc (no agent inside the process,
 * so a wedged or leaking process is measured the same as a healthy one): resident memory,
 * threads, open file descriptors. Processes are named by role from their command line, so a
 * camera worker restarted under a new pid continues the same series.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  readonly pid: number;
  readonly role: string;
  readonly rssBytes: number;
  readonly threads: number;
  readonly fds: number;
}

/** Which part of pitbox a command line is (the worker's script name), or `other`. */
export function roleOf(cmdline: string): string {
  for (const [needle, role] of [
    ['camera-worker', 'camera-worker'],
    ['whip-output-worker', 'whip-output-worker'],
    ['output-worker', 'output-worker'],
    ['chain-check-worker', 'chain-check'],
    ['stamp-receiver-worker', 'stamp-receiver'],
    ['cli.ts run', 'appliance'],
    ['cli.js run', 'appliance'],
    ['intercept', 'input-helper'],
    ['gpiomon', 'input-helper'],
  ] as const) {
    if (cmdline.includes(needle)) return role;
  }
  return 'other';
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process ended between listing and reading: it simply is not sampled
  }
}

/** Every descendant of `root` (not `root` itself), by walking /proc's parent links once. */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // The command name may contain spaces and parentheses: the fields start after the last ')'.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields) parentOf.set(Number(name), Number(fields[1]));
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

export function sampleProcess(pid: number): ProcSample | null {
  const status = read(`/proc/${pid}/status`);
  const cmdline = read(`/proc/${pid}/cmdline`);
  if (status === null || cmdline === null) return null;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
  return { pid, role: roleOf(cmdline.replaceAll('\0', ' ')), rssBytes: field('VmRSS') * 1024, threads: field('Threads'), fds };
}
