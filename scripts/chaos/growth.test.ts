import t from 'tap';
import { seededRandom } from '../../drivers/wheel/ss2/simulator/random.js';
import { growth, notBackToBaseline, segments, type Sample } from './growth.js';

const HOUR = 3_600_000;
const opts = { warmupMs: 5 * 60_000, minSegmentMs: 10 * 60_000, speed: 360 };

/** Two real hours sampled every 5 s: a level with GC-like noise plus `perHour` of growth. */
function series(level: number, perHour: number, seed = 1, restartEveryMs = 0): Sample[] {
  const random = seededRandom(seed);
  const out: Sample[] = [];
  let pid = 100;
  let born = 0;
  for (let t = 0; t <= 2 * HOUR; t += 5_000) {
    if (restartEveryMs && t - born >= restartEveryMs) {
      pid++;
      born = t;
    }
    const sawtooth = ((t - born) % 60_000) / 60_000; // a GC cycle every minute
    out.push({ t, v: level + (perHour * (t - born)) / HOUR + level * 0.03 * sawtooth + level * 0.02 * (random() - 0.5), pid });
  }
  return out;
}

t.test('a flat line with noise and GC sawtooth is not growth', async (t) => {
  const g = growth(series(120e6, 0), opts)!;
  t.ok(Math.abs(g.percentPerHour) < 1, `flat: ${g.percentPerHour.toFixed(3)} %/h`);
  t.equal(g.segments, 1);
});

t.test('a leak of 10 % per hour is measured as about that', async (t) => {
  const g = growth(series(100e6, 10e6), opts)!;
  t.ok(g.percentPerHour > 8 && g.percentPerHour < 12, `leak: ${g.percentPerHour.toFixed(2)} %/h`);
  t.ok(Math.abs(g.slopePerHour - 10e6) < 1e6, 'slope in units per hour');
  t.ok(Math.abs(g.slopePerSimDay - (g.slopePerHour * 24) / 360) < 1e-6, 'per simulated day follows the speed');
});

t.test('restarts cut the series: a leak inside each lifetime is still seen, the drops are not growth', async (t) => {
  t.equal(segments(series(1, 0, 1, 30 * 60_000)).length, 5, 'a new pid starts a segment');
  const leaking = growth(series(100e6, 20e6, 2, 30 * 60_000), opts)!;
  t.ok(leaking.percentPerHour > 10, `leak between restarts: ${leaking.percentPerHour.toFixed(2)} %/h`);
  const flat = growth(series(100e6, 0, 3, 30 * 60_000), opts)!;
  t.ok(Math.abs(flat.percentPerHour) < 2, `flat between restarts: ${flat.percentPerHour.toFixed(2)} %/h`);
});

t.test('lifetimes too short to fit give no figure rather than a wrong one', async (t) => {
  t.equal(growth(series(1, 0, 1, 5 * 60_000), opts), null);
});

t.test('file descriptors left behind by a restart wave are named by fault', async (t) => {
  const s: Sample[] = [];
  for (let t0 = 0; t0 < 100_000; t0 += 1_000) s.push({ t: t0, v: t0 < 40_000 ? 30 : t0 < 60_000 ? 45 : t0 < 80_000 ? 30 : 38 });
  const windows = [
    { id: 1, endMs: 50_000 }, // during the wave: still up when sampled 5 s later -> named
    { id: 2, endMs: 65_000 }, // back to 30 after it
    { id: 3, endMs: 85_000 }, // 38: left behind
  ];
  const bad = notBackToBaseline(s, windows, { settleMs: 5_000, tolerance: 2, firstFaultMs: 40_000 });
  t.same(bad.map((b) => b.fault), [1, 3]);
  t.equal(bad[0]!.baseline, 30);
});

t.test('descriptors are judged after a fault only once every fault has settled, not during the next restart wave', async (t) => {
  const s: Sample[] = [];
  // Baseline 30; fault 1 ends at 20 s; fault 2 (an appliance restart) from 22 to 24 s opens 20
  // descriptors until 28 s; back to 30 after.
  for (let t0 = 0; t0 < 60_000; t0 += 1_000) s.push({ t: t0, v: t0 >= 22_000 && t0 < 28_000 ? 50 : 30 });
  const windows = [
    { id: 1, fromMs: 15_000, endMs: 20_000 },
    { id: 2, fromMs: 22_000, endMs: 24_000 },
  ];
  t.same(notBackToBaseline(s, windows, { settleMs: 5_000, tolerance: 2, firstFaultMs: 15_000 }), [], 'both back at 30 once quiet');
  const leaky = s.map((p) => ({ ...p, v: p.t >= 22_000 ? 50 : p.v }));
  t.same(notBackToBaseline(leaky, windows, { settleMs: 5_000, tolerance: 2, firstFaultMs: 15_000 }).map((b) => b.fault), [1, 2], 'left behind: named');
});
