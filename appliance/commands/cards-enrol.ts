import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { CardClassifier, ModelError } from '../recognition/classifier.js';
import { deckDir, tableStateDir } from '../recognition/deck.js';
import { LAYOUT_DESCRIPTION } from '../recognition/enrol-layout.js';
import { readLayout, writeArtAndSheet } from '../recognition/enrol.js';
import { checkTrainingTools, EnrolError, type EnrolReport, trainDeckReader } from '../recognition/enrol-training.js';
import { ImageError, readImage } from '../recognition/recognizer.js';

export const ENROL_USAGE = `pitbox cards enrol --config FILE --deck NAME STILL... [--minutes 20] [--check-only]
                                       learn the studio's own deck: lay it out as ${LAYOUT_DESCRIPTION}; one still of the four rows, or one still per row in that order`;

/**
 * `pitbox cards enrol`: cuts the laid-out deck from the stills, checks the layout (52 different
 * faces, in order; a missing, swapped or duplicated card named), writes the contact sheet and the
 * art, then (unless --check-only, or the check failed) fine-tunes the reader on the deck for
 * --minutes and writes it, with its thresholds and report, to the table's state directory:
 * decks/NAME/cards.json, which `cards.deck: NAME` in the table's YAML selects.
 */
export async function enrol(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, deck: { type: 'string' }, minutes: { type: 'string', default: '20' }, 'check-only': { type: 'boolean', default: false } },
  });
  const minutes = Number(values.minutes);
  if (!values.config || !values.deck || positionals.length === 0 || !(minutes > 0)) {
    process.stderr.write(`usage: ${ENROL_USAGE}\n`);
    return 2;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(values.deck) || values.deck.startsWith('.')) {
    process.stderr.write(`pitbox cards enrol: --deck "${values.deck}": letters, digits, "_", "." and "-" only (it names a directory)\n`);
    return 2;
  }
  try {
    const config = loadConfig(values.config);
    if (config.game === 'roulette') throw new ConfigError(values.config, ['game: decks are enrolled for card tables (baccarat, blackjack)']);
    if (!values['check-only']) checkTrainingTools(); // before the person lays out and checks everything
    const dir = deckDir(tableStateDir(config), values.deck);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const stills = positionals.map((p) => readImage(p));
    const reader = await CardClassifier.load();
    const deck = await readLayout(stills, reader, reader.spec.threshold);
    await reader.close();
    const sheet = join(dir, 'contact-sheet.png');
    writeArtAndSheet(deck, join(dir, 'art'), sheet);
    const found = deck.faces.flat().filter(Boolean).length;
    process.stdout.write(`${found} card faces cut from ${stills.length} still${stills.length === 1 ? '' : 's'}; contact sheet ${sheet} (look at it: every face under its own name)\n`);
    for (const line of deck.report.lines) process.stdout.write(`  ${line}\n`);
    if (!deck.report.ok) {
      process.stderr.write(`pitbox cards enrol: the layout is not right (above); lay the deck out as ${LAYOUT_DESCRIPTION}, take the still again and rerun. Nothing was trained.\n`);
      return 1;
    }
    process.stdout.write(`layout: 52 different faces in order${deck.report.unconfirmed.length ? ` (${deck.report.unconfirmed.length} not confirmed by the generic reader: check them on the contact sheet)` : ''}\n`);
    if (values['check-only']) return 0;
    const t0 = Date.now();
    const { specPath, report } = await trainDeckReader({ deckDir: dir, artDir: join(dir, 'art'), minutes, progress: bar });
    process.stderr.write('\n');
    const text = describeReport(values.deck, report, (Date.now() - t0) / 1000);
    writeFileSync(join(dir, 'report.txt'), text);
    process.stdout.write(text);
    process.stdout.write(`written: ${specPath}; select it with \`cards.deck: ${values.deck}\` in ${values.config}, then \`pitbox doctor --config ${values.config}\`\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
    if (err instanceof ImageError || err instanceof ModelError || err instanceof EnrolError) {
      process.stderr.write(`pitbox cards enrol: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function bar(done: number, what: string): void {
  const width = 30;
  const n = Math.round(done * width);
  if (process.stderr.isTTY) process.stderr.write(`\r[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${(100 * done).toFixed(0).padStart(3)} % ${what}   `);
}

export function describeReport(deck: string, r: EnrolReport, seconds: number): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  return [
    `deck ${deck}: enrolled in ${(seconds / 60).toFixed(1)} min (${(r.trainedHours * 60).toFixed(1)} min of training)`,
    `  held-out patches of this deck: ${r.test.patches}; top-1 ${pct(r.test.top1)}${r.baseline ? ` (the generic reader: ${pct(r.baseline.top1)})` : ''}`,
    `  one index (singleThreshold ${r.thresholds.singleThreshold}): ${pct(r.test.single.readOfCards)} of card patches read, ${r.test.single.wrong} wrong (95 % bound ${pct(r.test.single.errorUpper95)})`,
    `  two indices (threshold ${r.thresholds.threshold}): ${pct(r.test.pair.readOfCards)} of card patches read, ${r.test.pair.wrong} wrong per index`,
    `  temperature ${r.temperature}; reliability: ${r.reliability.map((b) => `${b.confidence}: ${b.patches} at ${pct(b.accuracy)}`).join('; ')}`,
    '',
  ].join('\n');
}
