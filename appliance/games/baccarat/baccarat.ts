import { pipValue, rankOf, type Card } from '../../cards/card.js';

/** Baccarat card value: A = 1, 2-9 face value, T J Q K = 0. */
export function baccaratValue(card: Card): number {
  return pipValue(card) % 10;
}

export function handTotal(cards: readonly Card[]): number {
  return cards.reduce((sum, c) => sum + baccaratValue(c), 0) % 10;
}

export type BaccaratSpot = 'player' | 'banker';

/**
 * The order cards are dealt: player, banker, player, banker, then the third cards the tableau
 * calls for (player's first). `next` says which hand the next card must go to, or null when the
 * coup is complete.
 */
export function nextCard(player: readonly Card[], banker: readonly Card[]): BaccaratSpot | null {
  const dealt = player.length + banker.length;
  if (dealt < 4) return dealt % 2 === 0 ? 'player' : 'banker';
  const p = handTotal(player.slice(0, 2));
  const b = handTotal(banker.slice(0, 2));
  // A natural (8 or 9) on either side: both stand.
  if (p >= 8 || b >= 8) return null;
  if (player.length === 2) {
    if (p <= 5) return 'player';
    // Player stood on 6 or 7: banker draws on 0-5, like the player.
    return banker.length === 2 && b <= 5 ? 'banker' : null;
  }
  // The player drew a third card: the banker's rule depends on it.
  if (banker.length === 3) return null;
  const third = baccaratValue(player[2] as Card);
  return bankerDraws(b, third) ? 'banker' : null;
}

/** The banker's third-card rule after the player drew `third`. */
export function bankerDraws(bankerTotal: number, third: number): boolean {
  switch (bankerTotal) {
    case 0:
    case 1:
    case 2:
      return true;
    case 3:
      return third !== 8;
    case 4:
      return third >= 2 && third <= 7;
    case 5:
      return third >= 4 && third <= 7;
    case 6:
      return third === 6 || third === 7;
    default:
      return false;
  }
}

export interface BaccaratOutcome {
  readonly winner: 'player' | 'banker' | 'tie';
  readonly playerTotal: number;
  readonly bankerTotal: number;
  readonly natural: boolean;
  readonly playerPair: boolean;
  readonly bankerPair: boolean;
}

/** The outcome of a complete coup; throws if the coup is not complete. */
export function outcome(player: readonly Card[], banker: readonly Card[]): BaccaratOutcome {
  if (nextCard(player, banker) !== null) throw new Error('the coup is not complete');
  const playerTotal = handTotal(player);
  const bankerTotal = handTotal(banker);
  return {
    winner: playerTotal > bankerTotal ? 'player' : bankerTotal > playerTotal ? 'banker' : 'tie',
    playerTotal,
    bankerTotal,
    natural: handTotal(player.slice(0, 2)) >= 8 || handTotal(banker.slice(0, 2)) >= 8,
    playerPair: rankOf(player[0] as Card) === rankOf(player[1] as Card),
    bankerPair: rankOf(banker[0] as Card) === rankOf(banker[1] as Card),
  };
}
