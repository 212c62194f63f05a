import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { DEFAULT_MODEL_SPEC, loadModelSpec, ModelError } from './classifier.js';

/**
 * The second half of enrolling a deck: training scenes rendered from the deck's own art through
 * the camera model (models/training/camera_patches.py --deck), the generic reader fine-tuned on
 * them on the box's CPU for a fixed budget (train_camera_reader.py, from models/corner-reader.pt),
 * calibrated and thresholded on patches of the deck it never trained on (calibrate_reader.py),
 * and written as the deck's own cards.json beside its models. Training runs in Debian's Python
 * with python3-torch: the appliance itself never needs it, only a box that enrols.
 */
export interface EnrolTrainingOptions {
  readonly deckDir: string;
  readonly artDir: string;
  readonly minutes: number;
  /** Called about once a second: fraction done (0..1) and what is happening. */
  readonly progress: (done: number, what: string) => void;
  readonly python?: string;
  readonly modelSpec?: string;
}

export interface EnrolResult {
  readonly specPath: string;
  readonly report: EnrolReport;
}

/** calibrate_reader.py's report, plus the generic reader's score on the same patches. */
export interface EnrolReport {
  readonly temperature: number;
  readonly trainedHours: number;
  readonly test: { readonly patches: number; readonly top1: number; readonly single: ReadStats; readonly pair: ReadStats };
  readonly baseline?: { readonly top1: number };
  readonly thresholds: { readonly threshold: number; readonly singleThreshold: number };
  readonly reliability: readonly { confidence: string; patches: number; meanConfidence: number; accuracy: number }[];
}

interface ReadStats {
  readonly threshold: number;
  readonly read: number;
  readonly readOfCards: number;
  readonly wrong: number;
  readonly errorUpper95: number;
}

export class EnrolError extends Error {}

const PY_MODULES = 'import torch, cv2, onnx, numpy';

/** Refuses early, with the packages to install, when this box cannot train. */
export function checkTrainingTools(python = '/usr/bin/python3', modelSpec = DEFAULT_MODEL_SPEC): string {
  const training = join(dirname(modelSpec), 'training');
  if (!existsSync(join(training, 'train_camera_reader.py')) || !existsSync(join(dirname(modelSpec), 'corner-reader.pt'))) {
    throw new EnrolError(`enrolling trains a reader: it needs ${training}/ and ${join(dirname(modelSpec), 'corner-reader.pt')} (a source checkout or the package's models/)`);
  }
  const r = spawnSync(python, ['-c', PY_MODULES], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new EnrolError(`enrolling trains a reader in ${python} with PyTorch: apt-get install python3-torch python3-opencv python3-onnx python3-numpy python3-pil (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`);
  }
  return training;
}

