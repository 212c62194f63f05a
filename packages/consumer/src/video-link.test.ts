import t from 'tap';
import { ReceivedFrames } from './video-link.js';

const P = 40_000; // 25 fps
const T0 = 1_764_320_000_000_000;
/** Capture times that wander by up to ±4 ms, as a V4L2 camera's do. */
const at = (i: number): number => T0 + i * P + ((i * 7919) % 8001) - 4000;

t.test('finds the named frame by equal stamp, a neighbour with its distance, says when video is behind, and a gap', async (t) => {
  const rx = new ReceivedFrames(P);
  for (let i = 0; i < 100; i++) if (i !== 50 && !(i >= 70 && i < 75)) rx.add({ captureUs: at(i), frameNo: i, receivedAt: i });
  t.match(rx.link(at(10)), { kind: 'in-video', frame: { frameNo: 10 }, behindLiveMs: (at(99) - at(10)) / 1000 });
  t.match(rx.link(at(10) + 1), { kind: 'neighbour', frame: { frameNo: 10 }, distanceUs: -1 }, 'one microsecond off is not the frame: a neighbour, 1 µs away');
  t.match(rx.link(T0 + 10 * P), { kind: 'neighbour', frame: { frameNo: 10 }, distanceUs: 3181 }, 'a time on the nominal frame grid is not a jittered frame\'s stamp');
  const dropped = rx.link(at(50));
  t.match(dropped, { kind: 'neighbour' }, 'frame 50 never arrived: a neighbour');
  if (dropped.kind === 'neighbour') t.ok([at(49), at(51)].includes(dropped.frame.captureUs) && dropped.distanceUs === dropped.frame.captureUs - at(50), `the nearer of 49 and 51, ${dropped.distanceUs} µs away`);
  t.match(rx.link(at(72)), { kind: 'missing', reason: /gap/ }, 'five frames missing: not a neighbour any more');
  t.match(rx.link(at(99) + 240_000), { kind: 'ahead', aheadMs: 240 }, 'the result is ahead of the picture');
  t.match(rx.link(at(99) + 1), { kind: 'ahead' }, 'one microsecond past the live edge: not here yet');
  t.match(rx.link(at(0) - 1), { kind: 'before-join', beforeMs: 0.001 }, 'captured before the receiver\'s first frame: it joined later');
  rx.add({ captureUs: at(3), frameNo: 3, receivedAt: 200 });
  t.equal(rx.liveEdge?.frameNo, 99, 'a frame repeated after a reconnect does not move the live edge back');
});

t.test('a frame older than the two minutes kept is missing, not before the join', async (t) => {
  const rx = new ReceivedFrames(P);
  for (let i = 0; i < 3100; i++) rx.add({ captureUs: at(i), frameNo: i, receivedAt: i });
  t.match(rx.link(at(10)), { kind: 'missing', reason: /older/ });
  t.match(rx.link(at(0) - 10 * P), { kind: 'before-join' });
  t.match(rx.link(at(3000)), { kind: 'in-video', frame: { frameNo: 3000 } });
});
