import { readFileSync } from 'node:fs';
import { CardClassifier, DEFAULT_MODEL_SPEC, loadModelSpec, NOT_A_CARD, ortSession, type Reading, readModel } from './classifier.js';
import { cardsFromCorners, type CornerCard, pairCorners } from './corner-cards.js';
import { CornerDetector, type CornerDetectorOptions, type Detected, type DetectedCorner, type PlanarFrame } from './corner-detector.js';
import { PATCH_SIZE, writeCornerPatch, writeCornerPatchFrom } from './corner-patch.js';
import { type Mat, opencv } from './opencv.js';

/** One card found in a frame. `card` null: a card the box cannot vouch for (shown as unknown). */
export type FoundCard = CornerCard;

/**
 * A frame as the camera's appsink gives it: packed BGR, no row padding; with, when the camera
 * has a branch for the detector (analysis.scaledWidth), the same frame already scaled for it.
 */
export interface BgrFrame {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly scaled?: PlanarFrame;
}

/** Milliseconds spent finding corners and reading them, and where (the benchmark's profile). */
export interface RecognitionTiming {
  detectMs: number;
  readMs: number;
  /** Of detectMs, the detector network's own run. */
  detectNetMs: number;
  /** Of readMs: cutting the patches, and the reader network's run (all of them in one batch). */
  cutMs: number;
  readNetMs: number;
}

export interface RecognizerOptions {
  readonly modelSpec?: string;
  /** ONNX Runtime intra-op threads (1 by default: one core for recognition). */
  readonly threads?: number;
  /** The table's own reading threshold (cards.threshold), in place of the model's. */
  readonly threshold?: number;
  /** Overrides of the detector's peak thresholds (cards.json's otherwise). */
  readonly detector?: Partial<CornerDetectorOptions>;
}

export class ImageError extends Error {}

/** The second look at each corner: cut 8 % larger, 2 % of a card width further down. */
const SECOND_LOOK = { scale: 1.08, down: 0.02 };

function agree(a: Reading, b: Reading, threshold: number): Reading {
  if (a.best !== b.best) return { card: null, confidence: Math.min(a.confidence, b.confidence), best: a.confidence >= b.confidence ? a.best : b.best };
  // The same card both times: the lower of the two probabilities. (Their mean read 3-5 points
  // more cards on the held-out decks, and one of them wrong: models/README.md.)
  const confidence = Math.min(a.confidence, b.confidence);
  return { card: confidence >= threshold && a.best !== NOT_A_CARD ? a.best : null, confidence, best: a.best };
}

/**
 * Frame in, cards out. The corner detector finds every index corner (and face-down card) on the
 * frame scaled to 640 wide; each corner is cut upright from the full-resolution frame and read
 * by the corner reader, all in one batch; corners are paired into cards (corner-cards.ts).
 */
export class CardRecognizer {
  private batch = new Float32Array(16 * PATCH_SIZE);

  private constructor(
    readonly classifier: CardClassifier,
    readonly detector: CornerDetector,
  ) {}

  static async load(options: RecognizerOptions = {}): Promise<CardRecognizer> {
    opencv();
    const specPath = options.modelSpec ?? DEFAULT_MODEL_SPEC;
    const spec = loadModelSpec(specPath);
    const classifier = await CardClassifier.load(specPath, options.threads ?? 1, options.threshold);
    const { ort, session } = await ortSession(readModel(specPath, spec.detector), options.threads ?? 1);
    const detector = new CornerDetector(ort, session, { cornerThreshold: spec.detector.cornerThreshold, backThreshold: spec.detector.backThreshold, ...options.detector });
    return new CardRecognizer(classifier, detector);
  }

  /** A bare 1080p frame and a batch of 8 corners through both models (the first run pays for allocations): ms. */
  async warmUp(): Promise<number> {
    const cv = opencv();
    const frame = new cv.Mat(1080, 1920, cv.CV_8UC3, [40, 100, 30]);
    const input = new Float32Array(8 * PATCH_SIZE);
    await this.detector.detect(frame);
    await this.classifier.classify(input, 8);
    const t0 = performance.now();
    await this.detector.detect(frame);
    await this.classifier.classify(input, 8);
    return performance.now() - t0;
  }

