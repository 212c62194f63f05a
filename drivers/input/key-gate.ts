/** How a button must behave before its press counts. */
export interface KeyGateRules {
  /** After a release, a new press counts only once this long has passed (bounce, double presses). */
  readonly minGapMs: number;
  /** A press counts only once the key has stayed down this long (electrical noise on GPIO); 0: at once. */
  readonly stableMs: number;
  /** A key down longer than this raises an alarm (a stuck key, a pedal under a chair leg). */
  readonly holdAlarmMs: number;
}

export type KeyVerdict =
  | { readonly kind: 'press'; readonly key: string; readonly at: number }
  | { readonly kind: 'ignored'; readonly key: string; readonly why: 'bounce' | 'held-at-start' | 'repeat' | 'resync' }
  | { readonly kind: 'stuck'; readonly key: string; readonly heldMs: number }
  | { readonly kind: 'unstuck'; readonly key: string };

type KeyState =
  | { readonly is: 'up'; readonly releasedAt: number }
  | { is: 'down'; readonly since: number; counted: boolean; stuck: boolean }
  /** Down when we started or resynced: ignored until released. */
  | { is: 'quarantined'; stuck: boolean; readonly since: number };

/**
 * One device's buttons, from raw down/up to presses that count: autorepeat never presses, a
 * key held when pitbox starts (or after events were lost) is quarantined until released, a
 * press re-arms only after a release plus a gap (bounce and double presses), and a key held too
 * long says so. Time is injected so the rules can be tested without waiting.
 */
export class KeyGate {
  private readonly keys = new Map<string, KeyState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly rules: KeyGateRules,
    private readonly tell: (verdict: KeyVerdict) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Keys found held at start (GPIO reads the lines first): quarantined until released. */
  heldAtStart(keys: readonly string[]): void {
    for (const key of keys) {
      this.keys.set(key, { is: 'quarantined', stuck: false, since: this.now() });
      this.tell({ kind: 'ignored', key, why: 'held-at-start' });
      this.armHoldAlarm(key);
    }
  }

  down(key: string): void {
    const at = this.now();
    const s = this.keys.get(key);
    if (s?.is === 'down' || s?.is === 'quarantined') {
      // A second down without an up: the release was lost (bounce faster than the line reports).
      return this.tell({ kind: 'ignored', key, why: 'bounce' });
    }
    if (s?.is === 'up' && at - s.releasedAt < this.rules.minGapMs) {
      this.keys.set(key, { is: 'down', since: at, counted: true, stuck: false });
      this.armHoldAlarm(key);
      return this.tell({ kind: 'ignored', key, why: 'bounce' });
    }
    const state = { is: 'down' as const, since: at, counted: false, stuck: false };
    this.keys.set(key, state);
    this.armHoldAlarm(key);
    if (this.rules.stableMs <= 0) return this.count(key, state, at);
    const timer = setTimeout(() => {
      if (this.keys.get(key) === state) this.count(key, state, at);
    }, this.rules.stableMs);
    timer.unref();
  }

  /** An autorepeat event: never a press; for a key we never saw go down, proof it is held. */
  repeat(key: string): void {
    const s = this.keys.get(key);
    if (!s || s.is === 'up') {
      this.keys.set(key, { is: 'quarantined', stuck: false, since: this.now() });
      this.armHoldAlarm(key);
      this.tell({ kind: 'ignored', key, why: 'held-at-start' });
      return;
    }
    this.tell({ kind: 'ignored', key, why: 'repeat' });
  }

  up(key: string): void {
    const s = this.keys.get(key);
    this.clearHoldAlarm(key, s);
    this.keys.set(key, { is: 'up', releasedAt: this.now() });
  }

  /**
   * Events were lost (SYN_DROPPED) or the device went away: whatever was down is no longer
   * known to be. Nothing in flight counts; the next down of each key is a new press (the kernel
   * reports a down only on a transition), after the usual gap.
   */
  forget(why: 'resync' | 'gone'): void {
    const at = this.now();
    for (const [key, s] of this.keys) {
      this.clearHoldAlarm(key, s);
      if (s.is === 'down' && !s.counted && why === 'resync') this.tell({ kind: 'ignored', key, why: 'resync' });
      this.keys.set(key, { is: 'up', releasedAt: at });
    }
  }

  /** Keys down now (the monitor shows them; a stuck key is visible before its alarm). */
  held(): string[] {
    return [...this.keys].filter(([, s]) => s.is !== 'up').map(([k]) => k);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private count(key: string, state: { counted: boolean }, at: number): void {
    state.counted = true;
    this.tell({ kind: 'press', key, at });
  }

  private armHoldAlarm(key: string): void {
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const s = this.keys.get(key);
      if (!s || s.is === 'up') return;
      s.stuck = true;
      this.tell({ kind: 'stuck', key, heldMs: Math.round(this.now() - s.since) });
    }, this.rules.holdAlarmMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  private clearHoldAlarm(key: string, s: KeyState | undefined): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    if (s && s.is !== 'up' && s.stuck) this.tell({ kind: 'unstuck', key });
  }
}
