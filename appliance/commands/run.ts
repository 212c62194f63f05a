import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { JournalError } from '../journal/journal.js';
import { createLogger } from '../log.js';
import { KeyError } from '../signing/keyring.js';
import { CardTable } from '../table/card-table.js';
import { RouletteTable } from '../table/roulette-table.js';
import { ModelError } from '../recognition/classifier.js';
import { SystemdNotifier } from '../ops/sd-notify.js';
import { startTestLeak } from '../ops/test-leak.js';

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

  const notify = SystemdNotifier.fromEnv(log);
  startTestLeak(process.env, log);
  try {
    await table.start(abort.signal);
  } catch (err) {
    notify?.stopping(`cannot start: ${(err as Error).message}`);
    await table.stop();
    notify?.close();
    if (abort.signal.aborted) return 0;
    const fatal = err instanceof JournalError || err instanceof ConfigError || err instanceof KeyError || err instanceof ModelError;
    log.fatal({ err: (err as Error).message }, fatal ? 'cannot start' : 'start-up failed');
    process.stderr.write(`pitbox: ${(err as Error).message}\n`);
    return 1;
  }
  notify?.ready(table.health().summary);
  const heartbeat = notify ? startHeartbeat(notify, table, log) : null;
  await stopped;
  if (heartbeat) clearInterval(heartbeat);
  notify?.stopping('stopping: committing the journal');
  await table.stop();
  notify?.close();
  log.info('stopped');
  return 0;
}

/**
 * The watchdog's heartbeat: a timer on the event loop (a blocked loop sends nothing) that pings
 * only while the table says it can work; STATUS follows the table's summary when it changes.
 */
function startHeartbeat(notify: SystemdNotifier, table: { health(): { problem: string | null; summary: string } }, log: ReturnType<typeof createLogger>): NodeJS.Timeout {
  let lastStatus = '';
  let lastProblem: string | null = null;
  const every = notify.watchdogEveryMs ?? 10_000;
  return setInterval(() => {
    const { problem, summary } = table.health();
    if (problem !== lastProblem) {
      if (problem) log.error({ problem }, 'heartbeat failed: withholding the watchdog ping, systemd will restart the table');
      lastProblem = problem;
    }
    if (problem === null && notify.watchdogEveryMs !== null) notify.watchdog();
    const status = problem ?? summary;
    if (status !== lastStatus) notify.status(status);
    lastStatus = status;
  }, every);
}
