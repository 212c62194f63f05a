/**
 * Card recognition speed on this box (figures in models/README.md and the README with this command):
 *
 *   taskset -c 0 node --import tsx scripts/bench-cards.ts [runs=500]
 *
 * On the 1080p stills in test-fixtures/cards/stills (8 cards each), decoded by GStreamer as a
 * camera's analysis branches give them: the full frame as packed BGR and, for the camera path,
 * the copy GStreamer scales for the detector (the same elements as the camera's analysis
 * branch, pipeline.ts: videoscale, videoconvert to planar BGR, 640 wide). Timed, interleaved
 * frame by frame so a noisy neighbour hits both alike:
 *  - old path (the baseline): the frame wrapped in a Mat, scaled to 640 wide on the CPU
 *    (INTER_AREA), split into planes, the detector; each patch cut from the whole Mat, the reader;
 *  - camera path: the detector on the pre-scaled copy; each patch cut from the frame's bytes.
 * Both with ONNX Runtime on one intra-op thread (and OpenCV on one thread); pinned to one core
 * with `taskset -c 0`. Wall-clock time, and the CPU time the process spent (what the work
 * costs a core, without the waits for it that a busy shared machine adds). Also the profile
 * of the camera path: the detector's and the reader's ONNX run, cutting the patches, and the
 * rest; both models' load time and memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NET_W } from '../appliance/recognition/corner-detector.js';
import { opencv } from '../appliance/recognition/opencv.js';
import { type BgrFrame, CardRecognizer, type RecognitionTiming } from '../appliance/recognition/recognizer.js';

const runs = Number(process.argv[2] ?? 500);
const dir = 'test-fixtures/cards/stills';
const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { scenes: { image: string; cards: { card: string; corners: [number, number][] }[] }[] };
const cv = opencv();
const work = mkdtempSync(join(tmpdir(), 'pitbox-bench-cards-'));

/** One still through gst-launch, as raw bytes of the given caps. */
function gstDecode(image: string, tail: string, name: string): Buffer {
  const out = join(work, name);
  const args = `filesrc location=${join(dir, image)} ! jpegdec ! ${tail} ! filesink location=${out}`.split(' ');
  const run = spawnSync('gst-launch-1.0', ['-q', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`gst-launch-1.0 failed on ${image}: ${run.stderr}`);
  return readFileSync(out);
}

const frames: BgrFrame[] = truth.scenes.map((s, i) => {
  const { cols: width, rows: height } = cv.imread(join(dir, s.image));
  const sh = Math.round((height * NET_W) / width);
  return {
    data: gstDecode(s.image, 'videoconvert ! video/x-raw,format=BGR', `${i}.bgr`),
    width,
    height,
    scaled: { data: gstDecode(s.image, `videoscale method=bilinear ! videoconvert ! video/x-raw,format=BGRP,width=${NET_W},height=${sh}`, `${i}.bgrp`), width: NET_W, height: sh },
  };
});
rmSync(work, { recursive: true });

const stats = (xs: number[]): { median: number; p99: number; mean: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), mean: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) };
};
const mib = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const rssStart = mib();

const loads: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const r = await CardRecognizer.load({ threads: 1 });
  loads.push(performance.now() - t0);
  await r.close();
}

const recognizer = await CardRecognizer.load({ threads: 1 });
await recognizer.warmUp();
const rssLoaded = mib();
// What each path reads on the stills (the camera path's detector sees GStreamer's scaling, not OpenCV's).
const score = { oldPath: { found: 0, read: 0, wrong: 0 }, cameraPath: { found: 0, read: 0, wrong: 0 } };
for (const [i, f] of frames.entries()) {
  for (const [path, found] of [['oldPath', await recognizer.recognize(new cv.Mat(f.data, f.height, f.width, cv.CV_8UC3))], ['cameraPath', await recognizer.recognizeFrame(f)]] as const) {
    for (const c of truth.scenes[i]!.cards) {
      const cx = c.corners.reduce((s, p) => s + p[0], 0) / 4;
      const cy = c.corners.reduce((s, p) => s + p[1], 0) / 4;
      const match = found.find((m) => Math.hypot(m.centre.x - cx, m.centre.y - cy) < 30);
      if (!match) continue;
      score[path].found++;
      if (match.card === c.card) score[path].read++;
      else if (match.card !== null) score[path].wrong++;
    }
  }
}
const oldTotal: number[] = [];
const oldCpu: number[] = [];
const cpu: number[] = [];
/** CPU time this process spent since `from` (all its threads), ms: the work, without the waits for a core others hold. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
const total: number[] = [];
const parts: Record<keyof RecognitionTiming | 'other', number[]> = { detectMs: [], readMs: [], detectNetMs: [], cutMs: [], readNetMs: [], other: [] };
let cards = 0;
const load0 = loadavg()[0]!;
for (let i = 0; i < runs; i++) {
  const f = frames[i % frames.length]!;
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  await recognizer.recognize(new cv.Mat(f.data, f.height, f.width, cv.CV_8UC3));
  oldTotal.push(performance.now() - t0);
  oldCpu.push(cpuMs(c0));

  const timing: RecognitionTiming = { detectMs: 0, readMs: 0, detectNetMs: 0, cutMs: 0, readNetMs: 0 };
  c0 = process.cpuUsage();
  t0 = performance.now();
  const found = await recognizer.recognizeFrame(f, timing);
  const ms = performance.now() - t0;
  total.push(ms);
  cpu.push(cpuMs(c0));
  for (const k of ['detectMs', 'readMs', 'detectNetMs', 'cutMs', 'readNetMs'] as const) parts[k].push(timing[k]);
  parts.other.push(ms - timing.detectNetMs - timing.cutMs - timing.readNetMs);
  cards += found.length;
}
const now = stats(total);
const old = stats(oldTotal);
console.log(
  JSON.stringify({
    threads: 1,
    frames: runs,
    size: `${frames[0]!.width}x${frames[0]!.height}`,
    cardsPerFrame: +(cards / runs).toFixed(2),
    stills: { cards: truth.scenes.reduce((n, s) => n + s.cards.length, 0), ...score },
    cameraPathMs: now,
    oldPathMs: old,
    speedup: +(old.median / now.median).toFixed(2),
    cameraPathCpuMs: stats(cpu),
    oldPathCpuMs: stats(oldCpu),
    profileMs: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, stats(v)])),
    loadAverage1m: { start: +load0.toFixed(1), end: +loadavg()[0]!.toFixed(1) },
    rssMiB: { start: rssStart, loaded: rssLoaded, after: mib() },
    modelLoadMs: stats(loads),
  }),
);
await recognizer.close();
