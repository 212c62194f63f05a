import t from 'tap';
import { KeyGate, type KeyVerdict } from './key-gate.js';

function gate(rules: Partial<{ minGapMs: number; stableMs: number; holdAlarmMs: number }> = {}) {
  let now = 1000;
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 150, stableMs: 0, holdAlarmMs: 60_000, ...rules }, (v) => verdicts.push(v), () => now);
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
  advance(100);
  g.up('A');
  advance(60);
  g.down('A'); // a real second press, 60 ms after the last release: too soon
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
  const g = new KeyGate({ minGapMs: 0, stableMs: 0, holdAlarmMs: 30 }, (v) => verdicts.push(v));
  g.down('P');
  await new Promise((r) => setTimeout(r, 80));
  t.match(verdicts.find((v) => v.kind === 'stuck'), { key: 'P' });
  g.up('P');
  t.match(verdicts.at(-1), { kind: 'unstuck', key: 'P' });
  g.stop();
});

t.test('GPIO: a press counts once the line stays pressed for stableMs; a spike does not', async (t) => {
  const verdicts: KeyVerdict[] = [];
  const g = new KeyGate({ minGapMs: 0, stableMs: 20, holdAlarmMs: 60_000 }, (v) => verdicts.push(v));
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
