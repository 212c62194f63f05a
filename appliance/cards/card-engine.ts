import type { Logger } from 'pino';
import type { JsonObject } from '../contract/envelope.js';
import { accepted, refused, type Decision, type EventDraft, type Incident } from '../kernel/events.js';
import type { TableGame } from '../kernel/game.js';
import { TableLifecycle, type LifecycleSnapshot } from '../kernel/table-lifecycle.js';
import { isCard, type Card } from './card.js';
import { CardConfirmer, type ConfirmationRules, type Reading } from './confirmation.js';
import type { CardGame } from './card-game.js';
import { ShoeMatcher, type MatchOutcome, type ShoeRead } from './shoe-match.js';

/** The card table as it is now: published retained on `.../state`. */
export interface CardTableState {
  readonly game: CardGame['name'];
  readonly open: boolean;
  readonly suspended: Incident | null;
  readonly round: {
    readonly no: number;
    readonly phase: 'betting' | 'dealing';
    readonly cards: Record<string, Card>;
    /** When bets close by themselves (ISO time), or null when the dealer closes them. */
    readonly bettingClosesAt: string | null;
  } | null;
  /** Where cards come from: the camera, the shoe, or both agreeing. */
  readonly source: DealingRules['source'];
  readonly lastResult: { readonly round: number; readonly result: JsonObject } | null;
  /** Positions where something card-like is seen now (the table must be clear to start). */
  readonly occupied: readonly string[];
  /**
   * What stands in the way of the dealer's next action now (the same words a press would be
   * refused with), until it clears; null when nothing does. The dealer monitor's standing line.
   */
  readonly blocked: Blocker | null;
}

/** The dealer's next step, and why it cannot be taken yet. */
export interface Blocker {
  readonly action: 'open' | 'resume' | 'start' | 'deal';
  readonly reason: string;
}

export interface CardSnapshot extends LifecycleSnapshot {
  readonly lastResult: CardTableState['lastResult'];
}

interface Round {
  readonly no: number;
  phase: 'betting' | 'dealing';
  readonly dealt: Map<string, Card>;
  readonly closesAt: number | null;
  readonly shoe: ShoeMatcher | null;
  /** Shoe cards drawn this round (source shoe). */
  drawn: number;
}

/** How a card table deals: where cards come from, and the betting window. */
export interface DealingRules {
  readonly source: 'camera' | 'shoe' | 'both';
  /** source both: how long a shoe card and the camera's card may wait for each other. */
  readonly matchWindowMs: number;
  /** Bets close by themselves this long after `start`; 0: only the dealer closes them. */
  readonly bettingMs: number;
}

export const CAMERA_ONLY: DealingRules = { source: 'camera', matchWindowMs: 20_000, bettingMs: 0 };

/** One frame's readings at the table's positions, and when (and from where) the frame was taken. */
export interface PositionFrame {
  readonly readings: readonly Reading[];
  /** Capture time of the frame, epoch ms. */
  readonly frameTime: number;
  readonly camera: string;
}

/**
 * The single source of truth for a card table. The camera reports what lies where, the dealer
 * starts rounds and closes bets, and the engine decides: a card counts only once the confirmer
 * has seen it in several consecutive frames, and only where the game's rules allow it. A card
 * the rules forbid, a confirmed card that changes, a card before bets close, or a camera that
 * goes down voids the round and suspends the table, with the reason; nothing is ever guessed.
 */
