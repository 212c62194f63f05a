import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { chainHash, seal, type BirthMessage, type EventEnvelope } from '../contract/envelope.js';
import { TableVerifier } from '../../packages/consumer/src/verifier.js';
import { generateKey, type SigningKey } from '../signing/keyring.js';
import { Journal, JournalError, type JournaledEvent } from './journal.js';
import { checkSpace, prune, usedBytes } from './retention.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-journal-'));
const draft = (n: number) => ({ type: 'round.result' as const, round: n, data: { number: n % 37, rotorRpm: 17.25 } });
const key: SigningKey = generateKey(join(dir(), 'keys'));

function open(path: string, create = false, now?: () => Date): Journal {
  const opts = { path, studio: 's', table: 't', ...(now ? { now } : {}) };
  const j = create ? Journal.create(opts) : Journal.open(opts);
  j.activateKey(key.jwk, key.signer);
  return j;
}

t.test('seq starts at 1, increases by one, and continues across a reopen', async (t) => {
  const path = join(dir(), 'j.db');
  const a = open(path, true);
  t.same([1, 2, 3].map((n) => a.append(draft(n), { n }).seq), [1, 2, 3]);
  a.close();
  const b = open(path);
  t.equal(b.append(draft(4), { n: 4 }).seq, 4, 'never reused after a restart');
  b.flush();
  t.same(b.snapshot(), { n: 4 }, 'the engine snapshot travels with the last event');
  b.close();
});

t.test('events are signed, chained, and the stored bytes are the published bytes', async (t) => {
  const j = open(join(dir(), 'j.db'), true, () => new Date('2026-01-02T03:04:05.678Z'));
  const events = [1, 2, 3].map((n) => j.append(draft(n), {}));
  const durable: JournaledEvent[] = [];
  j.on('durable', (b) => durable.push(...b));
  t.same(j.undelivered(0, 10), [], 'nothing is published before its commit');
  t.ok(j.flush());
  t.same(durable, events, 'one group commit, then the events are durable');
  const parsed = events.map((e) => JSON.parse(e.body) as EventEnvelope);
  t.match(parsed[0], { v: 1, studio: 's', table: 't', seq: 1, ts: '2026-01-02T03:04:05.678Z', type: 'round.result', round: 1, data: { number: 1, rotorRpm: 17.25 }, prev: null, kid: key.jwk.kid });
  t.equal(parsed[1]?.prev, chainHash(parsed[0]!));
  t.equal(parsed[2]?.prev, chainHash(parsed[1]!));
  t.same(j.undelivered(0, 10), events, 'replays carry the same bytes');

  const v = new TableVerifier({ studio: 's', table: 't' });
  t.equal(v.birth(birthFor(key)), null);
  t.same(events.map((e) => v.event(e.body).kind), ['new', 'new', 'new'], 'the reference verifier accepts them');
  j.close();
});

t.test('delivery marks: undelivered comes back oldest first until acknowledged', async (t) => {
  const j = open(join(dir(), 'j.db'), true);
  for (let i = 1; i <= 5; i++) j.append(draft(i), {});
  j.flush();
  j.markDelivered(1);
  j.markDelivered(3);
  await new Promise((r) => setImmediate(r));
  t.same(j.undelivered(0, 10).map((e) => e.seq), [2, 4, 5]);
  t.same(j.undelivered(2, 1).map((e) => e.seq), [4], 'paging after a seq');
  t.equal(j.countUndelivered(), 3);
  j.close();
});

t.test('a journal belongs to one table, and run never creates one', async (t) => {
  const path = join(dir(), 'j.db');
  Journal.create({ path, studio: 's', table: 'roulette-01' }).close();
  t.throws(() => Journal.open({ path, studio: 's', table: 'roulette-02' }), /belongs to s\/roulette-01/);
  t.throws(() => Journal.create({ path, studio: 's', table: 'roulette-01' }), /already exists/);
  t.throws(() => Journal.open({ path: join(dir(), 'gone.db'), studio: 's', table: 't' }), /does not exist.*would reuse seq/);
});

t.test('a corrupt journal is an error, never a fresh start', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'garbage.db'), 'this is not a database, it is a corrupted file'.repeat(100));
  t.throws(() => Journal.open({ path: join(d, 'garbage.db'), studio: 's', table: 't' }), JournalError);

  const path = join(d, 'j.db');
  const j = open(path, true);
  for (let i = 1; i <= 3; i++) j.append(draft(i), {});
  j.close();
  const raw = new Database(path);
  raw.prepare("UPDATE events SET body = replace(body, '\"number\":3', '\"number\":4') WHERE seq = 3").run();
  raw.close();
  t.throws(() => Journal.open({ path, studio: 's', table: 't' }), /integrity check at seq 3: event 3 has an invalid signature/);

  const path2 = join(d, 'k.db');
  open(path2, true).close();
  const raw2 = new Database(path2);
  raw2.prepare("UPDATE meta SET value = '0' WHERE key = 'last_seq'").run();
  raw2.prepare("INSERT INTO events (seq, id, type, body, journaled_at) VALUES (1, 'x', 'y', '{}', 0)").run();
  raw2.close();
  t.throws(() => Journal.open({ path: path2, studio: 's', table: 't' }), /inconsistent/);
});

