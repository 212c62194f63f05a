import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../config/load.js';
import type { CardTableConfig } from '../config/schema.js';
import { cardsModelSpec, deckDir, modelSpecOption, tableStateDir } from './deck.js';

function cardTable(text: string): CardTableConfig {
  const c = parseConfig(text);
  if (c.game === 'roulette') throw new Error('a card table');
  return c;
}

const table = (journal: string, cards: string): CardTableConfig => cardTable(`studio: s
table: baccarat-01
game: baccarat
journal:
  path: ${journal}
signing:
  keyDir: /etc/pitbox/keys
cameras:
  - name: overhead
    source: { kind: test, width: 640, height: 360, framerate: 10 }
cards:
  camera: overhead
${cards}`);

t.test('deck selection: cards.deck is read from the table\'s state directory, refused when never enrolled', async (t) => {
  const c = table('/var/lib/pitbox/baccarat-01/journal.db', '  deck: studio-red\n');
  t.equal(deckDir(tableStateDir(c), 'studio-red'), '/var/lib/pitbox/baccarat-01/decks/studio-red');
  t.throws(() => cardsModelSpec(c), /cards\.deck "studio-red": no enrolled reader at \/var\/lib\/pitbox\/baccarat-01\/decks\/studio-red\/cards\.json \(enrol the deck first/);
  t.equal(cardsModelSpec(table('/j.db', '')), undefined, 'neither: the generic models/cards.json');
  t.same(modelSpecOption(table('/j.db', '')), {});
  t.equal(cardsModelSpec(table('/j.db', '  model: /opt/m/cards.json\n')), '/opt/m/cards.json');

  const dir = mkdtempSync(join(tmpdir(), 'pitbox-deck-'));
  const enrolled = table(join(dir, 'journal.db'), '  deck: studio-red\n');
  mkdirSync(join(dir, 'decks', 'studio-red'), { recursive: true });
  writeFileSync(join(dir, 'decks', 'studio-red', 'cards.json'), '{}');
  t.same(modelSpecOption(enrolled), { modelSpec: join(dir, 'decks', 'studio-red', 'cards.json') });
});
