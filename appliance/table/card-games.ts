import type { CardGame } from '../cards/card-game.js';
import type { CardTableConfig } from '../config/schema.js';
import { baccarat } from '../games/baccarat/baccarat-game.js';
import { blackjack } from '../games/blackjack/blackjack-game.js';
import { dragonTiger } from '../games/dragon-tiger/dragon-tiger-game.js';

type Builders = { readonly [G in CardTableConfig['game']]: (config: Extract<CardTableConfig, { game: G }>) => CardGame };

/**
 * Every card game a table can deal, by the config's `game`: the one line a new card game adds
 * here (its rules live in `appliance/games/<game>/`, its config section in the schema).
 */
const CARD_GAMES: Builders = {
  baccarat: () => baccarat,
  blackjack: (config) => blackjack(config.rules),
  'dragon-tiger': () => dragonTiger,
};

/** The game a card table's config describes. */
export function gameOf(config: CardTableConfig): CardGame {
  return (CARD_GAMES[config.game] as (config: CardTableConfig) => CardGame)(config);
}
