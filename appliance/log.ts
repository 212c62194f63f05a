import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths of secrets anywhere in a logged object. Secrets are read from files and should never
 * reach a log call, but a config object logged whole must not leak one either.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'passwordFile',
  '*.passwordFile',
  'key',
  '*.key',
  '*.*.key',
  'privateKey',
  '*.privateKey',
  'authorization',
  '*.authorization',
];

/**
 * JSON lines to stdout: journald takes them from there under systemd. One root logger per
 * process; each part takes a child with its `module` name.
 */
export function createLogger(level: string, destination: pino.DestinationStream | number = 1): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination);
}

/** A logger that drops everything: for tests and tools that print their own output. */
export const silentLogger: Logger = pino({ level: 'silent' });
