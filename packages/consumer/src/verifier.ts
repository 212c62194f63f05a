import type { KeyObject } from 'node:crypto';
import { canonicalize } from './canonical.js';
import { chainHashOfText, signatureValid, type BirthMessage, type EventEnvelope, type Signed, type StateMessage } from './envelope.js';
import { publicKeyFromJwk, type Ed25519Jwk } from './jwk.js';
import { applyEvent, emptyView, type TableView } from './table-view.js';

export type ViolationCode =
  | 'malformed'
  | 'wrong-table'
  | 'unknown-key'
  | 'untrusted-key'
  | 'revoked-key'
  | 'bad-signature'
  | 'conflicting-duplicate'
  | 'seq-reused'
  | 'chain-broken'
  | 'reordered'
  | 'gap';

export interface Violation {
  readonly code: ViolationCode;
  readonly seq?: number;
  readonly detail: string;
}

export type EventOutcome =
  | { readonly kind: 'new'; readonly event: EventEnvelope }
  | { readonly kind: 'duplicate'; readonly event: EventEnvelope }
  | { readonly kind: 'violation'; readonly violation: Violation };

/**
 * What a consumer stores beside its events so that, after a restart, verification goes on where
 * it stopped instead of trusting the next birth blindly or calling everything stored a gap.
 */
export interface VerifierCheckpoint {
  /** Every key announced so far, and which kids are trusted to sign births (null: trust on first use). */
  readonly keys: readonly Ed25519Jwk[];
  readonly trusted: readonly string[] | null;
  /** Every event up to this seq was verified (and stored by the consumer); 0 for none. */
  readonly contiguous: number;
  /** The chain hash of event `contiguous` (what event `contiguous + 1` must carry as `prev`). */
  readonly hash: string | null;
  readonly view: TableView;
}

export interface VerifierOptions {
  readonly studio: string;
  readonly table: string;
  /** Kids trusted from the start (from the platform's key registry). Absent: trust the first birth. */
  readonly trusted?: readonly string[];
}

interface Link {
  readonly id: string;
  readonly text: string;
  readonly hash: string;
  readonly prev: string | null;
}

const SIG = /^[A-Za-z0-9_-]{86}$/;

/**
 * Checks one table's stream as a backend must: every message signed by a key announced in a
 * birth that a trusted key signed; every event chained to its neighbours by `prev`; `seq` never
 * reused; duplicates (same id, same bytes) recognised and set aside; gaps tracked until they
 * fill; order checked per lane (the birth's `lastSeq` splits backlog from live).
 * Feed it messages in arrival order; it never throws on bad input, it returns a violation.
 */
export class TableVerifier {
  readonly view: TableView = emptyView();
  private readonly keys = new Map<string, KeyObject>();
  private readonly jwks = new Map<string, Ed25519Jwk>();
  private readonly trusted: Set<string> | null;
  /** Kids revoked by a verified `key.revoked`, each with that event's seq (CONTRACT.md, keys). */
  private readonly revoked = new Map<string, number>();
  private readonly chain = new Map<number, Link>();
  private readonly missing = new Map<number, number>();
  private readonly ids = new Map<string, number>();
  private lastFillMs = 0;
  private lowest = Infinity;
  private highest = 0;
  private backlogEnd = 0;
  private laneMax = { backlog: 0, live: 0 };
  /** Resumed from a checkpoint: events up to here were verified before the restart. */
  private floor = 0;
  private floorHash: string | null = null;
  duplicates = 0;

  constructor(private readonly opts: VerifierOptions) {
    this.trusted = opts.trusted ? new Set(opts.trusted) : null;
  }

  /** A birth: its keys become usable if a trusted (or, on first use, its own) key signed it. */
  birth(text: string): Violation | null {
    const b = parse<BirthMessage>(text);
    if (!b || b.v !== 1 || !Array.isArray(b.keys) || typeof b.lastSeq !== 'number' || typeof b.kid !== 'string') return { code: 'malformed', detail: 'birth is not a v1 birth message' };
    if (b.studio !== this.opts.studio || b.table !== this.opts.table) return { code: 'wrong-table', detail: `birth of ${b.studio}/${b.table}` };
    const announced = new Map<string, KeyObject>();
    for (const jwk of b.keys as readonly Ed25519Jwk[]) {
      try {
        announced.set(jwk.kid, publicKeyFromJwk(jwk));
      } catch (err) {
        return { code: 'malformed', detail: `birth key: ${(err as Error).message}` };
      }
    }
    const revokedAt = this.revoked.get(b.kid);
    if (revokedAt !== undefined) return { code: 'revoked-key', detail: `birth signed with ${b.kid}, revoked at seq ${revokedAt}` };
    const signingKey = announced.get(b.kid);
    if (!signingKey) return { code: 'unknown-key', detail: `birth signed with ${b.kid}, which it does not announce` };
    if (!this.sigOk(b, signingKey)) return { code: 'bad-signature', detail: 'birth signature does not verify' };
    const vouched = this.trusted ? this.trusted.has(b.kid) : this.keys.size === 0 || this.keys.has(b.kid);
    if (!vouched) return { code: 'untrusted-key', detail: `birth signed with ${b.kid}, which nothing trusted announced` };
    for (const [kid, key] of announced) {
      this.keys.set(kid, key);
      this.jwks.set(kid, (b.keys as readonly Ed25519Jwk[]).find((k) => k.kid === kid) as Ed25519Jwk);
      this.trusted?.add(kid);
    }
    this.backlogEnd = b.lastSeq;
    this.laneMax = { backlog: 0, live: 0 };
    return null;
  }

