import { readFileSync } from 'node:fs';
import t from 'tap';
import { LineFramer, type FramedLine } from '../../serial/line-framer.js';
import { decodeLine, encodeNumberLine, encodeStatus, type Ss2Message } from './messages.js';
import { seededRandom } from './simulator/random.js';

const at = 0;
const decode = (text: string): Ss2Message[] => decodeLine({ text, at });

t.test('a status frame decodes by position into a typed observation', async (t) => {
  t.match(decode('*X;5;077;19;0;171;1'), [
    { kind: 'status', status: { state: 5, spin: 77, lastNumber: 19, warnings: 0, rotorRpm: 17.1, direction: 'anticlockwise' } },
  ]);
  t.match(decode('*X;3;256; 7;A;160;0'), [{ kind: 'status', status: { spin: 256, lastNumber: 7, warnings: 10, direction: 'clockwise' } }]);
  t.match(decode('*X;1;001;  ;0;000;0'), [{ kind: 'status', status: { lastNumber: null } }], 'two spaces: no result since power-up');
});

t.test('malformed frames are garbage, never observations', async (t) => {
  for (const bad of [
    '*X;7;077;19;0;171;1', // no state 7
    '*X;5;000;19;0;171;1', // counter 0
    '*X;5;257;19;0;171;1', // counter past 256
    '*X;5;077;37;0;171;1', // no pocket 37
    '*X;5;077;00;0;171;1', // no 00 on these wheels
    '*X;5;077;7 ;0;171;1', // left-aligned
    '*X;5;077;19;G;171;1', // not hex
    '*X;5;077;19;0;171;2', // no direction 2
    '*X;5;077;19;0;17;1', // short field
    '*X;5;077;19;0;171;1;', // trailing
    '*X;5;77;19;0;171;1',
  ]) {
    t.match(decode(bad), [{ kind: 'garbage' }], JSON.stringify(bad));
  }
});

t.test('a winning-number line is exactly two characters, right aligned, 0-36', async (t) => {
  t.match(decode(' 7'), [{ kind: 'number', number: 7 }]);
  t.match(decode(' 0'), [{ kind: 'number', number: 0 }]);
  t.match(decode('36'), [{ kind: 'number', number: 36 }]);
  for (const bad of ['37', '7', '07', ' 7 ', 'x7', '99']) t.match(decode(bad), [{ kind: 'garbage' }], JSON.stringify(bad));
});

t.test('resync on the start marker after noise or a lost terminator', async (t) => {
  t.match(decode('\u0000zz*X;2;077;22;0;000;1'), [{ kind: 'garbage', why: /bytes before/ }, { kind: 'status' }], 'noise before a frame');
  t.match(decode('*X;2;077;22;0;\u0090\u0091\u0092;1'), [{ kind: 'garbage', why: /non-printable/ }]);
  t.match(decode('zz*X;2;077;22;0;000;1'), [{ kind: 'garbage' }, { kind: 'status' }]);
  t.match(decode('*X;3;077;2*X;4;077;22;0;170;1'), [{ kind: 'garbage' }, { kind: 'status', status: { state: 4 } }]);
  t.match(decode('*o BUSY'), [{ kind: 'reply', name: 'o', args: 'BUSY' }]);
});

t.test('encode and decode agree (the simulator speaks what the driver reads)', async (t) => {
  const random = seededRandom(1);
  for (let i = 0; i < 500; i++) {
    const s = {
      state: (1 + Math.floor(random() * 6)) as 1,
      spin: 1 + Math.floor(random() * 256),
      lastNumber: random() < 0.1 ? null : Math.floor(random() * 37),
      warnings: Math.floor(random() * 16),
      rotorRpm: Math.floor(random() * 300) / 10,
      direction: random() < 0.5 ? ('clockwise' as const) : ('anticlockwise' as const),
    };
    const line = encodeStatus(s);
    t.equal(line.length, 21, 'a status frame is 21 bytes with its terminator');
    const [m] = decode(line.slice(0, -2));
    if (m?.kind !== 'status') t.fail(`did not decode ${line}`);
    else t.same({ ...m.status, at: undefined }, { ...s, at: undefined });
  }
  t.match(decode(encodeNumberLine(5).trimEnd()), [{ kind: 'number', number: 5 }]);
});

function frame(bytes: Buffer, chunks: number[]): FramedLine[] {
  const framer = new LineFramer(() => 0);
  const lines: FramedLine[] = [];
  framer.on('data', (l: FramedLine) => lines.push(l));
  let start = 0;
  for (const end of [...chunks, bytes.length]) {
    framer.write(bytes.subarray(start, end));
    start = end;
  }
  return lines;
}

t.test('recorded session replays to the same messages at any chunk boundaries', async (t) => {
  const records = readFileSync(new URL('../../../test-fixtures/ss2/game-lfcr-noise.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { rx?: string; expect?: (string | number)[][] });
  const rx = Buffer.from(records.flatMap((r) => (r.rx === undefined || r.rx.startsWith('*o') || r.rx.startsWith('*T') ? [] : [r.rx])).join(''), 'latin1');
  const expected = records.find((r) => r.expect)!.expect!;
  const summarise = (m: Ss2Message): (string | number)[] => {
    switch (m.kind) {
      case 'status':
        return ['status', m.status.state, m.status.spin, m.status.lastNumber ?? -1];
      case 'number':
        return ['number', m.number];
      case 'reply':
        return ['reply', m.name];
      case 'garbage':
        return ['garbage'];
    }
  };
  const random = seededRandom(42);
  for (let run = 0; run < 200; run++) {
    const cuts = [...new Set(Array.from({ length: Math.floor(random() * 30) }, () => Math.floor(random() * rx.length)))].sort((a, b) => a - b);
    const got = frame(rx, cuts).flatMap(decodeLine).map(summarise);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      t.same(got, expected, `chunked at ${cuts.join(',')}`);
      return;
    }
  }
  t.pass('200 random chunkings gave the expected messages');
});

t.test('fuzz: random and mutated bytes never crash and never become a result', async (t) => {
  const random = seededRandom(7);
  const good = Buffer.from('*X;5;077;19;0;171;1\r\n 7\r\n*X;4;078;19;0;170;0\r\n', 'latin1');
  let observations = 0;
  for (let i = 0; i < 3000; i++) {
    let bytes: Buffer;
    if (i % 2 === 0) {
      bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
    } else {
      bytes = Buffer.from(good);
      // Mutations that cannot forge a valid frame: flip to non-digit, non-separator bytes, or delete.
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) bytes[Math.floor(random() * bytes.length)] = 0x80 | Math.floor(random() * 128);
    }
    const msgs = frame(bytes, [Math.floor(random() * bytes.length)]).flatMap(decodeLine);
    for (const m of msgs) {
      if (m.kind === 'status') {
        observations++;
        t.ok(m.status.spin >= 1 && m.status.spin <= 256 && m.status.state >= 1 && m.status.state <= 6, 'any decoded frame is in range');
      }
      if (m.kind === 'number' && i % 2 === 0) t.ok(m.number <= 36);
    }
  }
  t.ok(observations > 0, 'unmutated frames in the mutated streams still decode');
  const overflow = frame(Buffer.alloc(1000, 0x41), []).concat(frame(Buffer.concat([Buffer.alloc(300, 0x41), Buffer.from('\r\n*X;1;001;  ;0;000;0\r\n')]), []));
  t.match(overflow.flatMap(decodeLine).map((m) => m.kind), ['garbage', 'garbage', 'status'], 'an endless line is dropped and framing recovers');
});
