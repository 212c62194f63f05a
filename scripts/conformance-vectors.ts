/**
 * Writes @pitbox/consumer's conformance vectors (packages/consumer/conformance/): streams made by
 * the appliance's own journal and signing code, each with what a verifier must say about every
 * message. The expectations are written here from the contract, never read back from the
 * package's verifier: the package's tests and the Python verifier are checked against them.
 *
 *   node --import tsx scripts/conformance-vectors.ts [OUT_DIR]
 */
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '../appliance/contract/canonical.js';
import { seal, type BirthMessage, type EventEnvelope, type JsonObject, type StateMessage } from '../appliance/contract/envelope.js';
import { Journal } from '../appliance/journal/journal.js';
import { generateKey, type SigningKey } from '../appliance/signing/keyring.js';

const out = process.argv[2] ?? new URL('../packages/consumer/conformance/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pitbox-vectors-'));
const STUDIO = 'conformance';
const TABLE = 'table-01';

type Topic = 'birth' | 'state' | 'events';
type Expect = { outcome: 'accepted' } | { outcome: 'new' | 'duplicate'; seq: number } | { outcome: 'violation'; code: string };
interface Step {
  readonly topic: Topic;
  readonly message: string;
  readonly expect: Expect;
  readonly note?: string;
}
interface Vector {
  readonly name: string;
  readonly description: string;
  readonly studio: string;
  readonly table: string;
  /** Kids trusted to sign births from the start; null: trust the first birth's own key. */
  readonly trusted: readonly string[] | null;
  readonly steps: readonly Step[];
  /** After the last step: seqs missing between the lowest and highest verified, and counts. */
  readonly final: { readonly gaps: readonly (readonly [number, number])[]; readonly verified: number; readonly duplicates: number };
}

const keys = { A: generateKey(join(work, 'keys')), B: generateKey(join(work, 'keys')), C: generateKey(join(work, 'keys')) };

/** What a table publishes in one sitting, written by the appliance's journal. */
class Table {
  private readonly journal: Journal;
  readonly events: string[] = [];

  constructor(name: string, key: SigningKey) {
    this.journal = Journal.create({ path: join(work, `${name}.db`), studio: STUDIO, table: TABLE });
    this.journal.activateKey(key.jwk, key.signer);
  }

  rotate(key: SigningKey): void {
    this.journal.activateKey(key.jwk, key.signer);
  }

  append(type: string, data: JsonObject, round?: number): string {
    const { body } = this.journal.append({ type, ...(round === undefined ? {} : { round }), data } as Parameters<Journal['append']>[0], {});
    this.events.push(body);
    return body;
  }

  /** A roulette session: opened, rounds with results. */
  roulette(rounds: number): this {
    this.append('table.opened', { by: 'dealer-7' });
    for (let r = 1; r <= rounds; r++) {
      this.append('round.opened', { by: 'wheel' }, r);
      this.append('round.closed', { spin: 200 + r }, r);
      this.append('round.result', { number: (r * 7) % 37, colour: r % 2 ? 'red' : 'black', spin: 200 + r, rotorRpm: 17.3, direction: 'clockwise' }, r);
    }
    return this;
  }

  close(): void {
    this.journal.close();
  }
}

function birth(signWith: SigningKey, announce: readonly SigningKey[], lastSeq: number, table = TABLE): string {
  return seal<BirthMessage>(
    { v: 1, studio: STUDIO, table, ts: '2026-12-03T12:00:00.000Z', software: 'pitbox conformance', config: 'x'.repeat(43), boot: 'boot-1', lastSeq, activeKid: signWith.jwk.kid, keys: announce.map((k) => k.jwk), kid: signWith.jwk.kid },
    signWith.signer,
  ).text;
}

function state(signWith: SigningKey, seq: number, table = TABLE): string {
  return seal<StateMessage>({ v: 1, studio: STUDIO, table, ts: '2026-12-03T12:00:05.000Z', seq, state: { open: true, suspended: null, round: null }, kid: signWith.jwk.kid }, signWith.signer).text;
}

