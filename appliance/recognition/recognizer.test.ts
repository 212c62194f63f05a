import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { DEFAULT_MODEL_SPEC } from './classifier.js';
import { opencv } from './opencv.js';
import { parseTruthCsv, scoreImage, summarise } from './evaluation.js';
import { CardRecognizer } from './recognizer.js';

const STILLS = new URL('../../test-fixtures/cards/stills/', import.meta.url).pathname;
const truth = JSON.parse(readFileSync(join(STILLS, 'truth.json'), 'utf8')) as { scenes: { image: string; cards: { card: string; corners: [number, number][] }[] }[] };

t.test('1080p stills with 8 cards: cards found and read, or abstained; never a wrong card, never a card where there is none', async (t) => {
  const recognizer = await CardRecognizer.load();
  t.teardown(() => recognizer.close());
  let right = 0;
  let total = 0;
  let foundCount = 0;
  for (const scene of truth.scenes) {
    const found = await recognizer.recognizeFile(join(STILLS, scene.image));
    for (const c of scene.cards) {
      total += 1;
      const cx = c.corners.reduce((s, p) => s + p[0], 0) / 4;
      const cy = c.corners.reduce((s, p) => s + p[1], 0) / 4;
      const match = found.find((f) => Math.hypot(f.centre.x - cx, f.centre.y - cy) < 30);
      if (!match) continue; // a card crossed by a printed line can be missed: nothing reported, not a wrong one
      foundCount += 1;
      if (match.card === c.card) right += 1;
      else t.equal(match.card, null, `${scene.image}: ${c.card} is never reported as another card`);
    }
    for (const f of found) {
      t.ok(
        scene.cards.some((c) => Math.hypot(f.centre.x - c.corners.reduce((s, p) => s + p[0], 0) / 4, f.centre.y - c.corners.reduce((s, p) => s + p[1], 0) / 4) < 30),
        `${scene.image}: nothing reported where there is no card`,
      );
    }
  }
  // Measured with the first reader: 28 of 32 found, 27 read, 0 wrong (a training deck).
  t.ok(foundCount >= 27, `${foundCount} of ${total} found`);
  t.ok(right >= 22, `${right} of ${total} read`);
});

t.test('a BGR frame buffer gives what the file gives; wrong sizes and bad files are clear errors', async (t) => {
  const recognizer = await CardRecognizer.load();
  t.teardown(() => recognizer.close());
  const cv = opencv();
  const mat = cv.imread(join(STILLS, truth.scenes[0]!.image));
  const fromFile = await recognizer.recognizeFile(join(STILLS, truth.scenes[0]!.image));
  const fromFrame = await recognizer.recognizeFrame({ data: mat.getData(), width: mat.cols, height: mat.rows });
  t.same(fromFrame.map((f) => f.card), fromFile.map((f) => f.card));
  await t.rejects(recognizer.recognizeFrame({ data: Buffer.alloc(100), width: 64, height: 64 }), /a 64x64 BGR frame has 12288 bytes, not 100/);
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-cards-'));
  writeFileSync(join(dir, 'notes.jpg'), 'not a picture');
  await t.rejects(recognizer.recognizeFile(join(dir, 'notes.jpg')), /not an image OpenCV can decode/);
  await t.rejects(recognizer.recognizeFile(join(dir, 'missing.png')), /cannot read .*missing\.png/);
  const empty = await recognizer.recognize(new cv.Mat(720, 1280, cv.CV_8UC3, [30, 90, 20]));
  t.same(empty, [], 'bare felt: no cards');
});

t.test('a frame with its copy scaled by the camera: the same cards in the same places as scaling it here', async (t) => {
  const recognizer = await CardRecognizer.load();
  t.teardown(() => recognizer.close());
  const cv = opencv();
  let cards = 0;
  for (const scene of truth.scenes) {
    const mat = cv.imread(join(STILLS, scene.image));
    // The copy as the camera's branch gives it (640 wide, planar B, G, R), made here with the
    // filter recognition uses on a frame without one, so the detector sees the same pixels.
    const small = mat.resize(360, 640, 0, 0, cv.INTER_AREA);
    const scaled = { data: Buffer.concat(small.splitChannels().map((c) => c.getData())), width: 640, height: 360 };
    const here = await recognizer.recognizeFrame({ data: mat.getData(), width: mat.cols, height: mat.rows });
    const camera = await recognizer.recognizeFrame({ data: mat.getData(), width: mat.cols, height: mat.rows, scaled });
    t.same(camera.map((c) => c.card), here.map((c) => c.card), `${scene.image}: the same cards`);
    const far = camera.map((c, i) => Math.hypot(c.centre.x - here[i]!.centre.x, c.centre.y - here[i]!.centre.y)).filter((d) => d > 0.5);
    t.same(far, [], `${scene.image}: every card within half a pixel of where it was found before`);
    cards += camera.length;
  }
  t.ok(cards >= 27, `${cards} cards found`);
  const frame = cv.imread(join(STILLS, truth.scenes[0]!.image));
  const full = { data: frame.getData(), width: frame.cols, height: frame.rows };
  await t.rejects(recognizer.recognizeFrame({ ...full, scaled: { data: Buffer.alloc(10), width: 640, height: 360 } }), /a 640x360 planar BGR frame has 691200 bytes, not 10/);
  await t.rejects(recognizer.recognizeFrame({ ...full, scaled: { data: Buffer.alloc(320 * 180 * 3), width: 320, height: 180 } }), /the detector takes frames 640 wide, not 320/);
});

