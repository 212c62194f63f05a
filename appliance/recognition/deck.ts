import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelError } from './classifier.js';

/**
 * A studio's own deck, enrolled on the box (`pitbox cards enrol`): a reader fine-tuned on its
 * art, with its own thresholds and report, under the table's state directory. The state
 * directory is the journal's (systemd's StateDirectory=pitbox/TABLE holds both), so a deck
 * travels with the table's other state and survives upgrades like the journal.
 */

/**
 * What of a card table's config a deck needs, structurally: recognition is a sensor and sits
 * below the config layer, so it names the fields rather than importing the schema's type.
 */
export interface DeckConfig {
  readonly journal: { readonly path: string };
  readonly cards: { readonly model?: string | undefined; readonly deck?: string | undefined };
}

/** The table's state directory: where its journal lives. */
export function tableStateDir(config: Pick<DeckConfig, 'journal'>): string {
  return dirname(config.journal.path);
}

/** Where an enrolled deck's files live: DIR/cards.json (what the recogniser loads), its models, art, report. */
export function deckDir(stateDir: string, deck: string): string {
  return join(stateDir, 'decks', deck);
}

/**
 * The model description a card table reads with: `cards.model`, the enrolled deck's
 * (`cards.deck`, refused with a clear error when it was never enrolled), or undefined for the
 * generic models/cards.json. Its hashes are checked when the recogniser loads it.
 */
export function cardsModelSpec(config: DeckConfig): string | undefined {
  if (config.cards.model !== undefined) return config.cards.model;
  if (config.cards.deck === undefined) return undefined;
  const spec = join(deckDir(tableStateDir(config), config.cards.deck), 'cards.json');
  if (!existsSync(spec)) throw new ModelError(`cards.deck "${config.cards.deck}": no enrolled reader at ${spec} (enrol the deck first: pitbox cards enrol --config FILE --deck ${config.cards.deck} STILL...)`);
  return spec;
}

/** cardsModelSpec as CardRecognizer.load's option. */
export function modelSpecOption(config: DeckConfig): { modelSpec?: string } {
  const modelSpec = cardsModelSpec(config);
  return modelSpec === undefined ? {} : { modelSpec };
}
