import { z } from 'zod';
import { reconnectConfig } from '../serial/config.js';
import { keyCode, keyName } from './key-codes.js';
import { TERMINATORS } from './scan-decoder.js';
import { SCANNER_LAYOUT_NAMES } from './scanner-layouts.js';

/** What a button may do: the control socket's actions (the same engine API). */
export const BUTTON_ACTIONS = ['open', 'close', 'start', 'close-bets', 'void', 'resume', 'settle'] as const;

const regex = (what: string) =>
  z.string().transform((s, ctx) => {
    try {
      return new RegExp(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${what}: not a regular expression (${(err as Error).message})` });
      return z.NEVER;
    }
  });

const gate = {
  minGapMs: z.number().int().min(0).max(5000).default(150).describe('After a release, a new press counts only after this gap (bounce, double presses)'),
  holdAlarmMs: z.number().int().min(500).default(10_000).describe('A key held longer than this raises an alarm'),
};

const location = {
  path: z.string().min(1).optional().describe('Device node, best a stable link: /dev/input/pitbox-keypad (systemd/99-pitbox-input.rules) or /dev/input/by-id/...'),
  deviceName: z.string().min(1).optional().describe('Or the kernel\'s name of the device (cat /sys/class/input/event*/device/name)'),
};
const oneLocation = (c: { path?: string | undefined; deviceName?: string | undefined }) => (c.path === undefined) !== (c.deviceName === undefined);
// `when`: checked even when other keys of the input are wrong, so every problem is named at once.
const locationMessage = { message: 'give exactly one of path or deviceName', when: () => true };

/**
 * Key (or line) -> action, every bad key and action named (a record's own key errors say only
 * "Invalid key"). Each key is rewritten to the one name the driver reports it by, so a key
 * that validates also matches: `59`, `key_f1` and `KEY_F1` are all `KEY_F1`.
 */
const keyMap = (canonical: (k: string) => { name: string } | { bad: string }) =>
  z.record(z.string(), z.string()).transform((keys, ctx) => {
    const out: Record<string, (typeof BUTTON_ACTIONS)[number]> = {};
    const given = new Map<string, string>();
    for (const [k, v] of Object.entries(keys)) {
      const c = canonical(k);
      if ('bad' in c) ctx.addIssue({ code: 'custom', path: [k], message: c.bad });
      if (!(BUTTON_ACTIONS as readonly string[]).includes(v)) ctx.addIssue({ code: 'custom', path: [k], message: `"${v}" is not an action: one of ${BUTTON_ACTIONS.join(', ')}` });
      if (!('name' in c)) continue;
      const twice = given.get(c.name);
      if (twice !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is the same key as "${twice}" (${c.name})` });
      given.set(c.name, k);
      out[c.name] = v as (typeof BUTTON_ACTIONS)[number];
    }
    return out;
  });
const evdevKeys = keyMap((k) => {
  const code = keyCode(/^\d+$/.test(k) ? Number(k) : k);
  return code === null ? { bad: `unknown key "${k}" (KEY_F1, KEY_KP1, KEY_A, BTN_0, or a number)` } : { name: keyName(code) };
});

/** A USB keypad, pedal or button box (evdev, grabbed). */
export const evdevInputConfig = z
  .strictObject({ name: z.string().regex(/^[\w.-]+$/), driver: z.literal('evdev'), ...location, keys: evdevKeys, ...gate, reconnect: reconnectConfig })
  .refine(oneLocation, locationMessage);

/** Buttons on GPIO lines (libgpiod 1.6 tools). Keys are line offsets. */
export const gpioInputConfig = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/),
  driver: z.literal('gpio'),
  chip: z.string().min(1).default('gpiochip0'),
  lines: keyMap((k) => (/^\d+$/.test(k) ? { name: String(Number(k)) } : { bad: `"${k}" is not a line offset (a number, as gpioinfo lists it)` })).describe('Line offset -> action'),
  bias: z.enum(['pull-up', 'pull-down', 'disable', 'as-is']).default('pull-up'),
  activeLow: z.boolean().default(true).describe('Pressed pulls the line low (a button to ground with the pull-up)'),
  debounceMs: z.number().int().min(0).max(200).default(10).describe('A press counts once the line has stayed pressed this long'),
  ...gate,
  reconnect: reconnectConfig,
});

/** A microcontroller button panel printing lines. */
export const serialInputConfig = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/),
  driver: z.literal('serial'),
  port: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  pattern: regex('pattern').default(() => /^(?<key>[\w-]+)(?:[ :=](?<state>DOWN|UP|PRESS|1|0))?$/).describe('A button line; named groups key and (optional) state'),
  heartbeat: regex('heartbeat').default(() => /^(HB|PING|ALIVE)$/),
  silenceMs: z.number().int().min(100).default(3000).describe('No line (heartbeat or button) for this long: the panel is gone'),
  keys: keyMap((k) => ({ name: k })).describe('The key as the panel names it (the pattern\'s group key), exactly'),
  ...gate,
  reconnect: reconnectConfig,
});

export const inputConfig = z.discriminatedUnion('driver', [evdevInputConfig, gpioInputConfig, serialInputConfig]);
export type InputConfig = z.infer<typeof inputConfig>;

/** The card shoe: evdev keyboard-wedge or serial, and how it writes a card. */
export const shoeConfig = z
  .strictObject({
    driver: z.enum(['evdev', 'serial']),
    name: z.string().regex(/^[\w.-]+$/).default('shoe'),
    ...location,
    port: z.string().min(1).optional().describe('Serial shoes: the port'),
    baudRate: z.number().int().positive().default(9600),
    code: z.enum(['rank-suit', 'suit-rank']).default('rank-suit').describe('AS / 10H (rank first) or SA / H10 (suit first)'),
    layout: z
      .preprocess((v) => (typeof v === 'string' ? ({ uk: 'gb' } as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase() : v), z.enum(SCANNER_LAYOUT_NAMES))
      .default('us')
      .describe('evdev shoes: the keyboard layout the scanner is set to (XKB names: us, gb (or uk), de, fr, es, it)'),
    terminator: z.enum(TERMINATORS).default('enter').describe('evdev shoes: what the scanner sends after each code: enter (Enter, keypad Enter, Ctrl+M), tab, lf (Ctrl+J), cr-lf'),
    pattern: regex('pattern').optional().describe('Instead of code: a pattern with named groups rank and suit'),
    matchWindowMs: z.number().int().min(1000).max(600_000).default(20_000).describe('source both: a shoe card and the camera\'s card must meet within this window'),
    reconnect: reconnectConfig,
  })
  .superRefine((c, ctx) => {
    if (c.driver === 'serial' && !c.port) ctx.addIssue({ code: 'custom', path: ['port'], message: 'a serial shoe needs port' });
    if (c.driver === 'evdev' && !oneLocation(c)) ctx.addIssue({ code: 'custom', path: ['path'], message: locationMessage.message });
  }, { when: () => true });
export type ShoeConfig = z.infer<typeof shoeConfig>;
