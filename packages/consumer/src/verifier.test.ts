import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { canonicalize } from './canonical.js';
import { seal, type BirthMessage, type EventEnvelope } from './envelope.js';
import { Journal } from '../../../appliance/journal/journal.js';
import { generateKey, type SigningKey } from '../../../appliance/signing/keyring.js';
import { TableVerifier } from './verifier.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-verify-'));
const keyA = generateKey(join(dir(), 'keys'));
const keyB = generateKey(join(dir(), 'keys'));

function birth(signWith: SigningKey, announce: SigningKey[], lastSeq = 0): string {
  return seal<BirthMessage>(
    { v: 1, studio: 's', table: 't', ts: '2026-01-01T00:00:00.000Z', software: 'test', config: 'c', boot: 'b', lastSeq, activeKid: signWith.jwk.kid, keys: announce.map((k) => k.jwk), kid: signWith.jwk.kid },
    signWith.signer,
  ).text;
}

/** Real journaled events: seq 1..n, signed and chained by the appliance's own code. */
function stream(n: number, key: SigningKey = keyA): string[] {
  const j = Journal.create({ path: join(dir(), 'j.db'), studio: 's', table: 't' });
  j.activateKey(key.jwk, key.signer);
  const out = Array.from({ length: n }, (_, i) => j.append({ type: i % 2 ? 'round.result' : 'round.opened', round: i + 1, data: { number: i % 37 } }, {}).body);
  j.close();
  return out;
}

function verifier(): TableVerifier {
  const v = new TableVerifier({ studio: 's', table: 't' });
  if (v.birth(birth(keyA, [keyA]))) throw new Error('birth refused');
  return v;
}

t.test('an honest stream verifies, with duplicates set aside and the state rebuilt', async (t) => {
  const v = verifier();
  const events = stream(6);
  t.same(events.map((e) => v.event(e).kind), ['new', 'new', 'new', 'new', 'new', 'new']);
  t.equal(v.event(events[2]!).kind, 'duplicate', 'a replay (same id, same bytes) is a duplicate, not a violation');
  t.equal(v.duplicates, 1);
  t.same(v.gaps(), []);
  t.match(v.view, { seq: 6, results: 3, lastResult: { round: 6 } });
});

t.test('tampering: the verifier catches each', async (t) => {
  const events = stream(5);
  const code = (v: TableVerifier, text: string) => {
    const out = v.event(text);
    return out.kind === 'violation' ? out.violation.code : out.kind;
  };

  t.test('a byte altered', async (t) => {
    const v = verifier();
    const altered = events[0]!.replace('"number":0', '"number":1');
    t.not(altered, events[0]);
    t.equal(code(v, altered), 'bad-signature');
    v.event(events[0]!);
    t.equal(code(v, events[1]!.replace('"round":2', '"round":3')), 'bad-signature');
    t.equal(code(v, events[1]!.slice(0, -5)), 'malformed', 'truncated');
  });

  t.test('one dropped', async (t) => {
    const v = verifier();
    for (const e of [events[0], events[1], events[3], events[4]]) t.equal(code(v, e!), 'new');
    t.same(v.gaps().map((g) => [g.from, g.to]), [[3, 3]], 'seq 3 is missing');
    t.ok(v.gapStalled(0, performance.now() + 1), 'and stays missing');
    // The consumer's wall clock stepped an hour forward: the gap was noticed just now, not an hour ago.
    const real = Date.now;
    Date.now = () => real() + 3_600_000;
    try {
      t.notOk(v.gapStalled(60_000), 'a step of the wall clock does not make a fresh gap look stalled');
    } finally {
      Date.now = real;
    }
  });

  t.test('two reordered', async (t) => {
    const v = verifier();
    t.equal(code(v, events[0]!), 'new');
    t.equal(code(v, events[2]!), 'new');
    t.equal(code(v, events[1]!), 'reordered', '2 after 3 within one lane');
  });

  t.test('signed with an unknown key', async (t) => {
    const v = verifier();
    const forged = stream(1, keyB)[0]!;
    t.equal(code(v, forged), 'unknown-key');
    t.match(v.birth(birth(keyB, [keyB])), { code: 'untrusted-key' }, 'a birth from a key nothing trusted announced');
    const pinned = new TableVerifier({ studio: 's', table: 't', trusted: [keyB.jwk.kid] });
    t.match(pinned.birth(birth(keyA, [keyA])), { code: 'untrusted-key' }, 'with a trust list, only listed keys may sign a birth');
  });

  t.test('a valid signature over a lie about order or identity', async (t) => {
    const v = verifier();
    v.event(events[0]!);
    const e2 = JSON.parse(events[1]!) as EventEnvelope;
    const { sig: _sig, ...unsigned } = e2;
    const rechained = seal<EventEnvelope>({ ...unsigned, prev: 'A'.repeat(43) }, keyA.signer).text;
    t.equal(code(v, rechained), 'chain-broken', 'prev does not match the event before');
    v.event(events[1]!);
    const reused = seal<EventEnvelope>({ ...unsigned, id: 'another-id' }, keyA.signer).text;
    t.equal(code(v, reused), 'seq-reused');
    const sameId = seal<EventEnvelope>({ ...unsigned, data: { number: 36 } }, keyA.signer).text;
    t.equal(code(v, sameId), 'conflicting-duplicate');
    t.equal(code(v, canonicalize({ ...e2, table: 'other' })), 'wrong-table');
  });
});

