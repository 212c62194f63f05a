import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { JournalError } from '../journal/journal.js';
import { createLogger } from '../log.js';
import { KeyError } from '../signing/keyring.js';
import { CardTable } from '../table/card-table.js';
import { RouletteTable } from '../table/roulette-table.js';
import { ModelError } from '../cards/recognition/classifier.js';

/** `pitbox run --config FILE`: runs until SIGTERM/SIGINT. Exit 2 on a bad config, 1 on a fatal error. */
export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  if (!values.config) {
    process.stderr.write('pitbox run: --config FILE is required\n');
    return 2;
  }
  let config;
  try {
    config = loadConfig(values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const log = createLogger(config.log.level).child({ studio: config.studio, table: config.table });
  const table = config.game === 'roulette' ? new RouletteTable(config, values.config, log) : new CardTable(config, values.config, log);
  const abort = new AbortController();
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'stopping');
      abort.abort(new Error(`${signal} during start-up`));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });

  try {
    await table.start(abort.signal);
  } catch (err) {
    await table.stop();
    if (abort.signal.aborted) return 0;
    const fatal = err instanceof JournalError || err instanceof ConfigError || err instanceof KeyError || err instanceof ModelError;
    log.fatal({ err: (err as Error).message }, fatal ? 'cannot start' : 'start-up failed');
    process.stderr.write(`pitbox: ${(err as Error).message}\n`);
    return 1;
  }
  await stopped;
  await table.stop();
  log.info('stopped');
  return 0;
}
