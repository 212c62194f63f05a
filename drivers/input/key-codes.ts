/**
 * Key names from linux/input-event-codes.h for the keys dealer hardware sends: keypads,
 * foot pedals (usually letters or F-keys), programmable button boxes, and keyboard-wedge card
 * shoes (digits, letters, Enter). Config may also give any code as a number.
 */
const LETTERS = 'QWERTYUIOP'.split('').map((c, i) => [`KEY_${c}`, 16 + i] as const);
const HOME = 'ASDFGHJKL'.split('').map((c, i) => [`KEY_${c}`, 30 + i] as const);
const BOTTOM = 'ZXCVBNM'.split('').map((c, i) => [`KEY_${c}`, 44 + i] as const);
const DIGITS = '1234567890'.split('').map((c, i) => [`KEY_${c}`, 2 + i] as const);
const FKEYS = [59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 87, 88].map((code, i) => [`KEY_F${i + 1}`, code] as const);
const FKEYS_HIGH = Array.from({ length: 12 }, (_, i) => [`KEY_F${13 + i}`, 183 + i] as const);
const KEYPAD = [
  ['KEY_KP7', 71], ['KEY_KP8', 72], ['KEY_KP9', 73], ['KEY_KPMINUS', 74], ['KEY_KP4', 75], ['KEY_KP5', 76],
  ['KEY_KP6', 77], ['KEY_KPPLUS', 78], ['KEY_KP1', 79], ['KEY_KP2', 80], ['KEY_KP3', 81], ['KEY_KP0', 82],
  ['KEY_KPDOT', 83], ['KEY_KPENTER', 96], ['KEY_KPSLASH', 98], ['KEY_KPASTERISK', 55], ['KEY_NUMLOCK', 69],
] as const;
const OTHER = [
  ['KEY_ESC', 1], ['KEY_MINUS', 12], ['KEY_EQUAL', 13], ['KEY_BACKSPACE', 14], ['KEY_TAB', 15], ['KEY_ENTER', 28],
  ['KEY_LEFTCTRL', 29], ['KEY_LEFTSHIFT', 42], ['KEY_RIGHTSHIFT', 54], ['KEY_LEFTALT', 56], ['KEY_SPACE', 57],
  ['KEY_CAPSLOCK', 58], ['KEY_RIGHTCTRL', 97], ['KEY_RIGHTALT', 100], ['KEY_LEFTMETA', 125], ['KEY_RIGHTMETA', 126],
  ['KEY_GRAVE', 41], ['KEY_LEFTBRACE', 26], ['KEY_RIGHTBRACE', 27], ['KEY_SEMICOLON', 39], ['KEY_APOSTROPHE', 40],
  ['KEY_BACKSLASH', 43], ['KEY_COMMA', 51], ['KEY_DOT', 52], ['KEY_SLASH', 53], ['KEY_102ND', 86], ['KEY_KPCOMMA', 121], ['KEY_HOME', 102], ['KEY_UP', 103], ['KEY_PAGEUP', 104], ['KEY_LEFT', 105], ['KEY_RIGHT', 106],
  ['KEY_END', 107], ['KEY_DOWN', 108], ['KEY_PAGEDOWN', 109], ['KEY_INSERT', 110], ['KEY_DELETE', 111],
  ['BTN_0', 0x100], ['BTN_1', 0x101], ['BTN_2', 0x102], ['BTN_3', 0x103], ['BTN_4', 0x104], ['BTN_5', 0x105],
  ['BTN_LEFT', 0x110], ['BTN_RIGHT', 0x111], ['BTN_MIDDLE', 0x112], ['BTN_TRIGGER', 0x120], ['BTN_THUMB', 0x121],
] as const;

const BY_NAME = new Map<string, number>([...LETTERS, ...HOME, ...BOTTOM, ...DIGITS, ...FKEYS, ...FKEYS_HIGH, ...KEYPAD, ...OTHER]);
const BY_CODE = new Map<number, string>([...BY_NAME].map(([name, code]) => [code, name]));

/** A key's code from its name (`KEY_F1`, `BTN_0`) or number; null if unknown. */
export function keyCode(key: string | number): number | null {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key < 0x300 ? key : null;
  return BY_NAME.get(key.toUpperCase()) ?? null;
}

/** The name a code is known by, or its number. */
export function keyName(code: number): string {
  return BY_CODE.get(code) ?? String(code);
}
