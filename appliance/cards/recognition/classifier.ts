import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { isCard, FACE_DOWN } from '../card.js';
import { INPUT_H, INPUT_SIZE, INPUT_W } from './card-input.js';

/** models/cards.json: the machine-readable half of the model card. */
export interface ModelSpec {
  readonly model: string;
  readonly sha256: string;
  readonly input: string;
  readonly output: string;
  readonly classes: readonly string[];
  /** Below this softmax probability the recogniser says "unknown" instead of a card. */
  readonly threshold: number;
}

/** What the model says about one detection. */
export interface Reading {
  /** A card ("TH"), "XX" face-down, or null: not sure (abstained), or not a card at all. */
  readonly card: string | null;
  /** Probability of the best class. */
  readonly confidence: number;
  /** The best class even when abstaining ("--" means "not a card"): for diagnostics and evaluation. */
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

export function loadModelSpec(path = DEFAULT_MODEL_SPEC): ModelSpec {
  let spec: ModelSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as ModelSpec;
  } catch (err) {
    throw new ModelError(`cannot read the card model description ${path}: ${(err as Error).message}`);
  }
  const bad = spec.classes.find((c) => c !== NOT_A_CARD && c !== FACE_DOWN && !isCard(c));
  if (bad !== undefined) throw new ModelError(`${path}: class "${bad}" is not a card, XX or --`);
  if (!(spec.threshold > 0 && spec.threshold < 1)) throw new ModelError(`${path}: threshold must be between 0 and 1`);
  return spec;
}

/**
 * The ONNX card classifier: one batched run per frame. One intra-op thread by default: the box
 * has two cores and the cameras' encoders need the other.
 */
export class CardClassifier {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly spec: ModelSpec,
  ) {}

  static async load(specPath = DEFAULT_MODEL_SPEC, threads = 1): Promise<CardClassifier> {
    const spec = loadModelSpec(specPath);
    const modelPath = resolve(dirname(specPath), spec.model);
    let bytes: Buffer;
    try {
      bytes = readFileSync(modelPath);
    } catch (err) {
      throw new ModelError(`cannot read the card model ${modelPath}: ${(err as Error).message}`);
    }
    // The model decides which card is reported: refuse one that is not the described model.
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== spec.sha256) throw new ModelError(`${modelPath} has sha256 ${sha}, but ${specPath} describes ${spec.sha256}`);
    // Loaded here, not at import: every CLI command imports this module, few recognise cards.
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new CardClassifier(ort, session, spec);
  }

  /** `batch` holds `count` inputs of INPUT_SIZE floats (see card-input.ts). */
  async classify(batch: Float32Array, count: number): Promise<Reading[]> {
    if (count === 0) return [];
    const input = new this.ort.Tensor('float32', batch.subarray(0, count * INPUT_SIZE), [count, 3, INPUT_H, INPUT_W]);
    const out = await this.session.run({ [this.spec.input]: input });
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