  /** A retained state message: signed by a known key and for this table. */
  state(text: string): Violation | null {
    const s = parse<StateMessage>(text);
    if (!s || s.v !== 1 || typeof s.seq !== 'number' || typeof s.state !== 'object') return { code: 'malformed', detail: 'state is not a v1 state message' };
    if (s.studio !== this.opts.studio || s.table !== this.opts.table) return { code: 'wrong-table', detail: `state of ${s.studio}/${s.table}` };
    return this.checkSigned(s, s.seq);
  }

  event(text: string): EventOutcome {
    const e = parse<EventEnvelope>(text);
    const bad = (code: ViolationCode, detail: string, seq?: number): EventOutcome => ({ kind: 'violation', violation: { code, detail, ...(seq === undefined ? {} : { seq }) } });
    if (!e || !isEnvelope(e)) return bad('malformed', 'not a v1 event envelope');
    if (e.studio !== this.opts.studio || e.table !== this.opts.table) return bad('wrong-table', `event of ${e.studio}/${e.table}`, e.seq);

    const canonical = canonicalize(e);
    if (e.seq <= this.floor) return this.belowFloor(e, canonical);
    const seenAt = this.ids.get(e.id);
    if (seenAt !== undefined) {
      if (this.chain.get(seenAt)?.text === canonical) {
        this.duplicates += 1;
        return { kind: 'duplicate', event: e };
      }
      return bad('conflicting-duplicate', `id ${e.id} arrived before with different content`, e.seq);
    }
    const sig = this.checkSigned(e, e.seq);
    if (sig) return { kind: 'violation', violation: sig };
    const held = this.chain.get(e.seq);
    if (held) return bad('seq-reused', `seq ${e.seq} carried id ${held.id} before, now ${e.id}`, e.seq);

    const link: Link = { id: e.id, text: canonical, hash: chainHashOfText(canonical), prev: e.prev };
    if (e.seq === 1 && e.prev !== null) return bad('chain-broken', 'seq 1 must have prev null', 1);
    const before = this.chain.get(e.seq - 1)?.hash ?? (e.seq - 1 === this.floor && this.floor > 0 ? this.floorHash : undefined);
    if (before !== undefined && before !== e.prev) return bad('chain-broken', `prev of ${e.seq} is not the hash of ${e.seq - 1}`, e.seq);
    const after = this.chain.get(e.seq + 1);
    if (after && after.prev !== link.hash) return bad('chain-broken', `prev of ${e.seq + 1} is not the hash of ${e.seq}`, e.seq);

    const lane = e.seq <= this.backlogEnd ? 'backlog' : 'live';
    if (e.seq < this.laneMax[lane]) return bad('reordered', `${lane} event ${e.seq} arrived after ${this.laneMax[lane]}`, e.seq);
    this.laneMax[lane] = e.seq;

    this.chain.set(e.seq, link);
    this.ids.set(e.id, e.seq);
    this.track(e.seq);
    applyEvent(this.view, e);
    if (e.type === 'key.revoked' && typeof e.data.kid === 'string') this.revoked.set(e.data.kid, Math.min(e.seq, this.revoked.get(e.data.kid) ?? Infinity));
    return { kind: 'new', event: e };
  }

  /**
   * Only what one message shows by itself: signed by a key a trusted birth announced. For a
   * consumer that sees part of a table's stream (one of several instances sharing a subscription)
   * and checks the chain, order and gaps where the whole stream meets (pitbox-ingest: a database).
   */
  signedByKnownKey(message: Signed): Violation | null {
    return this.checkSigned(message, (message as Partial<EventEnvelope>).seq ?? 0);
  }

  /** Seqs missing between the lowest and highest seen, with when each was first noticed. */
  gaps(): { from: number; to: number; sinceMs: number }[] {
    const seqs = [...this.missing.keys()].sort((a, b) => a - b);
    const out: { from: number; to: number; sinceMs: number }[] = [];
    // Noticed on the monotonic clock; shown as epoch ms on today's wall clock.
    const toWall = Date.now() - performance.now();
    for (const s of seqs) {
      const last = out.at(-1);
      const since = Math.round(toWall + (this.missing.get(s) ?? 0));
      if (last && last.to === s - 1) {
        last.to = s;
        last.sinceMs = Math.min(last.sinceMs, since);
      } else out.push({ from: s, to: s, sinceMs: since });
    }
    return out;
  }

