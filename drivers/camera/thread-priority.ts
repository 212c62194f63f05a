import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority (raises the nice value) of this process's threads whose names start
 * with one of `prefixes`: GStreamer names a queue's streaming thread after its pad ("aq:src"),
 * so a branch's work can be put behind the video's. On Linux setpriority() on a thread id
 * applies to that thread alone, and raising a nice value needs no privilege. Threads already
 * lowered are skipped (`done`); returns how many were lowered now. Elsewhere, or when /proc is
 * not there, nothing happens.
 */
export function lowerThreads(prefixes: readonly string[], nice: number, done: Set<number>): number {
  let lowered = 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const entry of tids) {
    const tid = Number(entry);
    if (done.has(tid)) continue;
    try {
      const name = readFileSync(`/proc/self/task/${entry}/comm`, 'utf8').trim();
      if (!prefixes.some((p) => name.startsWith(p))) continue;
      setPriority(tid, nice);
      done.add(tid);
      lowered += 1;
    } catch {
      // the thread ended meanwhile
    }
  }
  return lowered;
}
