import type { JsonObject } from '../contract/envelope.js';
import type { Incident } from '../kernel/events.js';
import type { Card } from './card.js';
import type { CardGame } from './card-game.js';

/** One card as the shoe read it, in draw order. */
export interface ShoeRead {
  readonly card: Card | null;
  /** Why the code named no card (then `card` is null). */
  readonly error?: string;
  readonly code: string;
  /**
   * When it was read, in monotonic ms (performance.now()): the match window is a duration, and a
   * step of the wall clock must neither run it out at once nor stretch it by the step.
   */
  readonly at: number;
}

/** The camera's confirmed card at a position, waiting for its shoe read. */
interface CameraCard {
  readonly card: Card;
  readonly evidence: JsonObject;
  readonly at: number;
}

export type MatchOutcome =
  | { readonly deal: { readonly position: string; readonly card: Card; readonly evidence: JsonObject } }
  | { readonly violation: Incident; readonly data: JsonObject };

/**
 * `cards.source: both` for one round: the k-th card out of the shoe is the k-th card to land
 * on the layout. Landing order comes from the camera: the order in which positions become
 * occupied (face down counts), seen in `frames` consecutive frames; two in the same frame are
 * ordered by the game's first-deal order. A card is dealt only when the shoe's card and the
 * camera's confirmed card at that position are the same card. A disagreement, a shoe read that
 * no card on the layout answers within the window, or a camera card the shoe never read, is a
 * violation carrying both readings: the same rule as the wheel's number line against its
 * status frame.
 */
export class ShoeMatcher {
  private readonly shoe: ShoeRead[] = [];
  private readonly order: string[] = [];
  private readonly presence = new Map<string, number>();
  private readonly waiting = new Map<string, CameraCard>();

  constructor(
    private readonly game: CardGame,
    private readonly frames: number,
    private readonly windowMs: number,
  ) {}

  /** Positions with something on them in this frame (a card, a back, an unreadable card). */
  onFrame(present: readonly string[]): void {
    const landed: string[] = [];
    for (const p of [...this.presence.keys()]) if (!present.includes(p)) this.presence.delete(p);
    for (const p of present) {
      const n = (this.presence.get(p) ?? 0) + 1;
      this.presence.set(p, n);
      if (n >= this.frames && !this.order.includes(p)) landed.push(p);
    }
    landed.sort((a, b) => this.game.dealRank(a) - this.game.dealRank(b));
    this.order.push(...landed);
  }

  onShoe(read: ShoeRead): MatchOutcome[] {
    const index = this.shoe.length;
    this.shoe.push(read);
    if (read.card === null) {
      return [{ violation: { code: 'shoe-unreadable', reason: `the shoe's card ${index + 1} could not be read: ${read.error ?? 'no card'}` }, data: { shoeIndex: index + 1, code: read.code } }];
    }
    const position = this.order[index];
    const waiting = position === undefined ? undefined : this.waiting.get(position);
    return position !== undefined && waiting ? [this.compare(position, index, waiting)] : [];
  }

  onCamera(position: string, card: Card, evidence: JsonObject, at: number): MatchOutcome[] {
    if (!this.order.includes(position)) this.order.push(position);
    const index = this.order.indexOf(position);
    const camera = { card, evidence, at };
    if (index >= this.shoe.length) {
      this.waiting.set(position, camera);
      return [];
    }
    return [this.compare(position, index, camera)];
  }

  /** What the window has run out on, as of `now`. */
  due(now: number): MatchOutcome[] {
    for (let i = 0; i < this.shoe.length; i++) {
      const read = this.shoe[i] as ShoeRead;
      if (i >= this.order.length && now - read.at >= this.windowMs) {
        return [{ violation: { code: 'shoe-unconfirmed', reason: `the shoe read ${read.card ?? read.code} (card ${i + 1}) and no card reached the layout within ${this.windowMs / 1000} s` }, data: { shoeCard: read.card ?? read.code, shoeIndex: i + 1 } }];
      }
    }
    for (const [position, camera] of this.waiting) {
      if (now - camera.at >= this.windowMs) {
        return [{ violation: { code: 'shoe-missing', reason: `the camera read ${camera.card} at ${position} but the shoe never read it (${this.windowMs / 1000} s)` }, data: { position, cameraCard: camera.card, shoeReads: this.shoe.length, ...camera.evidence } }];
      }
    }
    return [];
  }

  /** When `due` should next be asked, or null when nothing waits. */
  nextDeadline(): number | null {
    const times = [...this.shoe.slice(this.order.length).map((r) => r.at), ...[...this.waiting.values()].map((c) => c.at)];
    return times.length ? Math.min(...times) + this.windowMs : null;
  }

  private compare(position: string, index: number, camera: CameraCard): MatchOutcome {
    this.waiting.delete(position);
    const read = this.shoe[index] as ShoeRead;
    if (read.card !== camera.card) {
      return {
        violation: { code: 'shoe-mismatch', reason: `${position}: the shoe read ${read.card ?? read.code}, the camera ${camera.card}` },
        data: { position, shoeCard: read.card ?? read.code, cameraCard: camera.card, shoeIndex: index + 1, ...camera.evidence },
      };
    }
    return { deal: { position, card: camera.card, evidence: { ...camera.evidence, shoeIndex: index + 1 } } };
  }
}
