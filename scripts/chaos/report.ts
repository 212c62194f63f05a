/** The chaos soak's verdict and its pictures, from a run's report. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChart } from './chart.js';
import type { ChaosReport } from './run-chaos.js';

export interface Limits {
  /** RSS growth allowed per real hour after warm-up, percent. */
  readonly rssPercentPerHour: number;
  /** Event loop lag p99 allowed outside fault windows, ms. */
  readonly loopLagP99Ms: number;
}

export const FIELD_LIMITS: Limits = { rssPercentPerHour: 5, loopLagP99Ms: 50 };

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Every way the run failed its targets, in words; empty when it passed. */
export function verdict(r: ChaosReport, limits: Limits = FIELD_LIMITS): string[] {
  const out: string[] = [];
  if (r.subscriber.lostResults.length) out.push(`${r.subscriber.lostResults.length} wheel results lost outside fault windows (spins ${r.subscriber.lostResults.slice(0, 10).join(', ')})`);
  if (r.notDelivered) out.push(`${r.notDelivered} journaled events never reached the subscriber`);
  if (r.violations.length) out.push(`${r.violations.length} verification failures: ${r.violations.slice(0, 3).join('; ')}`);
  if (r.audit.length) out.push(`${r.audit.length} wrong results: ${r.audit.slice(0, 3).join('; ')}`);
  if (r.hung.length) out.push(`steps that hung: ${r.hung.join(', ')}`);
  if (r.leftovers.length) out.push(`processes left behind: ${r.leftovers.join(' | ')}`);
  for (const [name, g] of Object.entries(r.growth)) {
    if (name.endsWith('.rss') && g && g.percentPerHour > limits.rssPercentPerHour) out.push(`${name} grows ${g.percentPerHour.toFixed(1)} % per real hour (limit ${limits.rssPercentPerHour} %)`);
  }
  if (r.tail.exit !== 0) out.push(`pitbox tail did not pass (exit ${r.tail.exit}): ${r.tail.violation ?? r.tail.summary}`);
  if (r.cards) out.push(...cardVerdict(r.cards));
  if (r.fdsNotBack.length) out.push(`file descriptors not back to baseline after faults ${r.fdsNotBack.map((f) => `${f.fault} (${f.value} vs ${f.baseline})`).join(', ')}`);
  return out;
}

/** The card table's share of the verdict: its audit, and every fault seen while it lasted and cleared. */
export function cardVerdict(c: NonNullable<ChaosReport['cards']>): string[] {
  const out: string[] = [];
  if (c.problems.length) out.push(`card table: ${c.problems.length} problems: ${c.problems.slice(0, 5).join('; ')}`);
  if (c.violations.length) out.push(`card table: ${c.violations.length} verification failures: ${c.violations.slice(0, 3).join('; ')}`);
  for (const v of c.visibility) {
    const missing = [v.inStatus ? null : 'status', v.inMetrics ? null : '/metrics'].filter(Boolean);
    if (missing.length) out.push(`fault ${v.id} (${v.kind}) was not visible in ${missing.join(' nor ')} while it lasted`);
    if (!v.cleared) out.push(`fault ${v.id} (${v.kind}) never cleared`);
  }
  const alarms = /"alarms":(\[[^\]]*\])/.exec(c.finalStatus)?.[1];
  if (alarms !== '[]') out.push(`card table: alarms still raised after the faults: ${alarms ?? `no status (${c.finalStatus.slice(0, 200)})`}`);
  return out;
}

