import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { generateKey } from '../signing/keyring.js';
import { seal, type EventEnvelope } from '../contract/envelope.js';
import { checkChainInBackground } from './chain-check.js';
import { verifyChain, type ChainReport } from './integrity.js';
import { Journal } from './journal.js';
import { prune } from './retention.js';

/**
 * Tampering at rest: each case alters a closed journal with a plain SQLite connection, as
 * someone with the file would, and the journal must refuse to open (the tail check) or the
 * full check must name the first bad seq. Nothing is ever rewritten by the checks.
 */

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-integrity-'));
const keyDir = join(dir(), 'keys');
const first = generateKey(keyDir);
const draft = (n: number) => ({ type: 'round.result' as const, round: n, data: { number: n % 37 } });
const opts = (path: string, tailCheck?: number) => ({ path, studio: 's', table: 't', ...(tailCheck === undefined ? {} : { tailCheck }) });

/** A closed journal of `n` events; with `rotateAt`, a second key signs from that seq on. */
function journal(n: number, rotateAt?: number): string {
  const path = join(dir(), 'j.db');
  const j = Journal.create(opts(path));
  j.activateKey(first.jwk, first.signer);
  for (let i = 1; i <= n; i++) {
    if (i === rotateAt) {
      const second = generateKey(join(dir(), 'keys2'));
      j.activateKey(second.jwk, second.signer);
    }
    j.append(draft(i), { i });
  }
  j.close();
  return path;
}

function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

/** The full check on a read-only connection, as `pitbox journal verify` runs it. */
function fullCheck(path: string): ChainReport {
  const db = new Database(path, { readonly: true });
  try {
    return verifyChain(db, path);
  } finally {
    db.close();
  }
}

t.test('an honest journal opens and verifies end to end, across a key rotation', async (t) => {
  const path = journal(50, 20);
  const j = Journal.open(opts(path));
  const report = j.verify();
  t.same(report, { checked: 50, fromSeq: 1, toSeq: 50, problem: null });
  j.close();
});

t.test('the last rows deleted: refused at open, naming the first missing seq', async (t) => {
  const path = journal(30);
  tamper(path, 'DELETE FROM events WHERE seq > 27');
  t.throws(() => Journal.open(opts(path)), /integrity check at seq 28: events 28-30 missing/);
  t.match(fullCheck(path).problem, { seq: 28 });
});

t.test('every row deleted: refused at open', async (t) => {
  const path = journal(5);
  tamper(path, 'DELETE FROM events');
  t.throws(() => Journal.open(opts(path)), /at seq 1: events 1-5 missing/);
});

t.test('the oldest rows deleted (not by pruning): refused at open', async (t) => {
  const path = journal(10);
  tamper(path, 'DELETE FROM events WHERE seq <= 3');
  t.throws(() => Journal.open(opts(path)), /at seq 1: events 1-3 missing/);
});

t.test('a row deleted from the middle: refused at open, named', async (t) => {
  const path = journal(40);
  tamper(path, 'DELETE FROM events WHERE seq = 12');
  t.throws(() => Journal.open(opts(path)), /at seq 12: event 12 missing/);
  t.match(fullCheck(path).problem, { seq: 12, reason: /event 12 missing/ });
});

t.test('a row deleted behind the tail the open check reads: the full check names it', async (t) => {
  const path = journal(60);
  tamper(path, 'DELETE FROM events WHERE seq = 20');
  const j = Journal.open(opts(path, 10));
  t.match(j.verify().problem, { seq: 20, reason: /event 20 missing/ });
  j.close();
  t.match((await checkChainInBackground(path)).problem, { seq: 20 }, 'as the background check after start does');
});

t.test('a row edited in the middle, behind the tail the open check reads: the full check names it', async (t) => {
  const path = journal(40);
  tamper(path, `UPDATE events SET body = replace(body, '"number":15', '"number":16') WHERE seq = 15`);
  const j = Journal.open(opts(path, 10));
  const report = j.verify();
  t.match(report.problem, { seq: 15, reason: /invalid signature/ }, 'the edited row itself, not the one after it');
  t.equal(report.checked, 14, 'everything before it verified');
  j.close();
  t.throws(() => Journal.open(opts(path, 1000)), /at seq 15: event 15 has an invalid signature/, 'inside the tail it is refused at open');
  const background = await checkChainInBackground(path);
  t.match(background.problem, { seq: 15 }, 'the background check (a child process) finds the same');
});

