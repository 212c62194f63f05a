/**
 * `pitbox doctor`: one line per check, pass / warn / fail, what it found and how to fix it, in
 * the manner of `flutter doctor`. Each check runs on its own with a time limit: one that throws
 * or hangs is reported as crashed and the others still run.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'crashed';

export interface CheckResult {
  readonly status: CheckStatus;
  /** What the check found, in one line. */
  readonly found: string;
  /** What to do about it (warn, fail). */
  readonly fix?: string;
}

export interface Check<C> {
  readonly name: string;
  /** Seconds before the check counts as crashed. */
  readonly timeoutS?: number;
  run(ctx: C): Promise<CheckResult | CheckResult[]> | CheckResult | CheckResult[];
}

export interface CheckLine extends CheckResult {
  readonly check: string;
  readonly ms: number;
}

export const pass = (found: string): CheckResult => ({ status: 'pass', found });
export const warn = (found: string, fix: string): CheckResult => ({ status: 'warn', found, fix });
export const fail = (found: string, fix: string): CheckResult => ({ status: 'fail', found, fix });
export const skip = (found: string): CheckResult => ({ status: 'skip', found });

/** Runs the checks in order (some share hardware: never two at once). */
export async function runChecks<C>(checks: readonly Check<C>[], ctx: C, defaultTimeoutS = 20): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  for (const check of checks) {
    const t0 = performance.now();
    const limit = (check.timeoutS ?? defaultTimeoutS) * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const out = await Promise.race([
        Promise.resolve().then(() => check.run(ctx)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish in ${limit / 1000} s`)), limit);
        }),
      ]);
      for (const r of Array.isArray(out) ? out : [out]) lines.push({ check: check.name, ms: Math.round(performance.now() - t0), ...r });
    } catch (err) {
      lines.push({ check: check.name, ms: Math.round(performance.now() - t0), status: 'crashed', found: `the check itself failed: ${(err as Error).message}`, fix: 'report this with `pitbox doctor --json` output' });
    } finally {
      clearTimeout(timer);
    }
  }
  return lines;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-', crashed: '‼' };

/** The table for people: one line per check, its fix indented under it. */
export function formatLines(lines: readonly CheckLine[]): string {
  const width = Math.max(...lines.map((l) => l.check.length), 6);
  const out = lines.map((l) => {
    const head = `${MARK[l.status]} ${l.status.padEnd(7)} ${l.check.padEnd(width)}  ${l.found}`;
    return l.fix && l.status !== 'pass' ? `${head}\n  ${' '.repeat(8 + width)}  fix: ${l.fix}` : head;
  });
  const count = (s: CheckStatus) => lines.filter((l) => l.status === s).length;
  const summary = (['pass', 'warn', 'fail', 'crashed', 'skip'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`);
  return `${out.join('\n')}\n${lines.length} checks: ${summary.join(', ')}\n`;
}

/** Exit 1 when anything failed or crashed; warnings alone pass. */
export function exitCode(lines: readonly CheckLine[]): number {
  return lines.some((l) => l.status === 'fail' || l.status === 'crashed') ? 1 : 0;
}