export function writeReport(dir: string, r: ChaosReport): string {
  const faults = r.windows.map((w) => ({ atMs: w.fromMs, durationMs: w.toMs - w.fromMs, kind: w.kind }));
  const byRole = (suffix: string, scale = 1) =>
    Object.entries(r.series)
      .filter(([name]) => name.endsWith(suffix))
      .map(([name, points]) => ({ name: name.slice(0, -suffix.length), points: points.map((p) => ({ t: p.t, v: p.v / scale, pid: p.pid })) }));
  writeChart(join(dir, 'rss'), { title: 'Resident memory per process', unit: 'MiB', lines: byRole('.rss', 1 << 20), faults });
  writeChart(join(dir, 'fds'), { title: 'Open file descriptors per process', unit: 'count', lines: byRole('.fds'), faults });
  writeChart(join(dir, 'threads'), { title: 'Threads per process', unit: 'count', lines: byRole('.threads'), faults });
  writeChart(join(dir, 'loop-lag'), { title: 'Appliance event loop lag p99', unit: 'ms', lines: [{ name: 'appliance', points: r.loopLagP99Ms }], faults });
  writeChart(join(dir, 'undelivered'), { title: 'Journal events not yet delivered', unit: 'events', lines: [{ name: 'undelivered', points: r.undelivered }], faults });
  const { series: _series, applianceLog, events, cardLog: _cardLog, ...rest } = r;
  writeFileSync(join(dir, 'report.json'), JSON.stringify(rest, null, 1));
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'appliance.log'), applianceLog);
  if (r.cardLog !== undefined) writeFileSync(join(dir, 'card-appliance.log'), r.cardLog);
  const problems = verdict(r);
  const lines = [
    `# Chaos soak, seed ${r.seed}`,
    '',
    `${r.realMinutes.toFixed(1)} real minutes = ${r.simulatedHours.toFixed(1)} simulated hours; ${r.faults.filter((f) => !f.skipped).length} faults: ${JSON.stringify(r.faultCounts)}`,
    `wheel: ${r.wheel.games} games, ${r.wheel.results} results; subscriber: ${r.subscriber.events} events, ${r.subscriber.results} results, voids ${JSON.stringify(r.subscriber.voids)}, ${r.subscriber.duplicates} duplicate deliveries (removed by id), ${r.subscriber.missedInFaults} results missed while the box was down or deaf, refused while the table said it was suspended ${JSON.stringify(r.subscriber.refusedWhileSuspended)}`,
    `wheel-to-subscriber ms: quiet p50 ${quantile(r.latencyMs.quiet, 0.5)} p99 ${quantile(r.latencyMs.quiet, 0.99)}; all p50 ${quantile(r.latencyMs.all, 0.5)} p99 ${quantile(r.latencyMs.all, 0.99)}`,
    ...(r.cards ? [`card table: ${r.cards.rounds} rounds, ${r.cards.results} results (the clip's), voids ${JSON.stringify(r.cards.voids)} during ${JSON.stringify(r.cards.voidedDuring)}, ${r.cards.unreadableReads} junk shoe reads refused, ${r.cards.duplicates} duplicate deliveries (removed by id); faults visible in status and /metrics: ${r.cards.visibility.filter((v) => v.inStatus && v.inMetrics && v.cleared).length} of ${r.cards.visibility.length}; video received: SRT ${r.cards.received.srt} stamp chunks, WHIP ${r.cards.received.whip} frames`] : []),
    `pitbox tail: exit ${r.tail.exit}, verified ${JSON.stringify(r.tail.events)}${r.tail.violation ? `, VIOLATION ${r.tail.violation}` : ''}`,
    `event loop lag p99 (ms, sampled): median ${quantile(r.loopLagP99Ms.map((p) => p.v), 0.5).toFixed(1)}, max ${Math.max(0, ...r.loopLagP99Ms.map((p) => p.v)).toFixed(1)}`,
    '',
    '| series | %/real hour | per simulated day | segments |',
    '|---|---|---|---|',
    ...Object.entries(r.growth).map(([n, g]) => (g ? `| ${n} | ${g.percentPerHour.toFixed(2)} | ${(g.slopePerSimDay / (1 << 20)).toFixed(2)} MiB | ${g.segments} |` : `| ${n} | too short to fit | | |`)),
    '',
    problems.length ? `## FAILED\n\n${problems.map((p) => `- ${p}`).join('\n')}` : '## Passed: nothing lost, nothing duplicated, nothing unverified, nothing left running',
    '',
    '![rss](rss.png) ![fds](fds.png) ![threads](threads.png) ![loop lag](loop-lag.png) ![undelivered](undelivered.png)',
    '',
  ];
  writeFileSync(join(dir, 'README.md'), lines.join('\n'));
  return lines.join('\n');
}
