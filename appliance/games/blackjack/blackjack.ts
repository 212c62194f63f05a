import { pipValue, rankOf, type Card } from '../../cards/card.js';

export interface BlackjackTotal {
  /** The best total: aces count 11 while that does not bust. */
  readonly total: number;
  /** True when an ace still counts 11. */
  readonly soft: boolean;
  readonly blackjack: boolean;
  readonly bust: boolean;
}

export function blackjackTotal(cards: readonly Card[]): BlackjackTotal {
  const hard = cards.reduce((s, c) => s + pipValue(c), 0);
  const hasAce = cards.some((c) => rankOf(c) === 'A');
  const soft = hasAce && hard + 10 <= 21;
  const total = soft ? hard + 10 : hard;
  return { total, soft, blackjack: cards.length === 2 && total === 21, bust: total > 21 };
}

/** Whether the dealer must draw: below 17, and on soft 17 when the table hits it. */
export function dealerDraws(cards: readonly Card[], hitSoft17: boolean): boolean {
  const t = blackjackTotal(cards);
  if (t.total < 17) return true;
  return t.total === 17 && t.soft && hitSoft17;
}

export type BoxOutcome = 'blackjack' | 'win' | 'push' | 'lose' | 'bust';

/** One player box against the dealer's finished hand. */
export function boxOutcome(player: readonly Card[], dealer: readonly Card[]): BoxOutcome {
  const p = blackjackTotal(player);
  const d = blackjackTotal(dealer);
  if (p.bust) return 'bust';
  if (p.blackjack) return d.blackjack ? 'push' : 'blackjack';
  if (d.blackjack) return 'lose';
  if (d.bust || p.total > d.total) return 'win';
  return p.total === d.total ? 'push' : 'lose';
}
