import type { KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalize } from '../contract/canonical.js';
import { chainHashOfText, signatureValid, type EventEnvelope } from '../contract/envelope.js';
import { publicKeyFromJwk, type Ed25519Jwk } from '../contract/jwk.js';
import { JournalError } from './schema.js';

/**
 * What a journal must prove about itself before anything is signed on top of it: the counter
 * agrees with the rows, no row is missing, every row is the canonical, signed event it claims
 * to be, under the key that was active at its seq, and each one names the hash of the one
 * before. Nothing here ever writes: a journal that fails is refused (at open) or flagged (by
 * the background check), and a person decides what to restore.
 */

/** The first row that breaks the chain, and why. */
export interface ChainBreak {
  readonly seq: number;
  readonly reason: string;
}

export interface ChainReport {
  /** Rows checked. */
  readonly checked: number;
  /** First and last seq checked (0 when the journal holds no rows). */
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly problem: ChainBreak | null;
}

interface KeySpan {
  readonly key: KeyObject;
  readonly firstSeq: number;
  /** Last seq this key may have signed: the seq before the next key's first. */
  readonly lastSeq: number;
}

/** Meta values the checks need, read in the same read transaction as the rows. */
export interface ChainHead {
  readonly studio: string;
  readonly table: string;
  readonly lastSeq: number;
  readonly lastHash: string | null;
  /** Events up to here were pruned (delivered and retained long enough). */
  readonly prunedThrough: number;
  /** Chain hash of the last pruned event: the `prev` the oldest kept row must carry. */
  readonly prunedHead: string | null;
}

/**
 * Walks rows in seq order and says where the chain first breaks. Stateful: feed it the rows
 * from `startSeq` on; `expectPrev` undefined means the first row's `prev` is taken as given
 * (an open-time tail check anchors in the middle of the journal).
 */
export class ChainChecker {
  private nextSeq: number;
  private prev: string | null | undefined;
  private span: KeySpan | null = null;
  checked = 0;

  constructor(
    private readonly head: Pick<ChainHead, 'studio' | 'table'>,
    private readonly spans: readonly (KeySpan & { readonly kid: string })[],
    startSeq: number,
    expectPrev: string | null | undefined,
  ) {
    this.nextSeq = startSeq;
    this.prev = expectPrev;
  }

  /** Checks one row; returns the break it finds, or null. */
  row(seq: number, body: string): ChainBreak | null {
    if (seq !== this.nextSeq) {
      return seq > this.nextSeq
        ? { seq: this.nextSeq, reason: `event ${this.nextSeq}${seq - 1 > this.nextSeq ? `-${seq - 1}` : ''} missing` }
        : { seq, reason: `event ${seq} out of order` };
    }
    let event: EventEnvelope;
    try {
      event = JSON.parse(body) as EventEnvelope;
    } catch {
      return { seq, reason: `event ${seq} is not JSON` };
    }
    if (typeof event !== 'object' || event === null || canonicalize(event) !== body) {
      return { seq, reason: `event ${seq} is not stored in its canonical form` };
    }
    if (event.seq !== seq) return { seq, reason: `the row at seq ${seq} holds event ${String(event.seq)}` };
    if (event.studio !== this.head.studio || event.table !== this.head.table) {
      return { seq, reason: `event ${seq} belongs to ${String(event.studio)}/${String(event.table)}` };
    }
    if (this.prev !== undefined && event.prev !== this.prev) {
      return { seq, reason: `event ${seq} does not chain to event ${seq - 1} (prev differs)` };
    }
    const span = this.spanFor(seq);
    if (!span) return { seq, reason: `no key the journal holds was active at seq ${seq}` };
    if (event.kid !== span.kid) return { seq, reason: `event ${seq} names key ${String(event.kid)}, but key ${span.kid} was active at that seq` };
    if (!signatureValid(event, span.key)) return { seq, reason: `event ${seq} has an invalid signature` };
    this.prev = chainHashOfText(body);
    this.nextSeq = seq + 1;
    this.checked += 1;
    return null;
  }

  /** After the last row: the chain ends where the journal's counter and head say it does. */
  end(head: ChainHead): ChainBreak | null {
    if (this.nextSeq - 1 !== head.lastSeq) {
      return this.nextSeq - 1 < head.lastSeq
        ? { seq: this.nextSeq, reason: `events ${this.nextSeq}-${head.lastSeq} missing: the counter says ${head.lastSeq}, the newest row is ${this.nextSeq - 1}` }
        : { seq: head.lastSeq + 1, reason: `rows after the counter's seq ${head.lastSeq}` };
    }
    if (this.prev !== undefined && (this.prev ?? null) !== head.lastHash) {
      return { seq: head.lastSeq, reason: `event ${head.lastSeq} does not match the chain head` };
    }
    return null;
  }

  private spanFor(seq: number): (KeySpan & { kid: string }) | null {
    if (this.span && seq >= this.span.firstSeq && seq <= this.span.lastSeq) return this.span as KeySpan & { kid: string };
    const span = this.spans.find((s) => seq >= s.firstSeq && seq <= s.lastSeq) ?? null;
    this.span = span;
    return span;
  }
}

