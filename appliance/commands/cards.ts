import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { enrol, ENROL_USAGE } from './cards-enrol.js';
import { cascadesOf, checkPositions } from '../table/card-table.js';
import { ModelError } from '../recognition/classifier.js';
import { modelSpecOption } from '../recognition/deck.js';
import { drawPositions } from '../recognition/calibration.js';
import { type ImageScore, parseTruthCsv, scoreImage, summarise, type Summary, TruthError, type TruthRow } from '../recognition/evaluation.js';
import { readPositions, type Cascades, type Positions } from '../recognition/positions.js';
import { inside } from '../recognition/quad.js';
import { ImageError, CardRecognizer, readImage, type FoundCard } from '../recognition/recognizer.js';

const USAGE = `usage: pitbox cards recognize IMAGE... [--json]
       pitbox cards calibrate --config FILE --image STILL.png --out OVERLAY.png
       pitbox cards evaluate DIR [--csv FILE] [--config FILE] [--threshold P] [--corner-threshold P] [--back-threshold P] [--worst N] [--json]
       ${ENROL_USAGE}`;

/** `pitbox cards recognize|calibrate`: the recogniser on stills, and the positions drawn for the technician. */
export async function cardsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'recognize') return recognize(rest);
  if (sub === 'calibrate') return calibrate(rest);
  if (sub === 'evaluate') return evaluate(rest);
  if (sub === 'enrol') return enrol(rest);
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
    if (config.game === 'roulette') throw new ConfigError(values.config, ['game: calibration is for card tables (baccarat, blackjack, dragon-tiger)']);
    const positions = checkPositions(config, values.config);
    const image = readImage(values.image);
    const recognizer = await CardRecognizer.load(modelSpecOption(config));
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

/**
 * `pitbox cards evaluate DIR`: the recogniser on a folder of stills against a CSV of the cards in
 * each (DIR/cards.csv unless --csv; format in recognition/evaluation.ts). With --config, rows
 * that name a position are scored on what the table would read there (cascades in deal order).
 */
async function evaluate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      csv: { type: 'string' },
      config: { type: 'string', short: 'c' },
      threshold: { type: 'string' },
      'corner-threshold': { type: 'string' },
      'back-threshold': { type: 'string' },
      worst: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
    },
  });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const csvPath = values.csv ?? join(dir, 'cards.csv');
  let rows: TruthRow[];
  let positions: Positions | null = null;
  let cascades: Cascades = {};
  // The generic reader (or --model), and beside it the table's enrolled deck when --config names one.
  const readers: { label: string; spec?: string }[] = [{ label: values.model ? values.model : 'generic reader', ...(values.model ? { spec: values.model } : {}) }];
  try {
    rows = parseTruthCsv(readFileSync(csvPath, 'utf8'), csvPath);
    if (values.config) {
      const config = loadConfig(values.config);
      if (config.game === 'roulette') throw new ConfigError(values.config, ['game: evaluation is for card tables (baccarat, blackjack, dragon-tiger)']);
      positions = checkPositions(config, values.config);
      cascades = cascadesOf(config);
      const table = modelSpecOption(config).modelSpec;
      if (table !== undefined && !values.model) readers.push({ label: config.cards.deck ? `deck ${config.cards.deck}` : table, spec: table });
    }
    const unknown = rows.find((r) => r.position !== null && !(positions && positions[r.position]));
    if (unknown) throw new TruthError(`${csvPath}: ${unknown.image} names position "${unknown.position}": ${positions ? 'not a position of the config' : 'positions need --config FILE'}`);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`pitbox cards: ${e.code === 'ENOENT' ? `cannot read ${csvPath}: ${e.message}` : e.message}\n`);
    return err instanceof TruthError || e.code === 'ENOENT' ? 2 : 1;
  }
  const detector = {
    ...(values['corner-threshold'] ? { cornerThreshold: Number(values['corner-threshold']) } : {}),
    ...(values['back-threshold'] ? { backThreshold: Number(values['back-threshold']) } : {}),
  };
  // --threshold as a table's cards.threshold: the recogniser itself reads at it, up or down.
  const threshold = values.threshold ? { threshold: Number(values.threshold) } : {};
  const results: { label: string; threshold: number; summary: Summary; failed: number }[] = [];
  for (const reader of readers) {
    let recognizer: CardRecognizer;
    try {
      recognizer = await CardRecognizer.load({ ...(reader.spec ? { modelSpec: reader.spec } : {}), ...threshold, detector });
    } catch (err) {
      process.stderr.write(`pitbox cards: ${(err as Error).message}\n`);
      return 1;
    }
    try {
      const { scores, failed } = await scoreStills(recognizer, dir, rows, positions, cascades);
      results.push({ label: reader.label, threshold: recognizer.classifier.spec.threshold, summary: summarise(scores, Number(values.worst)), failed });
    } finally {
      await recognizer.close();
    }
  }
  const [first, enrolled] = results as [(typeof results)[number], (typeof results)[number] | undefined];
  if (values.json) {
    const json = (r: typeof first) => ({ threshold: r.threshold, unreadableImages: r.failed, ...r.summary });
    process.stdout.write(`${JSON.stringify({ dir, csv: csvPath, ...json(first), ...(enrolled ? { enrolled: { reader: enrolled.label, ...json(enrolled) } } : {}) })}\n`);
  } else {
    for (const r of results) process.stdout.write(`${results.length > 1 ? `${r.label}:\n` : ''}${describeSummary(dir, r.threshold, r.summary, r.failed)}`);
    if (enrolled) {
      const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
      process.stdout.write(`side by side: read ${pct(first.summary.recall)} (${first.summary.wrong} wrong) with the generic reader, ${pct(enrolled.summary.recall)} (${enrolled.summary.wrong} wrong) with ${enrolled.label}\n`);
    }
  }
  return results.some((r) => r.failed > 0) ? 1 : 0;
}