  /**
   * A camera's frame. With its scaled copy, nothing of the whole frame is scaled or copied here:
   * the detector takes the copy, and only the pixels of each corner's patch are cut from the
   * full-resolution bytes (the reader needs them: read from the 640-wide copy, 17 of the 32
   * cards of the 1080p stills were read instead of 27; models/README.md).
   */
  async recognizeFrame(frame: BgrFrame, timing?: RecognitionTiming): Promise<FoundCard[]> {
    if (frame.data.length !== frame.width * frame.height * 3) {
      throw new ImageError(`a ${frame.width}x${frame.height} BGR frame has ${frame.width * frame.height * 3} bytes, not ${frame.data.length}`);
    }
    const { scaled } = frame;
    if (scaled && scaled.data.length !== scaled.width * scaled.height * 3) {
      throw new ImageError(`a ${scaled.width}x${scaled.height} planar BGR frame has ${scaled.width * scaled.height * 3} bytes, not ${scaled.data.length}`);
    }
    const t0 = performance.now();
    let detected: Detected;
    if (scaled) detected = await this.detector.detectScaled(scaled, frame);
    else {
      const cv = opencv();
      detected = await this.detector.detect(new cv.Mat(frame.data, frame.height, frame.width, cv.CV_8UC3));
    }
    return this.read(detected, (c, batch, offset) => writeCornerPatchFrom(frame, c, batch, offset), t0, timing);
  }

  /** A JPEG or PNG (or anything OpenCV decodes) of any size. */
  async recognizeFile(path: string): Promise<FoundCard[]> {
    return this.recognize(readImage(path));
  }

  /** `timing`, when given, gets the detection's and the reading's milliseconds (the benchmark's). */
  async recognize(image: Mat, timing?: RecognitionTiming): Promise<FoundCard[]> {
    const t0 = performance.now();
    const detected = await this.detector.detect(image);
    return this.read(detected, (c, batch, offset) => writeCornerPatch(image, c, batch, offset), t0, timing);
  }

  private async read(detected: Detected, cut: (corner: DetectedCorner, batch: Float32Array, offset: number) => void, t0: number, timing?: RecognitionTiming): Promise<FoundCard[]> {
    const t1 = performance.now();
    // Pair the indices of each card first: the pair's distance gives the card's width far more
    // exactly than the detector, and the reader is cut at that scale.
    const { pairs, widths } = pairCorners(detected.corners);
    const corners = detected.corners.map((c, i) => ({ ...c, width: widths[i]! }));
    // Each corner is read twice: as found, and cut a little larger and lower. A reading that
    // changes with a few pixels of framing is not one the box vouches for (it was an index half
    // covered, or a pip that looks like one); when both agree, the confidence is the lower.
    const n = corners.length;
    if (2 * n * PATCH_SIZE > this.batch.length) this.batch = new Float32Array(2 * n * PATCH_SIZE);
    const t2 = performance.now();
    corners.forEach((c, i) => {
      cut(c, this.batch, i * PATCH_SIZE);
      const nudge = { ...c, width: c.width * SECOND_LOOK.scale, at: { x: c.at.x + c.down.x * c.width * SECOND_LOOK.down, y: c.at.y + c.down.y * c.width * SECOND_LOOK.down } };
      cut(nudge, this.batch, (n + i) * PATCH_SIZE);
    });
    const t3 = performance.now();
    const both = await this.classifier.classify(this.batch, 2 * n);
    const readings = corners.map((_, i) => agree(both[i]!, both[n + i]!, this.classifier.spec.threshold));
    const cards = cardsFromCorners(
      corners.map((corner, i) => ({ corner, reading: readings[i]! })),
      pairs,
      detected.backs,
      this.classifier.spec.threshold,
      this.classifier.spec.singleThreshold ?? this.classifier.spec.threshold,
    );
    if (timing) {
      Object.assign(timing, { detectMs: t1 - t0, readMs: performance.now() - t1, detectNetMs: this.detector.lastRunMs, cutMs: t3 - t2, readNetMs: n > 0 ? this.classifier.lastRunMs : 0 });
    }
    return cards;
  }

  async close(): Promise<void> {
    await this.classifier.close();
    await this.detector.close();
  }
}

export function readImage(path: string): Mat {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ImageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const cv = opencv();
  let image: Mat;
  try {
    image = cv.imdecode(bytes, cv.IMREAD_COLOR);
  } catch {
    throw new ImageError(`${path} is not an image OpenCV can decode (JPEG, PNG, ...)`);
  }
  if (image.empty || image.rows === 0) throw new ImageError(`${path} is not an image OpenCV can decode (JPEG, PNG, ...)`);
  return image;
}
