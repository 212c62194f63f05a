import { keyCode, keyName } from './key-codes.js';
import { SCANNER_LAYOUTS } from './scanner-layouts.js';
import type { ScannerLayout } from './xkb-keymap.js';

export type ScannerLayoutName = keyof typeof SCANNER_LAYOUTS;

/**
 * What the scanner types after each code. `enter`: Enter, keypad Enter or Ctrl+M (a CR);
 * `tab`: Tab or Ctrl+I; `lf`: Ctrl+J; `cr-lf`: a CR then Ctrl+J (a common scanner default).
 */
export const TERMINATORS = ['enter', 'tab', 'lf', 'cr-lf'] as const;
export type Terminator = (typeof TERMINATORS)[number];

/** One scan as typed: what it decoded to, or why it is no code. */
export interface Scan {
  /** The characters, when every key typed one; null when any did not. */
  readonly text: string | null;
  /** What was typed, characters as themselves and the rest as `<CR>`, `<Ctrl+X>`, `<Alt+KP0>`. */
  readonly shown: string;
  /** The keys with the modifiers held (`Shift+KEY_A KEY_S KEY_ENTER`), for a technician setting up a scanner. */
  readonly keys: string;
  readonly problem?: string;
}

type Token = { readonly char: string } | { readonly control: 'CR' | 'LF' | 'TAB' } | { readonly junk: string };

const SEQUENCE: Record<Terminator, readonly ('CR' | 'LF' | 'TAB')[]> = { enter: ['CR'], tab: ['TAB'], lf: ['LF'], 'cr-lf': ['CR', 'LF'] };
const code = (name: string) => keyCode(name) as number;
const SHIFT = new Set([code('KEY_LEFTSHIFT'), code('KEY_RIGHTSHIFT')]);
const CTRL = new Set([code('KEY_LEFTCTRL'), code('KEY_RIGHTCTRL')]);
const LEFT_ALT = code('KEY_LEFTALT');
const RIGHT_ALT = code('KEY_RIGHTALT');
const META = new Set([code('KEY_LEFTMETA'), code('KEY_RIGHTMETA')]);
const CONTROL_KEYS = new Map<number, 'CR' | 'TAB'>([[code('KEY_ENTER'), 'CR'], [code('KEY_KPENTER'), 'CR'], [code('KEY_TAB'), 'TAB']]);
/** Ctrl with the key that types this letter: the ASCII control character it sends. */
const CTRL_LETTER: Record<string, 'CR' | 'LF' | 'TAB'> = { m: 'CR', j: 'LF', i: 'TAB' };
/** A scanner never types this many keys for one card: the terminator was lost or is not the one configured. */
const MAX_TOKENS = 40;

const show = (t: Token) => ('char' in t ? t.char : 'control' in t ? `<${t.control}>` : `<${t.junk}>`);
const short = (c: number) => keyName(c).replace(/^KEY_/, '');

/**
 * Turns a keyboard-wedge scanner's key events into its codes, as a host set to the scanner's
 * layout would: Shift and AltGr pick the level (from the XKB data, scanner-layouts.ts), Ctrl
 * with M, J or I is a CR, LF or Tab, and any other key typed with Ctrl, Alt or a Windows key
 * held (Alt+keypad mode) is no character. A code with anything but characters in it is
 * reported as no code (`text: null`): never a guess.
 */
export class ScanDecoder {
  private readonly layout: ScannerLayout;
  private readonly held = new Set<number>();
  private tokens: Token[] = [];
  private trail: string[] = [];

  constructor(layout: ScannerLayoutName, private readonly terminator: Terminator) {
    this.layout = SCANNER_LAYOUTS[layout];
  }

  /** True while part of a code has been typed. */
  get pending(): boolean {
    return this.tokens.length > 0;
  }

