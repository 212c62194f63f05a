import { inflateSync } from 'node:zlib';
import t from 'tap';
import { bgrToPng } from './png.js';

t.test('writes an RGB PNG with the pixels of a BGR frame', async (t) => {
  const bgr = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]); // 2x2: blue, green, red, (30,20,10)
  const png = bgrToPng(bgr, 2, 2);
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  t.equal(png.readUInt32BE(16), 2, 'width');
  t.equal(png.readUInt32BE(20), 2, 'height');
  const idatAt = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
  t.same([...raw], [0, 0, 0, 255, 0, 255, 0, 0, 255, 0, 0, 30, 20, 10]);
  t.throws(() => bgrToPng(bgr, 3, 2), /expected 3x2x3/);
});
