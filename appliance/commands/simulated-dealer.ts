import { LIFTS } from '../http/dealer-monitor.js';

/** The dealer's actions the simulated dealer takes with the keypad. */
export type DealerKey = 'start' | 'close-bets' | 'void';

/** What the simulated dealer does things with: the keypad, the shoe, and a voice. */
export interface DealerHands {
  press(action: DealerKey): Promise<void>;
  /** The shoe reads this card (two-character notation). */
  shoe(card: string): Promise<void>;
  say(line: string): void;
}

/** The part of a card table's published state the dealer watches (see CONTRACT.md, State). */
export interface WatchedState {
  readonly open?: boolean;
  readonly suspended?: { readonly code: string; readonly reason: string } | null;
  readonly round?: { readonly no: number; readonly phase: 'betting' | 'dealing'; readonly bettingClosesAt?: string | null } | null;
  readonly occupied?: readonly string[];
  readonly blocked?: { readonly action: string; readonly reason: string } | null;
}

export interface DealerPace {
  /** The shoe's cards, in the order the camera's clip deals them; the same every round. */
  readonly deal: readonly string[];
  /** How long bets stay open before the dealer closes them (a table without a betting timer). */
  readonly betsMs: number;
  /** A start press the table did not act on is tried again after this long. */
  readonly retryMs?: number;
}

/**
 * A dealer at a simulated card table who plays round after round by watching the table's state,
 * as a person watches the layout and the monitor: presses start when the layout is clear,
 * closes bets after a while, and draws each card from the shoe when the camera sees one more
 * card land (in time with the clip, whatever its loop does). A person at the prompt can still
 * void, unplug, or make the shoe misread the next card; the dealer says what it does and what
 * it waits for, once per change.
 */
export class SimulatedDealer {
  auto = true;
  private round: number | null = null;
  private drawn = 0;
  private closing: NodeJS.Timeout | null = null;
  private startPressedAt = -Infinity;
  private closedRound: number | null = null;
  private closePressedAt = -Infinity;
  private misreadNext: string | null = null;
  private said = '';

  constructor(
    private readonly hands: DealerHands,
    private readonly pace: DealerPace,
  ) {}

  /** The shoe reads `card` instead of the next card the clip deals. */
  misread(card: string): void {
    this.misreadNext = card;
  }

  stop(): void {
    if (this.closing) clearTimeout(this.closing);
    this.closing = null;
  }

  onState(s: WatchedState, now = Date.now()): void {
    if (!this.auto) return;
    if (s.open !== true) return this.waiting('the table is closed: type `open` (a technician opens it)');
    if (s.suspended) {
      const lifts = LIFTS[s.suspended.code];
      const hint = lifts ? lifts.toLowerCase() : 'a technician looks at the table, then types `resume`';
      return this.waiting(`the table is suspended (${s.suspended.code}): ${s.suspended.reason}; ${hint}`);
    }
    const round = s.round ?? null;
    if (round === null) {
      if ((s.occupied ?? []).length > 0) return this.waiting(`waiting for the layout to clear: ${s.blocked?.reason ?? `cards at ${(s.occupied ?? []).join(', ')}`}`);
      if (now - this.startPressedAt < (this.pace.retryMs ?? 2000)) return;
      this.startPressedAt = now;
      this.act('the layout is clear: start', () => this.hands.press('start'));
      return;
    }
    if (round.no !== this.round) {
      this.stop();
      this.round = round.no;
      this.drawn = 0;
    }
    if (round.phase === 'betting') {
      if (round.bettingClosesAt) return this.waiting(`round ${round.no}: bets close by themselves at ${round.bettingClosesAt.slice(11, 19)}`);
      // Once per round, and again only if the table has not acted on the press after a while.
      if (this.closing || (this.closedRound === round.no && now - this.closePressedAt < (this.pace.retryMs ?? 2000))) return;
      if (this.closedRound !== round.no) this.waiting(`round ${round.no}: bets open; closing them in ${this.pace.betsMs / 1000} s`);
      const no = round.no;
      this.closing = setTimeout(() => {
        this.closing = null;
        if (!this.auto || this.round !== no) return;
        this.closedRound = no;
        this.closePressedAt = Date.now();
        this.act(`round ${no}: no more bets`, () => this.hands.press('close-bets'));
      }, this.closedRound === round.no ? 0 : this.pace.betsMs);
      return;
    }
    // Dealing: one card out of the shoe for each position the camera sees taken.
    const landed = Math.min((s.occupied ?? []).length, this.pace.deal.length);
    if (this.drawn === 0 && landed === 0) this.waiting(`round ${round.no}: dealing; the shoe reads each card as the camera sees it land`);
    while (this.drawn < landed) {
      const clip = this.pace.deal[this.drawn] as string;
      const card = this.misreadNext ?? clip;
      this.drawn += 1;
      this.act(`round ${round.no}: the shoe reads ${card} (card ${this.drawn} of ${this.pace.deal.length})${this.misreadNext ? `: a misread, the card is ${clip}` : ''}`, () => this.hands.shoe(card));
      this.misreadNext = null;
    }
  }

  /** What the dealer waits for, said once until it changes. */
  private waiting(line: string): void {
    if (line === this.said) return;
    this.said = line;
    this.hands.say(line);
  }

  private act(line: string, deed: () => Promise<void>): void {
    this.said = line;
    this.hands.say(line);
    deed().catch((err: Error) => this.hands.say(`could not: ${err.message}`));
  }
}
