import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { KeyGate, type KeyGateRules, type KeyVerdict } from './key-gate.js';

function gate(rules: Partial<KeyGateRules> = {}) {
  let now = 1000;
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 150, stableMs: 0, holdAlarmMs: 60_000, downWhileDown: 'lost-release', ...rules }, (v) => verdicts.push(v), () => now);
  return { g, verdicts, advance: (ms: number) => (now += ms), presses: () => verdicts.filter((v) => v.kind === 'press').map((v) => v.key) };
}

t.test('a press counts once; autorepeat never', async (t) => {
  const { g, verdicts, advance, presses } = gate();
  g.down('KEY_F1');
  for (let i = 0; i < 5; i++) g.repeat('KEY_F1');
  advance(500);
  g.up('KEY_F1');
  t.same(presses(), ['KEY_F1']);
  t.equal(verdicts.filter((v) => v.kind === 'ignored' && v.why === 'repeat').length, 5);
});

t.test('bounce and double presses: a new press needs a release plus the gap', async (t) => {
  const { g, advance, presses } = gate({ minGapMs: 150 });
  g.down('A');
  advance(2);
  g.up('A');
  advance(3);
  g.down('A'); // contact bounce 3 ms after the release
  advance(40);
  g.up('A');
  advance(60);
  g.down('A'); // a real second press, 105 ms after the counted press's release: too soon
  advance(50);
  g.up('A');
  advance(200);
  g.down('A'); // 200 ms later: counts
  g.down('A'); // a second down without an up (a lost release): not a press
  t.same(presses(), ['A', 'A']);
});

t.test('a key held at start (seen first as autorepeat, or read from the line) is quarantined until released', async (t) => {
  const { g, verdicts, advance, presses } = gate();
  g.repeat('KEY_F2');
  g.repeat('KEY_F2');
  g.down('KEY_F2');
  t.same(presses(), [], 'held at start: its downs count for nothing');
  g.up('KEY_F2');
  advance(200);
  g.down('KEY_F2');
  t.same(presses(), ['KEY_F2'], 'after the release it works');
  g.heldAtStart(['17']);
  g.up('17');
  advance(200);
  g.down('17');
  t.same(presses(), ['KEY_F2', '17']);
  t.ok(verdicts.some((v) => v.kind === 'ignored' && v.why === 'held-at-start' && v.key === '17'));
});

t.test('a key held too long raises, and its release clears', async (t) => {
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 0, stableMs: 0, holdAlarmMs: 30, downWhileDown: 'lost-release' }, (v) => verdicts.push(v));
  g.down('P');
  await new Promise((r) => setTimeout(r, 80));
  t.match(verdicts.find((v) => v.kind === 'stuck'), { key: 'P' });
  g.up('P');
  t.match(verdicts.at(-1), { kind: 'unstuck', key: 'P' });
  g.stop();
});

t.test('GPIO: a press counts once the line stays pressed for stableMs; a spike does not', async (t) => {
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 0, stableMs: 20, holdAlarmMs: 60_000, downWhileDown: 'bounce' }, (v) => verdicts.push(v));
  g.down('17');
  g.up('17'); // a 0 ms spike
  await new Promise((r) => setTimeout(r, 40));
  t.same(verdicts.filter((v) => v.kind === 'press'), [], 'noise is not a press');
  g.down('17');
  await new Promise((r) => setTimeout(r, 40));
  t.equal(verdicts.filter((v) => v.kind === 'press').length, 1);
  g.stop();
});

