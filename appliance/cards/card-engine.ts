import type { Logger } from 'pino';
import type { JsonObject } from '../contract/envelope.js';
import { accepted, refused, type Decision, type EventDraft, type Incident } from '../table/events.js';
import { TableLifecycle, type LifecycleSnapshot } from '../table/table-lifecycle.js';
import { isCard, type Card } from './card.js';
import { CardConfirmer, type ConfirmationRules, type Reading } from './confirmation.js';
import type { CardGame } from './games.js';

/** The card table as it is now: published retained on `.../state`. */
export interface CardTableState {
  readonly game: CardGame['name'];
  readonly open: boolean;
  readonly suspended: Incident | null;
  readonly round: { readonly no: number; readonly phase: 'betting' | 'dealing'; readonly cards: Record<string, Card> } | null;
  readonly lastResult: { readonly round: number; readonly result: JsonObject } | null;
  /** Positions where something card-like is seen now (the table must be clear to start). */
  readonly occupied: readonly string[];
}

export interface CardSnapshot extends LifecycleSnapshot {
  readonly lastResult: CardTableState['lastResult'];
}

interface Round {
  readonly no: number;
  phase: 'betting' | 'dealing';
  readonly dealt: Map<string, Card>;
}

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
export class CardEngine extends TableLifecycle {
  private round: Round | null = null;
  private lastResult: CardTableState['lastResult'];
  private readonly confirmer: CardConfirmer;
  private occupied: string[] = [];
  private cameraProblem: string | null = null;

  constructor(
    private readonly game: CardGame,
    confirmation: ConfirmationRules,
    emit: (draft: EventDraft) => void,
    log: Logger,
    restored: CardSnapshot | null,
  ) {
    super(emit, log, restored);
    this.confirmer = new CardConfirmer(confirmation);
    this.lastResult = restored?.lastResult ?? null;
  }

  // ---- the camera ------------------------------------------------------------------------------

  onFrame(frame: PositionFrame): void {
    this.occupied = [...new Set(frame.readings.map((r) => r.position))].sort();
    const round = this.round;
    if (!round || this.suspension) return;
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
      this.onCard(round, event.position, event.card, event.frameTimes, frame.camera);
    }
  }

  onCamera(problem: string | null): void {
    this.cameraProblem = problem;
    this.standingCause('camera-down', problem, 'the camera is back');
  }

  // ---- dealer and technician actions -------------------------------------------------------------

  openTable(by: string): Decision {
    const d = this.open(by, null);
    if (d.ok && this.cameraProblem !== null) this.suspend({ code: 'camera-down', reason: this.cameraProblem }, true);
    return d;
  }

  closeTable(by: string): Decision {
    return this.close(by, this.round?.no ?? null);
  }

  startRound(by: string): Decision {
    if (!this.tableOpen) return refused('the table is closed');
    if (this.suspension) return refused(`the table is suspended: ${this.suspension.reason}`);
    if (this.round) return refused(`round ${this.round.no} is in progress`);
    // Last round's cards still lying there would be read as this round's.
    if (this.occupied.length > 0) return refused(`cards are still on the table at ${this.occupied.join(', ')}: clear it first`);
    this.roundCounter += 1;
    this.round = { no: this.roundCounter, phase: 'betting', dealt: new Map() };
    this.confirmer.reset();
    this.emit({ type: 'round.opened', round: this.round.no, data: { by, game: this.game.name } });
    return accepted;
  }

  closeBets(by: string): Decision {
    if (!this.round || this.round.phase !== 'betting') return refused('no round is taking bets');
    this.round.phase = 'dealing';
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
    this.log.warn({ round: round.no, ...incident }, 'round voided');
    this.emit({ type: 'round.voided', round: round.no, data: { ...incident, cards: Object.fromEntries(round.dealt) } });
    return accepted;
  }

  resume(by: string): Decision {
    return this.resumeUnless(by, this.cameraProblem === null ? null : `the camera is down: ${this.cameraProblem}`);
  }

  state(): CardTableState {
    const r = this.round;
    return {
      game: this.game.name,
      open: this.tableOpen,
      suspended: this.suspension ? { code: this.suspension.code, reason: this.suspension.reason } : null,
      round: r ? { no: r.no, phase: r.phase, cards: Object.fromEntries(r.dealt) } : null,
      lastResult: this.lastResult,
      occupied: this.occupied,
    };
  }

  snapshot(): CardSnapshot {
    return { ...this.lifecycleSnapshot(this.round?.no ?? null), lastResult: this.lastResult };
  }

  // ---- the game ---------------------------------------------------------------------------------------

  private onCard(round: Round, position: string, card: Card, frameTimes: readonly number[], camera: string): void {
    if (round.phase === 'betting') {
      return this.violation({ code: 'card-before-close', reason: `${card} turned at ${position} while bets were open` });
    }
    const why = this.game.refuse(round.dealt, position);
    if (why !== null) return this.violation({ code: 'card-sequence', reason: `${card} at ${position}: ${why}` });
    round.dealt.set(position, card);
    this.emit({
      type: 'card.dealt',
      round: round.no,
      data: { position, hand: this.game.handOf(position), card, camera, frameTimes: [...frameTimes] },
    });
    const result = this.game.result(round.dealt);
    if (result) this.finish(round, result);
  }

  private finish(round: Round, result: JsonObject): void {
    this.round = null;
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
    return this.cameraProblem === null ? causes : [...causes, { code: 'camera-down', reason: this.cameraProblem }];
  }
}