  /**
   * True when seqs are missing and none has arrived for `timeoutMs`. A backlog that is still
   * draining fills gaps all the time, so only a stalled gap counts as a loss. `now` is
   * performance.now(): the consumer's own wall clock may step (NTP) and must neither declare a
   * draining gap lost nor hide a real loss for as long as the step.
   */
  gapStalled(timeoutMs: number, now = performance.now()): boolean {
    return this.missing.size > 0 && now - this.lastFillMs > timeoutMs;
  }

  /** How many distinct events have been verified. */
  get verified(): number {
    return this.chain.size;
  }

  get range(): { lowest: number; highest: number } {
    return { lowest: this.lowest, highest: this.highest };
  }

  /**
   * What to store to resume after a restart: the keys, and the highest seq up to which every
   * event from the first seen (or the last checkpoint) has been verified, with its chain hash.
   */
  checkpoint(): VerifierCheckpoint {
    let contiguous = this.floor > 0 ? this.floor : this.lowest === Infinity ? 0 : this.lowest - 1;
    while (this.chain.has(contiguous + 1)) contiguous += 1;
    const hash = this.chain.get(contiguous)?.hash ?? (contiguous === this.floor ? this.floorHash : null);
    return { keys: [...this.jwks.values()], trusted: this.trusted ? [...this.trusted] : null, contiguous, hash, view: structuredClone(this.view) };
  }

  /**
   * A verifier that goes on from a checkpoint. Feed it the events the consumer stored above
   * `contiguous` (if any), then the live stream. An event at or below `contiguous` is a
   * duplicate if it is signed by a known key (and, at `contiguous` itself, has the stored hash):
   * below that the consumer's store, keyed on seq, is the authority on its bytes.
   */
  static resume(opts: VerifierOptions, from: VerifierCheckpoint): TableVerifier {
    const v = new TableVerifier({ ...opts, ...(from.trusted ? { trusted: from.trusted } : {}) });
    for (const jwk of from.keys) {
      v.keys.set(jwk.kid, publicKeyFromJwk(jwk));
      v.jwks.set(jwk.kid, jwk);
    }
    Object.assign(v.view, structuredClone(from.view));
    v.floor = from.contiguous;
    v.floorHash = from.hash;
    if (from.contiguous > 0) {
      v.lowest = 1;
      v.highest = from.contiguous;
    }
    return v;
  }

  private belowFloor(e: EventEnvelope, canonical: string): EventOutcome {
    const sig = this.checkSigned(e, e.seq);
    if (sig) return { kind: 'violation', violation: sig };
    if (e.seq === this.floor && chainHashOfText(canonical) !== this.floorHash) {
      return { kind: 'violation', violation: { code: 'conflicting-duplicate', seq: e.seq, detail: `seq ${e.seq} differs from the event stored before the restart` } };
    }
    this.duplicates += 1;
    return { kind: 'duplicate', event: e };
  }

  private track(seq: number): void {
    const now = performance.now();
    if (this.missing.delete(seq) || this.missing.size === 0) this.lastFillMs = now;
    if (this.highest > 0 && seq > this.highest + 1) for (let s = this.highest + 1; s < seq; s++) this.missing.set(s, now);
    if (this.lowest !== Infinity && seq < this.lowest - 1) for (let s = seq + 1; s < this.lowest; s++) this.missing.set(s, now);
    this.highest = Math.max(this.highest, seq);
    this.lowest = Math.min(this.lowest, seq);
  }

  private checkSigned(m: Signed, seq: number): Violation | null {
    const key = this.keys.get(m.kid);
    if (!key) return { code: 'unknown-key', seq, detail: `signed with ${m.kid}, which no birth announced` };
    if (!this.sigOk(m, key)) return { code: 'bad-signature', seq, detail: `signature by ${m.kid} does not verify` };
    // From the moment the revocation is here: what the key signed before it stays good.
    const revokedAt = this.revoked.get(m.kid);
    if (revokedAt !== undefined && seq > revokedAt) return { code: 'revoked-key', seq, detail: `signed with ${m.kid}, revoked at seq ${revokedAt}` };
    return null;
  }

  private sigOk(m: Signed, key: KeyObject): boolean {
    if (typeof m.sig !== 'string' || !SIG.test(m.sig)) return false;
    try {
      return signatureValid(m, key);
    } catch {
      return false;
    }
  }
}

function parse<T>(text: string): T | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as T) : null;
  } catch {
    return null;
  }
}

/** A v1 event envelope with every member of the right type, or null (never throws). */
export function parseEvent(text: string): EventEnvelope | null {
  const e = parse<EventEnvelope>(text);
  return e && isEnvelope(e) ? e : null;
}

function isEnvelope(e: EventEnvelope): boolean {
  return (
    e.v === 1 &&
    Number.isSafeInteger(e.seq) &&
    e.seq >= 1 &&
    typeof e.id === 'string' &&
    typeof e.ts === 'string' &&
    typeof e.type === 'string' &&
    typeof e.data === 'object' &&
    e.data !== null &&
    (e.prev === null || typeof e.prev === 'string') &&
    typeof e.kid === 'string' &&
    typeof e.sig === 'string' &&
    (e.round === undefined || Number.isSafeInteger(e.round))
  );
}

