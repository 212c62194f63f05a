import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { isCard } from '../cards/card.js';
import type { CornerDetectorOptions } from './corner-detector.js';
import { PATCH_H, PATCH_SIZE, PATCH_W } from './corner-patch.js';

/** The corner reader's half of models/cards.json. */
export interface ModelSpec {
  readonly model: string;
  readonly sha256: string;
  readonly input: string;
  readonly output: string;
  readonly classes: readonly string[];
  /** Below this softmax probability the recogniser says "unknown" instead of a card. */
  readonly threshold: number;
  /** The same for a card seen by one index only (the other covered): stricter. */
  readonly singleThreshold?: number;
}

/** models/cards.json: the machine-readable half of the model card (detector and reader). */
export interface ModelsSpec {
  readonly detector: CornerDetectorOptions & { readonly model: string; readonly sha256: string };
  readonly reader: ModelSpec;
}

/** What the reader says about one index corner. */
export interface Reading {
  /** A card ("TH"), or null: not sure (abstained), or not an index at all. */
  readonly card: string | null;
  /** Probability of the best class. */
  readonly confidence: number;
  /** The best class even when abstaining ("--" means "not an index"): for diagnostics and evaluation. */
  readonly best: string;
}

export const NOT_A_CARD = '--';
/** models/cards.json of this install: found upwards from here (run from source, or from dist/). */
export const DEFAULT_MODEL_SPEC = findUp(dirname(fileURLToPath(import.meta.url)), 'models/cards.json');

function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) return join(from, '../../..', relative); // reported as missing when loaded
  }
}

export class ModelError extends Error {}

export function loadModelSpec(path = DEFAULT_MODEL_SPEC): ModelsSpec {
  let spec: ModelsSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as ModelsSpec;
  } catch (err) {
    throw new ModelError(`cannot read the card model description ${path}: ${(err as Error).message}`);
  }
  if (typeof spec.detector?.model !== 'string' || typeof spec.reader?.model !== 'string') throw new ModelError(`${path}: needs a "detector" and a "reader" model`);
  const bad = spec.reader.classes.find((c) => c !== NOT_A_CARD && !isCard(c));
  if (bad !== undefined) throw new ModelError(`${path}: class "${bad}" is not a card or --`);
  if (!(spec.reader.threshold > 0 && spec.reader.threshold < 1)) throw new ModelError(`${path}: threshold must be between 0 and 1`);
  for (const k of ['cornerThreshold', 'backThreshold'] as const) {
    if (!(spec.detector[k] > 0 && spec.detector[k] < 1)) throw new ModelError(`${path}: detector.${k} must be between 0 and 1`);
  }
  return spec;
}

/** An ONNX file as described: refused unless its sha256 is the one in the description. */
export function readModel(specPath: string, model: { readonly model: string; readonly sha256: string }): Buffer {
  const modelPath = resolve(dirname(specPath), model.model);
  let bytes: Buffer;
  try {
    bytes = readFileSync(modelPath);
  } catch (err) {
    throw new ModelError(`cannot read the card model ${modelPath}: ${(err as Error).message}`);
  }
  // The model decides which card is reported: refuse one that is not the described model.
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== model.sha256) throw new ModelError(`${modelPath} has sha256 ${sha}, but ${specPath} describes ${model.sha256}`);
  return bytes;
}

export async function ortSession(bytes: Buffer, threads: number): Promise<{ ort: typeof Ort; session: Ort.InferenceSession }> {
  // Loaded here, not at import: every CLI command imports this module, few recognise cards.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return { ort, session };
}

/**
 * The ONNX corner reader: every index corner of a frame in one batched run. One intra-op thread by default: the box
 * has two cores and the cameras' encoders need the other.
 */
export class CardClassifier {
  /** The network's own time on the last batch, ms (the benchmark's profile). */
  lastRunMs = 0;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly spec: ModelSpec,
  ) {}

  /** `threshold`: a table's own (cards.threshold) in place of the model's; a single index's stays at least as strict. */
  static async load(specPath = DEFAULT_MODEL_SPEC, threads = 1, threshold?: number): Promise<CardClassifier> {
    const described = loadModelSpec(specPath).reader;
    const spec = threshold === undefined ? described : { ...described, threshold, singleThreshold: Math.max(threshold, described.singleThreshold ?? described.threshold) };
    const { ort, session } = await ortSession(readModel(specPath, described), threads);
    return new CardClassifier(ort, session, spec);
  }

  /** `batch` holds `count` corner patches of PATCH_SIZE floats (see corner-patch.ts). */
  async classify(batch: Float32Array, count: number): Promise<Reading[]> {
    if (count === 0) return [];
    const input = new this.ort.Tensor('float32', batch.subarray(0, count * PATCH_SIZE), [count, 3, PATCH_H, PATCH_W]);
    const t0 = performance.now();
    const out = await this.session.run({ [this.spec.input]: input });
    this.lastRunMs = performance.now() - t0;
    const logits = out[this.spec.output]!.data as Float32Array;
    const n = this.spec.classes.length;
    const readings: Reading[] = [];
    for (let i = 0; i < count; i++) {
      const row = logits.subarray(i * n, (i + 1) * n);
      let best = 0;
      for (let c = 1; c < n; c++) if (row[c]! > row[best]!) best = c;
      let sum = 0;
      for (let c = 0; c < n; c++) sum += Math.exp(row[c]! - row[best]!);
      const confidence = 1 / sum;
      const label = this.spec.classes[best]!;
      const sure = confidence >= this.spec.threshold && label !== NOT_A_CARD;
      readings.push({ card: sure ? label : null, confidence, best: label });
    }
    return readings;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
