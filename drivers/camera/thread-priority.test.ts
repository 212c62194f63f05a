import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import t from 'tap';
import { lowerThreads } from './thread-priority.js';

const before = getPriority(process.pid);

t.test('lowers only the threads named, once each', { skip: process.platform !== 'linux' ? 'Linux only' : before >= 10 ? 'already running at nice 10 or more' : false }, async (t) => {
  const done = new Set<number>();
  t.equal(lowerThreads(['no-such-thread:'], 10, done), 0, 'no thread of that name');
  t.equal(getPriority(process.pid), before, 'so nothing changed');
  // This process's main thread (its thread id is the pid), named after the executable.
  const main = readFileSync('/proc/self/comm', 'utf8').trim();
  const lowered = lowerThreads([main], 10, done);
  t.ok(lowered >= 1 && done.has(process.pid), `${lowered} thread(s) named "${main}" lowered, the main one among them`);
  t.equal(getPriority(process.pid), 10, 'the main thread now runs at nice 10');
  t.equal(lowerThreads([main], 10, done), 0, 'and is not lowered again');
});