/** The event re-signed (validly) after a change: a lie told with a good key. */
function resealed(text: string, change: Partial<EventEnvelope>, key: SigningKey = keys.A): string {
  const { sig: _sig, ...unsigned } = JSON.parse(text) as EventEnvelope;
  return seal<EventEnvelope>({ ...unsigned, ...change }, key.signer).text;
}

const seqOf = (text: string): number => (JSON.parse(text) as EventEnvelope).seq;
const ev = (text: string, outcome: 'new' | 'duplicate' = 'new', note?: string): Step => ({ topic: 'events', message: text, expect: { outcome, seq: seqOf(text) }, ...(note ? { note } : {}) });
const bad = (topic: Topic, text: string, code: string, note: string): Step => ({ topic, message: text, expect: { outcome: 'violation', code }, note });
const ok = (topic: 'birth' | 'state', text: string, note?: string): Step => ({ topic, message: text, expect: { outcome: 'accepted' }, ...(note ? { note } : {}) });

const vectors: Vector[] = [];
function vector(name: string, description: string, steps: Step[], final: Vector['final'], trusted: readonly string[] | null = null): void {
  vectors.push({ name, description, studio: STUDIO, table: TABLE, trusted, steps, final });
}

const honest = new Table('honest', keys.A).roulette(3);
honest.close();
const e = honest.events; // seq 1..10

vector('valid-stream', 'A birth, then every event in order: all new; the retained state verifies.', [ok('birth', birth(keys.A, [keys.A], 0)), ...e.map((x) => ev(x)), ok('state', state(keys.A, 10))], { gaps: [], verified: 10, duplicates: 0 });

vector('valid-stream-trusted', 'The same stream with the platform\'s trust list naming the table\'s key.', [ok('birth', birth(keys.A, [keys.A], 0)), ...e.slice(0, 4).map((x) => ev(x))], { gaps: [], verified: 4, duplicates: 0 }, [keys.A.jwk.kid]);

vector(
  'duplicate',
  'A replay (same id, same bytes, as QoS 1 and the appliance\'s backlog replays deliver) is a duplicate, set aside, not a violation.',
  [ok('birth', birth(keys.A, [keys.A], 0)), ev(e[0]!), ev(e[1]!), ev(e[1]!, 'duplicate'), ev(e[2]!), ev(e[0]!, 'duplicate')],
  { gaps: [], verified: 3, duplicates: 2 },
);

const tampered = e[3]!.replace('"spin":201', '"spin":202');
if (tampered === e[3]) throw new Error('tamper did not change the event');
vector(
  'bad-signature',
  'One byte of an event changed after signing; a signature that is not base64url of 64 bytes; a birth whose signature does not verify.',
  [
    ok('birth', birth(keys.A, [keys.A], 0)),
    ev(e[0]!),
    ev(e[1]!),
    ev(e[2]!),
    bad('events', tampered, 'bad-signature', 'spin 201 changed to 202'),
    bad('events', canonicalize({ ...(JSON.parse(e[3]!) as EventEnvelope), sig: 'AAAA' }), 'bad-signature', 'sig too short'),
    ev(e[3]!, 'new', 'the genuine event still verifies'),
    bad('birth', birth(keys.A, [keys.A], 0).replace('"boot-1"', '"boot-2"'), 'bad-signature', 'birth altered'),
  ],
  { gaps: [], verified: 4, duplicates: 0 },
);

