import type { Card } from '../../cards/card.js';
import { hand, type CardGame } from '../../cards/card-game.js';
import { nextCard, outcome } from './baccarat.js';

const BACCARAT_POSITIONS = ['player1', 'banker1', 'player2', 'banker2', 'player3', 'banker3'] as const;

/**
 * Punto banco. The first four cards may be turned in any order (studios deal the player's pair
 * and then the banker's, or alternate); a third card must be one the tableau calls for, and only
 * once the first four are known.
 */
export const baccarat: CardGame = {
  name: 'baccarat',
  positions: BACCARAT_POSITIONS,
  handOf: (position) => position.replace(/\d$/, ''),
  refuse(dealt, position) {
    if (!(BACCARAT_POSITIONS as readonly string[]).includes(position)) return `${position} is not a baccarat position`;
    const spot = position.startsWith('player') ? 'player' : 'banker';
    const slot = Number(position.at(-1));
    if (slot <= 2) return null;
    const player = hand(dealt, 'player', 2);
    const banker = hand(dealt, 'banker', 2);
    if (player.length < 2 || banker.length < 2) return `a third card to the ${spot} before the first four cards were known`;
    const p3 = dealt.get('player3');
    const next = nextCard(p3 ? [...player, p3] : player, banker);
    if (next === spot) return null;
    if (next === null) return `a third card to the ${spot}, but the tableau ends the coup (player ${describe(player, p3)}, banker ${describe(banker)})`;
    return `a third card to the ${spot} while the ${next} must draw first`;
  },
  result(dealt) {
    const player = hand(dealt, 'player', 3);
    const banker = hand(dealt, 'banker', 3);
    if (player.length < 2 || banker.length < 2 || nextCard(player, banker) !== null) return null;
    return { player, banker, ...outcome(player, banker) };
  },
  settle: () => ({ refused: 'baccarat rounds end by the tableau, not by the dealer' }),
  nextPosition(dealt) {
    const player = hand(dealt, 'player', 3);
    const banker = hand(dealt, 'banker', 3);
    const next = nextCard(player, banker);
    return next === null ? null : `${next}${(next === 'player' ? player : banker).length + 1}`;
  },
  dealRank: (position) => BACCARAT_POSITIONS.indexOf(position as (typeof BACCARAT_POSITIONS)[number]),
};

function describe(cards: readonly Card[], third?: Card): string {
  return [...cards, ...(third ? [third] : [])].join(' ');
}
