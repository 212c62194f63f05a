// Over 400 lines on purpose: every check of the SS2 reference's round, each a few lines, sharing
// one round's state and read in the order the reference lists them; split, they would not read as one.
import type { Logger } from 'pino';
import type { RotorDirection, RotorWindow, WheelLink, WheelState, WheelStatus, WinningNumber } from '../../../drivers/wheel/wheel.js';
import { WheelWarning } from '../../../drivers/wheel/wheel.js';
import { accepted, refused, type Decision, type EventData, type EventDraft, type Incident, type IncidentCode } from '../../kernel/events.js';
import type { TableGame } from '../../kernel/game.js';
import { TableLifecycle } from '../../kernel/table-lifecycle.js';
import { colourOf, nextSpin } from './pockets.js';
import type { RouletteSnapshot, TableState } from './table-state.js';

/** How this table's wheel is expected to behave; derived from config and the wheel's mode. */
export interface RouletteRules {
  /** The wheel sends SS2 status frames; if false, the dealer opens and closes betting. */
  readonly statusFrames: boolean;
  /** Mode bit 2: a game starts only on the host's `*u 1`. */
  readonly manualStart: boolean;
  /** Mode bit 1: the rotor reverses every game. */
  readonly directionAlternates: boolean;
  /** Mode bit 16 clear: a winning-number line must confirm the status frame. */
  readonly numberLine: boolean;
  /** From config; when null, the window the wheel reports (`*T s`) is used. */
  readonly rotorWindow: RotorWindow | null;
  /** Wheel milliseconds per real millisecond: 1 in the field, >1 for an accelerated simulator. */
  readonly timeScale: number;
}

/** Grace periods from the reference ("Exceptions the host must handle"), in wheel milliseconds. */
const LAUNCH_RETRY_GRACE_MS = 3000;
const BALL_LOST_GRACE_MS = 5000;
/** The number line leads the result frame by up to 500 ms; allow a margin before voiding. */
const NUMBER_LINE_WAIT_MS = 1500;
/** How often to ask again for a re-spin the wheel refused (it may declare a void after we do). */
const RESPIN_RETRY_MS = 2000;

export interface WheelControl {
  startGame(): Promise<void>;
  respin(): Promise<void>;
}

interface Round {
  readonly no: number;
  phase: 'betting' | 'closed';
  /** Pinned at the first state-3 frame of the game. */
  spin: number | null;
  direction: RotorDirection | null;
  rotorRpm: number | null;
  rimSince: number | null;
  closedAt: number | null;
  ballLostSince: number | null;
  resultFrameAt: number | null;
}

interface Launch {
  readonly spin: number;
  readonly direction: RotorDirection;
  voided: boolean;
}

/**
 * The single source of truth for a roulette table. The wheel reports, the dealer asks, and the
 * engine decides: it emits an event only for what it can vouch for. Anything inconsistent
 * becomes a void (the round) or a suspension (the table) with a reason, never a result.
 *
 * Suspensions caused by the link or an idle wheel lift by themselves when the wheel is back;
 * those caused by an integrity failure (fault, counter jump, number mismatch, state sequence)
 * wait for a person's `resume`.
 *
 * Time comes from the frames themselves (`at`), so every rule is deterministic under test.
 */
export class RouletteEngine extends TableLifecycle implements TableGame {
  readonly name = 'roulette';
  private round: Round | null = null;
  private linkUp = false;
  private reportedWindow: RotorWindow | null = null;
  private last: WheelStatus | null = null;
  private previousLaunch: Launch | null = null;
  private numberLine: WinningNumber | null = null;
  private lastResult: { round: number; number: number; spin: number | null } | null;
  private expectRespin = false;
  /** Frame time of the last `*R`, so a refused one is retried, but not on every frame. */
  private respinAskedAt: number | null = null;

  constructor(
    private readonly rules: RouletteRules,
    emit: (draft: EventDraft) => void,
    private readonly wheel: WheelControl,
    log: Logger,
    restored: RouletteSnapshot | null,
  ) {
    super(emit, log, restored);
    this.lastResult = restored?.lastResult ?? null;
  }

  // ---- wheel inputs -------------------------------------------------------------------------

  onLink(link: WheelLink): void {
    this.linkUp = link.up;
    if (link.up) {
      this.reportedWindow = link.rotorWindow;
      if (this.suspension?.code === 'wheel-link') this.lift('wheel link restored');
      return;
    }
    this.last = null;
    this.previousLaunch = null;
    this.voidRound({ code: 'wheel-link', reason: `wheel link lost (${link.reason}: ${link.detail})` });
    this.suspend({ code: 'wheel-link', reason: `wheel link lost (${link.reason})` }, true);
  }

