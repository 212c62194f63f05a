import t from 'tap';
import { cameraConfig } from './config.js';
import { gstElementExists, pickEncoder } from './encoders.js';

const camera = (encoder: object = {}) =>
  cameraConfig.parse({ name: 'c', source: { kind: 'test', width: 1280, height: 720, framerate: 30 }, encoder });

t.test('auto prefers hardware, skips one that failed, falls back to x264', async (t) => {
  const has = (names: string[]) => (e: string) => names.includes(e);
  t.equal(pickEncoder(camera(), has(['x264enc'])).kind, 'x264');
  t.equal(pickEncoder(camera(), has(['x264enc', 'vah264enc'])).kind, 'vaapi');
  t.equal(pickEncoder(camera(), has(['x264enc', 'vah264enc', 'nvh264enc'])).kind, 'nvenc');
  t.equal(pickEncoder(camera(), has(['x264enc', 'vah264enc']), new Set(['vaapi'])).kind, 'x264');
  t.throws(() => pickEncoder(camera(), has([])), /x264enc is missing/);
});

t.test('an explicit encoder the box lacks is an error naming it', async (t) => {
  t.throws(() => pickEncoder(camera({ kind: 'nvenc' }), () => false), /encoder nvenc \(nvh264enc\) is not available/);
});

t.test('x264 is tuned for live: zero latency, no B-frames, keyframe interval in frames', async (t) => {
  const pick = pickEncoder(camera({ bitrateKbps: 2500, keyframeIntervalS: 2 }), (e) => e === 'x264enc');
  t.match(pick.launch, /tune=zerolatency/);
  t.match(pick.launch, /bframes=0/);
  t.match(pick.launch, /key-int-max=60/);
  t.match(pick.launch, /bitrate=2500/);
});

t.test('the registry on this box has x264enc and no fake element', async (t) => {
  t.equal(gstElementExists('x264enc'), true);
  t.equal(gstElementExists('no-such-element-here'), false);
});