/** The recogniser on every still of the truth rows, scored (stills it cannot decode are counted, not scored). */
async function scoreStills(recognizer: CardRecognizer, dir: string, rows: readonly TruthRow[], positions: Positions | null, cascades: Cascades): Promise<{ scores: ImageScore[]; failed: number }> {
  const scores: ImageScore[] = [];
  let failed = 0;
  const byImage = new Map<string, TruthRow[]>();
  for (const r of rows) byImage.set(r.image, [...(byImage.get(r.image) ?? []), r]);
  for (const [image, truths] of byImage) {
    let found: FoundCard[];
    const t0 = performance.now();
    try {
      found = await recognizer.recognizeFile(join(dir, image));
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      failed += 1;
      process.stderr.write(`pitbox cards: ${err.message}\n`);
      continue;
    }
    const ms = performance.now() - t0;
    for (const truth of truths) {
      if (truth.position === null) {
        const whole = truths.length === 1 ? found : found.filter((f) => !Object.values(positions ?? {}).some((p) => inside(f.centre, p)));
        scores.push(scoreImage(truth, { sure: whole.flatMap((c) => (c.card === null ? [] : [c.card])), unsure: whole.filter((c) => c.card === null).map((c) => c.best) }, ms));
      } else {
        const readings = readPositions(found, { [truth.position]: positions![truth.position]! }, cascades);
        scores.push(scoreImage(truth, { sure: readings.flatMap((r) => (r.card === null ? [] : [r.card])), unsure: readings.filter((r) => r.card === null).map(() => '?') }, ms));
      }
    }
  }
  return { scores, failed };
}

function describeSummary(dir: string, threshold: number, s: Summary, failed: number): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  const lines = [
    `${dir}: ${s.images} stills, ${s.cards} cards to read (threshold ${threshold})${failed ? `; ${failed} stills could not be read` : ''}`,
    `  read right   ${String(s.read).padStart(6)}   recall ${pct(s.recall)}`,
    `  read WRONG   ${String(s.wrong).padStart(6)}   precision ${pct(s.precision)}`,
    `  abstained    ${String(s.abstained).padStart(6)}   ${pct(s.abstainRate)} of the cards found; worst still ${pct(s.worstAbstainRate)}`,
    `  not found    ${String(s.missed - s.wrong).padStart(6)}`,
    `  median time per still ${s.medianMs.toFixed(1)} ms (decode included)`,
  ];
  const conf = Object.entries(s.confusions).sort((a, b) => b[1] - a[1]);
  if (conf.length) lines.push(`  confusions (true -> read): ${conf.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (s.worst.length) {
    lines.push('  worst stills:');
    for (const w of s.worst) {
      const what = [w.wrong.length ? `WRONG ${w.wrong.join(' ')}` : '', w.missed.length ? `missed ${w.missed.join(' ')}` : '', w.abstained ? `${w.abstained} abstained` : ''].filter(Boolean).join('; ');
      lines.push(`    ${w.image}${w.position ? ` [${w.position}]` : ''}: ${w.read}/${w.expected} read; ${what}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
