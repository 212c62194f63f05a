import type { JsonObject } from '../contract/envelope.js';

/** Event types a table emits. `card.*` come from card tables only; `device.*` are the dealer's inputs and the shoe. */
export type TableEventType =
  | 'table.opened'
  | 'table.closed'
  | 'table.suspended'
  | 'table.resumed'
  | 'round.opened'
  | 'round.closed'
  | 'round.result'
  | 'round.voided'
  | 'camera.down'
  | 'camera.up'
  | 'card.dealt'
  | 'card.conflict'
  | 'card.drawn'
  | 'device.down'
  | 'device.up'
  | 'key.revoked';

/** Only JSON values go into `data`, so that an event survives canonical serialisation exactly. */
export type EventData = JsonObject;

/** What a round engine decides; the journal gives it seq, id and ts. */
export interface EventDraft {
  readonly type: TableEventType;
  readonly round: number | null;
  readonly data: EventData;
}

/** Why a round was voided or a table suspended: stable codes for machines, `reason` for people. */
export type IncidentCode =
  | 'dealer'
  | 'technician'
  | 'miss-spin'
  | 'launch-failure'
  | 'ball-not-detected'
  | 'wheel-fault'
  | 'wheel-stopped'
  | 'wheel-idle'
  | 'wheel-link'
  | 'spin-counter'
  | 'state-sequence'
  | 'rotor-speed'
  | 'rotor-direction'
  | 'warning-at-result'
  | 'number-line-missing'
  | 'number-mismatch'
  | 'number-before-close'
  | 'duplicate-result'
  | 'start-failed'
  | 'restart'
  | 'journal-space'
  | 'journal-integrity'
  | 'camera-down'
  | 'card-conflict'
  | 'card-sequence'
  | 'card-before-close'
  | 'shoe-down'
  | 'shoe-mismatch'
  | 'shoe-unconfirmed'
  | 'shoe-missing'
  | 'shoe-unreadable';

export interface Incident {
  readonly code: IncidentCode;
  readonly reason: string;
}

/** A dealer or technician action either happens or is refused with a reason. */
export type Decision = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export const accepted: Decision = { ok: true };
export function refused(reason: string): Decision {
  return { ok: false, reason };
}
