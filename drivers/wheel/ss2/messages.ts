import type { RotorDirection, WheelState, WheelStatus } from '../wheel.js';
import type { FramedLine } from '../../serial/line-framer.js';

/** What one line from the SS2 host port means. */
export type Ss2Message =
  | { readonly kind: 'status'; readonly status: WheelStatus }
  | { readonly kind: 'number'; readonly number: number; readonly at: number }
  | { readonly kind: 'reply'; readonly name: string; readonly args: string; readonly at: number }
  | { readonly kind: 'garbage'; readonly line: string; readonly why: string; readonly at: number };

// `*X;<state>;<spin>;<win>;<warn>;<speed>;<dir>`: fixed width, so every field is checked by
// position and width, not only by splitting on ';' (reference: "Status frame").
const STATUS_FRAME = /^\*X;([1-6]);(\d{3});( {2}| \d|[1-3]\d);([0-9A-Fa-f]);(\d{3});([01])$/;
const NUMBER_LINE = /^( \d|[1-3]\d)$/;
const REPLY = /^\*([A-Za-z]+)(?: (.*))?$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * Decodes one framed line into zero or more messages.
 *
 * Resync: a packet starts with `*`, so a line is cut at every `*`. Bytes before the first `*`
 * must be a winning-number line; anything else there is noise. This recovers a good frame that
 * follows garbage or a lost terminator, and never turns noise into a number: a number line is
 * accepted only as a whole line of exactly two characters.
 */
export function decodeLine(line: FramedLine): Ss2Message[] {
  const { text, at } = line;
  if (line.overflow) return [{ kind: 'garbage', line: text, why: 'no terminator within 256 bytes', at }];

  const parts = text.split('*');
  const out: Ss2Message[] = [];
  const head = parts[0] ?? '';
  if (head.length > 0) {
    out.push(parts.length === 1 ? decodeNumberLine(head, at) : { kind: 'garbage', line: head, why: 'bytes before start marker', at });
  }
  for (const part of parts.slice(1)) out.push(decodePacket(`*${part}`, at));
  return out;
}

function nonPrintable(text: string, at: number): Ss2Message | null {
  return PRINTABLE.test(text) ? null : { kind: 'garbage', line: text, why: 'non-printable bytes', at };
}

function decodeNumberLine(text: string, at: number): Ss2Message {
  const noise = nonPrintable(text, at);
  if (noise) return noise;
  const m = NUMBER_LINE.exec(text);
  if (!m) return { kind: 'garbage', line: text, why: 'not a packet or a winning-number line', at };
  const number = Number(text.trim());
  if (number > 36) return { kind: 'garbage', line: text, why: `winning number ${number} out of range`, at };
  return { kind: 'number', number, at };
}

function decodePacket(text: string, at: number): Ss2Message {
  const noise = nonPrintable(text, at);
  if (noise) return noise;
  if (text.startsWith('*X;')) return decodeStatus(text, at);
  const m = REPLY.exec(text);
  if (!m) return { kind: 'garbage', line: text, why: 'malformed packet', at };
  return { kind: 'reply', name: m[1] ?? '', args: m[2] ?? '', at };
}

function decodeStatus(text: string, at: number): Ss2Message {
  const m = STATUS_FRAME.exec(text);
  if (!m) return { kind: 'garbage', line: text, why: 'malformed status frame', at };
  const [, state, spin, win, warn, speed, dir] = m as unknown as [string, string, string, string, string, string, string];
  const spinNo = Number(spin);
  if (spinNo < 1 || spinNo > 256) return { kind: 'garbage', line: text, why: `spin counter ${spin} out of range`, at };
  const lastNumber = win === '  ' ? null : Number(win.trim());
  if (lastNumber !== null && lastNumber > 36) return { kind: 'garbage', line: text, why: `winning number ${win} out of range`, at };
  const direction: RotorDirection = dir === '0' ? 'clockwise' : 'anticlockwise';
  return {
    kind: 'status',
    status: {
      state: Number(state) as WheelState,
      spin: spinNo,
      lastNumber,
      warnings: parseInt(warn, 16),
      rotorRpm: Number(speed) / 10,
      direction,
      at,
    },
  };
}

/** Encodes a status frame exactly as the wheel sends it, CR LF included. Used by the simulator. */
export function encodeStatus(s: Omit<WheelStatus, 'at'>, ending = '\r\n'): string {
  const win = s.lastNumber === null ? '  ' : String(s.lastNumber).padStart(2, ' ');
  const speed = String(Math.round(s.rotorRpm * 10)).padStart(3, '0');
  return `*X;${s.state};${String(s.spin).padStart(3, '0')};${win};${s.warnings.toString(16).toUpperCase()};${speed};${s.direction === 'clockwise' ? 0 : 1}${ending}`;
}

export function encodeNumberLine(n: number, ending = '\r\n'): string {
  return `${String(n).padStart(2, ' ')}${ending}`;
}
