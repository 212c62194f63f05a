import type { SeenCard } from '../cards/card.js';
import type { Reading } from '../cards/confirmation.js';
import { inside, type Point } from './quad.js';
import type { FoundCard } from './recognizer.js';

export type Positions = Readonly<Record<string, readonly Point[]>>;
/** A cascade position (a blackjack box drawn once for its whole hand) and its slots in deal order. */
export type Cascades = Readonly<Record<string, readonly string[]>>;

/** Config gives corners as [x, y] pairs. */
export function positionsFromConfig(config: Readonly<Record<string, readonly (readonly [number, number])[]>>): Positions {
  return Object.fromEntries(Object.entries(config).map(([name, corners]) => [name, corners.map(([x, y]) => ({ x, y }))]));
}

/**
 * Which card lies where: a card belongs to the position its centre falls in. Two cards in one
 * single-card position cannot both be the card there, so the position reads as "unknown" until
 * one leaves. A cascade position holds a hand: its cards are read in the order they were dealt,
 * the k-th to the hand's k-th slot (cascadeOrder). Cards outside every position (the shoe, the
 * discard rack) are not the game's.
 */
export function readPositions(found: readonly FoundCard[], positions: Positions, cascades: Cascades = {}): Reading[] {
  const byPosition = new Map<string, FoundCard[]>();
  for (const card of found) {
    const name = Object.keys(positions).find((p) => inside(card.centre, positions[p]!));
    if (name === undefined) continue;
    byPosition.set(name, [...(byPosition.get(name) ?? []), card]);
  }
  const readings: Reading[] = [];
  for (const [position, cards] of byPosition) {
    const slots = cascades[position];
    if (slots) {
      const ordered = cascadeOrder(cards);
      // More cards than the hand has slots: none of them can be vouched for.
      if (ordered.length > slots.length) readings.push(...slots.map((slot) => ({ position: slot, card: null, confidence: 0 })));
      else ordered.forEach((c, k) => readings.push({ position: slots[k]!, card: c.card as SeenCard | null, confidence: c.confidence }));
    } else if (cards.length === 1) readings.push({ position, card: cards[0]!.card as SeenCard | null, confidence: cards[0]!.confidence });
    else readings.push({ position, card: null, confidence: 0 });
  }
  return readings;
}

/**
 * The cards of one cascade in the order they were dealt. Each card is dealt over the one before,
 * offset along it, covering that card's far corner: a card whose second index is hidden lies
 * under the next. So the cascade runs along the covered cards' own diagonal (from the index
 * read towards the hidden corner), and the cards are sorted along it. With no covered card (a
 * hand spread without overlap) the order is the reading order of the picture: left to right,
 * then top to bottom.
 */
export function cascadeOrder(cards: readonly FoundCard[]): FoundCard[] {
  const covered = cards.filter((c) => c.indices === 1);
  let axis = covered.reduce(
    (a, c) => {
      const dx = c.corners[2].x - c.corners[0].x;
      const dy = c.corners[2].y - c.corners[0].y;
      const n = Math.hypot(dx, dy) || 1;
      return { x: a.x + dx / n, y: a.y + dy / n };
    },
    { x: 0, y: 0 },
  );
  if (Math.hypot(axis.x, axis.y) < 0.5) axis = { x: 1, y: 0.01 };
  return [...cards].sort((a, b) => a.centre.x * axis.x + a.centre.y * axis.y - (b.centre.x * axis.x + b.centre.y * axis.y));
}
