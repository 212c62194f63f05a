/**
 * The chaos soak (issue 24), the long version: a roulette table on real parts under a seeded
 * storm of faults, with growth figures and charts.
 *
 *   node --import tsx scripts/chaos.ts [--minutes 120] [--speed 360] [--seed 1] [--per-minute 5] [--out chaos-report] [--roulette-only]
 *
 * Exit 0 when nothing was lost, duplicated, unverified or left running and no process grew;
 * 1 otherwise (the report says why). Run as root: the journal gets a tmpfs of its own.
 */
import { parseArgs } from 'node:util';
import { reportDir, runChaos } from './chaos/run-chaos.js';
import { verdict, writeReport } from './chaos/report.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '120' },
    speed: { type: 'string', default: '360' },
    seed: { type: 'string', default: '1' },
    'per-minute': { type: 'string', default: '5' },
    'max-fault-s': { type: 'string' },
    'leak-kb-per-s': { type: 'string' },
    out: { type: 'string', default: 'chaos-report' },
    // The roulette table alone, as before the card table joined the soak.
    'roulette-only': { type: 'boolean', default: false },
  },
});
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const report = await runChaos({
  seed: Number(values.seed),
  minutes: Number(values.minutes),
  speed: Number(values.speed),
  perMinute: Number(values['per-minute']),
  ...(values['max-fault-s'] ? { maxFaultMs: Number(values['max-fault-s']) * 1000 } : {}),
  ...(values['leak-kb-per-s'] ? { leakKbPerSecond: Number(values['leak-kb-per-s']) } : {}),
  cardTable: !values['roulette-only'],
  log,
});
console.log(writeReport(reportDir(values.out), report));
process.exit(verdict(report).length ? 1 : 0);
