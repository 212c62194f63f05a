import t from 'tap';
import { LatencyHistogram } from './latency-histogram.js';

t.test('percentiles of what was added, to the 0.1 ms bin; none before the first', async (t) => {
  const h = new LatencyHistogram();
  t.equal(h.summary(), null);
  for (let i = 1; i <= 100; i++) h.add(i); // 1..100 ms
  t.same(h.summary(), { p50: 50, p95: 95, p99: 99, n: 100 });
  h.add(5000);
  t.equal(h.summary()?.n, 101);
  t.equal(h.summary()?.p99, 100, 'a sample past the range lands in the last bin, not lost');
});
