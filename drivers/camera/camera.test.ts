import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { childPids, freePort, until } from '../../appliance/test-support/harness.js';
import { silentLogger } from '../../appliance/log.js';
import { Camera, type CameraFrame } from './camera.js';
import { cameraConfig } from './config.js';

// Real GStreamer end to end: videotestsrc in a camera worker, x264, SRT on loopback, and a
// receiver (gst-launch-1.0) that decodes what arrives.

const FAST_RESTART = { initialMs: 200, maxMs: 1000, budget: 50, windowS: 60, cooldownS: 5 };

function testCamera(extra: Record<string, unknown> = {}) {
  return cameraConfig.parse({
    name: 'overhead',
    source: { kind: 'test', width: 1280, height: 720, framerate: 30 },
    restart: FAST_RESTART,
    ...extra,
  });
}

// Rates under load are the benchmark's (scripts/bench-camera.ts); these tests check behaviour
// that does not depend on how busy the box is: video that keeps flowing versus video that stops.
const small = (extra: Record<string, unknown> = {}) =>
  cameraConfig.parse({ name: 'small', source: { kind: 'test', width: 320, height: 240, framerate: 30 }, restart: FAST_RESTART, ...extra });

/** An SRT listener that decodes H.264 and reports the decoded caps and every frame. */
class Receiver {
  readonly proc: ChildProcess;
  caps = '';
  frames: number[] = [];

  constructor(port: number) {
    this.proc = spawn(
      'gst-launch-1.0',
      ['-v', 'srtsrc', `uri=srt://127.0.0.1:${port}?mode=listener`, '!', 'tsdemux', '!', 'h264parse', '!', 'avdec_h264', '!', 'fakesink', 'silent=false', 'sync=false'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let partial = '';
    this.proc.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('avdec_h264') && line.includes('src: caps = video/x-raw')) this.caps = line;
        if (line.includes('last-message = chain')) this.frames.push(Date.now());
      }
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGKILL');
    await once(this.proc, 'exit');
  }
}

t.test('a worker on videotestsrc streams over SRT to a receiver that decodes 720p at 30 fps', async (t) => {
  const port = await freePort();
  const rx = new Receiver(port);
  const camera = new Camera(testCamera({ outputs: [`srt://127.0.0.1:${port}?mode=caller&latency=40`] }), silentLogger);
  t.teardown(async () => {
    await camera.stop();
    await rx.stop();
  });
  camera.start();
  await until('90 frames decoded', () => rx.frames.length >= 90, 30_000);
  t.match(rx.caps, /width=\(int\)1280, height=\(int\)720/, 'decoded resolution');
  t.match(rx.caps, /framerate=\(fraction\)30\/1/, 'stream frame rate');
  // The rate the receiver decodes at, over three seconds of steady state.
  const from = rx.frames.length;
  await new Promise((r) => setTimeout(r, 3000));
  const rate = (rx.frames.length - from) / 3;
  // That video keeps coming; its rate under load is the benchmark's (scripts/bench-camera.ts).
  t.ok(rate > 0, `receiver decodes a live stream (${rate.toFixed(1)} fps)`);
  const health = camera.health();
  t.equal(health.state, 'up');
  t.equal(health.encoder, 'x264enc');
  t.equal(health.outputs[0]?.state, 'up', 'the output knows a receiver acknowledges');
  t.ok(health.bitrateKbps > 1000, `bitrate reported (${health.bitrateKbps} kbit/s)`);
  t.ok(health.encodeLatencyMs !== null && health.encodeLatencyMs.p50 > 0, 'encoder latency reported');
});

t.test('a killed worker is back within seconds, the gap is reported, and its outputs go with it', async (t) => {
  const camera = new Camera(small({ outputs: ['rtp://127.0.0.1:9'] }), silentLogger);
  t.teardown(() => camera.stop());
  const up = once(camera, 'up');
  camera.start();
  await up;
  const pid = camera.pid;
  t.ok(pid, 'worker running');
  await until('its output process', () => childPids(pid as number).length === 1, 10_000);
  const outputPid = childPids(pid as number)[0] as number;
  const down = once(camera, 'down');
  const back = once(camera, 'up');
  process.kill(pid as number, 'SIGKILL');
  const [{ reason }] = (await down) as [{ reason: string }];
  t.match(reason, /worker died \(SIGKILL\)/);
  t.equal(camera.health().state, 'down');
  const [{ downMs }] = (await back) as [{ downMs: number }];
  t.ok(downMs > 0, `back, with the length of the gap (${downMs} ms)`);
  t.not(camera.pid, pid, 'a new worker');
  await until('the orphaned output process exits', () => !existsSync(`/proc/${outputPid}`), 5000);
  t.pass('no output process outlives its worker');
  t.equal(camera.health().restarts, 1);
});

