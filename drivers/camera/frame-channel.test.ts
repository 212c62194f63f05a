import { randomBytes } from 'node:crypto';
import t from 'tap';
import { encodeRecord, RecordReader } from './frame-channel.js';
import { seededRandom } from '../wheel/ss2/simulator/random.js';

t.test('records survive being cut at any byte', async (t) => {
  const random = seededRandom(7);
  const sent = Array.from({ length: 40 }, (_, i) => ({ header: { seq: i, w: 4 }, payload: randomBytes(Math.floor(random() * 5000)) }));
  const stream = Buffer.concat(sent.flatMap((r) => encodeRecord(r.header, r.payload)));
  const reader = new RecordReader<{ seq: number; w: number }>();
  const got = [];
  for (let at = 0; at < stream.length; ) {
    const n = 1 + Math.floor(random() * 3000);
    got.push(...reader.push(stream.subarray(at, at + n)));
    at += n;
  }
  t.equal(got.length, sent.length);
  got.forEach((r, i) => {
    t.same(r.header, sent[i]?.header);
    t.ok(r.payload.equals(sent[i]?.payload as Buffer), `payload ${i}`);
  });
});

t.test('a corrupt stream is an error, not a giant allocation', async (t) => {
  const bad = Buffer.alloc(8);
  bad.writeUInt32BE(10, 0);
  bad.writeUInt32BE(0xffffffff, 4);
  t.throws(() => new RecordReader().push(bad), { name: 'ChannelError', message: /corrupt record prefix/ });
  const notJson = Buffer.concat([Buffer.from([0, 0, 0, 3, 0, 0, 0, 0]), Buffer.from('{{{')]);
  t.throws(() => new RecordReader().push(notJson), { message: /not JSON/ });
});
