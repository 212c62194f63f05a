import type { SeenCard } from '../card.js';
import type { Reading } from '../confirmation.js';
import { inside, type Point } from './quad.js';
import type { FoundCard } from './recognizer.js';

export type Positions = Readonly<Record<string, readonly Point[]>>;

/** Config gives corners as [x, y] pairs. */
export function positionsFromConfig(config: Readonly<Record<string, readonly (readonly [number, number])[]>>): Positions {
  return Object.fromEntries(Object.entries(config).map(([name, corners]) => [name, corners.map(([x, y]) => ({ x, y }))]));
}

/**
 * Which card lies where: a card belongs to the position its centre falls in. Two cards in one
 * position cannot both be the card there, so the position reads as "unknown" until one leaves.
 * Cards outside every position (the shoe, the discard rack) are not the game's.
 */
export function readPositions(found: readonly FoundCard[], positions: Positions): Reading[] {
  const byPosition = new Map<string, FoundCard[]>();
  for (const card of found) {
    const name = Object.keys(positions).find((p) => inside(card.centre, positions[p]!));
    if (name === undefined) continue;
    byPosition.set(name, [...(byPosition.get(name) ?? []), card]);
  }
  return [...byPosition].map(([position, cards]) =>
    cards.length === 1 ? { position, card: cards[0]!.card as SeenCard | null, confidence: cards[0]!.confidence } : { position, card: null, confidence: 0 },
  );
}
