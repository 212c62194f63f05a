/** How a button must behave before its press counts. */
export interface KeyGateRules {
  /** After the release of a counted press, a new press counts only once this long has passed (bounce, double presses). */
  readonly minGapMs: number;
  /** A press counts only once the key has stayed down this long, in the edges' own times (GPIO noise and bounce); 0: at once. */
  readonly stableMs: number;
  /** A key down longer than this raises an alarm (a stuck key, a pedal under a chair leg). */
  readonly holdAlarmMs: number;
  /**
   * What a second down without an up between means. evdev and serial panels never report a
   * down twice, so their release was lost (a kernel buffer overflow that intercept's libevdev
   * resynced silently, an UP line lost to noise): the dealer pressed again. A GPIO line's edges
   * alternate, so two falls mean the rise between was too short to report: a bounce.
   */
  readonly downWhileDown: 'lost-release' | 'bounce';
}

export type KeyVerdict =
  | { readonly kind: 'press'; readonly key: string; readonly at: number }
  | { readonly kind: 'ignored'; readonly key: string; readonly why: 'bounce' | 'held-at-start' | 'repeat' | 'resync' }
  | { readonly kind: 'stuck'; readonly key: string; readonly heldMs: number }
  | { readonly kind: 'unstuck'; readonly key: string };

/** Times (`since`, `releasedAt`, `at`) are the source's own: the kernel's edge or record time where it gives one. */
type KeyState =
  /** `releasedAt`: the release of the last counted press (the re-arm gap runs from it), null if none. */
  | { readonly is: 'up'; readonly releasedAt: number | null }
  /** Down, not yet down for `stableMs`. */
  | { readonly is: 'pending'; readonly since: number; readonly releasedAt: number | null }
  | { readonly is: 'down'; readonly since: number; readonly counted: boolean; readonly releasedAt: number | null }
  /** Down when we started or resynced: ignored until released. */
  | { readonly is: 'quarantined'; readonly releasedAt: number | null };

/**
 * One device's buttons, from raw down/up to presses that count: autorepeat never presses, a
 * key held when pitbox starts is quarantined until released, a press counts once it has been
 * down `stableMs` (measured between the kernel's edge times, so a busy event loop cannot turn
 * a spike into a press), a release inside that window restarts it, only the release of a
 * counted press starts the re-arm gap, and a key held too long says so. `at` is the source's
 * timestamp in ms (any clock, one per source); without one, arrival time.
 */
export class KeyGate {
  private readonly keys = new Map<string, KeyState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly stableTimers = new Map<string, NodeJS.Timeout>();
  /** Keys whose hold alarm went off: their release (or a lost one) says so. */
  private readonly stuck = new Set<string>();
  /** The newest source time seen: what `forget` stamps, so every time in `keys` is in one clock. */
  private lastAt: number | null = null;

