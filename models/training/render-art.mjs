// Renders every card face (and the backs) of each card design to PNG, 240x336 with alpha, into
// OUT/<design>/<card>.png (card in pitbox notation, e.g. TH; backs as back-<n>.png).
// Training designs come from npm packages (models/training/package.json); the evaluation design
// comes from Debian's gnome-cards-data, rendered by rsvg-convert, so the held-out set never
// shares art with the training set.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);
const pkg = (name) => dirname(require.resolve(`${name}/package.json`));
const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', 'T', 'J', 'Q', 'K'];
const SUITS = ['C', 'D', 'H', 'S'];
const CARDS = RANKS.flatMap((r) => SUITS.map((s) => r + s));
const WIDTH = 240;
const HEIGHT = 336;

function render(svg, out) {
  const png = new Resvg(svg, { fitTo: { mode: 'height', value: HEIGHT }, font: { loadSystemFonts: true } }).render();
  if (png.width < WIDTH - 20 || png.width > WIDTH + 20) throw new Error(`${out}: rendered ${png.width}x${png.height}, not a card`);
  writeFileSync(out, png.asPng());
}

const herukaDir = (variant) => join(pkg('@heruka_urgyen/react-playing-cards'), 'src/images', variant);
const cardsJsDir = join(pkg('cardsJS'), 'cards');
const bellot = readFileSync(join(pkg('svg-cards'), 'svg-cards.svg'), 'utf8');
const BELLOT_RANK = { A: '1', T: '10', J: 'jack', Q: 'queen', K: 'king' };
const BELLOT_SUIT = { C: 'club', D: 'diamond', H: 'heart', S: 'spade' };
const bellotCard = (id) => bellot.replace(/<\/svg>\s*$/, `<use xlink:href="#${id}"/></svg>`);

/** Each design: the SVG text of a card, and its backs. */
const designs = {
  'heruka-2color': {
    face: (c) => readFileSync(join(herukaDir('2color'), `${c}.svg`), 'utf8'),
    backs: [readFileSync(join(herukaDir('..'), 'images/back.svg'), 'utf8')],
  },
  'heruka-2color-bf': {
    face: (c) => readFileSync(join(herukaDir('2color-bf'), `${c}.svg`), 'utf8'),
    backs: [],
  },
  cardsjs: {
    face: (c) => readFileSync(join(cardsJsDir, `${c[0] === 'T' ? '10' : c[0]}${c[1]}.svg`), 'utf8'),
    backs: ['Blue_Back.svg', 'Red_Back.svg'].map((f) => readFileSync(join(cardsJsDir, f), 'utf8')),
  },
  bellot: {
    face: (c) => bellotCard(`${BELLOT_SUIT[c[1]]}_${BELLOT_RANK[c[0]] ?? c[0]}`),
    backs: [bellotCard('back')],
  },
};

/** gnome-cards-data ships whole decks in one SVG; rsvg-convert exports one card by its id. */
const GNOME_DIR = '/usr/share/aisleriot/cards';
const GNOME_RANK = { A: '1', T: '10', J: 'jack', Q: 'queen', K: 'king' };
const GNOME_SUIT = { C: 'club', D: 'diamond', H: 'heart', S: 'spade' };
function renderGnome(deck, outDir) {
  const file = join(GNOME_DIR, `${deck}.svgz`);
  if (!existsSync(file)) throw new Error(`${file} missing: apt-get install gnome-cards-data librsvg2-bin`);
  const svgPath = join(outDir, `${deck}.svg`);
  writeFileSync(svgPath, gunzipSync(readFileSync(file)));
  const ids = CARDS.map((c) => [c, `${GNOME_SUIT[c[1]]}_${GNOME_RANK[c[0]] ?? c[0]}`]).concat([['back-0', 'back']]);
  for (const [card, id] of ids) {
    execFileSync('rsvg-convert', ['-i', id, '-w', String(WIDTH), '-h', String(HEIGHT), '-o', join(outDir, `${card}.png`), svgPath]);
  }
}

const out = process.argv[2] ?? 'models/.cache/art';
const only = process.argv.slice(3);
for (const [name, d] of Object.entries(designs)) {
  if (only.length && !only.includes(name)) continue;
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  for (const c of CARDS) render(d.face(c), join(dir, `${c}.png`));
  d.backs.forEach((svg, i) => render(svg, join(dir, `back-${i}.png`)));
  console.log(`${name}: ${CARDS.length} faces, ${d.backs.length} backs`);
}
if (!only.length || only.some((o) => o.startsWith('gnome-'))) {
  for (const deck of only.filter((o) => o.startsWith('gnome-')).map((o) => o.slice(6)) || []) {
    const dir = join(out, `gnome-${deck}`);
    mkdirSync(dir, { recursive: true });
    renderGnome(deck, dir);
    console.log(`gnome-${deck}: ${CARDS.length} faces, 1 back`);
  }
}