t.test('a worker that stops producing frames (frozen, not dead) is killed and restarted after silenceMs', async (t) => {
  const camera = new Camera(small({ silenceMs: 600 }), silentLogger);
  t.teardown(() => camera.stop());
  const up = once(camera, 'up');
  camera.start();
  await up;
  const pid = camera.pid as number;
  const down = once(camera, 'down');
  const back = once(camera, 'up');
  // SIGSTOP: the process lives on and holds its pipe, it just sends nothing, like a hung driver.
  const frozenAt = Date.now();
  process.kill(pid, 'SIGSTOP');
  // Bounded, so that a watchdog that never fires fails here rather than at tap's timeout.
  const [{ reason, at }] = (await Promise.race([down, sleep(30_000).then(() => Promise.reject(new Error('the frozen worker was never declared down')))])) as [{ reason: string; at: number }];
  t.match(reason, /^no frames for \d+ ms$/, 'declared silent, not dead');
  t.ok(at - frozenAt >= 600, `not before silenceMs (${at - frozenAt} ms)`);
  await back;
  t.not(camera.pid, pid, 'a new worker');
  await until('the frozen worker is gone', () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z', 5000);
  t.pass('the frozen worker was killed, not left behind');
  t.equal(camera.health().restarts, 1);
});

t.test('an analysis consumer that stalls costs analysis frames, not the video', async (t) => {
  const camera = new Camera(small({ analysis: { maxFps: 30 } }), silentLogger);
  t.teardown(() => camera.stop());
  let taken = 0;
  camera.setConsumer(() => {
    taken++;
    return new Promise<void>(() => undefined); // recognition hangs for good
  });
  const up = once(camera, 'up');
  camera.start();
  await up;
  const before = camera.health().framesOut;
  await until('60 more video frames while recognition hangs', () => camera.health().framesOut >= before + 60, 20_000);
  const h = camera.health();
  t.equal(taken, 1, 'the consumer got one frame and is still on it');
  t.ok(h.analysis.dropped > 20, `analysis frames dropped instead (${h.analysis.dropped})`);
  t.equal(h.restarts, 0, 'the worker never stalled into a restart');
});

t.test('frames reach recognition as BGR with their capture time', async (t) => {
  const camera = new Camera(testCamera({ analysis: { width: 640, height: 360, maxFps: 10 } }), silentLogger);
  t.teardown(() => camera.stop());
  const frame = await new Promise<Parameters<Parameters<Camera['setConsumer']>[0] & object>[0]>((resolve) => {
    camera.setConsumer((f) => resolve(f));
    camera.start();
  });
  t.equal(frame.width, 640);
  t.equal(frame.height, 360);
  t.equal(frame.data.length, 640 * 360 * 3);
  t.ok(frame.captureTime !== null, 'capture time present');
  const age = Date.now() - (frame.captureTime as number);
  // A wrong clock mapping (monotonic read as wall time) is off by hours, not by a busy box's lag.
  t.ok(age >= 0 && age < 60_000, `captured ${age.toFixed(1)} ms before delivery`);
});

t.test('with analysis.scaledWidth each frame comes with its own copy scaled for the detector, and its capture time', async (t) => {
  // A moving ball on black: a copy paired with another frame would put the ball elsewhere.
  const camera = new Camera(testCamera({ source: { kind: 'test', width: 1280, height: 720, framerate: 30, pattern: 'ball' }, analysis: { maxFps: 30, scaledWidth: 640 } }), silentLogger);
  t.teardown(() => camera.stop());
  const frames: CameraFrame[] = [];
  await new Promise<void>((resolve) => {
    camera.setConsumer((f) => {
      if (frames.push(f) === 5) resolve();
    });
    camera.start();
  });
  const centroid = (at: (x: number, y: number) => number, width: number, height: number): { x: number; y: number } => {
    let n = 0;
    let sx = 0;
    let sy = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (at(x, y) > 128) {
          n++;
          sx += x;
          sy += y;
        }
      }
    }
    return { x: sx / n, y: sy / n };
  };
  for (const f of frames) {
    const scaled = f.scaled!;
    t.same([f.width, f.height, f.data.length, scaled.width, scaled.height, scaled.format, scaled.data.length], [1280, 720, 1280 * 720 * 3, 640, 360, 'BGRP', 640 * 360 * 3]);
    t.ok(f.captureTime !== null, 'capture time present');
    // The green plane of the copy, and the green bytes of the full frame, halved.
    const small = centroid((x, y) => scaled.data[640 * 360 + y * 640 + x]!, 640, 360);
    const full = centroid((x, y) => f.data[(y * 1280 + x) * 3 + 1]!, 1280, 720);
    t.ok(Math.hypot(small.x - (full.x - 0.5) / 2, small.y - (full.y - 0.5) / 2) < 1.5, `frame ${f.seq}: the ball at (${small.x.toFixed(1)}, ${small.y.toFixed(1)}) in the copy, (${full.x.toFixed(1)}, ${full.y.toFixed(1)}) in the frame`);
  }
  t.not(
    centroid((x, y) => frames[0]!.scaled!.data[640 * 360 + y * 640 + x]!, 640, 360).x,
    centroid((x, y) => frames[4]!.scaled!.data[640 * 360 + y * 640 + x]!, 640, 360).x,
    'the ball moves from frame to frame (a mismatch would show)',
  );
});