t.test('a full disk: commits fail, events wait in order, nothing is lost, and it recovers', async (t) => {
  const path = join(dir(), 'j.db');
  const j = open(path, true);
  j.append(draft(1), {});
  j.flush();
  // SQLite's own cap: the next page it needs is refused with SQLITE_FULL, as on a full disk.
  const pages = j.database.pragma('page_count', { simple: true }) as number;
  j.database.pragma(`max_page_count = ${pages}`);
  const errors: string[] = [];
  j.on('error', (e) => errors.push(e.message));
  const recovered = new Promise<void>((resolve) => j.once('recovered', resolve));
  const big = (n: number) => ({ type: 'round.result' as const, round: n, data: { pad: 'x'.repeat(8000) } });
  for (let i = 2; i <= 6; i++) j.append(big(i), {});
  t.notOk(j.flush(), 'the commit is refused');
  t.match(errors[0], /cannot commit 5 event\(s\).*full/);
  t.equal(j.queued(), 5, 'the events wait in memory');
  t.equal(j.committedSeq(), 1);
  t.equal(j.append(draft(7), {}).seq, 7, 'seq keeps counting; nothing is reused');
  j.database.pragma('max_page_count = 1000000');
  await recovered;
  t.equal(j.queued(), 0);
  t.same(j.undelivered(0, 100).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7], 'all of them, in order');
  j.close();
});

t.test('retention prunes delivered events only, by age and by size; space is reported', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const j = open(join(dir(), 'j.db'), true, () => new Date(now));
  for (let i = 1; i <= 400; i++) j.append({ type: 'round.result', round: i, data: { pad: 'y'.repeat(1000) } }, {});
  j.flush();
  for (let i = 1; i <= 300; i++) j.markDelivered(i);
  await new Promise((r) => setImmediate(r));
  now += 10 * 86_400_000;
  for (let i = 1; i <= 100; i++) j.markDelivered(i); // already delivered: unchanged

  t.equal(prune(j, { maxAgeMs: 30 * 86_400_000, maxBytes: 1e9 }, now), 0, 'nothing is old enough yet');
  t.equal(prune(j, { maxAgeMs: 5 * 86_400_000, maxBytes: 1e9 }, now), 300, 'delivered and old: pruned');
  t.equal(j.oldestSeq(), 301, 'undelivered events are never pruned');
  t.equal(prune(j, { maxAgeMs: 1, maxBytes: 1 }, now), 0, 'not even to meet the size cap');
  t.equal(j.countUndelivered(), 100);
  t.equal(j.append(draft(401), {}).seq, 401, 'seq continues after pruning');

  const used = usedBytes(j);
  t.ok(used > 100 * 1000, `used bytes counted (${used})`);
  t.match(checkSpace(j, { minFreeBytes: 0, maxBytes: null }), { ok: true, reason: null });
  t.match(checkSpace(j, { minFreeBytes: 0, maxBytes: 1000 }), { ok: false, reason: /over its cap/ });
  t.match(checkSpace(j, { minFreeBytes: Number.MAX_SAFE_INTEGER, maxBytes: null }), { ok: false, reason: /free on the journal's filesystem/ });
  j.close();
});

t.test('signing needs a key; switching keys is durable and recorded', async (t) => {
  const path = join(dir(), 'j.db');
  const j = Journal.create({ path, studio: 's', table: 't' });
  t.throws(() => j.append(draft(1), {}), /no signing key/);
  j.activateKey(key.jwk, key.signer);
  j.append(draft(1), {});
  const second = generateKey(join(dir(), 'keys'));
  j.activateKey(second.jwk, second.signer);
  const e = JSON.parse(j.append(draft(2), {}).body) as EventEnvelope;
  t.equal(e.kid, second.jwk.kid);
  j.close();
  const again = Journal.open({ path, studio: 's', table: 't' });
  t.equal(again.activeKid(), second.jwk.kid);
  t.same(again.keys().map((k) => [k.jwk.kid, k.firstSeq]), [[key.jwk.kid, 1], [second.jwk.kid, 2]]);
  again.close();
});

/** A minimal birth announcing one key, as the appliance publishes it. */
function birthFor(k: SigningKey): string {
  return JSON.stringify(sealBirth(k));
}

function sealBirth(k: SigningKey): BirthMessage {
  return seal<BirthMessage>(
    { v: 1, studio: 's', table: 't', ts: '2026-01-01T00:00:00.000Z', software: 'test', config: 'x', boot: 'b', lastSeq: 0, activeKid: k.jwk.kid, keys: [k.jwk], kid: k.jwk.kid },
    k.signer,
  ).message;
}

t.test('durability: WAL, synchronous=FULL (restored after the marks), and an event is durable before anyone hears of it', async (t) => {
  const path = join(dir(), 'j.db');
  const j = open(path, true);
  t.equal(j.database.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(j.database.pragma('synchronous', { simple: true }), 2, 'FULL (2): the commit waits for fsync');
  // A second connection, as another process would see the file.
  const reader = new Database(path, { readonly: true });
  const onDisk = reader.prepare<[number], { body: string }>('SELECT body FROM events WHERE seq = ?');
  const seen: boolean[] = [];
  j.on('durable', (batch) => {
    for (const e of batch) seen.push(onDisk.get(e.seq)?.body === e.body);
  });
  const a = j.append(draft(1), {});
  t.equal(onDisk.get(a.seq), undefined, 'appended is not committed');
  t.same(j.undelivered(0, 10), [], 'and not offered to the uplink');
  j.append(draft(2), {});
  await new Promise((r) => setImmediate(r));
  t.same(seen, [true, true], "every 'durable' event was already readable by another connection");
  j.markDelivered(1);
  await new Promise((r) => setImmediate(r));
  t.equal(j.countUndelivered(), 1, 'the mark was written');
  t.equal(j.database.pragma('synchronous', { simple: true }), 2, 'back to FULL after the marks (written at NORMAL)');
  reader.close();
  j.close();
});