t.test('rotation: a birth signed by a trusted key hands trust to the keys it announces', async (t) => {
  const v = verifier();
  t.equal(v.birth(birth(keyA, [keyA, keyB], 0)), null);
  t.equal(v.event(stream(1, keyB)[0]!).kind, 'new', 'events signed with the announced key verify');
  t.equal(v.birth(birth(keyB, [keyB, keyA], 1)), null, 'and the new key may sign births from now on');
});

t.test('lanes: live events may overtake the backlog, which keeps its own order', async (t) => {
  const events = stream(6);
  const v = new TableVerifier({ studio: 's', table: 't' });
  t.equal(v.birth(birth(keyA, [keyA], 4)), null, 'backlog is 1-4');
  for (const i of [4, 0, 1, 5, 2, 3]) t.equal(v.event(events[i]!).kind, 'new', `seq ${i + 1}`);
  t.same(v.gaps(), []);
});

t.test('revocation: a revoked key\'s events after the revocation are refused, those before it still verify, in any arrival order', async (t) => {
  // A signs 1-3, B from 4 on; B's event 5 revokes A.
  const j = Journal.create({ path: join(dir(), 'j.db'), studio: 's', table: 't' });
  const append = (type: 'round.result' | 'key.revoked', data: Record<string, string | number>) => j.append({ type, round: null, data }, {}).body;
  j.activateKey(keyA.jwk, keyA.signer);
  const byA = [1, 2, 3].map((n) => append('round.result', { number: n }));
  j.flush();
  j.activateKey(keyB.jwk, keyB.signer);
  const four = append('round.result', { number: 4 });
  const revoke = append('key.revoked', { kid: keyA.jwk.kid, reason: 'disk copied', by: 'tech' });
  j.flush();
  t.same(j.revokedKeys(), { [keyA.jwk.kid]: 5 }, 'the journal keeps the revocation, with its seq');
  j.close();
  const lateByA = seal<EventEnvelope>({ v: 1, studio: 's', table: 't', seq: 6, id: 'late', ts: '2026-01-01T00:00:00.000Z', type: 'round.result', data: {}, prev: null, kid: keyA.jwk.kid }, keyA.signer).text;

  const v = new TableVerifier({ studio: 's', table: 't' });
  t.equal(v.birth(birth(keyA, [keyA, keyB], 3)), null);
  // The backlog lane (1-3) is behind the live one: A's event 3 arrives after the revocation, and is still good.
  t.same([byA[0], byA[1], four, revoke].map((e) => v.event(e!).kind), ['new', 'new', 'new', 'new']);
  t.equal(v.event(byA[2]!).kind, 'new', 'signed by A before the revocation: valid');
  const late = v.event(lateByA);
  t.match(late, { kind: 'violation', violation: { code: 'revoked-key', seq: 6, detail: new RegExp(`revoked at seq 5`) } });
  t.match(v.birth(birth(keyA, [keyA])), { code: 'revoked-key' }, 'a birth by the revoked key vouches for nothing');
  t.equal(v.birth(birth(keyB, [keyB, keyA])), null, 'the current key\'s birth still announces A for its old events');
});
