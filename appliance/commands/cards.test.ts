import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const cli = new URL('../cli.ts', import.meta.url).pathname;
const pitbox = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
const STILLS = new URL('../../test-fixtures/cards/stills/', import.meta.url).pathname;
const truth = JSON.parse(readFileSync(join(STILLS, 'truth.json'), 'utf8')) as { scenes: { image: string; cards: { card: string; corners: number[][] }[] }[] };
const centre = (corners: readonly (readonly number[])[]) => [corners.reduce((s, p) => s + p[0]!, 0) / corners.length, corners.reduce((s, p) => s + p[1]!, 0) / corners.length] as const;

t.test('cards recognize --json: one line per image, every card with confidence and corners; nothing else on stdout', async (t) => {
  const [a, , b] = truth.scenes; // table-0 and table-2: 8 and 7 of their 8 cards found by the corner detector (measured)
  const run = pitbox('cards', 'recognize', '--json', join(STILLS, a!.image), join(STILLS, b!.image));
  t.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { image: string; cards: { card: string; confidence: number; corners: number[][] }[] });
  t.equal(lines.length, 2, 'OpenCV loading printed nothing');
  for (const [i, scene] of [a!, b!].entries()) {
    t.ok(lines[i]!.cards.length >= 7, `${scene.image}: ${lines[i]!.cards.length} of 8 found`);
    const answered = lines[i]!.cards.map((c) => c.card).filter((c) => c !== 'unknown');
    t.ok(answered.length >= 6, `${scene.image}: most cards read (${answered.join(' ')})`);
    // Each card printed is the card lying where the CLI says it found it (within 30 px of its centre).
    for (const found of lines[i]!.cards) {
      const [fx, fy] = centre(found.corners);
      const there = scene.cards.find((c) => Math.hypot(centre(c.corners)[0] - fx, centre(c.corners)[1] - fy) < 30);
      t.ok(there, `${scene.image}: a card lies at (${Math.round(fx)}, ${Math.round(fy)})`);
      if (found.card !== 'unknown') t.equal(found.card, there?.card, `${scene.image}: ${found.card} at its place`);
    }
    t.ok(lines[i]!.cards.every((c) => c.corners.length === 4 && c.confidence > 0 && c.confidence <= 1));
  }
  const text = pitbox('cards', 'recognize', join(STILLS, a!.image));
  t.match(text.stdout, /table-0\.jpg: 8 cards/);
});

t.test('cards recognize: a file that is not an image, and a missing one, exit 1 with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-cli-'));
  writeFileSync(join(dir, 'x.png'), 'nope');
  const run = pitbox('cards', 'recognize', join(dir, 'x.png'), join(dir, 'missing.jpg'));
  t.equal(run.status, 1);
  t.match(run.stderr, /x\.png is not an image OpenCV can decode/);
  t.match(run.stderr, /cannot read .*missing\.jpg/);
  t.equal(pitbox('cards', 'recognize').status, 2, 'usage');
});

t.test('cards calibrate: the positions drawn over a still as PNG, with what lies in each', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-cli-'));
  const config = join(dir, 't.yaml');
  const yaml = (positions: string): string =>
    `studio: s\ntable: b1\ngame: baccarat\njournal:\n  path: ${dir}/j.db\nsigning:\n  keyDir: ${dir}/keys\ncameras:\n  - name: overhead\n    source: { kind: test, width: 1920, height: 1080, framerate: 10 }\ncards:\n  camera: overhead\n  positions:\n${positions}`;
  writeFileSync(config, yaml('    player1: [[0, 0], [960, 0], [960, 1080], [0, 1080]]\n    banker1: [[960, 0], [1920, 0], [1920, 1080], [960, 1080]]\n'));
  const out = join(dir, 'overlay.png');
  const run = pitbox('cards', 'calibrate', '--config', config, '--image', join(STILLS, truth.scenes[0]!.image), '--out', out);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /2 positions drawn on 1920x1080/);
  t.match(run.stdout, /player1: (\w\w|unknown) \d/);
  t.same([...readFileSync(out).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  writeFileSync(config, yaml('    playr1: [[0, 0], [10, 0], [10, 10]]\n'));
  const bad = pitbox('cards', 'calibrate', '--config', config, '--image', join(STILLS, truth.scenes[0]!.image), '--out', out);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /cards\.positions\.playr1: not a baccarat position/);
});

t.test('cards evaluate: a folder of stills against a CSV of their cards; precision, recall, abstains, the worst; errors named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-eval-'));
  const csv = join(dir, 'cards.csv');
  writeFileSync(csv, `image,cards\n${truth.scenes.map((s) => `${s.image},${s.cards.map((c) => c.card).join(' ')}`).join('\n')}\n`);
  const run = pitbox('cards', 'evaluate', STILLS, '--csv', csv, '--json');
  t.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout) as { images: number; cards: number; read: number; wrong: number; abstained: number; precision: number; recall: number; worst: unknown[]; medianMs: number };
  t.match(r, { images: truth.scenes.length, cards: truth.scenes.reduce((n, s) => n + s.cards.length, 0), wrong: 0, precision: 1 });
  t.ok(r.recall >= 0.75, `recall ${r.recall}`);
  t.ok(r.medianMs > 0);
  // The same stills against a CSV that is wrong about the first one: what it reads there is wrong.
  const lie = truth.scenes.map((s, i) => `${s.image},${s.cards.map((c) => (i === 0 ? (c.card[0] === 'K' ? 'Q' : 'K') + c.card[1]! : c.card)).join(' ')}`);
  writeFileSync(csv, `image,cards\n${lie.join('\n')}\n`);
  const text = pitbox('cards', 'evaluate', STILLS, '--csv', csv);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /read WRONG\s+[1-9]/);
  t.match(text.stdout, /confusions \(true -> read\): \w\w->\w\w \d/);
  t.match(text.stdout, /worst stills:\n\s+table-0\.jpg: \d\/8 read; WRONG/);
  writeFileSync(csv, 'image,cards\ntable-0.jpg,AS ZZ\n');
  const bad = pitbox('cards', 'evaluate', STILLS, '--csv', csv);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /cards\.csv:2: cards: "ZZ" is not a card/);
  t.match(pitbox('cards', 'evaluate', mkdtempSync(join(tmpdir(), 'pitbox-eval-'))).stderr, /cannot read .*cards\.csv/, 'no CSV: says which file it looked for');
  writeFileSync(csv, 'image,position,cards\ntable-0.jpg,box1,AS\n');
  t.match(pitbox('cards', 'evaluate', STILLS, '--csv', csv).stderr, /names position "box1": positions need --config FILE/);
});

t.test('table ACTION: a table that is not running is named as such', async (t) => {
  const run = pitbox('table', 'start', '--socket', join(tmpdir(), 'pitbox-no-such.sock'));
  t.equal(run.status, 1);
  t.match(run.stderr, /cannot reach .*is the table running\?/);
  t.equal(pitbox('table', 'deal', '--socket', '/tmp/x').status, 2, 'unknown action');
});
