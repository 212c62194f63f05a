import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { Journal, JournalError } from '../journal/journal.js';
import { usedBytes } from '../journal/retention.js';

/**
 * `pitbox journal init --config FILE`: creates the journal of a new table, once. `pitbox run`
 * never creates one, so a journal that went missing is noticed instead of restarting at seq 1.
 * `pitbox journal info --config FILE`: where the journal stands.
 */
export function journalCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
  if (!values.config || (action !== 'init' && action !== 'info')) {
    process.stderr.write('usage: pitbox journal init|info --config FILE\n');
    return Promise.resolve(2);
  }
  try {
    const config = loadConfig(values.config);
    const opts = { path: config.journal.path, studio: config.studio, table: config.table };
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
