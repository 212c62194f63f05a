import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Journal, JournalError } from './journal.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-journal-'));
const draft = (n: number) => ({ type: 'round.result' as const, round: n, data: { number: n % 37, rotorRpm: 17.25 } });

t.test('seq starts at 1, increases by one, and continues across a reopen', async (t) => {
  const path = join(dir(), 'j.db');
  const a = new Journal(path, 's', 't');
  t.same([1, 2, 3].map((n) => a.append(draft(n), { n }).seq), [1, 2, 3]);
  a.close();
  const b = new Journal(path, 's', 't');
  t.equal(b.append(draft(4), { n: 4 }).seq, 4, 'never reused after a restart');
  t.same(b.snapshot(), { n: 4 }, 'the engine snapshot travels with the last event');
  b.close();
});

t.test('the stored bytes are the published bytes, with a complete envelope', async (t) => {
  const j = new Journal(join(dir(), 'j.db'), 'studio-a', 'roulette-01', () => new Date('2026-01-02T03:04:05.678Z'));
  const { body } = j.append(draft(7), {});
  const e = JSON.parse(body) as Record<string, unknown>;
  t.match(e, { v: 1, studio: 'studio-a', table: 'roulette-01', seq: 1, ts: '2026-01-02T03:04:05.678Z', type: 'round.result', round: 7, data: { number: 7, rotorRpm: 17.25 } });
  t.match(e.id, /^[0-9a-f-]{36}$/);
  t.same(j.undelivered(0, 10), [{ seq: 1, body }], 'replays carry the same bytes');
  j.close();
});

t.test('delivery marks: undelivered comes back oldest first until acknowledged', async (t) => {
  const j = new Journal(join(dir(), 'j.db'), 's', 't');
  for (let i = 1; i <= 5; i++) j.append(draft(i), {});
  j.markDelivered(1);
  j.markDelivered(3);
  t.same(j.undelivered(0, 10).map((e) => e.seq), [2, 4, 5]);
  t.same(j.undelivered(2, 1).map((e) => e.seq), [4], 'paging after a seq');
  t.equal(j.countUndelivered(), 3);
  j.close();
});

t.test('a journal belongs to one table', async (t) => {
  const path = join(dir(), 'j.db');
  new Journal(path, 's', 'roulette-01').close();
  t.throws(() => new Journal(path, 's', 'roulette-02'), JournalError);
  t.throws(() => new Journal(path, 's', 'roulette-02'), /belongs to s\/roulette-01/);
});

t.test('an unreadable journal is an error, not a fresh start', async (t) => {
  const d = dir();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(d, 'j.db'), 'this is not a database, it is a corrupted file'.repeat(100));
  t.throws(() => new Journal(join(d, 'j.db'), 's', 't'), /cannot open journal/);
});
