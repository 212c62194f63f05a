import { parseArgs } from 'node:util';
import { CHECKS, defaultContext } from '../doctor/checks.js';
import { exitCode, formatLines, runChecks } from '../doctor/doctor.js';

const USAGE = `usage: pitbox doctor --config FILE [--json] [--only CHECK[,CHECK...]]
checks: ${CHECKS.map((c) => c.name).join(', ')}
`;

/**
 * `pitbox doctor --config FILE`: every check a technician would make, one line each, with the
 * fix. Exit 1 when anything fails or a check crashes. A running appliance is asked through its
 * control socket (its wheel port and cameras are never opened a second time).
 */
export async function doctorCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' }, only: { type: 'string' } } }));
  } catch (err) {
    process.stderr.write(`pitbox doctor: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(USAGE);
    return 2;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !CHECKS.some((c) => c.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`pitbox doctor: no check named ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  // The config check always runs first: every other check needs what it loads.
  const chosen = CHECKS.filter((c, i) => i === 0 || !only || only.includes(c.name));
  const lines = await runChecks(chosen, defaultContext(values.config));
  const shown = only && !only.includes('config') ? lines.filter((l) => l.check !== 'config' || l.status !== 'pass') : lines;
  process.stdout.write(values.json ? `${JSON.stringify({ ok: exitCode(shown) === 0, checks: shown })}\n` : formatLines(shown));
  return exitCode(shown);
}
