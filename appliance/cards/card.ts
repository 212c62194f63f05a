/**
 * Cards as two characters everywhere (events, CLI, fixtures): rank `A 2-9 T J Q K`, then suit
 * `C D H S`, e.g. `TH`, `QS`. A face-down card is `XX`.
 */
export const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', 'T', 'J', 'Q', 'K'] as const;
export const SUITS = ['C', 'D', 'H', 'S'] as const;
export type Rank = (typeof RANKS)[number];
export type Suit = (typeof SUITS)[number];
export type Card = `${Rank}${Suit}`;
export const FACE_DOWN = 'XX';
export type SeenCard = Card | typeof FACE_DOWN;

const CARD = /^[A2-9TJQK][CDHS]$/;

export function isCard(text: string): text is Card {
  return CARD.test(text);
}

/** Parses a card as written; anything else is an error naming what was given. */
export function parseCard(text: string): SeenCard {
  if (text === FACE_DOWN || isCard(text)) return text;
  throw new Error(`"${text}" is not a card (rank A 2-9 T J Q K, then suit C D H S, e.g. TH; XX face down)`);
}

export function rankOf(card: Card): Rank {
  return card[0] as Rank;
}

/** Pip value: A = 1, 2-9 as printed, T J Q K = 10 (blackjack counts it so; baccarat mod 10). */
export function pipValue(card: Card): number {
  const r = rankOf(card);
  if (r === 'A') return 1;
  if (r === 'T' || r === 'J' || r === 'Q' || r === 'K') return 10;
  return Number(r);
}

/** The 52 cards of one deck, in rank-major order (the classifier's class order). */
export const DECK: readonly Card[] = RANKS.flatMap((r) => SUITS.map((s): Card => `${r}${s}`));
