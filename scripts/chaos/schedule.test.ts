import t from 'tap';
import { countByKind, FAULT_KINDS, planFaults, type FaultKind } from './schedule.js';

const opts = { seed: 7, durationMs: 2 * 3_600_000, perMinute: 5, quietMs: 60_000 };

t.test('same seed, same schedule; another seed, another one', async (t) => {
  t.same(planFaults(opts), planFaults(opts));
  t.not(JSON.stringify(planFaults(opts)), JSON.stringify(planFaults({ ...opts, seed: 8 })));
});

t.test('a two-hour plan at 5 a minute has every kind, in bounds, overlapping across kinds only', async (t) => {
  const plan = planFaults(opts);
  t.ok(plan.length > 500, `${plan.length} faults`);
  const counts = countByKind(plan);
  for (const kind of Object.keys(FAULT_KINDS) as FaultKind[]) t.ok(counts[kind] > 0, `${kind}: ${counts[kind]}`);
  let overlapsAcrossKinds = 0;
  const wrong: string[] = [];
  for (const [i, f] of plan.entries()) {
    if (f.atMs < opts.quietMs || f.atMs + f.durationMs > opts.durationMs - opts.quietMs) wrong.push(`fault ${f.id} outside the run`);
    if (i > 0 && f.atMs < plan[i - 1]!.atMs) wrong.push(`fault ${f.id} out of order`);
    const same = plan.find((g) => g.kind === f.kind && g.id < f.id && g.atMs + g.durationMs > f.atMs);
    if (same) wrong.push(`fault ${f.id} (${f.kind}) starts while ${same.id} of its kind lasts`);
    if (plan.some((g) => g.kind !== f.kind && g.id < f.id && g.atMs + g.durationMs > f.atMs)) overlapsAcrossKinds++;
  }
  t.same(wrong, [], 'every fault inside the run, sorted, never two of a kind at once');
  t.ok(overlapsAcrossKinds > 10, `${overlapsAcrossKinds} faults start while another kind is under way`);
});

t.test('a short run caps durations, and bad options are refused by name', async (t) => {
  const plan = planFaults({ seed: 1, durationMs: 120_000, perMinute: 20, quietMs: 10_000, maxDurationMs: 8_000, kinds: ['uplink-cut', 'wheel-unplug'] });
  t.ok(plan.length > 3);
  t.ok(plan.every((f) => f.durationMs <= 8_000 && (f.kind === 'uplink-cut' || f.kind === 'wheel-unplug')));
  t.throws(() => planFaults({ ...opts, perMinute: 0 }), /perMinute/);
  t.throws(() => planFaults({ ...opts, kinds: [] }), /no fault kinds/);
});