/** The journal's keys as spans of seq, each key's JWK checked against its thumbprint. */
export function keySpans(db: Database.Database, path: string): (KeySpan & { kid: string })[] {
  const rows = db.prepare<[], { kid: string; jwk: string; first_seq: number | null }>('SELECT kid, jwk, first_seq FROM keys WHERE first_seq IS NOT NULL ORDER BY first_seq').all();
  return rows.map((r, i) => {
    let key: KeyObject;
    try {
      const jwk = JSON.parse(r.jwk) as Ed25519Jwk;
      if (jwk.kid !== r.kid) throw new Error(`its JWK names ${jwk.kid}`);
      key = publicKeyFromJwk(jwk);
    } catch (err) {
      throw new JournalError(`journal ${path}: key ${r.kid} (first seq ${r.first_seq}) is altered: ${(err as Error).message}`);
    }
    const next = rows[i + 1]?.first_seq;
    return { kid: r.kid, key, firstSeq: r.first_seq ?? 0, lastSeq: next === undefined || next === null ? Infinity : next - 1 };
  });
}

function readHead(db: Database.Database): ChainHead {
  const meta = new Map(db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]));
  return {
    studio: meta.get('studio') ?? '',
    table: meta.get('table') ?? '',
    lastSeq: Number(meta.get('last_seq') ?? '0'),
    lastHash: meta.get('last_hash') ?? null,
    prunedThrough: Number(meta.get('pruned_through') ?? '0'),
    prunedHead: meta.get('pruned_head') ?? null,
  };
}

/**
 * The checks at open, cheap enough to run every start: the counter against the rows (none
 * missing at either end), then the newest `tailRows` rows chained and signed (no gap among them),
 * ending at the head kept in `meta`. Throws naming the first bad seq. The rest of the chain is
 * the background check's.
 */
export function checkAtOpen(db: Database.Database, path: string, tailRows: number): ChainReport {
  const head = readHead(db);
  const fail = (b: ChainBreak): never => {
    throw new JournalError(`journal ${path} fails its integrity check at seq ${b.seq}: ${b.reason}. Nothing was changed; restore the journal from a backup (see README "Journal integrity")`);
  };
  if (!Number.isSafeInteger(head.lastSeq) || head.lastSeq < 0) fail({ seq: 0, reason: `the counter is not a seq (${head.lastSeq})` });
  // MIN and MAX come from the primary key at once; a COUNT would read the whole table (seconds
  // for a million events), so a hole in the middle is left to the tail walk below and to the
  // background check, which reads every row anyway.
  const { lo, hi } = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM events').get() ?? { lo: null, hi: null };
  const spans = keySpans(db, path);
  if (lo === null || hi === null) {
    // Every event pruned (or none yet): the counter and head must be where pruning left them.
    if (head.lastSeq !== head.prunedThrough) fail({ seq: head.prunedThrough + 1, reason: `events ${head.prunedThrough + 1}-${head.lastSeq} missing: the journal holds no rows` });
    if (head.lastSeq > 0 && head.lastHash !== head.prunedHead) fail({ seq: head.lastSeq, reason: 'the chain head does not match the last pruned event' });
    return { checked: 0, fromSeq: 0, toSeq: 0, problem: null };
  }
  if (hi > head.lastSeq) fail({ seq: head.lastSeq + 1, reason: `rows up to seq ${hi}, but the counter says ${head.lastSeq}` });
  if (hi < head.lastSeq) fail({ seq: hi + 1, reason: `events ${hi + 1}-${head.lastSeq} missing: the counter says ${head.lastSeq}, the newest row is ${hi}` });
  if (lo !== head.prunedThrough + 1) {
    fail({ seq: Math.min(lo, head.prunedThrough + 1), reason: lo > head.prunedThrough + 1 ? `events ${head.prunedThrough + 1}-${lo - 1} missing (pruning recorded only up to ${head.prunedThrough})` : `event ${lo} is older than the pruned mark ${head.prunedThrough}` });
  }
  const from = Math.max(lo, hi - tailRows + 1);
  // Anchored: from the oldest kept row we know what its prev must be; in the middle, we take it.
  const anchor = from === head.prunedThrough + 1 ? (head.prunedThrough === 0 ? null : head.prunedHead) : undefined;
  const checker = new ChainChecker(head, spans, from, anchor);
  for (const row of db.prepare<[number], { seq: number; body: string }>('SELECT seq, body FROM events WHERE seq >= ? ORDER BY seq').iterate(from)) {
    const b = checker.row(row.seq, row.body);
    if (b) fail(b);
  }
  const b = checker.end(head);
  if (b) fail(b);
  return { checked: checker.checked, fromSeq: from, toSeq: hi, problem: null };
}

/**
 * The whole chain, oldest kept row to the head, in one read transaction (a consistent snapshot
 * while the appliance keeps appending). Returns the first break instead of throwing, so the
 * background check can raise an alarm and the CLI can print it.
 */
export function verifyChain(db: Database.Database, path: string, onProgress?: (checked: number) => void): ChainReport {
  const run = db.transaction((): ChainReport => {
    const head = readHead(db);
    let spans: ReturnType<typeof keySpans>;
    try {
      spans = keySpans(db, path);
    } catch (err) {
      return { checked: 0, fromSeq: 0, toSeq: 0, problem: { seq: 0, reason: (err as Error).message } };
    }
    const start = head.prunedThrough + 1;
    const checker = new ChainChecker(head, spans, start, head.prunedThrough === 0 ? null : head.prunedHead);
    let last = 0;
    for (const row of db.prepare<[], { seq: number; body: string }>('SELECT seq, body FROM events ORDER BY seq').iterate()) {
      const b = checker.row(row.seq, row.body);
      if (b) return { checked: checker.checked, fromSeq: start, toSeq: row.seq, problem: b };
      last = row.seq;
      if (onProgress && checker.checked % 50_000 === 0) onProgress(checker.checked);
    }
    return { checked: checker.checked, fromSeq: start, toSeq: last, problem: checker.end(head) };
  });
  return run.deferred();
}
