// Renders every card face (and the backs) of each card design to PNG, 240x336 with alpha, into
// OUT/<design>/<card>.png (card in pitbox notation, e.g. TH; backs as back-<n>.png).
// Training designs come from npm packages (models/training/package.json); the evaluation design
// comes from Debian's gnome-cards-data, rendered by rsvg-convert, so the held-out set never
// shares art with the training set.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

/**
 * Debian's deck packages ship whole decks in one SVG each, with the same element ids
 * (`club_1` in gnome's, `1_club` in KDE's, and `back`): gnome-cards-data (`gnome-<deck>`, /usr/share/aisleriot/cards)
 * and kdegames-card-data-kf5 (`kde-<deck>`, /usr/share/carddecks/svg-<deck>). rsvg-convert
 * exports one card by its id.
 */
const RANK_ID = { A: '1', T: '10', J: 'jack', Q: 'queen', K: 'king' };
const SUIT_ID = { C: 'club', D: 'diamond', H: 'heart', S: 'spade' };
function debianDeckFile(name) {
  if (name.startsWith('gnome-')) return join('/usr/share/aisleriot/cards', `${name.slice(6)}.svgz`);
  const dir = join('/usr/share/carddecks', `svg-${name.slice(4)}`);
  if (!existsSync(dir)) return join(dir, 'missing.svgz');
  const svgz = readdirSync(dir).find((f) => f.endsWith('.svgz'));
  return join(dir, svgz ?? 'missing.svgz');
}
function renderDebianDeck(name, outDir) {
  const file = debianDeckFile(name);
  if (!existsSync(file)) throw new Error(`${file} missing: apt-get install gnome-cards-data kdegames-card-data-kf5 librsvg2-bin`);
  const svgPath = join(outDir, 'deck.svg');
  writeFileSync(svgPath, gunzipSync(readFileSync(file)));
  // gnome names a card suit first (`club_1`), KDE rank first (`1_club`).
  const id = (c) => (name.startsWith('gnome-') ? `${SUIT_ID[c[1]]}_${RANK_ID[c[0]] ?? c[0]}` : `${RANK_ID[c[0]] ?? c[0]}_${SUIT_ID[c[1]]}`);
  const ids = CARDS.map((c) => [c, id(c)]).concat([['back-0', 'back']]);
  for (const [card, id] of ids) {
    execFileSync('rsvg-convert', ['-i', id, '-w', String(WIDTH), '-h', String(HEIGHT), '-o', join(outDir, `${card}.png`), svgPath]);
  }
  unlinkSync(svgPath);
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
for (const name of only.filter((o) => /^(gnome|kde)-/.test(o))) {
  const dir = join(out, name);
  if (existsSync(join(dir, 'back-0.png'))) continue; // rendered already (the art never changes)
  mkdirSync(dir, { recursive: true });
  try {
    renderDebianDeck(name, dir);
    console.log(`${name}: ${CARDS.length} faces, 1 back`);
  } catch (err) {
    // A deck rsvg-convert cannot export (no dimensions, ids of its own) is left out, said so.
    rmSync(dir, { recursive: true, force: true });
    console.log(`${name}: left out (${String(err.stderr ?? err.message).trim().split('\n')[0]})`);
  }
}