/** Renders, fine-tunes, calibrates and describes the deck's reader; DIR/cards.json at the end. */
export async function trainDeckReader(o: EnrolTrainingOptions): Promise<EnrolResult> {
  const python = o.python ?? '/usr/bin/python3';
  const modelSpec = o.modelSpec ?? DEFAULT_MODEL_SPEC;
  const training = checkTrainingTools(python, modelSpec);
  const models = dirname(modelSpec);
  const work = join(o.deckDir, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const t0 = Date.now();
  const budgetMs = o.minutes * 60_000;
  const tick = setInterval(() => {
    const done = Math.min(0.99, (Date.now() - t0) / budgetMs);
    o.progress(done, done < 0.1 ? 'rendering the deck through the camera model' : done < 0.85 ? 'fine-tuning the reader' : 'calibrating and evaluating');
  }, 1000);
  const run = (args: string[], nice = false): { child: ChildProcess; done: Promise<string> } => {
    const child = spawn(nice ? 'nice' : python, nice ? ['-n', '10', python, ...args] : args, { cwd: training, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<string>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (code === 0 || signal === 'SIGTERM' ? resolve(out) : reject(new EnrolError(`${args[0]} failed (${code ?? signal}):\n${out.trim().split('\n').slice(-8).join('\n')}`))));
    });
    return { child, done };
  };
  // Shards as large as the budget allows rendering several of (a short test budget: small ones).
  const perShard = String(o.minutes >= 10 ? 1024 : 256);
  try {
    // Held-out patches of this deck first (other seeds than training): calibration and test.
    await run(['camera_patches.py', join(work, 'cal'), '900000', '2', '--deck', o.artDir, '--per-shard', perShard]).done;
    await run(['camera_patches.py', join(work, 'test'), '950000', '2', '--deck', o.artDir, '--per-shard', perShard]).done;
    await run(['camera_patches.py', join(work, 'train'), '0', '1', '--deck', o.artDir, '--per-shard', perShard]).done;
    const renderer = run(['camera_patches.py', join(work, 'train'), '1', '400', '--deck', o.artDir, '--per-shard', perShard], true);
    const left = Math.max(1, budgetMs - (Date.now() - t0) - 0.1 * budgetMs); // a tenth kept for calibration
    const ckpt = join(work, 'reader.pt');
    await run(['train_camera_reader.py', join(work, 'train'), join(work, 'cal'), ckpt, '--init', join(models, 'corner-reader.pt'), '--hours', String(left / 3_600_000), '--lr', '5e-4', '--eval-every', '30']).done;
    renderer.child.kill('SIGTERM');
    await renderer.done;
    const onnx = join(o.deckDir, 'corner-reader.onnx');
    const reportPath = join(o.deckDir, 'report.json');
    await run(['calibrate_reader.py', `${ckpt}.best`, onnx, join(work, 'cal'), join(work, 'test'), '--json', reportPath, '--baseline', join(models, 'corner-reader.pt')]).done;
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as EnrolReport;
    // Never a deck reader that reads its own deck worse than the generic one did.
    if (report.baseline && report.test.top1 < report.baseline.top1) {
      rmSync(onnx, { force: true });
      throw new EnrolError(`the fine-tuned reader read ${(100 * report.test.top1).toFixed(1)} % of this deck's held-out patches, the generic one ${(100 * report.baseline.top1).toFixed(1)} %: not written (enrol again with more --minutes)`);
    }
    const specPath = describeDeck(modelSpec, o.deckDir, report);
    rmSync(work, { recursive: true, force: true });
    return { specPath, report };
  } finally {
    clearInterval(tick);
  }
}

/**
 * The deck's cards.json: the generic one with the deck's reader (its hash, its thresholds) and a
 * copy of the detector beside it (a deck stays whole if the package's models change).
 */
export function describeDeck(genericSpec: string, deckDir: string, report: EnrolReport): string {
  const generic = loadModelSpec(genericSpec);
  copyFileSync(join(dirname(genericSpec), generic.detector.model), join(deckDir, generic.detector.model));
  const onnx = join(deckDir, 'corner-reader.onnx');
  if (!existsSync(onnx)) throw new ModelError(`${onnx}: the fine-tune wrote no model`);
  const sha256 = createHash('sha256').update(readFileSync(onnx)).digest('hex');
  // Thresholds measured on a few hundred patches of one deck are not surer than the generic
  // reader's, measured on thousands: never below them.
  const threshold = Math.max(report.thresholds.threshold, generic.reader.threshold);
  const singleThreshold = Math.max(report.thresholds.singleThreshold, generic.reader.singleThreshold ?? generic.reader.threshold);
  const { validation: _generic, ...reader } = generic.reader as typeof generic.reader & { validation?: unknown };
  const spec = {
    detector: generic.detector,
    reader: { ...reader, model: 'corner-reader.onnx', sha256, threshold, singleThreshold, enrolled: { temperature: report.temperature, test: report.test } },
  };
  const path = join(deckDir, 'cards.json');
  writeFileSync(path, `${JSON.stringify(spec, null, 2)}\n`);
  return path;
}
