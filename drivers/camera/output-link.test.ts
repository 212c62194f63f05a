import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { childPids, freePort, until } from '../../appliance/test-support/harness.js';
import { monotonicNs } from './gst.js';
import { OutputLink } from './output-link.js';
import { parseOutput } from './outputs.js';
import { parseStageLine } from './stage-trace.js';

/** One real H.264 keyframe (SPS, PPS, IDR) as the camera's encoder makes it. */
function keyframe(dir: string): Buffer {
  const path = join(dir, 'idr.h264');
  const made = spawnSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=1', '!', 'video/x-raw,width=64,height=64', '!', 'x264enc', '!', 'h264parse', '!', 'video/x-h264,stream-format=byte-stream,alignment=au', '!', 'filesink', `location=${path}`]);
  if (made.status !== 0) throw new Error(`gst-launch-1.0 could not make a keyframe: ${made.stderr.toString()}`);
  return readFileSync(path);
}

// The output process takes a while to start (Node, then its pipeline; seconds on a busy box).
// Frames the camera made meanwhile must not pile up in the pipe and go out stale when it is up.
t.test('an output sends nothing captured before its process was ready, and starts at a keyframe', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'output-link-'));
  const frame = keyframe(dir);
  const prefix = join(dir, 'run');
  process.env.PITBOX_STAGE_TRACE = prefix; // the output process writes what it pushed, and when
  // RTP to a port nobody listens on: UDP sends regardless, so the output never fails.
  const link = new OutputLink(parseOutput(`rtp://127.0.0.1:${await freePort()}`));
  t.teardown(() => link.stop());
  const before = new Set(childPids(process.pid));
  link.start(); // its process inherits the environment here
  delete process.env.PITBOX_STAGE_TRACE;
  // Held before it could start: whatever the camera makes meanwhile is what a slow start piles up.
  const child = childPids(process.pid).find((pid) => !before.has(pid));
  if (child === undefined) throw new Error('no output process');
  process.kill(child, 'SIGSTOP');
  const written: { clockTime: number; keyframe: boolean }[] = [];
  const whileStarting: number[] = [];
  const write = (i: number): number => {
    const clockTime = monotonicNs();
    const keyframe = i % 2 === 1;
    const sent = link.health().frames;
    link.write(frame, { clockTime, runningTime: clockTime, keyframe });
    if (link.health().frames > sent) written.push({ clockTime, keyframe });
    return clockTime;
  };
  for (let i = 0; i < 15; i++) {
    whileStarting.push(write(i));
    await sleep(20);
  }
  t.same(written, [], 'nothing written to a process that is not ready');
  process.kill(child, 'SIGCONT');
  // Delta and key frames in turn, as a camera makes them, until ten went through.
  for (let i = 0; link.health().frames < 10 && i < 3000; i++) {
    write(i);
    await sleep(20);
  }
  t.equal(written.length, 10, 'the output became ready and took frames');
  t.equal(written[0]?.keyframe, true, 'the first frame written is a keyframe');
  const health = link.health();
  t.ok((health.skippedAtStart ?? 0) > 0 && health.dropped === 0, `frames made while it started were not sent, counted apart from drops (${health.skippedAtStart} skipped, ${health.dropped} dropped)`);
  let pushed: (number | null)[][] = [];
  await until('the output process pushed ten frames', () => {
    const file = readdirSync(dir).find((f) => f.startsWith('run.output.'));
    pushed = file ? readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean).map(parseStageLine) : [];
    return pushed.length >= 10;
  }, 30_000);
  // Before, frames written while the process started waited in the pipe and went out first, stale.
  t.notOk(pushed.some((f) => whileStarting.includes(f[0] as number)), 'none of the frames made while it started went out');
  t.same(
    pushed.map((f) => f[0]),
    written.map((w) => w.clockTime),
    'it pushed exactly the frames written once it was ready, in order: none from before',
  );
});
