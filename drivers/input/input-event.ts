/**
 * Linux `struct input_event` as read from /dev/input/event* on 64-bit Linux (x86_64, aarch64):
 * `struct timeval` (two 64-bit longs), then type u16, code u16, value s32: 24 bytes, host
 * byte order (little-endian on every box we ship). Reference: linux/input.h,
 * Documentation/input/input.rst and event-codes.rst.
 */
export const RECORD_BYTES = 24;

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

export function encodeEvent(e: InputEvent): Buffer {
  const b = Buffer.alloc(RECORD_BYTES);
  b.writeBigInt64LE(BigInt(Math.floor(e.timeUs / 1e6)), 0);
  b.writeBigInt64LE(BigInt(e.timeUs % 1e6), 8);
  b.writeUInt16LE(e.type, 16);
  b.writeUInt16LE(e.code, 18);
  b.writeInt32LE(e.value, 20);
  return b;
}

/** The records a key press or release makes on a real keyboard: MSC_SCAN, EV_KEY, SYN_REPORT. */
export function keyRecords(code: number, value: number, timeUs: number): Buffer {
  return Buffer.concat([
    encodeEvent({ timeUs, type: EV_MSC, code: 4, value: 0x70000 + code }),
    encodeEvent({ timeUs, type: EV_KEY, code, value }),
    encodeEvent({ timeUs, type: EV_SYN, code: SYN_REPORT, value: 0 }),
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

  push(chunk: Buffer): KeyPacket[] {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const whole = data.length - (data.length % RECORD_BYTES);
    const out: KeyPacket[] = [];
    for (let off = 0; off < whole; off += RECORD_BYTES) {
      const type = data.readUInt16LE(off + 16);
      const code = data.readUInt16LE(off + 18);
      const value = data.readInt32LE(off + 20);
      if (type === EV_SYN && code === SYN_DROPPED) {
        this.dropping = true;
        this.packet = [];
        out.push({ kind: 'dropped' });
        continue;
      }
      if (type === EV_SYN && code === SYN_REPORT) {
        if (!this.dropping && this.packet.length > 0) {
          const timeUs = Number(data.readBigInt64LE(off)) * 1e6 + Number(data.readBigInt64LE(off + 8));
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
