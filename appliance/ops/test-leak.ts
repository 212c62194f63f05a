/**
 * A deliberately leaking appliance, for one purpose: proving that the chaos soak's growth check
 * fails when memory grows (scripts/chaos). Off unless PITBOX_TEST_LEAK_KB_PER_S is set; when on,
 * it says so in the log at warn level, so a box can never run it unnoticed.
 */
import type { Logger } from 'pino';

const kept: Buffer[] = [];

export function startTestLeak(env: NodeJS.ProcessEnv, log: Logger): NodeJS.Timeout | null {
  const kb = Number(env.PITBOX_TEST_LEAK_KB_PER_S ?? 0);
  if (!(kb > 0)) return null;
  log.warn({ kbPerSecond: kb }, 'TEST HOOK: leaking memory on purpose (PITBOX_TEST_LEAK_KB_PER_S)');
  // Filled, so the pages are really resident (an untouched allocation would not show in RSS).
  const timer = setInterval(() => kept.push(Buffer.alloc(kb * 1024, 1)), 1000);
  timer.unref();
  return timer;
}
