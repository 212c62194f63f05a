import t from 'tap';
import { RestartPolicy } from './restart-policy.js';

const config = { initialMs: 500, maxMs: 4000, budget: 3, windowS: 60, cooldownS: 30 };

t.test('backs off, then declares failure past the budget, then starts again', async (t) => {
  const p = new RestartPolicy(config, () => 0.5);
  t.same(p.onExit(0), { delayMs: 500, failed: false });
  t.same(p.onExit(1000), { delayMs: 1000, failed: false });
  t.same(p.onExit(2000), { delayMs: 2000, failed: false });
  t.same(p.onExit(3000), { delayMs: 30_000, failed: true }, 'fourth exit within the window');
  t.same(p.onExit(40_000), { delayMs: 500, failed: false }, 'after the cooldown it is a fresh start');
});

t.test('restarts outside the window do not count; a healthy run resets the backoff', async (t) => {
  const p = new RestartPolicy(config, () => 0.5);
  p.onExit(0);
  p.onExit(1000);
  p.onExit(2000);
  t.equal(p.onExit(70_000).failed, false, 'the early ones left the window');
  t.equal(p.recent(), 1);
  p.onHealthy();
  t.equal(p.onExit(71_000).delayMs, 500);
});
