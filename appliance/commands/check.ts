import { ConfigError, loadConfig } from '../config/load.js';

/** `pitbox config check FILE`: the technician's first step after editing a table's YAML. */
export function checkCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write('pitbox config check: FILE is required\n');
    return Promise.resolve(2);
  }
  try {
    const config = loadConfig(file);
    process.stdout.write(`${file}: ok (${config.studio}/${config.table}, ${config.game}, wheel ${config.wheel.driver} on ${config.wheel.port})\n`);
    return Promise.resolve(0);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return Promise.resolve(2);
  }
}
