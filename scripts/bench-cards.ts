/**
 * Card recognition speed on this box (figures in models/README.md with this command):
 *
 *   node --import tsx scripts/bench-cards.ts [runs=200]
 *
 * On the 1080p stills in test-fixtures/cards/stills (8 cards each), as BGR buffers like the
 * camera's appsink gives: detection (the frame scaled to 640 wide and the corner detector) and
 * reading (each corner cut at full resolution, one ONNX batch, corners paired into cards) timed
 * separately and together, with ONNX Runtime on 1 and on 2 intra-op threads;
 * pinned to one core with `taskset -c 0` for the one-core target. The baseline, timed in the
 * same run, is what any pipeline pays to look at a frame at all: wrapping the buffer in a Mat
 * and one colour conversion at full size. Also: both models' load time (median of 10) and memory
 * (RSS after loading and after the runs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { opencv } from '../appliance/recognition/opencv.js';
import { CardRecognizer } from '../appliance/recognition/recognizer.js';

const runs = Number(process.argv[2] ?? 200);
const dir = 'test-fixtures/cards/stills';
const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { scenes: { image: string; cards: unknown[] }[] };
const cv = opencv();
const frames = truth.scenes.map((s) => {
  const m = cv.imread(join(dir, s.image));
  return { data: m.getData(), width: m.cols, height: m.rows, cards: s.cards.length };
});

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

for (const threads of [1, 2]) {
  const recognizer = await CardRecognizer.load({ threads });
  const rssLoaded = mib();
  const base: number[] = [];
  const detect: number[] = [];
  const classify: number[] = [];
  const total: number[] = [];
  let cards = 0;
  for (let i = 0; i < runs; i++) {
    const f = frames[i % frames.length]!;
    // interleaved, so a noisy neighbour hits baseline and pipeline alike
    let t0 = performance.now();
    new cv.Mat(f.data, f.height, f.width, cv.CV_8UC3).cvtColor(cv.COLOR_BGR2GRAY);
    base.push(performance.now() - t0);

    const mat = new cv.Mat(f.data, f.height, f.width, cv.CV_8UC3);
    const split = { detectMs: 0, readMs: 0 };
    await recognizer.recognize(mat, split);
    detect.push(split.detectMs);
    classify.push(split.readMs);

    t0 = performance.now();
    const found = await recognizer.recognizeFrame(f);
    total.push(performance.now() - t0);
    cards += found.length;
  }
  const tot = stats(total);
  const b = stats(base);
  console.log(
    JSON.stringify({
      threads,
      frames: runs,
      size: `${frames[0]!.width}x${frames[0]!.height}`,
      cardsPerFrame: +(cards / runs).toFixed(2),
      totalMs: tot,
      detectMs: stats(detect),
      readMs: stats(classify),
      baselineMs: b,
      ratioToBaseline: +(tot.median / b.median).toFixed(1),
      rssMiB: { start: rssStart, loaded: rssLoaded, after: mib() },
    }),
  );
  await recognizer.close();
}
console.log(JSON.stringify({ modelLoadMs: stats(loads) }));
