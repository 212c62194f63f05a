import type { JsonObject } from '../contract/envelope.js';
import type { Card } from './card.js';

/** The cards of the round so far, by table position, in the order they were confirmed. */
export type Dealt = ReadonlyMap<string, Card>;

/**
 * A card game's rules as the card engine needs them (each game defines one in
 * `appliance/games/<game>/`; the engine never learns a game's rules): which positions exist, whether a card may land
 * where it did given what is already on the table, and when the round has a result.
 */
export interface CardGame {
  /** The game's name, as in the config's `game` and every result's `game`. */
  readonly name: string;
  /** Every position this game reads, in dealing order. */
  readonly positions: readonly string[];
  /** The hand a position belongs to ("player", "banker", "dealer", "box2"). */
  handOf(position: string): string;
  /** Null if a card may land at `position` now; otherwise why it cannot (the table suspends). */
  refuse(dealt: Dealt, position: string): string | null;
  /** The round's result once the cards decide it, else null. */
  result(dealt: Dealt): JsonObject | null;
  /** The dealer ends the round early (blackjack: every box is bust or has blackjack): the result, or why not. */
  settle(dealt: Dealt): { result: JsonObject } | { refused: string };
  /**
   * Where the next card drawn from the shoe must go, when the rules alone decide it (baccarat's
   * tableau); null when the coup is complete. Absent where players choose (blackjack hits).
   */
  nextPosition?(dealt: Dealt): string | null;
  /** Order of the first deal, to break a tie when two cards land in the same frame. */
  dealRank(position: string): number;
  /** Why this game cannot be dealt from the shoe alone (a choice only the camera sees), if so. */
  readonly notFromShoeAlone?: string;
  /** Whether a position may be drawn for a whole hand dealt in a cascade (`box1`, `dealer`). */
  readonly wholeHands?: boolean;
}

/** A hand's cards, `prefix1`, `prefix2`, ... up to the first gap. */
export function hand(dealt: Dealt, prefix: string, max: number): Card[] {
  const cards: Card[] = [];
  for (let i = 1; i <= max; i++) {
    const c = dealt.get(`${prefix}${i}`);
    if (c === undefined) break;
    cards.push(c);
  }
  return cards;
}
