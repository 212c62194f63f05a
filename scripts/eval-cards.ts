/**
 * Accuracy of the card recogniser on a held-out set rendered by models/training/make_eval.py
 * (a card design the model never saw), run through the appliance's own pipeline: OpenCV finds
 * the cards, the ONNX model reads them. Figures in models/README.md with this command:
 *
 *   node --import tsx scripts/eval-cards.ts DIR [--json OUT.json] [--threshold P]
 *
 * A true card is matched to the detection whose centre lies within a third of the card's width.
 * Reported: detection recall; of the detected cards, read correctly / abstained ("unknown") /
 * read wrong above the threshold (must be 0); accuracy on the cards it did answer; the
 * confusion matrix (true -> read, off-diagonal only; ranks and suits separately).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CardRecognizer, type FoundCard } from '../appliance/cards/recognition/recognizer.js';

interface Truth {
  design: string;
  scenes: { image: string; cards: { card: string; corners: [number, number][] }[] }[];
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: eval-cards.ts DIR [--json OUT.json] [--threshold P]\n');
  process.exit(2);
}
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
const recognizer = await CardRecognizer.load();
const threshold = Number(arg('--threshold') ?? recognizer.classifier.spec.threshold);

let total = 0;
let detected = 0;
let correct = 0;
let abstained = 0;
let wrongConfident = 0;
let falseDetections = 0;
const wrongBelow: number[] = [];
const confusion = new Map<string, number>();
const wrongList: string[] = [];
const unmatched: string[] = [];
const confidences: { ok: boolean; p: number }[] = [];

for (const scene of truth.scenes) {
  const found = await recognizer.recognizeFile(join(dir, scene.image));
  const used = new Set<FoundCard>();
  for (const t of scene.cards) {
    total += 1;
    const cx = t.corners.reduce((s, p) => s + p[0], 0) / 4;
    const cy = t.corners.reduce((s, p) => s + p[1], 0) / 4;
    const width = Math.hypot(t.corners[0]![0] - t.corners[1]![0], t.corners[0]![1] - t.corners[1]![1]);
    const match = found.find((f) => !used.has(f) && Math.hypot(f.centre.x - cx, f.centre.y - cy) < width / 3);
    if (!match) continue;
    used.add(match);
    detected += 1;
    const read = match.confidence >= threshold && match.best !== '--' ? match.best : null;
    confidences.push({ ok: match.best === t.card, p: match.confidence });
    if (read === null) {
      abstained += 1;
      if (match.best !== t.card) wrongBelow.push(match.confidence);
    } else if (read === t.card) correct += 1;
    else {
      wrongConfident += 1;
      wrongList.push(`${scene.image}: ${t.card} read as ${read} (${(match.confidence * 100).toFixed(1)}%)`);
    }
    if (match.best !== t.card) confusion.set(`${t.card}->${match.best}`, (confusion.get(`${t.card}->${match.best}`) ?? 0) + 1);
  }
  for (const f of found.filter((x) => !used.has(x) && x.card !== null)) {
    falseDetections += 1;
    const near = scene.cards.find((c) => Math.hypot(c.corners.reduce((s, p) => s + p[0], 0) / 4 - f.centre.x, c.corners.reduce((s, p) => s + p[1], 0) / 4 - f.centre.y) < 300);
    unmatched.push(`${scene.image}: ${f.card} at ${Math.round(f.centre.x)},${Math.round(f.centre.y)} (nearest true card ${near?.card ?? "none"})`);
  }
}
await recognizer.close();

const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(2)} %`;
const answered = correct + wrongConfident;
const summary = {
  design: truth.design,
  scenes: truth.scenes.length,
  cards: total,
  threshold,
  detected,
  detectionRecall: detected / total,
  correct,
  abstained,
  wrongConfident,
  falseDetections,
  accuracyOfAnswered: correct / Math.max(1, answered),
  accuracyOfDetected: correct / Math.max(1, detected),
  abstainRate: abstained / Math.max(1, detected),
  confusion: Object.fromEntries([...confusion].sort((a, b) => b[1] - a[1])),
  wrong: wrongList,
  unmatched,
};
process.stdout.write(`held-out design ${truth.design}: ${truth.scenes.length} scenes, ${total} cards, threshold ${threshold}
  detected             ${detected} (${pct(detected, total)})
  read correctly       ${correct} (${pct(correct, detected)} of detected; ${pct(correct, answered)} of those answered)
  abstained (unknown)  ${abstained} (${pct(abstained, detected)})
  WRONG above threshold ${wrongConfident}
  cards reported where there is none: ${falseDetections}
  confusions (true->best guess, incl. abstained): ${[...confusion].map(([k, v]) => `${k} x${v}`).join(', ') || 'none'}
`);
// What each threshold would give: the trade between abstaining and answering wrong.
for (const th of [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99]) {
  const ans = confidences.filter((c) => c.p >= th);
  process.stdout.write(`  at ${th.toFixed(2)}: answers ${pct(ans.length, confidences.length)} of detected, wrong ${ans.filter((c) => !c.ok).length}\n`);
}
const out = arg('--json');
if (out) writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
