import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config/load.js';
import { verifyChain } from '../journal/integrity.js';
import { Journal, JournalError } from '../journal/journal.js';
import { usedBytes } from '../journal/retention.js';

/**
 * `pitbox journal init --config FILE`: creates the journal of a new table, once. `pitbox run`
 * never creates one, so a journal that went missing is noticed instead of restarting at seq 1.
 * `pitbox journal info --config FILE`: where the journal stands.
 * `pitbox journal verify --config FILE [--json]`: every kept event's chain and signature, the
 * counter and the keys; read-only, so it runs beside the appliance. Exit 1 names the first bad seq.
 */
export function journalCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } } });
  if (!values.config || (action !== 'init' && action !== 'info' && action !== 'verify')) {
    process.stderr.write('usage: pitbox journal init|info|verify --config FILE [--json]\n');
    return Promise.resolve(2);
  }
  try {
    const config = loadConfig(values.config);
    const opts = { path: config.journal.path, studio: config.studio, table: config.table };
    if (action === 'verify') return Promise.resolve(verify(opts.path, values.json === true));
    const journal = action === 'init' ? Journal.create(opts) : Journal.open(opts);
    const info = {
      path: journal.path,
      studio: config.studio,
      table: config.table,
      lastSeq: journal.lastSeq(),
      oldestSeq: journal.oldestSeq(),
      undelivered: journal.countUndelivered(),
      usedBytes: usedBytes(journal),
      activeKid: journal.activeKid(),
    };
    journal.close();
    process.stdout.write(`${action === 'init' ? 'created ' : ''}${JSON.stringify(info)}\n`);
    return Promise.resolve(0);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return Promise.resolve(2);
    }
    if (!(err instanceof JournalError)) throw err;
    process.stderr.write(`pitbox journal: ${err.message}\n`);
    return Promise.resolve(1);
  }
}

function verify(path: string, json: boolean): number {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new JournalError(`cannot open journal ${path}: ${(err as Error).message}`);
  }
  const t0 = performance.now();
  let report;
  try {
    report = verifyChain(db, path);
  } finally {
    db.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = seconds > 0 ? Math.round(report.checked / seconds) : report.checked;
  if (json) {
    process.stdout.write(`${JSON.stringify({ path, ...report, ok: report.problem === null, seconds: Number(seconds.toFixed(3)), eventsPerSecond: perSecond })}\n`);
  } else if (report.problem) {
    process.stdout.write(`${path}: BROKEN at seq ${report.problem.seq}: ${report.problem.reason} (${report.checked} events before it verified)\n`);
  } else {
    process.stdout.write(`${path}: ok, events ${report.fromSeq}-${report.toSeq} (${report.checked}) chained and signed, ${seconds.toFixed(1)} s, ${perSecond} events/s\n`);
  }
  return report.problem ? 1 : 0;
}
