import { RANKS, rankOf, type Card } from '../../cards/card.js';

/** The two hands of Dragon Tiger, in the order they are dealt. */
export const SIDES = ['dragon', 'tiger'] as const;
export type Side = (typeof SIDES)[number];

/** A card's rank for Dragon Tiger: ace low (1), 2-10 as printed, J 11, Q 12, K 13. Suits do not rank. */
export function dragonTigerRank(card: Card): number {
  return RANKS.indexOf(rankOf(card)) + 1;
}

export interface DragonTigerOutcome {
  readonly winner: Side | 'tie';
  readonly dragonRank: number;
  readonly tigerRank: number;
  /** A tie of the same rank and the same suit (7H against 7H from a multi-deck shoe): a side bet of its own. */
  readonly suitedTie: boolean;
}

/** One card each: the higher rank wins, equal ranks tie, and a tie in the same suit is a suited tie. */
export function dragonTigerOutcome(dragon: Card, tiger: Card): DragonTigerOutcome {
  const dragonRank = dragonTigerRank(dragon);
  const tigerRank = dragonTigerRank(tiger);
  const winner = dragonRank > tigerRank ? 'dragon' : tigerRank > dragonRank ? 'tiger' : 'tie';
  return { winner, dragonRank, tigerRank, suitedTie: winner === 'tie' && dragon[1] === tiger[1] };
}
