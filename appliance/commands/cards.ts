import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { checkPositions } from '../table/card-table.js';
import { ModelError } from '../cards/recognition/classifier.js';
import { drawPositions } from '../cards/recognition/calibration.js';
import { ImageError, CardRecognizer, readImage, type FoundCard } from '../cards/recognition/recognizer.js';

const USAGE = `usage: pitbox cards recognize IMAGE... [--json] [--threshold P]
       pitbox cards calibrate --config FILE --image STILL.png --out OVERLAY.png`;

/** `pitbox cards recognize|calibrate`: the recogniser on stills, and the positions drawn for the technician. */
export async function cardsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'recognize') return recognize(rest);
  if (sub === 'calibrate') return calibrate(rest);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

async function recognize(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, model: { type: 'string' } } });
  if (positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let recognizer: CardRecognizer;
  try {
    recognizer = await CardRecognizer.load(values.model ? { modelSpec: values.model } : {});
  } catch (err) {
    process.stderr.write(`pitbox cards: ${(err as Error).message}\n`);
    return 1;
  }
  let failed = 0;
  try {
    for (const file of positionals) {
      let found: FoundCard[];
      try {
        found = await recognizer.recognizeFile(file);
      } catch (err) {
        if (!(err instanceof ImageError)) throw err;
        failed += 1;
        process.stderr.write(`pitbox cards: ${err.message}\n`);
        if (values.json) process.stdout.write(`${JSON.stringify({ image: file, error: err.message })}\n`);
        continue;
      }
      if (values.json) {
        const cards = found.map((c) => ({ card: c.card ?? 'unknown', confidence: round(c.confidence, 4), corners: c.corners.map((p) => [round(p.x, 1), round(p.y, 1)]) }));
        process.stdout.write(`${JSON.stringify({ image: file, cards })}\n`);
      } else {
        process.stdout.write(`${file}: ${found.length} card${found.length === 1 ? '' : 's'}\n`);
        for (const c of found) {
          const label = c.card === null ? `unknown (best guess ${c.best})` : c.card === 'XX' ? 'XX (face down)' : c.card;
          const corners = c.corners.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`).join(' ');
          process.stdout.write(`  ${label.padEnd(26)} ${(c.confidence * 100).toFixed(1).padStart(5)}%  at ${corners}\n`);
        }
      }
    }
  } finally {
    await recognizer.close();
  }
  return failed > 0 ? 1 : 0;
}

async function calibrate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, image: { type: 'string' }, out: { type: 'string', short: 'o' }, recognize: { type: 'boolean', default: true } } });
  if (!values.config || !values.image || !values.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const config = loadConfig(values.config);
    if (config.game === 'roulette') throw new ConfigError(values.config, ['game: calibration is for card tables (baccarat, blackjack)']);
    const positions = checkPositions(config, values.config);
    const image = readImage(values.image);
    const recognizer = await CardRecognizer.load(config.cards.model ? { modelSpec: config.cards.model } : {});
    const found = await recognizer.recognize(image);
    await recognizer.close();
    const report = drawPositions(image, positions, found, values.out);
    process.stdout.write(`${values.out}: ${Object.keys(positions).length} positions drawn on ${image.cols}x${image.rows}\n`);
    for (const line of report) process.stdout.write(`  ${line}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
    if (err instanceof ImageError || err instanceof ModelError) {
      process.stderr.write(`pitbox cards: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
