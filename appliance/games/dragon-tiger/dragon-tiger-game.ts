import type { CardGame } from '../../cards/card-game.js';
import { dragonTigerOutcome, SIDES } from './dragon-tiger.js';

/**
 * Dragon Tiger: one card to the dragon, then one to the tiger, and the round is decided. Either
 * card may be turned first (a camera can see both land in one frame); a second card to a side,
 * a card anywhere else, or a card once both are down is refused, which voids the round and
 * suspends the table (`card-sequence`), as at baccarat. A shoe deals dragon, then tiger.
 */
export const dragonTiger: CardGame = {
  name: 'dragon-tiger',
  positions: SIDES,
  handOf: (position) => position,
  refuse(dealt, position) {
    if (!(SIDES as readonly string[]).includes(position)) return `${position} is not a dragon-tiger position (dragon, tiger)`;
    if (dealt.has('dragon') && dealt.has('tiger')) return 'a third card: dragon and tiger already have theirs';
    if (dealt.has(position)) return `a second card to the ${position}`;
    return null;
  },
  result(dealt) {
    const dragon = dealt.get('dragon');
    const tiger = dealt.get('tiger');
    if (dragon === undefined || tiger === undefined) return null;
    return { dragon, tiger, ...dragonTigerOutcome(dragon, tiger) };
  },
  settle: () => ({ refused: 'dragon tiger rounds end when both cards are down, not by the dealer' }),
  nextPosition: (dealt) => SIDES.find((side) => !dealt.has(side)) ?? null,
  dealRank: (position) => SIDES.indexOf(position as (typeof SIDES)[number]),
};
