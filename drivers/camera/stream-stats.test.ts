import t from 'tap';
import { percentile, StreamCounter } from './stream-stats.js';

const FRAME = 1e9 / 30;

t.test('counts frames, keyframes, bytes and lost frames from timestamp gaps', async (t) => {
  const c = new StreamCounter(FRAME, 0);
  const times = [0, 1, 2, 5, 6, 7, 10]; // frames 3, 4, 8 and 9 missing
  for (const [i, n] of times.entries()) {
    c.onEncoded(1000, { runningTime: n * FRAME + (i % 2 ? 2e6 : -2e6), clockTime: 1e9 + n * FRAME, keyframe: n === 0 }, 1e9 + n * FRAME + 5e6);
  }
  const s = c.take(1000);
  t.equal(s.framesOut, 7);
  t.equal(s.dropped, 4);
  t.equal(s.keyframes, 1);
  t.equal(s.bytes, 7000);
  t.equal(s.fps, 7);
  t.equal(s.bitrateKbps, 56);
  t.equal(s.encodeLatencyMs?.p50, 5);
  const next = c.take(2000);
  t.equal(next.fps, 0, 'a new interval starts at each take');
  t.equal(next.framesOut, 7, 'totals stay');
  t.equal(next.encodeLatencyMs, null);
});

t.test('a timestamp that goes back (a looped file) is not a loss', async (t) => {
  const c = new StreamCounter(FRAME, 0);
  for (const n of [0, 1, 2, 0, 1]) c.onEncoded(10, { runningTime: n * FRAME }, 0);
  t.equal(c.take(1000).dropped, 0);
});

t.test('percentile is nearest-rank', async (t) => {
  t.equal(percentile([1, 2, 3, 4], 0.5), 2);
  t.equal(percentile([1, 2, 3, 4], 0.99), 4);
  t.ok(Number.isNaN(percentile([], 0.5)));
});