t.test('a row re-signed by someone else, chain intact: the key is not the journal’s', async (t) => {
  const path = journal(10);
  const forger = generateKey(join(dir(), 'forger'));
  const db = new Database(path);
  const row = db.prepare<[], { body: string }>('SELECT body FROM events WHERE seq = 10').get();
  const { sig: _sig, ...unsigned } = JSON.parse(row!.body) as EventEnvelope;
  const forged = seal<EventEnvelope>({ ...unsigned, kid: forger.jwk.kid }, forger.signer).text;
  db.prepare('UPDATE events SET body = ? WHERE seq = 10').run(forged);
  db.close();
  t.throws(() => Journal.open(opts(path)), /at seq 10: event 10 names key .* but key .* was active/);
});

t.test('two rows swapped: refused, naming the first', async (t) => {
  const path = journal(20);
  const db = new Database(path);
  const a = db.prepare<[number], { body: string }>('SELECT body FROM events WHERE seq = ?');
  const b8 = a.get(8)!.body;
  const b9 = a.get(9)!.body;
  db.prepare('UPDATE events SET body = ? WHERE seq = 8').run(b9);
  db.prepare('UPDATE events SET body = ? WHERE seq = 9').run(b8);
  db.close();
  t.throws(() => Journal.open(opts(path)), /at seq 8: the row at seq 8 holds event 9/);
  t.match(fullCheck(path).problem, { seq: 8 });
});

t.test('a key row changed: another public key, or another first seq', async (t) => {
  const path = journal(20, 11);
  const other = generateKey(join(dir(), 'other'));
  const db = new Database(path);
  const kid = db.prepare<[], { kid: string }>('SELECT kid FROM keys WHERE first_seq = 1').get()!.kid;
  db.close();
  // The same kid with another key's x: the JWK is no longer its own thumbprint.
  tamper(path, 'UPDATE keys SET jwk = ? WHERE kid = ?', JSON.stringify({ ...other.jwk, kid }), kid);
  t.throws(() => Journal.open(opts(path)), /key .* \(first seq 1\) is altered: JWK kid .* is not its thumbprint/);

  const path2 = journal(20, 11);
  tamper(path2, 'UPDATE keys SET first_seq = 15 WHERE first_seq = 11');
  t.throws(() => Journal.open(opts(path2)), /at seq 11: event 11 names key .* but key .* was active at that seq/, 'the second key claimed to start later: seq 11 was not its to sign');
  t.match(fullCheck(path2).problem, { seq: 11 }, 'the full check names the same seq');
});

t.test('the counter or the head altered: refused', async (t) => {
  const path = journal(10);
  tamper(path, "UPDATE meta SET value = '12' WHERE key = 'last_seq'");
  t.throws(() => Journal.open(opts(path)), /at seq 11: events 11-12 missing/);

  const path2 = journal(10);
  tamper(path2, "UPDATE meta SET value = 'AAAA' WHERE key = 'last_hash'");
  t.throws(() => Journal.open(opts(path2)), /at seq 10: event 10 does not match the chain head/);
});

t.test('pruning moves the mark, so a pruned journal still opens and verifies; rows deleted below it do not', async (t) => {
  const path = journal(30);
  const j = Journal.open(opts(path));
  j.activateKey(first.jwk, first.signer);
  for (let i = 1; i <= 20; i++) j.markDelivered(i);
  j.markDelivered(25); // delivered out of order (live lane): pruning must not leave a hole
  await new Promise((r) => setImmediate(r));
  t.equal(prune(j, { maxAgeMs: 0, maxBytes: 1e9 }, Date.now() + 1000), 20, 'a prefix only: 1-20, not 25');
  t.equal(j.oldestSeq(), 21);
  t.same(j.verify(), { checked: 10, fromSeq: 21, toSeq: 30, problem: null }, 'the kept chain anchors on the pruned mark');
  j.close();
  t.doesNotThrow(() => Journal.open(opts(path)).close(), 'opens after pruning');

  tamper(path, 'DELETE FROM events WHERE seq = 21');
  t.throws(() => Journal.open(opts(path)), /at seq 21: events 21-21 missing \(pruning recorded only up to 20\)/);
});

t.test('everything pruned: the mark carries the chain head', async (t) => {
  const path = journal(5);
  const j = Journal.open(opts(path));
  j.activateKey(first.jwk, first.signer);
  for (let i = 1; i <= 5; i++) j.markDelivered(i);
  await new Promise((r) => setImmediate(r));
  t.equal(prune(j, { maxAgeMs: 0, maxBytes: 1e9 }, Date.now() + 1000), 5);
  j.close();
  const again = Journal.open(opts(path));
  again.activateKey(first.jwk, first.signer);
  again.append(draft(6), {});
  again.close();
  t.same(fullCheck(path), { checked: 1, fromSeq: 6, toSeq: 6, problem: null }, 'seq 6 chains onto the pruned seq 5');
});
