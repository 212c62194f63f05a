import t from 'tap';
import { insertBeforeFirstSlice, nalUnits, readStamps, stampNal } from './frame-stamp.js';

// An access unit as x264 + h264parse give it: AUD, SPS, PPS, IDR slice (bytes shortened).
const AU = Buffer.from('000000010910' + '00000001674d401fe8802802dd8088' + '0000000168ebef20' + '000000016588840fff', 'hex');

t.test('a stamp goes in before the first slice and reads back, whatever its bytes', async (t) => {
  for (const captureUs of [1_764_320_000_123_456n, 0n, 0x0000000300000000n, 2n ** 64n - 1n]) {
    const stamped = insertBeforeFirstSlice(AU, stampNal({ captureUs, frameNo: 42 }));
    const types = nalUnits(stamped).map((u) => (stamped[u.payload] ?? 0) & 0x1f);
    t.same(types, [9, 7, 8, 6, 5], 'AUD, SPS, PPS, our SEI, then the slice');
    t.same(readStamps(stamped), [{ captureUs, frameNo: 42 }]);
    const sei = stamped.subarray(nalUnits(stamped)[3]!.payload, nalUnits(stamped)[3]!.end);
    const zeroRun = [0, 1, 2].some((b) => sei.includes(Buffer.from([0, 0, b])));
    t.notOk(zeroRun, 'no 00 00 0x inside the SEI: emulation prevention keeps start codes out');
  }
  t.same(readStamps(AU), [], 'a stream without stamps has none');
  const foreign = Buffer.concat([Buffer.from('0000000106050e', 'hex'), Buffer.alloc(14, 0x11), Buffer.from('80', 'hex'), AU]);
  t.same(readStamps(foreign), [], 'another vendor\'s user data is not ours');
});
