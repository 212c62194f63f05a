import { readFileSync } from 'node:fs';
import { writeCardInput, INPUT_SIZE } from './card-input.js';
import { CardClassifier, DEFAULT_MODEL_SPEC, NOT_A_CARD, type Reading } from './classifier.js';
import { DEFAULT_DETECTOR, type DetectorOptions, findCards } from './detector.js';
import { type Mat, opencv } from './opencv.js';
import { centre, type Point, type Quad } from './quad.js';

/** One card found in a frame. `card` null: something card-shaped the model is not sure of. */
export interface FoundCard extends Reading {
  readonly corners: Quad;
  readonly centre: Point;
}

/** A frame as the camera's appsink gives it: packed BGR, no row padding. */
export interface BgrFrame {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface RecognizerOptions {
  readonly modelSpec?: string;
  /** ONNX Runtime intra-op threads (1 by default: one core for recognition). */
  readonly threads?: number;
  readonly detector?: DetectorOptions;
}

export class ImageError extends Error {}

/** Frame in, cards out: OpenCV finds card-shaped regions, the ONNX model reads them, one batch per frame. */
export class CardRecognizer {
  private batch = new Float32Array(8 * INPUT_SIZE);

  private constructor(
    readonly classifier: CardClassifier,
    private readonly detector: DetectorOptions,
  ) {}

  static async load(options: RecognizerOptions = {}): Promise<CardRecognizer> {
    opencv();
    const classifier = await CardClassifier.load(options.modelSpec ?? DEFAULT_MODEL_SPEC, options.threads ?? 1);
    return new CardRecognizer(classifier, options.detector ?? DEFAULT_DETECTOR);
  }

  /** One batch of 8 blank card inputs through the model (the first run pays for allocations): ms. */
  async warmUp(): Promise<number> {
    const input = new Float32Array(8 * INPUT_SIZE);
    await this.classifier.classify(input, 8);
    const t0 = performance.now();
    await this.classifier.classify(input, 8);
    return performance.now() - t0;
  }

  async recognizeFrame(frame: BgrFrame): Promise<FoundCard[]> {
    if (frame.data.length !== frame.width * frame.height * 3) {
      throw new ImageError(`a ${frame.width}x${frame.height} BGR frame has ${frame.width * frame.height * 3} bytes, not ${frame.data.length}`);
    }
    const cv = opencv();
    return this.recognize(new cv.Mat(frame.data, frame.height, frame.width, cv.CV_8UC3));
  }

  /** A JPEG or PNG (or anything OpenCV decodes) of any size. */
  async recognizeFile(path: string): Promise<FoundCard[]> {
    return this.recognize(readImage(path));
  }

  async recognize(image: Mat): Promise<FoundCard[]> {
    const quads = findCards(image, this.detector);
    if (quads.length * INPUT_SIZE > this.batch.length) this.batch = new Float32Array(quads.length * INPUT_SIZE);
    quads.forEach((q, i) => writeCardInput(image, q, this.batch, i * INPUT_SIZE));
    const readings = await this.classifier.classify(this.batch, quads.length);
    const found: FoundCard[] = [];
    readings.forEach((r, i) => {
      // Confidently "not a card" (a chip, a hand, a glare patch): not reported at all.
      if (r.best === NOT_A_CARD && r.confidence >= this.classifier.spec.threshold) return;
      found.push({ ...r, corners: quads[i]!, centre: centre(quads[i]!) });
    });
    return found;
  }

  async close(): Promise<void> {
    await this.classifier.close();
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
