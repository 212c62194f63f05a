/**
 * The card table's audit at the end of a soak: every round the clip dealt reached the subscriber
 * exactly once (deduplicated by id), verified (signatures, chain, order, no gap), with the clip's
 * result; or was voided, with its reason, while one of the card table's faults lasted (or just
 * after). No key that no action is bound to ever acted.
 */
import type { EventEnvelope } from '../../appliance/contract/envelope.js';
import { verifyReceived, type Subscriber } from '../../appliance/test-support/harness.js';
import { CARD_TABLE, roundsOf } from './card-table.js';
import { CARD_TABLE_KINDS, type FaultKind } from './schedule.js';

export interface CardAudit {
  readonly events: number;
  readonly rounds: number;
  readonly results: number;
  /** Voids by code, and by the fault kinds under way when they happened. */
  readonly voids: Record<string, number>;
  readonly voidedDuring: Record<string, number>;
  /** Problems (each fails the run): a void no fault explains, a wrong result, two ends, no end. */
  readonly problems: string[];
  readonly violations: string[];
  readonly duplicates: number;
  /** card.drawn events whose code named no card (junk from the shoe, journaled and refused). */
  readonly unreadableReads: number;
}

/** How long around a fault a void is its doing: a round lasts about 20 s at this table. */
const EXPLAINS_MS = 30_000;

export function auditCardRounds(sub: Subscriber, windows: readonly { kind: FaultKind; fromMs: number; toMs: number }[], t0: number, expected: Record<string, unknown>): CardAudit {
  const events = sub.unique();
  const problems: string[] = [];
  events.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`seq ${e.seq} at position ${i + 1}`);
  });
  const voids: Record<string, number> = {};
  const voidedDuring: Record<string, number> = {};
  let results = 0;
  const rounds = roundsOf(events);
  const cardWindows = windows.filter((w) => CARD_TABLE_KINDS.has(w.kind));
  for (const [no, r] of rounds) {
    if (r.ends.length === 0) problems.push(`round ${no} never ended (no result, no void)`);
    if (r.ends.length > 1) problems.push(`round ${no} ended ${r.ends.length} times: ${r.ends.map((e) => e.type).join(', ')}`);
    for (const end of r.ends) {
      if (end.type === 'round.result') {
        results++;
        const wrong = Object.entries(expected).filter(([k, v]) => JSON.stringify((end.data as Record<string, unknown>)[k]) !== JSON.stringify(v));
        if (wrong.length) problems.push(`round ${no}: result ${JSON.stringify(end.data)} is not the clip's (${wrong.map(([k]) => k).join(', ')})`);
        continue;
      }
      const code = String((end.data as { code?: unknown }).code);
      voids[code] = (voids[code] ?? 0) + 1;
      const at = Date.parse(end.ts) - t0;
      const during = cardWindows.filter((w) => at >= w.fromMs - EXPLAINS_MS && at <= w.toMs + EXPLAINS_MS);
      if (during.length === 0) problems.push(`round ${no} voided (${code}: ${String((end.data as { reason?: unknown }).reason)}) with no fault of the card table under way`);
      for (const k of new Set(during.map((w) => w.kind))) voidedDuring[k] = (voidedDuring[k] ?? 0) + 1;
    }
  }
  for (const e of events) {
    const by = (e.data as { by?: unknown } | undefined)?.by;
    if (typeof by === 'string' && by.startsWith('keypad:') && !/^keypad:KEY_F[123]$/.test(by)) problems.push(`seq ${e.seq} ${e.type} by ${by}: a key bound to nothing acted`);
  }
  const { violations } = verifyReceived(sub.raw, CARD_TABLE);
  return {
    events: events.length,
    rounds: rounds.size,
    results,
    voids,
    voidedDuring,
    problems,
    violations: violations.map((v) => JSON.stringify(v)),
    duplicates: sub.events.length - events.length,
    unreadableReads: events.filter((e: EventEnvelope) => e.type === 'card.drawn' && (e.data as { card?: unknown }).card === null).length,
  };
}