  /**
   * Besides the journal's: an unplugged wheel and an idle one. Without them a table suspended
   * for the journal, whose wheel was unplugged meanwhile, would resume when the disk had room.
   */
  protected override standingCauses(): Incident[] {
    const causes = super.standingCauses();
    if (!this.linkUp) causes.push({ code: 'wheel-link', reason: 'wheel link lost' });
    else if (this.last?.state === 6 && !this.round) causes.push({ code: 'wheel-idle', reason: 'wheel is closed or idle (state 6)' });
    return causes;
  }

  onStatus(s: WheelStatus): void {
    const prev = this.last?.state ?? null;
    this.last = s;

    if (s.warnings & WheelWarning.sensorFault) {
      this.voidRound({ code: 'wheel-fault', reason: 'wheel reports a sensor, motor or encoder fault (warn 4)' });
      this.suspend({ code: 'wheel-fault', reason: 'wheel fault (warn 4)' }, false);
      return;
    }
    if (s.state === 6) {
      if (this.round) {
        this.voidRound({ code: 'wheel-stopped', reason: `wheel stopped mid-game (state ${prev} to 6)` });
        this.suspend({ code: 'wheel-stopped', reason: 'wheel stopped mid-game' }, false);
      } else {
        this.suspend({ code: 'wheel-idle', reason: 'wheel is closed or idle (state 6)' }, true);
      }
      return;
    }
    if (this.suspension?.code === 'wheel-idle') this.lift('wheel left state 6');

    // The wheel left the result while the round still waited for its number line: that line
    // can no longer be told from the next game's, so the round is void (found by the fuzz: a
    // late line of the next game was taken for this one's).
    if (this.round?.resultFrameAt != null && s.state !== 5) {
      this.voidRound({ code: 'number-line-missing', reason: `the wheel left the result (state ${s.state}) before the winning-number line came` });
    }

    if (!this.round) this.respinOrphanedVoid(s);
    if (s.state === 2 && prev !== null && prev !== 2) this.onGameStarting();
    if (s.state === 3 && prev !== 3) this.onBallInRim(s, prev);
    if (!this.round) return;
    switch (s.state) {
      case 1:
        return this.violation(`wheel went back to state 1 during a game`);
      case 2:
        return;
      case 3:
        return this.duringRim(this.round, s);
      case 4:
        return this.duringNoMoreBets(this.round, s, prev);
      case 5:
        return this.atResult(this.round, s, prev);
    }
  }

  onWinningNumber(n: WinningNumber): void {
    this.numberLine = n;
    const round = this.round;
    if (!this.rules.statusFrames) return this.numberWithoutFrames(n);
    // Only a result frame can confirm a line; any other frame carries the previous game's number.
    if (round?.resultFrameAt != null && this.last?.state === 5) this.atResult(round, this.last, 5);
  }

  // ---- dealer and technician actions ---------------------------------------------------------

  openTable(by: string): Decision {
    return this.open(by, this.linkUp ? null : 'the wheel is not connected');
  }

  closeTable(by: string): Decision {
    return this.close(by, this.round?.no ?? null);
  }

  startRound(by: string): Decision {
    const why = this.cannotOpenRound();
    if (why) return refused(why);
    if (this.rules.statusFrames) {
      if (!this.rules.manualStart) return refused('the wheel starts its games itself (automatic mode)');
      const state = this.last?.state;
      if (state !== 1 && state !== 2) return refused(`the wheel is not waiting for a start (state ${state ?? 'unknown'})`);
    }
    const round = this.openRound(by);
    if (this.rules.statusFrames) {
      this.wheel.startGame().catch((err: Error) => {
        if (this.round === round) this.voidRound({ code: 'start-failed', reason: `the wheel did not start the game: ${err.message}` });
      });
    }
    return accepted;
  }

  closeBets(by: string): Decision {
    if (this.rules.statusFrames) return refused('this wheel calls no more bets itself');
    if (!this.round || this.round.phase !== 'betting') return refused('no round is taking bets');
    this.round.phase = 'closed';
    this.emit({ type: 'round.closed', round: this.round.no, data: { by } });
    return accepted;
  }

  voidRound(incident: Incident): Decision {
    const round = this.round;
    if (!round) return refused('no round is in progress');
    this.round = null;
    if (this.previousLaunch && round.spin === this.previousLaunch.spin) this.previousLaunch.voided = true;
    this.log.warn({ round: round.no, ...incident }, 'round voided');
    this.emit({ type: 'round.voided', round: round.no, data: { ...incident, ...(round.spin === null ? {} : { spin: round.spin }) } });
    return accepted;
  }

  resume(by: string): Decision {
    const stopped = this.last && (this.last.state === 6 || this.last.warnings & WheelWarning.sensorFault);
    return this.resumeUnless(by, !this.linkUp ? 'the wheel is not connected' : stopped ? 'the wheel is still stopped or faulty' : null);
  }

