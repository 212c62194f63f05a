/**
 * The frame stamp: every encoded frame pitbox sends carries, inside the H.264 stream itself,
 * the time its light hit the sensor. An SEI message of type 5 (user data unregistered, ITU-T
 * H.264 D.1.6 / D.2.6) with pitbox's UUID, so it survives every container and transport the
 * stream goes through (MPEG-TS over SRT, FLV over RTMP, RTP, WebRTC) and every decoder passes it
 * on (FFmpeg: AV_FRAME_DATA_SEI_UNREGISTERED; GStreamer: GstVideoSEIUserDataUnregisteredMeta).
 * Events name frames by the same time, so a receiver finds the frame of a result by its stamp.
 *
 * Payload (big-endian): version u8 = 1, capture time u64 (microseconds since the Unix epoch, the
 * box's clock), frame number u32 (frames this camera worker has encoded since it started; resets
 * when the worker restarts, the time does not).
 */
export const FRAME_STAMP_UUID = Buffer.from('7069746278667374a1c35e0d4b8f2c61', 'hex'); // "pitbxfst" + random
const VERSION = 1;
const PAYLOAD_BYTES = 16 + 1 + 8 + 4;

export interface FrameStamp {
  /** Capture time, microseconds since the epoch. */
  readonly captureUs: bigint;
  readonly frameNo: number;
}

/** The SEI NAL unit (with its 4-byte start code) carrying one frame's stamp. */
export function stampNal(stamp: FrameStamp): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  FRAME_STAMP_UUID.copy(payload, 0);
  payload.writeUInt8(VERSION, 16);
  payload.writeBigUInt64BE(stamp.captureUs, 17);
  payload.writeUInt32BE(stamp.frameNo >>> 0, 25);
  const rbsp = Buffer.concat([Buffer.from([5, PAYLOAD_BYTES]), payload, Buffer.from([0x80])]);
  return Buffer.concat([Buffer.from([0, 0, 0, 1, 0x06]), escape(rbsp)]);
}

/** Inserts `nal` into an Annex B access unit before its first slice (where H.264 puts SEI). */
export function insertBeforeFirstSlice(au: Buffer, nal: Buffer): Buffer {
  const slice = headerUnits(au).find((u) => isSlice(au, u));
  return slice ? Buffer.concat([au.subarray(0, slice.start), nal, au.subarray(slice.start)]) : Buffer.concat([nal, au]);
}

/** The pitbox stamps in an access unit (normally one). */
export function readStamps(au: Buffer): FrameStamp[] {
  const stamps: FrameStamp[] = [];
  for (const unit of headerUnits(au)) {
    if (((au[unit.payload] ?? 0) & 0x1f) !== 6) continue;
    const rbsp = unescape(au.subarray(unit.payload + 1, unit.end));
    let i = 0;
    while (i < rbsp.length && rbsp[i] !== 0x80) {
      let type = 0;
      for (; rbsp[i] === 0xff; i++) type += 255;
      type += rbsp[i++] ?? 0;
      let size = 0;
      for (; rbsp[i] === 0xff; i++) size += 255;
      size += rbsp[i++] ?? 0;
      const body = rbsp.subarray(i, i + size);
      i += size;
      if (type === 5 && body.length >= PAYLOAD_BYTES && body.subarray(0, 16).equals(FRAME_STAMP_UUID) && body[16] === VERSION) {
        stamps.push({ captureUs: body.readBigUInt64BE(17), frameNo: body.readUInt32BE(25) });
      }
    }
  }
  return stamps;
}

interface NalUnit {
  /** Offset of the start code. */
  readonly start: number;
  /** Offset of the NAL header byte. */
  readonly payload: number;
  /** End (exclusive), before the next start code. */
  readonly end: number;
}

const START = Buffer.from([0, 0, 1]);

function isSlice(data: Buffer, unit: NalUnit): boolean {
  const type = (data[unit.payload] ?? 0) & 0x1f;
  return type >= 1 && type <= 5;
}

/**
 * The NAL units of an access unit up to and including its first slice: SEI must come before
 * the slices (7.4.1.2.3), so nothing after it is read (a keyframe is 100 KB of slice data).
 * Start codes are found with Buffer.indexOf (native), not a byte loop.
 */
function headerUnits(data: Buffer): NalUnit[] {
  const units: NalUnit[] = [];
  let at = data.indexOf(START);
  while (at >= 0) {
    const start = at > 0 && data[at - 1] === 0 ? at - 1 : at;
    const next = data.indexOf(START, at + 3);
    const end = next < 0 ? data.length : next > 0 && data[next - 1] === 0 ? next - 1 : next;
    const unit = { start, payload: at + 3, end };
    units.push(unit);
    if (isSlice(data, unit)) break;
    at = next;
  }
  return units;
}

/** The NAL units of an Annex B byte stream. */
export function nalUnits(data: Buffer): NalUnit[] {
  const starts: { start: number; payload: number }[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      const start = i > 0 && data[i - 1] === 0 ? i - 1 : i;
      starts.push({ start, payload: i + 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => ({ ...s, end: starts[k + 1]?.start ?? data.length }));
}

/** Emulation prevention (7.4.1): a 0x03 after two zero bytes when the next is 0-3. */
function escape(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

function unescape(ebsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const b of ebsp) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}
