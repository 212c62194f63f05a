import t from 'tap';
import { ReceivedFrames } from './video-link.js';

const P = 40_000; // 25 fps
const T0 = 1_764_320_000_000_000;

t.test('finds the named frame, a neighbour when one was dropped, says when video is behind, and a gap', async (t) => {
  const rx = new ReceivedFrames(P);
  for (let i = 0; i < 100; i++) if (i !== 50 && !(i >= 70 && i < 75)) rx.add({ captureUs: T0 + i * P + (i % 3), frameNo: i, receivedAt: i });
  t.match(rx.link(T0 + 10 * P), { kind: 'in-video', offsetFrames: 0, frame: { frameNo: 10 }, behindLiveMs: 3559.999 });
  const dropped = rx.link(T0 + 50 * P);
  t.match(dropped, { kind: 'in-video', offsetFrames: -1, frame: { frameNo: 49 } }, 'frame 50 never arrived: the nearer neighbour, one frame off');
  t.match(rx.link(T0 + 72 * P), { kind: 'missing', reason: /gap/ }, 'five frames missing: not a neighbour any more');
  t.match(rx.link(T0 + 105 * P), { kind: 'ahead', aheadMs: 240 }, 'the result is 6 frames ahead of the picture');
  t.match(rx.link(T0 - 10 * P), { kind: 'before-join', beforeMs: 400 }, 'captured before the receiver\'s first frame: it joined later');
  rx.add({ captureUs: T0 + 3 * P, frameNo: 3, receivedAt: 200 });
  t.equal(rx.liveEdge?.frameNo, 99, 'a frame repeated after a reconnect does not move the live edge back');
});

t.test('a frame older than the two minutes kept is missing, not before the join', async (t) => {
  const rx = new ReceivedFrames(P);
  for (let i = 0; i < 3100; i++) rx.add({ captureUs: T0 + i * P, frameNo: i, receivedAt: i });
  t.match(rx.link(T0 + 10 * P), { kind: 'missing', reason: /older/ });
  t.match(rx.link(T0 - 10 * P), { kind: 'before-join' });
  t.match(rx.link(T0 + 3000 * P), { kind: 'in-video', offsetFrames: 0 });
});