export class CardEngine extends TableLifecycle implements TableGame {
  private round: Round | null = null;
  private lastResult: CardTableState['lastResult'];
  private readonly confirmer: CardConfirmer;
  private occupied: string[] = [];
  private cameraProblem: string | null = null;
  private shoeProblem: string | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly game: CardGame,
    private readonly confirmation: ConfirmationRules,
    emit: (draft: EventDraft) => void,
    log: Logger,
    restored: CardSnapshot | null,
    private readonly dealing: DealingRules = CAMERA_ONLY,
  ) {
    super(emit, log, restored);
    this.confirmer = new CardConfirmer(confirmation);
    this.lastResult = restored?.lastResult ?? null;
  }

  get name(): string {
    return this.game.name;
  }

  // ---- the camera ------------------------------------------------------------------------------

  onFrame(frame: PositionFrame): void {
    this.occupied = [...new Set(frame.readings.map((r) => r.position))].sort();
    const round = this.round;
    if (!round || this.suspension || this.dealing.source === 'shoe') return;
    round.shoe?.onFrame(this.occupied);
    for (const event of this.confirmer.frame(frame.readings, frame.frameTime)) {
      if (this.round !== round) return; // the round ended on an earlier event of this frame
      if (event.kind === 'conflict') {
        this.emit({
          type: 'card.conflict',
          round: round.no,
          data: { position: event.position, confirmed: event.confirmed, read: event.read, frameTime: event.frameTime, camera: frame.camera },
        });
        this.violation({ code: 'card-conflict', reason: `${event.position} was confirmed as ${event.confirmed} and now reads ${event.read}` });
        return;
      }
      if (!isCard(event.card)) continue; // face down: the position is taken, its value comes with the flip
      const evidence = { camera: frame.camera, frameTimes: [...event.frameTimes] };
      if (round.shoe) this.settleMatches(round, round.shoe.onCamera(event.position, event.card, evidence, performance.now()));
      else this.onCard(round, event.position, event.card, evidence);
    }
  }

  onCamera(problem: string | null): void {
    this.cameraProblem = problem;
    this.standingCause('camera-down', problem, 'the camera is back');
  }

  /** The shoe's link: while a table dealing from the shoe cannot hear it, it cannot vouch for a card. */
  onShoeLink(problem: string | null): void {
    if (this.dealing.source === 'camera') return;
    this.shoeProblem = problem;
    this.standingCause('shoe-down', problem, 'the shoe is back');
  }

  /**
   * A card drawn from the shoe (`card` null: its code named no card). Every read is journaled.
   * Outside a round it is a burn card; while bets are open it is a card too early.
   */
  onShoe(read: ShoeRead, by: string): void {
    if (this.dealing.source === 'camera') return;
    const round = this.round;
    this.emit({ type: 'card.drawn', round: round?.no ?? null, data: { card: read.card, code: read.code, by, ...(read.error ? { error: read.error } : {}) } });
    if (!round || this.suspension) return; // burn cards, and cards while a person looks at the table
    if (round.phase === 'betting') return this.violation({ code: 'card-before-close', reason: `the shoe gave ${read.card ?? read.code} while bets were open` });
    if (round.shoe) return this.settleMatches(round, round.shoe.onShoe(read));
    // source shoe: the rules alone say where it goes
    if (read.card === null) return this.violation({ code: 'shoe-unreadable', reason: `the shoe's card could not be read: ${read.error ?? read.code}` });
    if (!this.game.nextPosition) return this.violation({ code: 'card-sequence', reason: `${this.game.name} cannot place a shoe card without the camera` });
    const position = this.game.nextPosition(round.dealt);
    if (position === null) return this.violation({ code: 'card-sequence', reason: `${read.card} drawn after the coup was complete` });
    round.drawn += 1;
    this.onCard(round, position, read.card, { source: 'shoe', shoeIndex: round.drawn });
  }

  // ---- dealer and technician actions -------------------------------------------------------------

  openTable(by: string): Decision {
    const d = this.open(by, null);
    if (d.ok && this.cameraProblem !== null) this.suspend({ code: 'camera-down', reason: this.cameraProblem }, true);
    if (d.ok && this.shoeProblem !== null) this.suspend({ code: 'shoe-down', reason: this.shoeProblem }, true);
    return d;
  }

  closeTable(by: string): Decision {
    return this.close(by, this.round?.no ?? null);
  }

  startRound(by: string): Decision {
    if (!this.tableOpen) return refused('the table is closed');
    if (this.suspension) return refused(`the table is suspended: ${this.suspension.reason}`);
    if (this.round) return refused(`round ${this.round.no} is in progress`);
    const blocker = this.startBlocker();
    if (blocker !== null) return refused(blocker);
    this.roundCounter += 1;
    const { bettingMs, source, matchWindowMs } = this.dealing;
    const closesAt = bettingMs > 0 ? Date.now() + bettingMs : null;
    const round: Round = {
      no: this.roundCounter,
      phase: 'betting',
      dealt: new Map(),
      closesAt,
      shoe: source === 'both' ? new ShoeMatcher(this.game, this.confirmation.frames, matchWindowMs) : null,
      drawn: 0,
    };
    this.round = round;
    this.confirmer.reset();
    this.emit({ type: 'round.opened', round: round.no, data: { by, game: this.game.name, ...(closesAt ? { bettingClosesAt: new Date(closesAt).toISOString(), bettingMs } : {}) } });
    if (closesAt !== null) this.arm(bettingMs, () => this.round === round && round.phase === 'betting' && this.closeBets('betting-timer'));
    return accepted;
  }

  closeBets(by: string): Decision {
    if (!this.round || this.round.phase !== 'betting') return refused('no round is taking bets');
    this.round.phase = 'dealing';
    this.disarm();
    this.emit({ type: 'round.closed', round: this.round.no, data: { by } });
    return accepted;
  }

  /** The dealer ends the round before the rules do (blackjack: every box bust or blackjack). */
  settle(by: string): Decision {
    const round = this.round;
    if (!round || round.phase !== 'dealing') return refused('no round is being dealt');
    const settled = this.game.settle(round.dealt);
    if ('refused' in settled) return refused(settled.refused);
    this.finish(round, { ...settled.result, settledBy: by });
    return accepted;
  }

  voidRound(incident: Incident): Decision {
    const round = this.round;
    if (!round) return refused('no round is in progress');
    this.round = null;
    this.disarm();
    this.log.warn({ round: round.no, ...incident }, 'round voided');
    this.emit({ type: 'round.voided', round: round.no, data: { ...incident, cards: Object.fromEntries(round.dealt) } });
    return accepted;
  }

  resume(by: string): Decision {
    const blocker = this.cameraProblem !== null ? `the camera is down: ${this.cameraProblem}` : this.shoeProblem !== null ? `the shoe is down: ${this.shoeProblem}` : null;
    return this.resumeUnless(by, blocker);
  }

  /** What stands in the way of the dealer's next action, while it stands (see CardTableState.blocked). */
  blocker(): Blocker | null {
    if (!this.tableOpen) return { action: 'open', reason: 'the table is closed' };
    if (this.suspension) return { action: 'resume', reason: `the table is suspended: ${this.suspension.reason}` };
    const round = this.round;
    if (!round) {
      const reason = this.startBlocker();
      return reason === null ? null : { action: 'start', reason };
    }
    if (round.phase === 'betting') {
      return { action: 'deal', reason: round.closesAt === null ? 'bets are still open: close bets before the first card' : 'bets are still open: wait for them to close before the first card' };
    }
    return null;
  }

  /** Why a round cannot start now, the table being open, not suspended and between rounds. */
  private startBlocker(): string | null {
    // Last round's cards still lying there would be read as this round's.
    if (this.occupied.length > 0) return `cards are still on the table at ${this.occupied.join(', ')}: clear it first`;
    if (this.shoeProblem !== null) return `the shoe is down: ${this.shoeProblem}`;
    if (this.cameraProblem !== null && this.dealing.source !== 'shoe') return `the camera is not up: ${this.cameraProblem}`;
    return null;
  }

  /** Stops the timers (the table is stopping). */
  stop(): void {
    this.disarm();
  }

  state(): CardTableState {
    const r = this.round;
    return {
      game: this.game.name,
      open: this.tableOpen,
      suspended: this.suspension ? { code: this.suspension.code, reason: this.suspension.reason } : null,
      round: r ? { no: r.no, phase: r.phase, cards: Object.fromEntries(r.dealt), bettingClosesAt: r.closesAt === null ? null : new Date(r.closesAt).toISOString() } : null,
      source: this.dealing.source,
      lastResult: this.lastResult,
      occupied: this.occupied,
      blocked: this.blocker(),
    };
  }

  snapshot(): CardSnapshot {
    return { ...this.lifecycleSnapshot(this.round?.no ?? null), lastResult: this.lastResult };
  }

  // ---- the game ---------------------------------------------------------------------------------------

  /** What the shoe matcher decided: deal the agreed cards, stop at the first violation. */
  private settleMatches(round: Round, outcomes: readonly MatchOutcome[]): void {
    for (const o of outcomes) {
      if (this.round !== round) return;
      if ('violation' in o) {
        this.emit({ type: 'card.conflict', round: round.no, data: { code: o.violation.code, ...o.data } });
        return this.violation(o.violation);
      }
      this.onCard(round, o.deal.position, o.deal.card, o.deal.evidence);
    }
    this.armShoeWindow(round);
  }

  /** The next moment a shoe card or a camera card runs out of time to meet the other. */
  private armShoeWindow(round: Round): void {
    const deadline = round.shoe?.nextDeadline() ?? null;
    if (this.round !== round || deadline === null || round.phase === 'betting') return;
    this.arm(deadline - performance.now(), () => this.round === round && round.shoe && this.settleMatches(round, round.shoe.due(performance.now())));
  }

  /**
   * Runs `fn` in `delayMs`: a duration on the monotonic clock (setTimeout's), never a wall-clock
   * moment, so a step of the box's clock neither fires it early nor holds it back. The betting
   * window's `bettingClosesAt` is the wall-clock moment for people; the timer is its duration.
   */
  private arm(delayMs: number, fn: () => unknown): void {
    this.disarm();
    this.timer = setTimeout(fn, Math.max(0, delayMs));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onCard(round: Round, position: string, card: Card, evidence: JsonObject): void {
    if (round.phase === 'betting') {
      return this.violation({ code: 'card-before-close', reason: `${card} turned at ${position} while bets were open` });
    }
    const why = this.game.refuse(round.dealt, position);
    if (why !== null) return this.violation({ code: 'card-sequence', reason: `${card} at ${position}: ${why}` });
    round.dealt.set(position, card);
    this.emit({ type: 'card.dealt', round: round.no, data: { position, hand: this.game.handOf(position), card, ...evidence } });
    const result = this.game.result(round.dealt);
    if (result) this.finish(round, result);
  }

  private finish(round: Round, result: JsonObject): void {
    this.round = null;
    this.disarm();
    this.lastResult = { round: round.no, result };
    this.emit({ type: 'round.result', round: round.no, data: { game: this.game.name, ...result } });
  }

  /** The cards say something impossible: void the round, stop the table for a person. */
  private violation(incident: Incident): void {
    this.voidRound(incident);
    this.suspend(incident, false);
  }

  protected override standingCauses(): Incident[] {
    const causes = super.standingCauses();
    if (this.cameraProblem !== null) causes.push({ code: 'camera-down', reason: this.cameraProblem });
    if (this.shoeProblem !== null) causes.push({ code: 'shoe-down', reason: this.shoeProblem });
    return causes;
  }
}
