import { WheelCommandError, type RotorWindow } from '../wheel.js';
import type { Ss2Message } from './messages.js';

/** Writes one command line to the wheel. Commands end with CR (reference: "Link"). */
export type Ss2Writer = (text: string) => Promise<void>;

interface Pending {
  readonly command: string;
  /** Reply packet name (`u` for `*u OK`), or 'X' for a polled status frame. */
  readonly reply: string;
  readonly resolve: (args: string) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * The SS2 command layer. Replies carry no tag beyond the command letter, so one command is in
 * flight at a time and later ones wait their turn. A reply of `NO` or `BUSY` rejects with a
 * WheelCommandError; so does silence past the timeout. Status frames and number lines are not
 * replies (except to `*X`) and pass through untouched: they interleave with replies on the wire.
 */
export class Ss2Protocol {
  private queue: Pending[] = [];
  private active: Pending | null = null;

  constructor(
    private readonly write: Ss2Writer,
    private readonly timeoutMs: number,
  ) {}

  /** Feed every decoded message here. Returns true if it answered the pending command. */
  accept(msg: Ss2Message): boolean {
    const p = this.active;
    if (!p) return false;
    if (msg.kind === 'status' && p.reply === 'X') {
      this.settle(p, null, '');
      return true;
    }
    if (msg.kind !== 'reply' || msg.name !== p.reply) return false;
    const args = msg.args.trim();
    if (args === 'NO') this.settle(p, new WheelCommandError(p.command, 'refused', 'wheel answered NO'));
    else if (args === 'BUSY') this.settle(p, new WheelCommandError(p.command, 'busy', 'a game is running'));
    else this.settle(p, null, args);
    return true;
  }

  /** Sends `command` and resolves with the reply's arguments (`OK`, an echo, values). */
  request(command: string, reply: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, reply, resolve, reject, timer: null });
      this.pump();
    });
  }

  /** Fails everything pending, e.g. when the link goes down. */
  abortAll(detail: string): void {
    const all = [...(this.active ? [this.active] : []), ...this.queue];
    this.active = null;
    this.queue = [];
    for (const p of all) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new WheelCommandError(p.command, 'link-down', detail));
    }
  }

  private pump(): void {
    if (this.active) return;
    const next = this.queue.shift();
    if (!next) return;
    this.active = next;
    next.timer = setTimeout(
      () => this.settle(next, new WheelCommandError(next.command, 'timeout', `no reply within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    this.write(`${next.command}\r`).catch((err: Error) =>
      this.settle(next, new WheelCommandError(next.command, 'link-down', err.message)),
    );
  }

  private settle(p: Pending, err: Error | null, args = ''): void {
    if (this.active !== p) return;
    if (p.timer) clearTimeout(p.timer);
    this.active = null;
    if (err) p.reject(err);
    else p.resolve(args);
    this.pump();
  }
}

/** Mode bits of `*o` (reference: "Operating mode bits"). */
export const Ss2Mode = {
  reverseEachGame: 1,
  waitForStart: 2,
  randomSpeedChange: 4,
  noNumberLine: 16,
  autoStatus: 128,
  faultCodesInPlay: 256,
  gamesPerHourDelay: 1024,
} as const;

export function hasMode(mode: number, bit: number): boolean {
  return (mode & bit) !== 0;
}

/** Parses the arguments of `*T s 16.0 18.0`. */
export function parseRotorWindow(args: string): RotorWindow | null {
  const m = /^s\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)$/.exec(args);
  if (!m) return null;
  const minRpm = Number(m[1]);
  const maxRpm = Number(m[2]);
  return minRpm < maxRpm ? { minRpm, maxRpm } : null;
}
