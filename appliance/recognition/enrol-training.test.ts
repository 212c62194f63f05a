import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_MODEL_SPEC, loadModelSpec, readModel } from './classifier.js';
import { describeDeck, type EnrolReport } from './enrol-training.js';

const report = (threshold: number, singleThreshold: number): EnrolReport => ({
  temperature: 1.1,
  trainedHours: 0.3,
  test: { patches: 512, top1: 0.9, single: { threshold: singleThreshold, read: 300, readOfCards: 0.8, wrong: 0, errorUpper95: 0.01 }, pair: { threshold, read: 320, readOfCards: 0.85, wrong: 0, errorUpper95: 0.01 } },
  thresholds: { threshold, singleThreshold },
  reliability: [],
});

t.test('an enrolled deck\'s cards.json: its own reader\'s hash, a copy of the detector, thresholds never below the generic reader\'s', async (t) => {
  const generic = loadModelSpec();
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-deck-'));
  copyFileSync(join(DEFAULT_MODEL_SPEC, '..', generic.reader.model), join(dir, 'corner-reader.onnx'));
  const spec = describeDeck(DEFAULT_MODEL_SPEC, dir, report(0.5, 0.7));
  const deck = loadModelSpec(spec);
  t.equal(deck.reader.threshold, generic.reader.threshold, 'a lower measured threshold is raised to the generic one');
  t.equal(deck.reader.singleThreshold, generic.reader.singleThreshold);
  t.ok(readModel(spec, deck.reader).length > 0 && readModel(spec, deck.detector).length > 0, 'both files match their hashes');
  const sure = loadModelSpec(describeDeck(DEFAULT_MODEL_SPEC, dir, report(0.95, 0.9995)));
  t.equal(sure.reader.threshold, Math.max(0.95, generic.reader.threshold));
  t.equal(sure.reader.singleThreshold, Math.max(0.9995, generic.reader.singleThreshold ?? 0));
  t.match(JSON.parse(readFileSync(spec, 'utf8')), { reader: { enrolled: { temperature: 1.1 } } });
  t.notOk('validation' in (JSON.parse(readFileSync(spec, 'utf8')) as { reader: object }).reader, 'the generic validation figures are not the deck\'s');
});