  /** A key change; the scan it completes, if any. */
  key(c: number, is: 'down' | 'up' | 'repeat'): Scan | null {
    if (is === 'up') {
      this.held.delete(c);
      return null;
    }
    if (is === 'repeat') return null; // a scanner never holds a key; a keyboard's repeat is not a new character
    if (SHIFT.has(c) || CTRL.has(c) || META.has(c) || c === LEFT_ALT || c === RIGHT_ALT) {
      this.held.add(c);
      return null;
    }
    const token = this.token(c);
    this.tokens.push(token);
    this.trail.push([...this.modifiers(), short(c)].join('+'));
    return this.complete();
  }

  /** Ends a code that got no terminator (the scanner stopped, or sends another one than configured). */
  flush(): Scan | null {
    if (!this.tokens.length) return null;
    const body = this.tokens;
    const keys = this.trail.join(' ');
    this.reset();
    const shown = body.map(show).join('');
    return { text: null, shown, keys, problem: `no ${this.terminator} terminator after ${JSON.stringify(shown)} (is the scanner set to send ${this.terminator}?)` };
  }

  /** The device went or was resynced: a half code is no code. */
  reset(): void {
    this.tokens = [];
    this.trail = [];
    this.held.clear();
  }

  private modifiers(): string[] {
    const h = (set: Iterable<number>) => [...set].some((c) => this.held.has(c));
    const altGr = this.layout.altGr && this.held.has(RIGHT_ALT);
    return [
      ...(h(CTRL) ? ['Ctrl'] : []),
      ...(this.held.has(LEFT_ALT) || (this.held.has(RIGHT_ALT) && !altGr) ? ['Alt'] : []),
      ...(h(META) ? ['Meta'] : []),
      ...(altGr ? ['AltGr'] : []),
      ...(h(SHIFT) ? ['Shift'] : []),
    ];
  }

  private token(c: number): Token {
    const mods = this.modifiers();
    const levels = this.layout.keys[c];
    if (mods.includes('Ctrl')) {
      const letter = levels?.[0] ?? null;
      const control = letter !== null ? CTRL_LETTER[letter] : undefined;
      return control && mods.length === 1 ? { control } : { junk: [...mods, short(c)].join('+') };
    }
    if (mods.includes('Alt') || mods.includes('Meta')) return { junk: [...mods, short(c)].join('+') };
    const control = CONTROL_KEYS.get(c);
    if (control) return { control };
    if (!levels) return { junk: [...mods, short(c)].join('+') };
    const shift = mods.includes('Shift');
    const altGr = mods.includes('AltGr');
    // NumLock on (a scanner's keypad digits): Shift gives the other level. A two-level key ignores AltGr, as in XKB.
    const level = this.layout.keypad.includes(c) ? (shift ? 0 : 1) : (shift ? 1 : 0) + (altGr && levels.length > 2 ? 2 : 0);
    const char = levels[level] ?? null;
    return char !== null ? { char } : { junk: [...mods, short(c)].join('+') };
  }

  private complete(): Scan | null {
    const seq = SEQUENCE[this.terminator];
    const tail = this.tokens.slice(-seq.length);
    const ends = tail.length === seq.length && tail.every((t, i) => 'control' in t && t.control === seq[i]);
    if (!ends) return this.tokens.length > MAX_TOKENS ? this.flush() : null;
    const body = this.tokens.slice(0, -seq.length);
    const all = this.tokens;
    const keys = this.trail.join(' ');
    this.tokens = [];
    this.trail = [];
    if (!body.length) return null; // a terminator alone (a double CR): nothing was scanned
    const shown = all.map(show).join('');
    const chars = body.every((t) => 'char' in t);
    if (chars) return { text: body.map((t) => (t as { char: string }).char).join(''), shown, keys };
    return { text: null, shown, keys, problem: `the scan ${JSON.stringify(shown)} has keys that type no character here (layout ${this.layoutName()}, terminator ${this.terminator})` };
  }

  private layoutName(): string {
    return this.layout.description;
  }
}