  constructor(
    private readonly rules: KeyGateRules,
    private readonly tell: (verdict: KeyVerdict) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Keys found held at start (GPIO reads the lines first): quarantined until released. */
  heldAtStart(keys: readonly string[]): void {
    for (const key of keys) {
      this.keys.set(key, { is: 'quarantined', releasedAt: null });
      this.tell({ kind: 'ignored', key, why: 'held-at-start' });
      this.armHoldAlarm(key);
    }
  }

  down(key: string, at: number = this.now()): void {
    this.lastAt = Math.max(this.lastAt ?? at, at);
    const s = this.keys.get(key) ?? { is: 'up', releasedAt: null };
    switch (s.is) {
      case 'quarantined':
        // Held since before we knew it: its downs count for nothing until a release is seen.
        return this.tell({ kind: 'ignored', key, why: 'bounce' });
      case 'pending':
        // A second fall with no rise reported: the line bounced; the window starts again.
        this.keys.set(key, { is: 'pending', since: at, releasedAt: s.releasedAt });
        this.armStable(key, at);
        return this.tell({ kind: 'ignored', key, why: 'bounce' });
      case 'down':
        if (this.rules.downWhileDown === 'bounce' || at - s.since < this.rules.minGapMs) return this.tell({ kind: 'ignored', key, why: 'bounce' });
        // The release was lost and the dealer pressed again: one press, and the hold alarm starts over.
        this.clearHoldAlarm(key, s);
        return this.accept(key, at, s.releasedAt);
      case 'up':
        if (s.releasedAt !== null && at - s.releasedAt < this.rules.minGapMs) {
          this.keys.set(key, { is: 'down', since: at, counted: false, releasedAt: s.releasedAt });
          this.armHoldAlarm(key);
          return this.tell({ kind: 'ignored', key, why: 'bounce' });
        }
        return this.accept(key, at, s.releasedAt);
    }
  }

  /** An autorepeat event: never a press; for a key we never saw go down, proof it is held. */
  repeat(key: string): void {
    const s = this.keys.get(key);
    if (!s || s.is === 'up') {
      this.keys.set(key, { is: 'quarantined', releasedAt: s?.releasedAt ?? null });
      this.armHoldAlarm(key);
      this.tell({ kind: 'ignored', key, why: 'held-at-start' });
      return;
    }
    this.tell({ kind: 'ignored', key, why: 'repeat' });
  }

  up(key: string, at: number = this.now()): void {
    this.lastAt = Math.max(this.lastAt ?? at, at);
    const s = this.keys.get(key);
    if (!s || s.is === 'up') return;
    this.clearHoldAlarm(key, s);
    this.clearStable(key);
    if (s.is === 'pending') {
      if (at - s.since >= this.rules.stableMs) {
        // Down long enough by the kernel's clock; the confirmation was only late (a busy loop).
        this.count(key, s.since);
        return void this.keys.set(key, { is: 'up', releasedAt: at });
      }
      // Released inside the stable window: noise or bounce, and no gap starts from it.
      this.keys.set(key, { is: 'up', releasedAt: s.releasedAt });
      return this.tell({ kind: 'ignored', key, why: 'bounce' });
    }
    const counted = s.is === 'down' && s.counted;
    this.keys.set(key, { is: 'up', releasedAt: counted ? at : s.releasedAt });
  }

  /**
   * Events were lost or the device went away: whatever was down is no longer known to be.
   * Nothing in flight counts; the next down of each key is a new press, after the usual gap.
   */
  forget(why: 'resync' | 'gone'): void {
    for (const [key, s] of this.keys) {
      this.clearHoldAlarm(key, s);
      this.clearStable(key);
      if (s.is === 'pending' && why === 'resync') this.tell({ kind: 'ignored', key, why: 'resync' });
      const counted = s.is === 'down' && s.counted;
      this.keys.set(key, { is: 'up', releasedAt: counted ? this.lastAt : s.releasedAt });
    }
  }

  /** Keys down now (the monitor shows them; a stuck key is visible before its alarm). */
  held(): string[] {
    return [...this.keys].filter(([, s]) => s.is !== 'up').map(([k]) => k);
  }

  stop(): void {
    for (const t of [...this.timers.values(), ...this.stableTimers.values()]) clearTimeout(t);
    this.timers.clear();
    this.stableTimers.clear();
  }

  private accept(key: string, at: number, releasedAt: number | null): void {
    this.armHoldAlarm(key);
    if (this.rules.stableMs <= 0) {
      this.keys.set(key, { is: 'down', since: at, counted: true, releasedAt });
      return this.count(key, at);
    }
    this.keys.set(key, { is: 'pending', since: at, releasedAt });
    this.armStable(key, at);
  }

  /**
   * The window ends by our clock, but the release that ends it early may be in the pipe still
   * unread (the loop was busy): decide after the poll phase has read it (setImmediate).
   */
  private armStable(key: string, since: number): void {
    this.clearStable(key);
    const timer = setTimeout(() => {
      this.stableTimers.delete(key);
      setImmediate(() => {
        const s = this.keys.get(key);
        if (s?.is !== 'pending' || s.since !== since) return;
        this.keys.set(key, { is: 'down', since, counted: true, releasedAt: s.releasedAt });
        this.count(key, since);
      });
    }, this.rules.stableMs);
    timer.unref();
    this.stableTimers.set(key, timer);
  }

  private clearStable(key: string): void {
    const t = this.stableTimers.get(key);
    if (t) clearTimeout(t);
    this.stableTimers.delete(key);
  }

  private count(key: string, at: number): void {
    this.tell({ kind: 'press', key, at });
  }

  private armHoldAlarm(key: string): void {
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const started = this.now();
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const s = this.keys.get(key);
      if (!s || s.is === 'up') return;
      this.stuck.add(key);
      this.tell({ kind: 'stuck', key, heldMs: Math.round(this.now() - started) });
    }, this.rules.holdAlarmMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  private clearHoldAlarm(key: string, s: KeyState | undefined): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    if (s && s.is !== 'up' && this.stuck.delete(key)) this.tell({ kind: 'unstuck', key });
  }
}