  state(): TableState {
    return {
      open: this.tableOpen,
      suspended: this.suspension ? { code: this.suspension.code, reason: this.suspension.reason } : null,
      round: this.round ? { no: this.round.no, phase: this.round.phase, spin: this.round.spin } : null,
      lastResult: this.lastResult,
      wheel: {
        link: this.linkUp ? 'up' : 'down',
        ...(this.last
          ? { state: this.last.state, spin: this.last.spin, rotorRpm: this.last.rotorRpm, direction: this.last.direction, warnings: this.last.warnings }
          : {}),
      },
    };
  }

  snapshot(): RouletteSnapshot {
    return { ...this.lifecycleSnapshot(this.round?.no ?? null), lastResult: this.lastResult };
  }

  // ---- the game cycle --------------------------------------------------------------------------

  private onGameStarting(): void {
    const respin = this.expectRespin;
    this.expectRespin = false;
    this.respinAskedAt = null;
    if (this.round) return; // opened by the dealer's start
    if (this.rules.manualStart && !respin) return;
    if (this.cannotOpenRound()) return;
    this.openRound(respin ? 'wheel (re-spin)' : 'wheel');
  }

  /**
   * A wheel that voided a game itself waits for `*R`. The round is already voided (by us, or by
   * a restart), so nobody else will ask, and the wheel may have answered an earlier `*R` with NO
   * because it declared the failure a moment after we did. Ask again, at most every 2 s of wheel
   * time, while it shows the failure; otherwise the table would wait forever.
   */
  private respinOrphanedVoid(s: WheelStatus): void {
    const waiting = (s.state === 3 && s.warnings & (WheelWarning.ballWithRotor | WheelWarning.launchFailed)) || (s.state === 4 && s.warnings & WheelWarning.ballNotDetected);
    if (!waiting || this.expectRespin) return;
    if (this.respinAskedAt !== null && this.wheelMs(s.at - this.respinAskedAt) < RESPIN_RETRY_MS) return;
    this.respinAskedAt = s.at;
    this.expectRespin = true;
    this.wheel.respin().then(
      () => this.log.info({ spin: s.spin }, 're-spin requested for a game voided while no round was open'),
      () => (this.expectRespin = false), // not waiting (yet): asked again on a later frame
    );
  }

  private onBallInRim(s: WheelStatus, prev: WheelState | null): void {
    const before = this.previousLaunch;
    this.previousLaunch = { spin: s.spin, direction: s.direction, voided: false };
    const round = this.round;
    if (!round) return;
    if (prev !== 2) return this.violation(`ball in rim without a launch (state ${prev} to 3)`);
    round.spin = s.spin;
    round.direction = s.direction;
    round.rotorRpm = s.rotorRpm;
    round.rimSince = s.at;
    if (before && s.spin !== nextSpin(before.spin)) {
      return this.violation(`spin counter went from ${before.spin} to ${s.spin}`, 'spin-counter');
    }
    if (this.rules.directionAlternates && before && !before.voided && before.direction === s.direction) {
      this.voidAndRespin({ code: 'rotor-direction', reason: `rotor turned ${s.direction} two games running` }, false);
    }
  }

  private duringRim(round: Round, s: WheelStatus): void {
    if (!this.sameGame(round, s)) return;
    const window = this.rules.rotorWindow ?? this.reportedWindow;
    if (window && (s.rotorRpm < window.minRpm || s.rotorRpm > window.maxRpm)) {
      return this.voidAndRespin({ code: 'rotor-speed', reason: `rotor at ${s.rotorRpm} rpm, outside ${window.minRpm}-${window.maxRpm}` }, false);
    }
    if (s.warnings & WheelWarning.ballWithRotor) {
      return this.voidAndRespin({ code: 'miss-spin', reason: 'ball travelled with the rotor (warn 2)' }, true);
    }
    if (s.warnings & WheelWarning.launchFailed && round.rimSince !== null && this.wheelMs(s.at - round.rimSince) > LAUNCH_RETRY_GRACE_MS) {
      return this.voidAndRespin({ code: 'launch-failure', reason: 'ball launch failed (warn 8 past 3 s)' }, true);
    }
  }

