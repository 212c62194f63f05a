import type { JsonObject } from '../../contract/envelope.js';
import type { Card } from '../../cards/card.js';
import { hand, type CardGame, type Dealt } from '../../cards/card-game.js';
import { blackjackTotal, boxOutcome, dealerDraws } from './blackjack.js';

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
    notFromShoeAlone: 'which box a hit goes to is the players\' choice, seen only by the camera',
    wholeHands: true,
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