vector(
  'chain-broken',
  'Validly signed events whose prev does not match the event before (or after) them, and a seq 1 with a prev.',
  [
    ok('birth', birth(keys.A, [keys.A], 0)),
    ev(e[0]!),
    bad('events', resealed(e[1]!, { prev: 'A'.repeat(43) }), 'chain-broken', 'prev of 2 is not the hash of 1'),
    ev(e[2]!, 'new', '3 arrives before 2: nothing to check it against yet'),
    bad('events', resealed(e[1]!, { id: '00000000-0000-4000-8000-000000000002', data: { spin: 999 } }), 'chain-broken', 'a different 2: 3\'s prev is not its hash'),
    bad('events', e[1]!, 'reordered', 'the genuine 2, after 3 in the live lane'),
  ],
  { gaps: [[2, 2]], verified: 2, duplicates: 0 },
);

vector(
  'seq-1-with-prev',
  'Seq 1 must have prev null.',
  [ok('birth', birth(keys.A, [keys.A], 0)), bad('events', resealed(e[0]!, { prev: 'B'.repeat(43) }), 'chain-broken', 'seq 1 with a prev')],
  { gaps: [], verified: 0, duplicates: 0 },
);

vector(
  'reordered',
  'Live events must arrive in seq order (a birth\'s lastSeq splits backlog from live; each lane keeps its order).',
  [ok('birth', birth(keys.A, [keys.A], 0)), ev(e[0]!), ev(e[2]!), bad('events', e[1]!, 'reordered', '2 after 3 in the live lane'), ev(e[3]!)],
  { gaps: [[2, 2]], verified: 3, duplicates: 0 },
);

vector(
  'backlog-and-live',
  'After a reconnect the birth says lastSeq 6: 1-6 are backlog, 7 on are live; live events may overtake the backlog, and each lane stays in order.',
  [ok('birth', birth(keys.A, [keys.A], 6)), ev(e[6]!), ev(e[0]!), ev(e[1]!), ev(e[7]!), ev(e[2]!), ev(e[3]!), ev(e[4]!), ev(e[8]!), ev(e[5]!), ev(e[9]!)],
  { gaps: [], verified: 10, duplicates: 0 },
);

vector(
  'gap',
  'A missing event is a gap until it arrives (here it never does).',
  [ok('birth', birth(keys.A, [keys.A], 0)), ev(e[0]!), ev(e[1]!), ev(e[3]!), ev(e[4]!), ev(e[7]!)],
  { gaps: [[3, 3], [6, 7]], verified: 5, duplicates: 0 },
);

vector(
  'gap-filled-by-replay',
  'A gap closed by the backlog replayed after a reconnect (a new birth with lastSeq covering it).',
  [ok('birth', birth(keys.A, [keys.A], 0)), ev(e[0]!), ev(e[1]!), ev(e[4]!), ok('birth', birth(keys.A, [keys.A], 5), 'reconnect: backlog up to 5'), ev(e[2]!), ev(e[3]!), ev(e[4]!, 'duplicate'), ev(e[5]!)],
  { gaps: [], verified: 6, duplicates: 1 },
);

vector(
  'conflicting-duplicate',
  'The same id again with different content (validly signed): a conflicting duplicate; and a new id on a seq already taken: seq reused.',
  [
    ok('birth', birth(keys.A, [keys.A], 0)),
    ev(e[0]!),
    ev(e[1]!),
    bad('events', resealed(e[1]!, { data: { spin: 777 } }), 'conflicting-duplicate', 'same id as 2, other data'),
    bad('events', resealed(e[1]!, { id: '00000000-0000-4000-8000-000000000099' }), 'seq-reused', 'another id on seq 2'),
    ev(e[2]!),
  ],
  { gaps: [], verified: 3, duplicates: 0 },
);

const foreign = new Table('foreign', keys.B).roulette(1);
foreign.close();
vector(
  'unknown-key',
  'An event signed by a key no birth announced; a birth signed by a key it does not announce.',
  [ok('birth', birth(keys.A, [keys.A], 0)), bad('events', foreign.events[0]!, 'unknown-key', 'signed by B, never announced'), bad('birth', birth(keys.B, [keys.C], 0), 'unknown-key', 'signed by B, announces only C'), ev(e[0]!)],
  { gaps: [], verified: 1, duplicates: 0 },
);

