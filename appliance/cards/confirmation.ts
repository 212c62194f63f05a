import type { SeenCard } from './card.js';

/** What the recogniser read at one table position in one frame. */
export interface Reading {
  readonly position: string;
  /** A card, `XX` face down, or null: the recogniser abstained (not sure what it is). */
  readonly card: SeenCard | null;
  readonly confidence: number;
}

export interface ConfirmationRules {
  /** Consecutive frames a card must be read the same, above the threshold, before it counts. */
  readonly frames: number;
  readonly threshold: number;
}

/** What a frame changed. */
export type ConfirmationEvent =
  | { readonly kind: 'confirmed'; readonly position: string; readonly card: SeenCard; readonly frameTimes: readonly number[] }
  /** A confirmed card now reads as another card, confidently: the table must suspend. */
  | { readonly kind: 'conflict'; readonly position: string; readonly confirmed: SeenCard; readonly read: SeenCard; readonly frameTime: number };

interface Candidate {
  card: SeenCard;
  frameTimes: number[];
}

/**
 * Confirms cards across frames, per table position. A card is reported only after `frames`
 * consecutive confident readings of the same identity; a reading of another card, an abstain or
 * an empty position before that starts over, so a card seen while it slides or flips is never
 * reported. Once confirmed, a position keeps its card: reading it again is silent; a confident
 * reading of a different card for `frames` frames is a conflict (never a correction). A
 * face-down card (`XX`) that is turned over to a card is the normal flip, not a conflict.
 */
export class CardConfirmer {
  private readonly candidates = new Map<string, Candidate>();
  private readonly confirmed = new Map<string, SeenCard>();
  private readonly contrary = new Map<string, Candidate>();

  constructor(private readonly rules: ConfirmationRules) {}

  /** One frame's readings (positions not mentioned are empty in this frame). */
  frame(readings: readonly Reading[], frameTime: number): ConfirmationEvent[] {
    const events: ConfirmationEvent[] = [];
    const seen = new Set<string>();
    for (const r of readings) {
      seen.add(r.position);
      const sure = r.card !== null && r.confidence >= this.rules.threshold ? r.card : null;
      const event = this.read(r.position, sure, frameTime);
      if (event) events.push(event);
    }
    for (const position of [...this.candidates.keys(), ...this.contrary.keys()]) {
      if (!seen.has(position)) {
        this.candidates.delete(position);
        this.contrary.delete(position);
      }
    }
    return events;
  }

  /** The cards confirmed so far, by position. */
  cards(): ReadonlyMap<string, SeenCard> {
    return this.confirmed;
  }

  /** A new round: forget everything. */
  reset(): void {
    this.candidates.clear();
    this.confirmed.clear();
    this.contrary.clear();
  }

  private read(position: string, card: SeenCard | null, frameTime: number): ConfirmationEvent | null {
    const settled = this.confirmed.get(position);
    if (settled !== undefined && !(settled === 'XX' && card !== null && card !== 'XX')) {
      if (card === null || card === settled) {
        this.contrary.delete(position);
        return null;
      }
      const streak = this.streak(this.contrary, position, card, frameTime);
      if (streak.frameTimes.length < this.rules.frames) return null;
      this.contrary.delete(position);
      return { kind: 'conflict', position, confirmed: settled, read: card, frameTime };
    }
    if (card === null) {
      this.candidates.delete(position);
      return null;
    }
    const streak = this.streak(this.candidates, position, card, frameTime);
    if (streak.frameTimes.length < this.rules.frames) return null;
    this.candidates.delete(position);
    this.confirmed.set(position, card);
    return { kind: 'confirmed', position, card, frameTimes: streak.frameTimes };
  }

  private streak(map: Map<string, Candidate>, position: string, card: SeenCard, frameTime: number): Candidate {
    let c = map.get(position);
    if (!c || c.card !== card) {
      c = { card, frameTimes: [] };
      map.set(position, c);
    }
    c.frameTimes.push(frameTime);
    return c;
  }
}
