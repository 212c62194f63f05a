import t from 'tap';
import { AnalysisPairs, type Pulled } from './analysis-pair.js';

const frame = (kind: string, at: number): Pulled => ({ buf: Buffer.from(`${kind}@${at}`), caps: { width: 1, height: 1 }, timing: { runningTime: at } });
const names = (pair: [Pulled, Pulled] | null): string[] | null => pair && pair.map((p) => p.buf.toString());

t.test('each frame goes out with its own scaled copy, whichever arrives first', async (t) => {
  const pairs = new AnalysisPairs();
  t.equal(pairs.offerFull(frame('full', 1)), null, 'waits for its copy');
  t.same(names(pairs.offerScaled(frame('scaled', 1))), ['full@1', 'scaled@1']);
  t.equal(pairs.offerScaled(frame('scaled', 2)), null);
  t.same(names(pairs.offerFull(frame('full', 2))), ['full@2', 'scaled@2']);
  t.equal(pairs.unpaired, 0);
});

t.test('a frame whose twin was dropped by its queue is never paired with another frame', async (t) => {
  const pairs = new AnalysisPairs();
  t.equal(pairs.offerFull(frame('full', 1)), null);
  t.equal(pairs.offerScaled(frame('scaled', 2)), null, 'the scaled copy of frame 1 was dropped');
  t.equal(pairs.unpaired, 1, 'frame 1 given up');
  t.same(names(pairs.offerFull(frame('full', 2))), ['full@2', 'scaled@2']);
  t.equal(pairs.offerScaled(frame('scaled', 3)), null);
  t.equal(pairs.offerScaled(frame('scaled', 4)), null, 'the full frame 3 was dropped: the newer copy replaces it');
  t.equal(pairs.offerFull(frame('full', 3)), null, 'an older full frame than the waiting copy is given up');
  t.equal(pairs.unpaired, 2);
  t.same(names(pairs.offerFull(frame('full', 4))), ['full@4', 'scaled@4']);
  t.equal(pairs.offerFull(frame('full', 5)), null);
  t.equal(pairs.offerFull(frame('full', 6)), null, 'a full frame replaced before its copy came');
  t.equal(pairs.unpaired, 3);
});