  private duringNoMoreBets(round: Round, s: WheelStatus, prev: WheelState | null): void {
    if (prev !== 4) {
      if (prev !== 3) return this.violation(`no more bets without a spin (state ${prev} to 4)`);
      if (!this.sameGame(round, s)) return;
      round.phase = 'closed';
      round.closedAt = s.at;
      this.emit({ type: 'round.closed', round: round.no, data: { by: 'wheel', spin: s.spin } });
      return;
    }
    if (!this.sameGame(round, s)) return;
    if (s.warnings & WheelWarning.ballNotDetected) {
      round.ballLostSince ??= s.at;
      if (this.wheelMs(s.at - round.ballLostSince) > BALL_LOST_GRACE_MS) {
        this.voidAndRespin({ code: 'ball-not-detected', reason: 'ball not detected for more than 5 s (warn 1)' }, true);
      }
    } else {
      round.ballLostSince = null;
    }
  }

  private atResult(round: Round, s: WheelStatus, prev: WheelState | null): void {
    if (round.resultFrameAt === null) {
      if (prev !== 4 || round.phase !== 'closed') return this.violation(`result without no more bets (state ${prev} to 5)`);
      round.resultFrameAt = s.at;
    }
    if (!this.sameGame(round, s)) return;
    if (s.warnings !== 0) return void this.voidRound({ code: 'warning-at-result', reason: `warning flags ${s.warnings} at the result` });
    if (s.lastNumber === null) return this.violation('result frame carries no number');
    if (this.rules.numberLine) {
      const line = this.numberLine;
      const fresh = line !== null && round.closedAt !== null && line.at >= round.closedAt;
      if (!fresh) {
        if (this.wheelMs(s.at - round.resultFrameAt) > NUMBER_LINE_WAIT_MS) {
          this.voidRound({ code: 'number-line-missing', reason: 'the winning-number line never came' });
        }
        return;
      }
      if (line.number !== s.lastNumber) {
        return this.violation(`number line says ${line.number}, status frame says ${s.lastNumber}`, 'number-mismatch');
      }
    }
    if (this.lastResult && this.lastResult.spin === s.spin) {
      return this.violation(`spin ${s.spin} already has a result`, 'duplicate-result');
    }
    this.announce(round, s.lastNumber, {
      spin: s.spin,
      rotorRpm: round.rotorRpm ?? s.rotorRpm,
      direction: round.direction ?? s.direction,
    });
  }

  private numberWithoutFrames(n: WinningNumber): void {
    const round = this.round;
    if (!round) return void this.log.warn({ number: n.number }, 'winning number with no round open: ignored');
    if (round.phase === 'betting') {
      return void this.voidRound({ code: 'number-before-close', reason: `number ${n.number} came before betting closed` });
    }
    this.announce(round, n.number, {});
  }

  private announce(round: Round, number: number, extra: EventData): void {
    this.round = null;
    const spin = typeof extra.spin === 'number' ? extra.spin : null;
    this.lastResult = { round: round.no, number, spin };
    this.emit({ type: 'round.result', round: round.no, data: { number, colour: colourOf(number), ...extra } });
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private sameGame(round: Round, s: WheelStatus): boolean {
    if (round.spin !== null && s.spin !== round.spin) {
      this.violation(`spin counter changed mid-game from ${round.spin} to ${s.spin}`, 'spin-counter');
      return false;
    }
    if (round.direction !== null && s.direction !== round.direction) {
      this.violation('rotor direction changed mid-game', 'rotor-direction');
      return false;
    }
    return true;
  }

  /** Something the wheel said cannot be true: void the round and stop the table for a person. */
  private violation(reason: string, code: IncidentCode = 'state-sequence'): void {
    this.voidRound({ code, reason });
    this.suspend({ code, reason }, false);
  }

  private voidAndRespin(incident: Incident, wheelVoided: boolean): void {
    this.voidRound(incident);
    // The wheel waits for *R after a void it detected itself; our own voids let the game run out.
    if (!wheelVoided) return;
    this.expectRespin = true;
    this.respinAskedAt = this.last?.at ?? null;
    this.wheel.respin().catch((err: Error) => {
      this.expectRespin = false; // asked again while the wheel shows the failure (respinOrphanedVoid)
      this.log.warn({ err: err.message }, 're-spin (*R) refused; will ask again');
    });
  }

  private cannotOpenRound(): string | null {
    if (!this.tableOpen) return 'the table is closed';
    if (this.suspension) return `the table is suspended: ${this.suspension.reason}`;
    if (!this.linkUp) return 'the wheel is not connected';
    if (this.round) return `round ${this.round.no} is in progress`;
    return null;
  }

  private openRound(by: string): Round {
    this.roundCounter += 1;
    const round: Round = { no: this.roundCounter, phase: 'betting', spin: null, direction: null, rotorRpm: null, rimSince: null, closedAt: null, ballLostSince: null, resultFrameAt: null };
    this.round = round;
    this.numberLine = null;
    this.emit({ type: 'round.opened', round: round.no, data: { by } });
    return round;
  }

  private wheelMs(realMs: number): number {
    return realMs * this.rules.timeScale;
  }
}
