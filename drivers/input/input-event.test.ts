import t from 'tap';
import { encodeEvent, EV_KEY, EV_SYN, hostLayout, InputEventDecoder, keyRecords, recordLayout, SYN_DROPPED, SYN_REPORT } from './input-event.js';

/** Feeds `bytes` to a decoder cut at random places (a pipe may end a read anywhere). */
function decodeInPieces(bytes: Buffer, seed: number) {
  const decoder = new InputEventDecoder(hostLayout());
  let x = seed;
  const out = [];
  for (let off = 0; off < bytes.length; ) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % 37);
    out.push(...decoder.push(bytes.subarray(off, off + n)));
    off += n;
  }
  return out;
}

t.test('records are reassembled across any read boundary', async (t) => {
  const presses = Buffer.concat([keyRecords(59, 1, 1_700_000_000_123_456), keyRecords(59, 2, 1_700_000_000_623_456), keyRecords(59, 0, 1_700_000_000_700_000), keyRecords(60, 1, 1_700_000_001_000_000)]);
  for (let seed = 1; seed < 40; seed++) {
    const packets = decodeInPieces(presses, seed);
    t.same(
      packets.map((p) => (p.kind === 'keys' ? p.keys : p.kind)),
      [[{ code: 59, value: 1 }], [{ code: 59, value: 2 }], [{ code: 59, value: 0 }], [{ code: 60, value: 1 }]],
    );
  }
  const first = decodeInPieces(presses, 3)[0];
  t.equal(first?.kind === 'keys' && first.timeUs, 1_700_000_000_123_456, 'the kernel timestamp of the packet');
});

t.test('SYN_DROPPED: everything up to the next SYN_REPORT is discarded, then decoding goes on', async (t) => {
  const bytes = Buffer.concat([
    encodeEvent({ timeUs: 1, type: EV_KEY, code: 30, value: 1 }),
    encodeEvent({ timeUs: 1, type: EV_SYN, code: SYN_DROPPED, value: 0 }),
    encodeEvent({ timeUs: 2, type: EV_KEY, code: 31, value: 1 }),
    encodeEvent({ timeUs: 2, type: EV_SYN, code: SYN_REPORT, value: 0 }),
    keyRecords(32, 1, 3),
  ]);
  const packets = decodeInPieces(bytes, 7);
  t.same(packets.map((p) => (p.kind === 'keys' ? p.keys.map((k) => k.code) : p.kind)), ['dropped', [32]], 'KEY 30 (before the drop, never reported) and 31 (inside it) are lost; 32 counts');
});

t.test('a half record when the device goes is not a press, and the next helper starts aligned', async (t) => {
  const d = new InputEventDecoder(hostLayout());
  const rec = keyRecords(30, 1, 5);
  t.same(d.push(rec.subarray(0, 40)), [], 'an unfinished packet reports nothing');
  d.reset();
  const after = d.push(keyRecords(31, 1, 6));
  t.same(after.map((p) => (p.kind === 'keys' ? p.keys : p.kind)), [[{ code: 31, value: 1 }]], 'the key pressed on the replugged device; nothing of key 30');
});

t.test('the record size is the architecture\'s: 16 bytes on 32-bit ARM, refused where unknown', async (t) => {
  t.same(recordLayout('x64', 'LE'), { bytes: 24, longBytes: 8 });
  t.same(recordLayout('arm64', 'LE'), { bytes: 24, longBytes: 8 });
  const arm = recordLayout('arm', 'LE');
  t.same(arm, { bytes: 16, longBytes: 4 });
  t.match(recordLayout('s390x', 'BE'), { unsupported: /big-endian/ });
  t.match(recordLayout('sparc', 'LE'), { unsupported: /sparc are not supported/ });
  if ('unsupported' in arm) return;
  // armhf: timeval as two 32-bit longs, then type, code, value.
  const bytes = Buffer.concat([keyRecords(59, 1, 1_700_000_000_250_000, arm), keyRecords(59, 0, 1_700_000_000_330_000, arm)]);
  t.equal(bytes.length, 6 * 16);
  const packets = new InputEventDecoder(arm).push(bytes);
  t.same(packets, [
    { kind: 'keys', keys: [{ code: 59, value: 1 }], timeUs: 1_700_000_000_250_000 },
    { kind: 'keys', keys: [{ code: 59, value: 0 }], timeUs: 1_700_000_000_330_000 },
  ], 'both presses, at their record times (read as 24-byte records they would be garbage)');
});