t.test('a model that is not the one described is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-model-'));
  const spec = JSON.parse(readFileSync(DEFAULT_MODEL_SPEC, 'utf8')) as { detector: { model: string; sha256: string }; reader: { model: string; sha256: string; classes: string[] } };
  for (const m of [spec.detector.model, spec.reader.model]) copyFileSync(join(dirname(DEFAULT_MODEL_SPEC), m), join(dir, m));
  writeFileSync(join(dir, 'good.json'), JSON.stringify(spec));
  const good = await CardRecognizer.load({ modelSpec: join(dir, 'good.json') });
  await good.close();
  writeFileSync(join(dir, 'cards.json'), JSON.stringify({ ...spec, reader: { ...spec.reader, sha256: '0'.repeat(64) } }));
  await t.rejects(CardRecognizer.load({ modelSpec: join(dir, 'cards.json') }), new RegExp(`${spec.reader.model.replace('.', '\\.')} has sha256 [0-9a-f]{64}, but .*cards\\.json describes 0{64}`));
  writeFileSync(join(dir, 'det.json'), JSON.stringify({ ...spec, detector: { ...spec.detector, sha256: '1'.repeat(64) } }));
  await t.rejects(CardRecognizer.load({ modelSpec: join(dir, 'det.json') }), /corners\.onnx has sha256 [0-9a-f]{64}, but .*det\.json describes 1{64}/, 'the detector too');
  await t.rejects(CardRecognizer.load({ modelSpec: join(dir, 'nothing.json') }), /cannot read the card model description/);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...spec, reader: { ...spec.reader, classes: ['ZZ'] } }));
  await t.rejects(CardRecognizer.load({ modelSpec: join(dir, 'bad.json') }), /class "ZZ" is not a card/);
  writeFileSync(join(dir, 'old.json'), JSON.stringify(spec.reader));
  await t.rejects(CardRecognizer.load({ modelSpec: join(dir, 'old.json') }), /needs a "detector" and a "reader" model/, 'a description from before the corner detector');
});

/** The recogniser on a fixture folder of stills with its cards.csv, scored. */
async function scoreFolder(t: Test, folder: string): Promise<ReturnType<typeof summarise>> {
  const dir = new URL(`../../test-fixtures/cards/${folder}/`, import.meta.url).pathname;
  const rows = parseTruthCsv(readFileSync(join(dir, 'cards.csv'), 'utf8'), 'cards.csv');
  const recognizer = await CardRecognizer.load();
  t.teardown(() => recognizer.close());
  const scores = [];
  for (const row of rows) {
    const found = await recognizer.recognizeFile(join(dir, row.image));
    scores.push(scoreImage(row, { sure: found.flatMap((f) => (f.card === null ? [] : [f.card])), unsure: found.filter((f) => f.card === null).map((f) => f.best) }, 0));
  }
  const s = summarise(scores);
  return s;
}

t.test('blackjack cascades in decks never trained on: what is vouched for is right; the covered cards are abstained, never guessed', async (t) => {
  const s = await scoreFolder(t, 'cascades');
  t.equal(s.wrong, 0, `no wrong card (${s.read} of ${s.cards} read, ${s.abstained} abstained)`);
  // Measured at the commit of the models: 2 of 29 read, 11 abstained (the first reader: 3 and 10; models/README.md).
  t.ok(s.read >= 2, `${s.read} read`);
  t.ok(s.abstained >= 5, 'the cascades\' covered cards are found and abstained on');
});

t.test('720p stills through the camera model, deck families never trained on: never a wrong card', async (t) => {
  const s = await scoreFolder(t, 'camera-720');
  t.equal(s.wrong, 0, `no wrong card (${s.read} of ${s.cards} read, ${s.abstained} abstained)`);
  // Measured with the shipped reader: 5 of 24 read, 19 abstained (the first one: 4 and 18;
  // models/README.md). scene-0006's QS read as TS at 0.94-0.96 by the first reader: the wrong
  // read a lower threshold on that reader gave.
  t.ok(s.read >= 3, `${s.read} read`);
  t.ok(s.read + s.abstained >= 15, 'most cards found');
});

t.test('players\' overlapping pairs and fanned hands through the camera model at 720p, deck families never trained on: never a wrong card', async (t) => {
  // One index in view per covered card (make_eval.py --layout pairs|fans, models/make-fixtures.sh).
  const pairs = await scoreFolder(t, 'camera-pairs-720');
  const fans = await scoreFolder(t, 'camera-fans-720');
  t.equal(pairs.wrong, 0, `pairs: no wrong card (${pairs.read} of ${pairs.cards} read, ${pairs.abstained} abstained)`);
  t.equal(fans.wrong, 0, `fans: no wrong card (${fans.read} of ${fans.cards} read, ${fans.abstained} abstained)`);
  // Measured with the shipped reader: pairs 4 read, 9 abstained; fans 2 read, 9 abstained (the
  // reader before: 1 + 13 and 1 + 11; a corner it calls "not an index" is not a card found). The
  // fans' covered indices are the detector's weak spot: 17 of 28 not found.
  t.ok(pairs.read + pairs.abstained >= 12, `pairs: ${pairs.read + pairs.abstained} of ${pairs.cards} found`);
  t.ok(fans.read + fans.abstained >= 10, `fans: ${fans.read + fans.abstained} of ${fans.cards} found`);
  t.ok(pairs.read + fans.read >= 2, `${pairs.read + fans.read} read`);
});
