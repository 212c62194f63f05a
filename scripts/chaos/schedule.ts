/**
 * The chaos soak's fault plan: which fault starts when, for how long, drawn from a seed so that
 * a run that found something can be replayed exactly (same seed, same schedule). Faults overlap
 * on purpose: a studio box meets an uplink cut while its wheel is unplugged, not one at a time.
 */
import { seededRandom } from '../../drivers/wheel/ss2/simulator/random.js';

/** Every fault the soak knows how to inject, with how long it lasts in real milliseconds. */
export const FAULT_KINDS = {
  /** SIGKILL of the appliance; the soak restarts it after `durationMs`, as systemd's Restart= would. */
  'appliance-kill': { minMs: 500, maxMs: 3_000 },
  /** The broker stopped (the uplink cut), from seconds to minutes; persistence keeps its sessions. */
  'uplink-cut': { minMs: 2_000, maxMs: 120_000 },
  /** The wheel's serial link unplugged mid-spin, then plugged in again. */
  'wheel-unplug': { minMs: 500, maxMs: 20_000 },
  /** Garbled bytes on the wheel's serial line for a while. */
  'wheel-garble': { minMs: 1_000, maxMs: 10_000 },
  /** The journal's filesystem filled up to the space alarm, then freed. */
  'disk-full': { minMs: 2_000, maxMs: 30_000 },
  /** The appliance SIGSTOPped (a stalled box: swap storm, debugger), then SIGCONTed. */
  'appliance-stall': { minMs: 200, maxMs: 3_000 },
  // The card table's (card-table.ts): a worker's restart is watched for `durationMs`.
  /** SIGKILL of the card table's camera worker (the appliance restarts it). */
  'camera-kill': { minMs: 2_000, maxMs: 6_000 },
  /** The camera worker SIGSTOPped (blocked in GStreamer, say), then SIGCONTed. */
  'camera-stall': { minMs: 4_000, maxMs: 20_000 },
  /** SIGKILL of one of its output workers (SRT or WHIP; the camera worker restarts it). */
  'output-kill': { minMs: 2_000, maxMs: 6_000 },
  /** The SRT output worker SIGSTOPped, then SIGCONTed. */
  'output-stall': { minMs: 5_000, maxMs: 20_000 },
  /** The SRT receiver stops reading (SIGSTOP): back pressure on the output. */
  'receiver-stall': { minMs: 5_000, maxMs: 60_000 },
  /** The dealer's keypad unplugged (mid-round or not), then plugged in again. */
  'keypad-unplug': { minMs: 2_000, maxMs: 30_000 },
  /** The card shoe's serial link unplugged, then plugged in again. */
  'shoe-unplug': { minMs: 2_000, maxMs: 30_000 },
  /** Junk key records on the keypad: unbound keys, autorepeat, unknown event types. */
  'key-junk': { minMs: 1_000, maxMs: 10_000 },
  /** Junk codes from the shoe: codes that name no card, line noise. */
  'shoe-junk': { minMs: 1_000, maxMs: 10_000 },
  /** The wheel appliance's wall clock stepped (an NTP jump, either way, 2 s to 6 h; libfaketime), stepped back at the end. */
  'clock-step': { minMs: 5_000, maxMs: 120_000 },
} as const satisfies Record<string, { minMs: number; maxMs: number }>;

export type FaultKind = keyof typeof FAULT_KINDS;

/** The kinds that need the card table (a run without it draws only the others). */
export const CARD_TABLE_KINDS: ReadonlySet<FaultKind> = new Set(['camera-kill', 'camera-stall', 'output-kill', 'output-stall', 'receiver-stall', 'keypad-unplug', 'shoe-unplug', 'key-junk', 'shoe-junk']);

export interface PlannedFault {
  readonly id: number;
  readonly kind: FaultKind;
  /** Real milliseconds from the start of the run. */
  readonly atMs: number;
  readonly durationMs: number;
}

export interface PlanOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Mean faults per real minute over all kinds (a Poisson process). */
  readonly perMinute: number;
  /** Which kinds to draw from (default all); each is equally likely. */
  readonly kinds?: readonly FaultKind[];
  /** No fault starts in the first and last `quietMs` (warm-up, and time to drain before the audit). */
  readonly quietMs?: number;
  /** Upper bound of a fault's duration (for short runs); defaults to the kind's own maximum. */
  readonly maxDurationMs?: number;
}

/** The whole schedule, sorted by start. A fault of a kind never starts while one of that kind lasts. */
export function planFaults(opts: PlanOptions): PlannedFault[] {
  if (!(opts.durationMs > 0) || !(opts.perMinute > 0)) throw new Error('planFaults: durationMs and perMinute must be positive');
  const kinds = opts.kinds ?? (Object.keys(FAULT_KINDS) as FaultKind[]);
  if (kinds.length === 0) throw new Error('planFaults: no fault kinds');
  const random = seededRandom(opts.seed);
  const quiet = opts.quietMs ?? 0;
  const busyUntil = new Map<FaultKind, number>();
  const plan: PlannedFault[] = [];
  const meanGapMs = 60_000 / opts.perMinute;
  let at = quiet;
  for (;;) {
    // Exponential gaps: faults arrive as a Poisson process, so bursts of several at once happen.
    at += -Math.log(1 - random()) * meanGapMs;
    if (at >= opts.durationMs - quiet) break;
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const { minMs, maxMs } = FAULT_KINDS[kind];
    const top = Math.max(minMs, Math.min(maxMs, opts.maxDurationMs ?? maxMs));
    // Log-uniform: most outages are short, a few are long, as in the field.
    const durationMs = Math.round(minMs * Math.pow(top / minMs, random()));
    if ((busyUntil.get(kind) ?? -1) > at) continue;
    const end = Math.min(at + durationMs, opts.durationMs - quiet);
    busyUntil.set(kind, end);
    plan.push({ id: plan.length + 1, kind, atMs: Math.round(at), durationMs: Math.round(end - at) });
  }
  return plan;
}

/** Faults per kind in a plan (for the report and the "every kind at least once" check). */
export function countByKind(plan: readonly PlannedFault[]): Record<FaultKind, number> {
  const counts = Object.fromEntries(Object.keys(FAULT_KINDS).map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const f of plan) counts[f.kind]++;
  return counts;
}
