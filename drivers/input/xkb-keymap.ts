/**
 * Reads a keymap compiled by libxkbcommon (`xkbcli compile-keymap --layout fr`, from the XKB
 * data Debian ships in xkb-data) into what a keyboard-wedge scanner types: per evdev key code,
 * the character at each shift level. Run at build time by scripts/gen-scanner-layouts.ts, so
 * the box needs neither X nor xkbcli; the table it writes is committed and checked against a
 * fresh compile by its test.
 */

/** Per evdev code: the characters at levels 1-4 (plain, Shift, AltGr, Shift+AltGr); null: none. */
export type LayoutKeys = Record<number, readonly (string | null)[]>;

export interface ScannerLayout {
  /** The layout's own name (`French`). */
  readonly description: string;
  /** Right Alt is AltGr (ISO_Level3_Shift) here; elsewhere it is an Alt, and what it types is no character. */
  readonly altGr: boolean;
  readonly keys: LayoutKeys;
  /** Keypad keys: with NumLock on (a scanner's keypad digits), level 2 unless Shift. */
  readonly keypad: readonly number[];
}

const KEYPAD_CHARS: Record<string, string> = { KP_Decimal: '.', KP_Separator: ',', KP_Add: '+', KP_Subtract: '-', KP_Multiply: '*', KP_Divide: '/', KP_Equal: '=' };

/** keysym name -> character, from keysymdef.h's `U+XXXX` comments. */
export function keysymChars(keysymdef: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of keysymdef.matchAll(/^#define XK_(\w+)\s+0x[0-9a-fA-F]+\s*\/\*\s*\(?U\+([0-9A-Fa-f]{4,6})/gm)) {
    const cp = parseInt(m[2] as string, 16);
    if (cp >= 0x20 && cp !== 0x7f) out.set(m[1] as string, String.fromCodePoint(cp));
  }
  return out;
}

function charOf(sym: string, chars: Map<string, string>): string | null {
  const kp = /^KP_(\d)$/.exec(sym);
  if (kp) return kp[1] as string;
  if (KEYPAD_CHARS[sym]) return KEYPAD_CHARS[sym];
  const u = /^U([0-9A-Fa-f]{4,6})$/.exec(sym);
  if (u) return String.fromCodePoint(parseInt(u[1] as string, 16));
  return chars.get(sym) ?? null;
}

/** The first group's levels of every key of a compiled keymap, and its keycodes. */
export function parseKeymap(keymap: string, chars: Map<string, string>): ScannerLayout {
  const codes = new Map<string, number>();
  for (const m of keymap.matchAll(/^\s*<(\w+)>\s*=\s*(\d+);/gm)) codes.set(m[1] as string, Number(m[2]) - 8); // XKB keycode = evdev + 8
  const symbols = keymap.slice(keymap.indexOf('xkb_symbols'));
  const description = /name\[Group1\]\s*=\s*"([^"]*)"/.exec(symbols)?.[1] ?? '';
  const keys: LayoutKeys = {};
  const keypad: number[] = [];
  let altGr = false;
  for (const m of symbols.matchAll(/key <(\w+)>\s*\{([^}]*)\}/g)) {
    const code = codes.get(m[1] as string);
    const body = m[2] as string;
    const list = /(?:symbols\[Group1\]\s*=\s*)?\[([^\]]*)\]/.exec(body)?.[1];
    if (code === undefined || code < 0 || list === undefined) continue;
    const syms = list.split(',').map((x) => x.trim());
    if (m[1] === 'RALT') altGr = syms[0] === 'ISO_Level3_Shift';
    const levels = syms.slice(0, 4).map((sym) => charOf(sym, chars));
    if (syms.some((sym) => /^KP_\d$/.test(sym)) || (syms.length === 2 && syms[1] === 'KP_Decimal') || syms[1] === 'KP_Separator') keypad.push(code);
    if (levels.some((c) => c !== null)) keys[code] = levels;
  }
  return { description, altGr, keys, keypad: keypad.sort((a, b) => a - b) };
}
