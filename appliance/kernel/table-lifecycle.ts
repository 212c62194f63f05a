import type { Logger } from 'pino';
import { accepted, refused, type Decision, type EventDraft, type Incident, type IncidentCode } from './events.js';

/** What every game engine carries over a restart (each adds its own last result). */
export interface LifecycleSnapshot {
  readonly tableOpen: boolean;
  readonly suspension: (Incident & { readonly autoClears: boolean }) | null;
  readonly roundCounter: number;
  readonly openRound: number | null;
}

/**
 * The part of a table every game shares: open or closed, suspended with a reason or not, rounds
 * numbered across restarts, and the journal's room. A suspension with `autoClears` lifts by
 * itself when its cause goes; one without waits for a person's `resume`. When one cause clears
 * while another still stands (the journal is full and the camera came back), the table stays
 * suspended, for the remaining reason.
 */
export abstract class TableLifecycle {
  protected tableOpen: boolean;
  protected suspension: (Incident & { readonly autoClears: boolean }) | null;
  protected roundCounter: number;
  /** Why the journal cannot safely take more events, or null. */
  protected storageProblem: string | null = null;
  /** Why the journal's own record cannot be vouched for (a broken chain), or null. Never clears. */
  protected integrityProblem: string | null = null;
  private readonly interruptedRound: number | null;

  constructor(
    protected readonly emit: (draft: EventDraft) => void,
    protected readonly log: Logger,
    restored: LifecycleSnapshot | null,
  ) {
    this.tableOpen = restored?.tableOpen ?? false;
    this.suspension = restored?.suspension ?? null;
    this.roundCounter = restored?.roundCounter ?? 0;
    this.interruptedRound = restored?.openRound ?? null;
  }

  /** Voids the open round for `incident`; refused when there is none. */
  abstract voidRound(incident: Incident): Decision;

  /** Call once, before any input: settles what a restart left open. */
  begin(): void {
    if (this.interruptedRound === null) return;
    // We went down mid-round: nobody watched what happened meanwhile.
    this.emit({ type: 'round.voided', round: this.interruptedRound, data: { code: 'restart', reason: 'appliance restarted while the round was open' } });
  }

  /**
   * The journal is (nearly) out of space or cannot commit: nothing new may be decided, because
   * an event that cannot be kept cannot be vouched for. Lifts by itself when there is room again.
   */
  onStorage(problem: string | null): void {
    this.storageProblem = problem;
    this.standingCause('journal-space', problem, 'the journal has room again');
  }

  /**
   * The journal's chain is broken somewhere behind the head: what it records can no longer be
   * vouched for. Suspends until the journal is restored and the appliance restarted; a
   * person's `resume` is refused.
   */
  onIntegrity(problem: string): void {
    this.integrityProblem = problem;
    this.voidRound({ code: 'journal-integrity', reason: problem });
    if (this.suspension && this.suspension.code !== 'journal-integrity') {
      this.suspension = { code: 'journal-integrity', reason: problem, autoClears: false };
      this.emit({ type: 'table.suspended', round: null, data: { code: 'journal-integrity', reason: problem } });
    } else {
      this.suspend({ code: 'journal-integrity', reason: problem }, false);
    }
  }

  suspendTable(by: string, reason: string): Decision {
    if (!this.tableOpen) return refused('the table is closed');
    if (this.suspension) return refused('the table is already suspended');
    this.voidRound({ code: 'technician', reason: `table suspended by ${by}: ${reason}` });
    this.suspend({ code: 'technician', reason: `${by}: ${reason}` }, false);
    return accepted;
  }

  /** Opens the table if nothing stands in the way; `blocker` is the game's own reason not to. */
  protected open(by: string, blocker: string | null): Decision {
    if (this.tableOpen) return refused('the table is already open');
    if (blocker !== null) return refused(blocker);
    if (this.integrityProblem !== null) return refused(`the journal cannot be vouched for: ${this.integrityProblem}`);
    if (this.storageProblem !== null) return refused(`the journal cannot take events: ${this.storageProblem}`);
    this.tableOpen = true;
    this.emit({ type: 'table.opened', round: null, data: { by } });
    return accepted;
  }

  protected close(by: string, openRound: number | null): Decision {
    if (!this.tableOpen) return refused('the table is already closed');
    if (openRound !== null) return refused(`round ${openRound} is in progress: let it finish or void it first`);
    this.tableOpen = false;
    this.suspension = null;
    this.emit({ type: 'table.closed', round: null, data: { by } });
    return accepted;
  }

  /** A person resumes; `blocker` is the game's own reason it cannot be yet. */
  protected resumeUnless(by: string, blocker: string | null): Decision {
    if (!this.suspension) return refused('the table is not suspended');
    if (this.integrityProblem !== null) return refused(`the journal cannot be vouched for: ${this.integrityProblem}`);
    if (this.storageProblem !== null) return refused(`the journal cannot take events: ${this.storageProblem}`);
    if (blocker !== null) return refused(blocker);
    this.lift(`resumed by ${by}`);
    return accepted;
  }

  protected suspend(incident: Incident, autoClears: boolean): void {
    if (!this.tableOpen || this.suspension) return;
    this.suspension = { ...incident, autoClears };
    this.log.warn(incident, 'table suspended');
    this.emit({ type: 'table.suspended', round: null, data: { ...incident } });
  }

  /** A cause that suspends the table while it stands (voiding the round) and lifts when it goes. */
  protected standingCause(code: IncidentCode, problem: string | null, cleared: string): void {
    if (problem !== null) {
      this.voidRound({ code, reason: problem });
      this.suspend({ code, reason: problem }, true);
    } else if (this.suspension?.code === code) {
      this.lift(cleared);
    }
  }

  /** Causes that keep a table suspended until they clear; the game adds its own. */
  protected standingCauses(): Incident[] {
    return [
      ...(this.integrityProblem === null ? [] : [{ code: 'journal-integrity' as const, reason: this.integrityProblem }]),
      ...(this.storageProblem === null ? [] : [{ code: 'journal-space' as const, reason: this.storageProblem }]),
    ];
  }

  protected lift(reason: string): void {
    if (!this.suspension) return;
    const current = this.suspension.code;
    const remaining = this.standingCauses().find((c) => c.code !== current);
    if (remaining) {
      this.suspension = { ...remaining, autoClears: remaining.code !== 'journal-integrity' };
      this.emit({ type: 'table.suspended', round: null, data: { ...remaining } });
      return;
    }
    this.suspension = null;
    this.emit({ type: 'table.resumed', round: null, data: { reason } });
  }

  protected lifecycleSnapshot(openRound: number | null): LifecycleSnapshot {
    return { tableOpen: this.tableOpen, suspension: this.suspension, roundCounter: this.roundCounter, openRound };
  }
}
