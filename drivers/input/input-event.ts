import { endianness } from 'node:os';

/**
 * Linux `struct input_event` as read from /dev/input/event*: `struct timeval` as two kernel
 * longs (`__kernel_ulong_t` since 4.16, also under a 64-bit time_t), then type u16, code u16,
 * value s32, in host byte order. So 24 bytes where a long is 64 bits (x86_64, aarch64), 16
 * where it is 32 (armhf, i386). Reference: linux/input.h, Documentation/input/input.rst.
 */
export interface RecordLayout {
  readonly bytes: 16 | 24;
  readonly longBytes: 4 | 8;
}

const LONG_BYTES: Partial<Record<string, 4 | 8>> = { x64: 8, arm64: 8, ppc64: 8, riscv64: 8, loong64: 8, s390x: 8, mips64el: 8, arm: 4, ia32: 4, mipsel: 4 };

/** The layout on `arch` (a Node `process.arch`), or why evdev records cannot be read there. */
export function recordLayout(arch: string = process.arch, order: 'LE' | 'BE' = endianness()): RecordLayout | { unsupported: string } {
  const longBytes = LONG_BYTES[arch];
  if (order !== 'LE') return { unsupported: `input events on a big-endian machine (${arch}) are not supported: pitbox reads little-endian records` };
  if (!longBytes) return { unsupported: `input events on ${arch} are not supported: pitbox knows the record size on x64, arm64, arm, ia32 and a few more` };
  return { bytes: longBytes === 8 ? 24 : 16, longBytes };
}

/** This machine's layout; throws where it is unknown (only the stand-ins use it). */
export function hostLayout(): RecordLayout {
  const l = recordLayout();
  if ('unsupported' in l) throw new Error(l.unsupported);
  return l;
}

export const EV_SYN = 0x00;
export const EV_KEY = 0x01;
export const EV_MSC = 0x04;
export const SYN_REPORT = 0;
/** The kernel's client buffer overflowed: events were lost; state must be resynced. */
export const SYN_DROPPED = 3;

/** EV_KEY values. */
export const KEY_UP = 0;
export const KEY_DOWN = 1;
export const KEY_REPEAT = 2;

export interface InputEvent {
  /** Kernel timestamp (CLOCK_REALTIME unless the device was switched), microseconds. */
  readonly timeUs: number;
  readonly type: number;
  readonly code: number;
  readonly value: number;
}

export function encodeEvent(e: InputEvent, layout: RecordLayout = hostLayout()): Buffer {
  const b = Buffer.alloc(layout.bytes);
  const sec = Math.floor(e.timeUs / 1e6);
  const usec = e.timeUs % 1e6;
  if (layout.longBytes === 8) {
    b.writeBigInt64LE(BigInt(sec), 0);
    b.writeBigInt64LE(BigInt(usec), 8);
  } else {
    b.writeUInt32LE(sec >>> 0, 0);
    b.writeUInt32LE(usec, 4);
  }
  const at = 2 * layout.longBytes;
  b.writeUInt16LE(e.type, at);
  b.writeUInt16LE(e.code, at + 2);
  b.writeInt32LE(e.value, at + 4);
  return b;
}

/** The records a key press or release makes on a real keyboard: MSC_SCAN, EV_KEY, SYN_REPORT. */
export function keyRecords(code: number, value: number, timeUs: number, layout: RecordLayout = hostLayout()): Buffer {
  return Buffer.concat([
    encodeEvent({ timeUs, type: EV_MSC, code: 4, value: 0x70000 + code }, layout),
    encodeEvent({ timeUs, type: EV_KEY, code, value }, layout),
    encodeEvent({ timeUs, type: EV_SYN, code: SYN_REPORT, value: 0 }, layout),
  ]);
}

/** What a complete packet (up to SYN_REPORT) said about keys. */
export type KeyPacket =
  | { readonly kind: 'keys'; readonly keys: readonly { code: number; value: number }[]; readonly timeUs: number }
  /** Events were lost (SYN_DROPPED): key state is unknown until each key is seen again. */
  | { readonly kind: 'dropped' };

/**
 * Turns the byte stream into packets. Reads from a pipe end anywhere, so records are
 * reassembled across chunk boundaries; events are applied only at SYN_REPORT, as the kernel
 * documents, and everything from a SYN_DROPPED up to and including the next SYN_REPORT is
 * discarded (event-codes.rst, "SYN_DROPPED").
 */
export class InputEventDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private packet: { code: number; value: number }[] = [];
  private dropping = false;

  constructor(private readonly layout: RecordLayout) {}

  push(chunk: Buffer): KeyPacket[] {
    const size = this.layout.bytes;
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const whole = data.length - (data.length % size);
    const out: KeyPacket[] = [];
    const long = this.layout.longBytes;
    for (let off = 0; off < whole; off += size) {
      const type = data.readUInt16LE(off + 2 * long);
      const code = data.readUInt16LE(off + 2 * long + 2);
      const value = data.readInt32LE(off + 2 * long + 4);
      if (type === EV_SYN && code === SYN_DROPPED) {
        this.dropping = true;
        this.packet = [];
        out.push({ kind: 'dropped' });
        continue;
      }
      if (type === EV_SYN && code === SYN_REPORT) {
        if (!this.dropping && this.packet.length > 0) {
          const timeUs = long === 8 ? Number(data.readBigInt64LE(off)) * 1e6 + Number(data.readBigInt64LE(off + 8)) : data.readUInt32LE(off) * 1e6 + data.readUInt32LE(off + 4);
          out.push({ kind: 'keys', keys: this.packet, timeUs });
        }
        this.dropping = false;
        this.packet = [];
        continue;
      }
      if (type === EV_KEY && !this.dropping) this.packet.push({ code, value });
    }
    this.pending = Buffer.from(data.subarray(whole));
    return out;
  }

  /** The device went away: a half record or an unreported packet is not a press. */
  reset(): void {
    this.pending = Buffer.alloc(0);
    this.packet = [];
    this.dropping = false;
  }
}
