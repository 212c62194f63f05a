import t from 'tap';
import { fuzzWheel, MUTATIONS } from './wheel-fuzz.js';

// The short run; `node --import tsx scripts/fuzz-wheel.ts 10000000` is the long one (figures in README).
t.test('structure-aware fuzz: well-formed lies in the SS2 stream never crash and never become a result', async (t) => {
  const honestOnly = fuzzWheel({ seed: 1, targetBytes: 20_000, lieRate: 0 });
  t.equal(honestOnly.results, honestOnly.games, `an honest wheel: every game a result (${honestOnly.games})`);
  t.same(honestOnly.falseResults, []);

  const r = fuzzWheel({ seed: 2, targetBytes: 300_000, lieRate: 0.5 });
  t.same(r.falseResults, [], 'no result the wheel did not produce');
  t.ok(r.voids > 0 && r.suspensions > 0, `lies are caught: ${r.voids} voids, ${r.suspensions} suspensions in ${r.games} games`);
  t.ok(r.results > r.games / 3, `honest games still give results (${r.results})`);
  t.same(Object.keys(r.byMutation).sort(), [...MUTATIONS].sort(), 'every kind of lie was told');
});