t.test('preview stills: JPEG, scaled to the configured width at the source aspect, rate-limited', async (t) => {
  const camera = new Camera(small({ analysis: { enabled: false }, preview: { width: 160, maxFps: 2 } }), silentLogger);
  t.teardown(() => camera.stop());
  const stills: { jpeg: Buffer; width: number; height: number; at: number }[] = [];
  camera.on('preview', (p) => stills.push(p));
  camera.start();
  await until('three stills', () => stills.length >= 3, 20_000);
  const first = stills[0]!;
  t.same([...first.jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
  t.same([first.width, first.height], [160, 120], '320x240 source at width 160');
  t.equal(camera.latestPreview, stills.at(-1), 'the newest is kept for a page that opens later');
  const before = camera.health().framesOut;
  await until('30 more video frames', () => camera.health().framesOut >= before + 30, 20_000);
  t.ok(stills.length < camera.health().framesOut / 5, `far fewer stills than frames (${stills.length} stills, ${camera.health().framesOut} frames)`);
});

t.test('a receiver that is down costs only its own output', async (t) => {
  const deadPort = await freePort();
  const camera = new Camera(small({ outputs: [`srt://127.0.0.1:${deadPort}?mode=caller`, 'rtp://127.0.0.1:9'] }), silentLogger);
  t.teardown(() => camera.stop());
  const up = once(camera, 'up');
  camera.start();
  await up;
  await until('the SRT output gives up on its receiver', () => (camera.health().outputs[0]?.restarts ?? 0) >= 1, 20_000);
  const before = camera.health().framesOut;
  await until('60 more frames with the receiver down', () => camera.health().framesOut >= before + 60, 20_000);
  const h = camera.health();
  t.equal(h.state, 'up');
  t.equal(h.outputs[0]?.state, 'down');
  t.match(h.outputs[0]?.error ?? '', /SRT|Connection/i, 'why the output is down');
  t.ok((h.outputs[1]?.frames ?? 0) > 60 && h.outputs[1]?.restarts === 0, 'the RTP output is unaffected');
  t.equal(h.restarts, 0, 'the camera worker never restarted');
});

t.test('bad camera configs get a clear reason and never a frame', async (t) => {
  const cases: [string, object, RegExp][] = [
    ['missing device', { kind: 'v4l2', device: '/dev/video-pitbox-missing', width: 1280, height: 720, framerate: 30 }, /\/dev\/video-pitbox-missing does not exist/],
    ['not a camera', { kind: 'v4l2', device: '/dev/null', width: 1280, height: 720, framerate: 30 }, /\/dev\/null is not a V4L2 video device/],
    [
      'unsupported caps',
      { kind: 'gstreamer', launch: 'videotestsrc is-live=true ! x264enc tune=zerolatency ! decodebin ! video/x-raw,format=GRAY8', width: 1280, height: 720, framerate: 30 },
      /cannot produce 1280x720 at 30 fps \(caps not negotiated\)/,
    ],
    ['missing clip', { kind: 'file', path: '/nonexistent/round.mkv', width: 1280, height: 720, framerate: 30 }, /file \/nonexistent\/round.mkv does not exist/],
  ];
  for (const [what, source, why] of cases) {
    const camera = new Camera(cameraConfig.parse({ name: `bad-${what.replace(/ /g, '-')}`, source, restart: { ...FAST_RESTART, budget: 2 } }), silentLogger);
    const reasons: string[] = [];
    camera.on('down', ({ reason }) => reasons.push(reason));
    camera.start();
    await until(`${what}: down`, () => reasons.length >= 1, 20_000);
    await camera.stop();
    t.match(reasons[0], why, what);
    t.equal(camera.health().framesOut, 0, `${what}: no frames`);
  }
});

t.test('a recorded clip plays as a camera, looping at its end', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-clip-'));
  const clip = join(dir, 'round.mkv');
  const made = spawnSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=30', '!', 'video/x-raw,width=640,height=360,framerate=30/1', '!', 'x264enc', '!', 'matroskamux', '!', 'filesink', `location=${clip}`]);
  t.equal(made.status, 0, 'clip rendered');
  const camera = new Camera(cameraConfig.parse({ name: 'clip', source: { kind: 'file', path: clip, width: 640, height: 360, framerate: 30 }, restart: FAST_RESTART }), silentLogger);
  t.teardown(() => camera.stop());
  camera.start();
  // 30 frames is one second: 75 frames means it looped at least twice without a restart.
  await until('75 frames from a 30-frame clip', () => camera.health().framesOut >= 75, 20_000);
  t.equal(camera.health().restarts, 0, 'looped by seeking, not by restarting');
});
