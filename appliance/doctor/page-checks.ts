import { CHECKS, defaultContext } from './checks.js';
import { fail, pass, runChecks, warn, type CheckLine } from './doctor.js';

/** Checks the running appliance runs for its status page: not the ones that would load a second model or verify the whole journal on the event loop. */
const IN_PROCESS = new Set(['config', 'service', 'user', 'wheel-port', 'cameras', 'outputs', 'signing-key', 'http-tls', 'uplink', 'local-broker', 'clock', 'temperature']);

let cached: { at: number; result: { checks: CheckLine[] } } | null = null;

/**
 * The doctor's table for the status page, from inside the appliance: hardware is asked of the
 * appliance itself (its status), the journal's line comes from the background chain check, and
 * the result is kept for 10 s so a page reloaded in a loop costs nothing. `fresh` (the page's
 * "run again"): at most 2 s old, so a technician who just fixed a cable sees it.
 */
export async function pageDoctor(configFile: string, status: () => Record<string, unknown>, fresh = false): Promise<{ checks: CheckLine[] }> {
  if (cached && performance.now() - cached.at < (fresh ? 2_000 : 10_000)) return cached.result;
  const ctx = defaultContext(configFile);
  const lines = await runChecks(CHECKS.filter((c) => IN_PROCESS.has(c.name)), ctx);
  // The config check asks the control socket; this process is the appliance, so say so directly.
  ctx.running ??= status();
  const journal = (status().journal ?? {}) as { chainCheck?: { state: string; checked: number; firstBadSeq?: number; error?: string }; undelivered?: number };
  const cc = journal.chainCheck;
  const line =
    !cc ? warn('the chain check has not run', 'restart the appliance')
    : cc.state === 'passed' ? pass(`whole chain verified at start (${cc.checked} events), ${journal.undelivered ?? 0} undelivered`)
    : cc.state === 'running' ? warn(`chain check running (${cc.checked} events so far)`, 'wait for it')
    : cc.state === 'failed' ? fail(`chain broken at seq ${cc.firstBadSeq ?? '?'}`, 'do not delete the journal: restore it from a backup and tell the platform')
    : warn(`the chain check could not run: ${cc.error ?? '?'}`, 'run pitbox journal verify --config FILE');
  const result = { checks: [...lines, { check: 'journal', ms: 0, ...line }] };
  cached = { at: performance.now(), result };
  return result;
}