vector(
  'untrusted-key',
  'With a trust list, only a listed key may sign a birth; without one, the first birth is trusted and later births must be signed by a key already known.',
  [bad('birth', birth(keys.C, [keys.C], 0), 'untrusted-key', 'C is not on the trust list'), ok('birth', birth(keys.A, [keys.A], 0)), bad('birth', birth(keys.C, [keys.C], 0), 'untrusted-key', 'C announced by nobody trusted'), ev(e[0]!)],
  { gaps: [], verified: 1, duplicates: 0 },
  [keys.A.jwk.kid],
);

const rotating = new Table('rotating', keys.A).roulette(1); // 1-4 by A
rotating.rotate(keys.B);
rotating.roulette(1); // 5-8 by B
rotating.close();
const r = rotating.events;
vector(
  'key-rotation',
  'A birth signed by the trusted key A announces B; events from 5 on are signed by B; the next birth, signed by B, is trusted because A announced B.',
  [ok('birth', birth(keys.A, [keys.A, keys.B], 0)), ...r.slice(0, 4).map((x) => ev(x)), ok('birth', birth(keys.B, [keys.B, keys.A], 4), 'after rotation'), ...r.slice(4).map((x) => ev(x))],
  { gaps: [], verified: 8, duplicates: 0 },
  [keys.A.jwk.kid],
);

vector(
  'retained-state',
  'The retained state: signed by a known key, for this table; altered, from another table, or from an unknown key, it is refused.',
  [
    bad('state', state(keys.A, 3), 'unknown-key', 'retained state before any birth: its key is not known yet'),
    ok('birth', birth(keys.A, [keys.A], 0)),
    ok('state', state(keys.A, 3)),
    bad('state', state(keys.A, 3).replace('"seq":3', '"seq":4'), 'bad-signature', 'seq altered'),
    bad('state', state(keys.A, 3, 'table-02'), 'wrong-table', 'state of another table on this table\'s topic'),
    bad('state', state(keys.C, 3), 'unknown-key', 'signed by a key no birth announced'),
  ],
  { gaps: [], verified: 0, duplicates: 0 },
);

vector(
  'malformed',
  'Not JSON, not an object, a field of the wrong type, another table\'s event: a clear violation each, never a crash.',
  [
    ok('birth', birth(keys.A, [keys.A], 0)),
    bad('events', '{"v":1,"seq":', 'malformed', 'truncated JSON'),
    bad('events', '[1,2,3]', 'malformed', 'an array'),
    bad('events', canonicalize({ ...(JSON.parse(e[0]!) as EventEnvelope), seq: '1' }), 'malformed', 'seq as a string'),
    bad('events', canonicalize({ ...(JSON.parse(e[0]!) as EventEnvelope), seq: 0 }), 'malformed', 'seq 0'),
    bad('events', resealed(e[0]!, { table: 'table-02' }), 'wrong-table', 'another table\'s event'),
    bad('birth', '{"v":2}', 'malformed', 'not a v1 birth'),
    ev(e[0]!),
  ],
  { gaps: [], verified: 1, duplicates: 0 },
);

rmSync(join(out, 'vectors'), { recursive: true, force: true });
mkdirSync(join(out, 'vectors'), { recursive: true });
for (const v of vectors) writeFileSync(join(out, 'vectors', `${v.name}.json`), `${JSON.stringify(v, null, 2)}\n`);
const privateJwk = (k: SigningKey) => createPrivateKey(readFileSync(k.file)).export({ format: 'jwk' });
writeFileSync(
  join(out, 'keys.json'),
  `${JSON.stringify({ note: 'Test keys of the conformance vectors only: never trust them anywhere else.', keys: Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, { public: k.jwk, private: { ...privateJwk(k), kid: k.jwk.kid } }])) }, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });
console.log(`${vectors.length} vectors in ${join(out, 'vectors')}`);
