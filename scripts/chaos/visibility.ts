/**
 * "Every fault was visible while it lasted, and cleared after" (issue 24): what each fault of the
 * card table must show in the control socket's `status` and in `/metrics` while it lasts, and
 * the check of what the soak saw against it. Faults with no alarm of their own (junk on a port)
 * are checked by what they must leave: nothing acted on, every read journaled.
 */
import type { Seen } from './card-table.js';

export interface Signal {
  /** In the control socket's status (its JSON text). */
  readonly status: RegExp;
  /** In /metrics (its text). */
  readonly metrics: RegExp;
}

const OUTPUT_DOWN: Signal = { status: /"outputs":\[[^\]]*"state":"(down|starting)"/, metrics: /pitbox_camera_output_up\{[^}]*\} 0/ };

/** The fault kinds with an alarm or a state of their own, and what it looks like. */
export const SIGNALS: Readonly<Record<string, Signal>> = {
  'camera-kill': { status: /"code":"camera-down"/, metrics: /pitbox_alarm_active\{code="camera-down"\} 1/ },
  'camera-stall': { status: /"code":"camera-down"/, metrics: /pitbox_alarm_active\{code="camera-down"\} 1/ },
  'output-kill': OUTPUT_DOWN,
  'output-stall': OUTPUT_DOWN,
  'receiver-stall': OUTPUT_DOWN,
  'keypad-unplug': { status: /"code":"input-device","reason":"down: [^"]*keypad/, metrics: /pitbox_alarm_active\{code="input-device"\} 1/ },
  'shoe-unplug': { status: /"code":"input-device","reason":"down: [^"]*shoe/, metrics: /pitbox_alarm_active\{code="input-device"\} 1/ },
};

export interface Visibility {
  readonly id: number;
  readonly kind: string;
  /** Seen in status / in /metrics between the fault's start and its end plus `graceMs`. */
  readonly inStatus: boolean;
  readonly inMetrics: boolean;
  /** Gone from status again after the fault ended (before the run's end). */
  readonly cleared: boolean;
}

/**
 * For each window of a kind with a signal: was it seen while it lasted, and was it gone after?
 * `graceMs`: a fault's effect shows a little after it starts (a camera is declared silent after
 * its silenceMs; stats come every second) and lasts a little after it ends (a restart).
 */
export function visibility(windows: readonly { id: number; kind: string; fromMs: number; toMs: number }[], seen: readonly Seen[], graceMs: number): Visibility[] {
  const out: Visibility[] = [];
  for (const w of windows) {
    const signal = SIGNALS[w.kind];
    if (!signal) continue;
    const during = seen.filter((s) => s.t >= w.fromMs && s.t <= w.toMs + graceMs);
    // Cleared: some later poll (with an answer) shows the status without it.
    const after = seen.filter((s) => s.t > w.toMs && s.status !== '');
    out.push({
      id: w.id,
      kind: w.kind,
      inStatus: during.some((s) => signal.status.test(s.status)),
      inMetrics: during.some((s) => signal.metrics.test(s.metrics)),
      cleared: after.some((s) => !signal.status.test(s.status)),
    });
  }
  return out;
}
