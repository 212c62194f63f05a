import { ConfigError, loadConfig } from '../config/load.js';
import { checkPositions } from '../table/card-table.js';

/** `pitbox config check FILE`: the technician's first step after editing a table's YAML. */
export function checkCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write('pitbox config check: FILE is required\n');
    return Promise.resolve(2);
  }
  try {
    const config = loadConfig(file);
    if (config.game !== 'roulette') checkPositions(config, file);
    const input = config.game === 'roulette' ? `wheel ${config.wheel.driver} on ${config.wheel.port}` : cardSources(config.cards);
    process.stdout.write(`${file}: ok (${config.studio}/${config.table}, ${config.game}, ${input})\n`);
    return Promise.resolve(0);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return Promise.resolve(2);
  }
}

function cardSources(cards: { source: string; camera?: string | undefined; positions: object; shoe?: { driver: string } | undefined }): string {
  const camera = `camera ${cards.camera}, ${Object.keys(cards.positions).length} positions`;
  const shoe = `a ${cards.shoe?.driver ?? 'missing'} shoe`;
  return `cards from ${cards.source === 'camera' ? camera : cards.source === 'shoe' ? shoe : `${camera} and ${shoe}`}`;
}
