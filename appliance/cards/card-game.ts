import type { JsonObject } from '../contract/envelope.js';
import { nextCard, outcome } from '../games/baccarat/baccarat.js';
import { blackjackTotal, boxOutcome, dealerDraws } from '../games/blackjack/blackjack.js';
import type { Card } from './card.js';

/** The cards of the round so far, by table position, in the order they were confirmed. */
export type Dealt = ReadonlyMap<string, Card>;

/**
 * A card game's rules as the engine needs them: which positions exist, whether a card may land
 * where it did given what is already on the table, and when the round has a result.
 */
export interface CardGame {
  readonly name: 'baccarat' | 'blackjack';
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
}

function hand(dealt: Dealt, prefix: string, max: number): Card[] {
  const cards: Card[] = [];
  for (let i = 1; i <= max; i++) {
    const c = dealt.get(`${prefix}${i}`);
    if (c === undefined) break;
    cards.push(c);
  }
  return cards;
}

// ---- baccarat ------------------------------------------------------------------------------------

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

// ---- blackjack -------------------------------------------------------------------------------------

export interface BlackjackRules {
  readonly boxes: number;
  /** Most cards a hand can hold at the table (positions dealer1..N, boxK.1..N). */
  readonly maxCards: number;
  readonly hitSoft17: boolean;
}

/**
 * Blackjack without splits: positions `dealer1..N` and `boxK.1..N`. A card may join a hand only
 * after the hand's previous card, never to a hand that is bust or has 21, and the dealer draws
 * only while the rule says so. The round ends when the dealer's hand stands by the rule, or when
 * the dealer settles because every box is bust or has blackjack.
 */
export function blackjack(rules: BlackjackRules): CardGame {
  const boxNames = Array.from({ length: rules.boxes }, (_, i) => `box${i + 1}`);
  const positions = [...boxNames.flatMap((b) => range(rules.maxCards).map((n) => `${b}.${n}`)), ...range(rules.maxCards).map((n) => `dealer${n}`)];
  const handCards = (dealt: Dealt, name: string): Card[] => hand(dealt, name === 'dealer' ? 'dealer' : `${name}.`, rules.maxCards);
  const boxesInPlay = (dealt: Dealt): string[] => boxNames.filter((b) => dealt.has(`${b}.1`));
  const resultOf = (dealt: Dealt): JsonObject => {
    const dealer = handCards(dealt, 'dealer');
    const boxes: Record<string, JsonObject> = {};
    for (const b of boxesInPlay(dealt)) {
      const cards = handCards(dealt, b);
      boxes[b] = { cards, total: blackjackTotal(cards).total, outcome: boxOutcome(cards, dealer) };
    }
    const d = blackjackTotal(dealer);
    return { dealer: { cards: dealer, total: d.total, blackjack: d.blackjack, bust: d.bust }, boxes };
  };
  return {
    name: 'blackjack',
    positions,
    handOf: (position) => position.replace(/\.?\d+$/, ''),
    refuse(dealt, position) {
      if (!positions.includes(position)) return `${position} is not a blackjack position at this table`;
      const name = position.replace(/\.?\d+$/, '');
      const slot = Number(/(\d+)$/.exec(position)![1]);
      const cards = handCards(dealt, name);
      if (cards.length < slot - 1) return `a card at ${position} before the hand's card ${slot - 1}`;
      if (slot <= 2) return null;
      const t = blackjackTotal(cards);
      if (t.bust) return `a card to ${name}, which is bust (${t.total})`;
      if (t.total === 21) return `a card to ${name}, which has 21`;
      if (name === 'dealer' && !dealerDraws(cards, rules.hitSoft17)) return `the dealer draws on ${t.soft ? 'soft ' : ''}${t.total}, which the rule says to stand on`;
      return null;
    },
    result(dealt) {
      const dealer = handCards(dealt, 'dealer');
      if (dealer.length < 2 || dealerDraws(dealer, rules.hitSoft17)) return null;
      return resultOf(dealt);
    },
    settle(dealt) {
      const dealer = handCards(dealt, 'dealer');
      if (dealer.length < 1) return { refused: 'the dealer has no card yet' };
      const open = boxesInPlay(dealt).filter((b) => {
        const t = blackjackTotal(handCards(dealt, b));
        return !t.bust && !t.blackjack;
      });
      if (open.length > 0) return { refused: `${open.join(', ')} still in play: the dealer must play out the hand` };
      return { result: resultOf(dealt) };
    },
    // Round by round: every box's first card, the dealer's, every box's second...
    dealRank(position) {
      const name = position.replace(/\.?\d+$/, '');
      const slot = Number(/(\d+)$/.exec(position)?.[1] ?? 0);
      const seat = name === 'dealer' ? rules.boxes : boxNames.indexOf(name);
      return slot * (rules.boxes + 1) + seat;
    },
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