t.test('events lost or the device gone: nothing in flight counts, the next down is a press', async (t) => {
  const { g, verdicts, advance, presses } = gate({ minGapMs: 0, stableMs: 0 });
  g.down('A');
  g.forget('resync');
  g.down('A');
  t.same(presses(), ['A', 'A'], 'a down after the resync is a new press (the kernel reports downs only on a change)');
  g.forget('gone');
  advance(1);
  g.up('A');
  t.same(g.held(), []);
  t.ok(verdicts.every((v) => v.kind !== 'stuck'));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('GPIO contact bounce: a release inside the stable window restarts it, and the real press counts', async (t) => {
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 150, stableMs: 10, holdAlarmMs: 60_000, downWhileDown: 'bounce' }, (v) => verdicts.push(v));
  t.teardown(() => g.stop());
  g.down('17', 5000); // fall
  g.up('17', 5001); // the contact bounces open 1 ms later: not a release of a press
  g.down('17', 5002); // and closes again: held from here
  await sleep(40);
  t.same(verdicts.filter((v) => v.kind === 'press'), [{ kind: 'press', key: '17', at: 5002 }], 'one press, dated at the edge that stayed');
  g.down('17', 5050); // a second fall with no rise between: a missed bounce edge, not a press
  g.up('17', 5200);
  await sleep(30);
  t.equal(verdicts.filter((v) => v.kind === 'press').length, 1);
});

t.test('GPIO: a 1 ms spike stays noise when the event loop is busy past the window (edge times decide)', async (t) => {
  // The rise is in a socket's buffer, unread, when the stable timer falls due: as gpiomon's
  // line is in its pipe while the loop is busy.
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-gate-'));
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 150, stableMs: 10, holdAlarmMs: 60_000, downWhileDown: 'bounce' }, (v) => verdicts.push(v));
  t.teardown(() => g.stop());
  const server = createServer((s) => s.on('data', (d) => g.up('17', Number(d.toString()))));
  server.listen(join(dir, 's'));
  await once(server, 'listening');
  const client = createConnection(join(dir, 's'));
  await once(client, 'connect');
  t.teardown(() => {
    client.destroy();
    server.close();
  });
  g.down('17', 7000);
  client.write('7001');
  const until = performance.now() + 30;
  while (performance.now() < until); // the loop is busy for 30 ms
  await sleep(60);
  t.same(verdicts.filter((v) => v.kind === 'press'), [], 'the spike was 1 ms by the kernel\'s clock: no press');
  t.ok(verdicts.some((v) => v.kind === 'ignored' && v.why === 'bounce'));
  g.down('17', 7500);
  g.up('17', 7600); // down 100 ms by the edges, whenever we got to see it
  t.same(verdicts.filter((v) => v.kind === 'press'), [{ kind: 'press', key: '17', at: 7500 }], 'a release past the window proves the press, even before the timer');
});

t.test('only the release of a counted press starts the re-arm gap', async (t) => {
  const { g, presses } = gate({ minGapMs: 150 });
  g.down('A', 0);
  g.up('A', 100); // counted; the gap runs from here
  g.down('A', 160); // 60 ms after: too soon, ignored
  g.up('A', 200); // its release does not start the gap again
  g.down('A', 300); // 200 ms after the counted release: a press
  t.same(presses(), ['A', 'A']);
});

t.test('evdev and serial: a down while down is a lost release, counted once after the gap; GPIO: a bounce', async (t) => {
  const lost = gate({ minGapMs: 150 });
  lost.g.down('KEY_F1', 0);
  lost.g.down('KEY_F1', 50); // too soon after the first down to be a second press
  lost.g.down('KEY_F1', 900); // the release was lost (kernel overflow, resynced silently): the dealer pressed again
  lost.g.up('KEY_F1', 1000);
  t.same(lost.presses(), ['KEY_F1', 'KEY_F1'], 'two presses, not one');
  t.same(lost.g.held(), []);
  const gpio = gate({ minGapMs: 150, downWhileDown: 'bounce' });
  gpio.g.down('17', 0);
  gpio.g.down('17', 900);
  t.same(gpio.presses(), ['17'], 'edges alternate on a line: two falls are one press and a missed rise');
});

t.test('a lost release does not leave a stuck alarm behind', async (t) => {
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 0, stableMs: 0, holdAlarmMs: 40, downWhileDown: 'lost-release' }, (v) => verdicts.push(v));
  t.teardown(() => g.stop());
  g.down('P', 0);
  await sleep(25);
  g.down('P', 25); // released and pressed again; the release was lost
  await sleep(25);
  g.up('P', 50);
  await sleep(40);
  t.same(verdicts.filter((v) => v.kind === 'stuck'), [], 'held 25 ms each time, never 40');
  t.equal(verdicts.filter((v) => v.kind === 'press').length, 2);
});
