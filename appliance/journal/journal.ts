import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { chainHashOfText, seal, type EventEnvelope, type Signer } from '../contract/envelope.js';
import type { Ed25519Jwk } from '../contract/jwk.js';
import type { EventDraft } from '../kernel/events.js';
import { checkAtOpen, verifyChain, type ChainReport } from './integrity.js';
import { adoptPruneMark, checkJournal, createSchema, JournalError } from './schema.js';
import { steadyClock } from './steady-clock.js';

export { JournalError } from './schema.js';

/** A journaled event: its sequence number and the exact bytes that are published, every time. */
export interface JournaledEvent {
  readonly seq: number;
  readonly id: string;
  readonly body: string;
}

export interface JournalOptions {
  readonly path: string;
  readonly studio: string;
  readonly table: string;
  /** The wall clock, for each event's `ts` (the box's clock as it is, steps and all). */
  readonly now?: () => Date;
  /**
   * Epoch ms that retention ages are measured on (`journaled_at`, `delivered_at`, and `prune`'s
   * now): by default a steady clock that a wall-clock step does not move; `now` when only that
   * is given (tests that age a journal by moving one clock).
   */
  readonly ageClock?: () => number;
  /** Newest events whose chain and signatures are checked at every open (the rest: in the background). */
  readonly tailCheck?: number;
}

/** Rows checked at open: about 70 ms of Ed25519 verification here, every start. */
export const DEFAULT_TAIL_CHECK = 1000;

export interface KeyRecord {
  readonly jwk: Ed25519Jwk;
  /** The first seq it signed; null while it is only known. */
  readonly firstSeq: number | null;
}

interface Pending {
  readonly event: JournaledEvent;
  /** A `key.revoked` event: the kid it revokes, recorded with the event in one transaction. */
  readonly revokes?: string;
  readonly type: string;
  readonly round: number | null;
  /** chainHash of this event: the chain head once it is committed. */
  readonly hash: string;
}

/**
 * The table's record and its only queue. An event gets its seq, its place in the hash chain
 * and its signature when it is appended, and becomes durable when the group commit that holds
 * it is fsync'd (WAL, synchronous=FULL): everything appended in one turn of the event loop
 * shares one transaction, so a burst costs one fsync, and nothing is handed to the uplink
 * before its commit ('durable'). If a commit fails (disk full, I/O error) the events stay
 * queued in memory and the commit is retried; the owner is told ('error') and suspends the
 * table. An event lost in a crash before its commit was never published, and its seq was never
 * committed, so nothing a consumer saw is ever reused.
 */
export class Journal extends EventEmitter<{ durable: [JournaledEvent[]]; error: [JournalError]; recovered: [] }> {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  /** What retention ages are measured on (JournalOptions.ageClock). */
  readonly ageClock: () => number;
  private readonly stmt;
  private readonly commitTx: (batch: readonly Pending[], snapshot: string | null) => void;
  private readonly markTx: (seqs: readonly number[], at: number) => void;
  private pending: Pending[] = [];
  private pendingSnapshot: string | null = null;
  private acked: number[] = [];
  private seq: number;
  private head: string | null;
  private committed: number;
  private signer: Signer | null = null;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failing = false;

  /** Creates the journal of a new table; refuses to overwrite one. */
  static create(opts: JournalOptions): Journal {
    if (existsSync(opts.path)) throw new JournalError(`journal ${opts.path} already exists`);
    mkdirSync(dirname(opts.path), { recursive: true, mode: 0o750 });
    return new Journal(opts, true);
  }

  /** Opens an existing journal. A missing one is an error: starting afresh would reuse seq 1. */
  static open(opts: JournalOptions): Journal {
    if (!existsSync(opts.path)) {
      throw new JournalError(`journal ${opts.path} does not exist. For a new table run \`pitbox journal init\`; if this table has run before, restore its journal: a fresh one would reuse seq numbers`);
    }
    return new Journal(opts, false);
  }

  private constructor(private readonly opts: JournalOptions, create: boolean) {
    super();
    this.now = opts.now ?? (() => new Date());
    const wall = opts.now;
    this.ageClock = opts.ageClock ?? (wall ? () => wall().getTime() : steadyClock());
    const { path, studio, table } = opts;
    let db: Database.Database | null = null;
    try {
      db = new Database(path, { fileMustExist: !create });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      if (create) createSchema(db, studio, table);
      checkJournal(db, path, studio, table);
      adoptPruneMark(db);
      checkAtOpen(db, path, opts.tailCheck ?? DEFAULT_TAIL_CHECK);
      this.db = db;
    } catch (err) {
      if (db?.open) db.close();
      if (err instanceof JournalError) throw err;
      throw new JournalError(`cannot open journal ${path}: ${(err as Error).message}`);
    }
    this.stmt = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      insert: db.prepare<[number, string, string, number | null, string, number]>('INSERT INTO events (seq, id, type, round, body, journaled_at) VALUES (?, ?, ?, ?, ?, ?)'),
      undelivered: db.prepare<[number, number], JournaledEvent>('SELECT seq, id, body FROM events WHERE delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?'),
      markDelivered: db.prepare<[number, number]>('UPDATE events SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL'),
      countUndelivered: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events WHERE delivered_at IS NULL'),
      oldestSeq: db.prepare<[], { s: number | null }>('SELECT MIN(seq) AS s FROM events'),
      keys: db.prepare<[], { jwk: string; first_seq: number | null }>('SELECT jwk, first_seq FROM keys ORDER BY first_seq IS NULL, first_seq'),
    };
    this.committed = this.seq = Number(this.meta('last_seq') ?? '0');
    this.head = this.meta('last_hash');

    const { insert, setMeta, markDelivered } = this.stmt;
    this.commitTx = db.transaction((batch: readonly Pending[], snapshot: string | null) => {
      const at = this.ageClock();
      for (const p of batch) insert.run(p.event.seq, p.event.id, p.type, p.round, p.event.body, at);
      const last = batch.at(-1);
      if (last) {
        setMeta.run('last_seq', String(last.event.seq));
        setMeta.run('last_hash', last.hash);
      }
      if (snapshot !== null) setMeta.run('snapshot', snapshot);
      const revoked = batch.filter((p) => p.revokes !== undefined);
      if (revoked.length > 0) setMeta.run('revoked_keys', JSON.stringify({ ...this.revokedKeys(), ...Object.fromEntries(revoked.map((p) => [p.revokes, p.event.seq])) }));
    });
    this.markTx = db.transaction((seqs: readonly number[], at: number) => {
      for (const s of seqs) markDelivered.run(at, s);
    });
  }

  get path(): string {
    return this.opts.path;
  }

  // ---- keys ---------------------------------------------------------------------------------

  /** The kid that signs new events, or null for a journal that has not signed anything yet. */
  activeKid(): string | null {
    return this.meta('active_kid');
  }

  /** Every key that ever signed here, oldest first, with the first seq each signed. */
  keys(): KeyRecord[] {
    return this.stmt.keys.all().map((r) => ({ jwk: JSON.parse(r.jwk) as Ed25519Jwk, firstSeq: r.first_seq }));
  }

  /**
   * Kids revoked by a journaled `key.revoked`, each with that event's seq. Kept in `meta`, not
   * read back from the events, so that pruning the event never forgets the revocation.
   */
  revokedKeys(): Record<string, number> {
    return JSON.parse(this.meta('revoked_keys') ?? '{}') as Record<string, number>;
  }

  /**
   * From the next event on, signs with `signer`. Durable before it returns, so that a restart
   * keeps signing with the same key. The caller has announced the key in `birth` first.
   */
  activateKey(jwk: Ed25519Jwk, signer: Signer): void {
    if (jwk.kid !== signer.kid) throw new Error('the JWK and the signer are different keys');
    this.flush();
    if (this.pending.length > 0) throw new JournalError('cannot switch keys while events wait for the disk');
    if (this.activeKid() !== jwk.kid) {
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO keys (kid, jwk, first_seq) VALUES (?, ?, ?) ON CONFLICT(kid) DO UPDATE SET first_seq = excluded.first_seq').run(jwk.kid, JSON.stringify(jwk), this.seq + 1);
        this.stmt.setMeta.run('active_kid', jwk.kid);
      })();
    }
    this.signer = signer;
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * Seals the event (seq, prev, signature) and queues it for the next group commit, together
   * with the engine snapshot that follows from it. Returns at once; 'durable' follows.
   */
  append(draft: EventDraft, snapshot: unknown): JournaledEvent {
    if (!this.signer) throw new JournalError('no signing key is active');
    const seq = this.seq + 1;
    const id = randomUUID();
    const { text } = seal<EventEnvelope>(
      {
        v: 1,
        studio: this.opts.studio,
        table: this.opts.table,
        seq,
        id,
        ts: this.now().toISOString(),
        type: draft.type,
        ...(draft.round === null ? {} : { round: draft.round }),
        data: draft.data,
        prev: this.head,
        kid: this.signer.kid,
      },
      this.signer,
    );
    const event: JournaledEvent = { seq, id, body: text };
    this.seq = seq;
    this.head = chainHashOfText(text);
    const revokes = draft.type === 'key.revoked' && typeof draft.data.kid === 'string' ? { revokes: draft.data.kid } : {};
    this.pending.push({ event, type: draft.type, round: draft.round, hash: this.head, ...revokes });
    this.pendingSnapshot = JSON.stringify(snapshot);
    this.scheduleFlush();
    return event;
  }

  /**
   * Commits everything queued, in one fsync'd transaction. Returns false when the disk refused
   * it: the events stay queued, 'error' is emitted and a retry is scheduled.
   */
  flush(): boolean {
    this.flushScheduled = false;
    if (this.pending.length === 0 && this.pendingSnapshot === null) return true;
    const batch = this.pending;
    try {
      this.commitTx(batch, this.pendingSnapshot);
    } catch (err) {
      this.onCommitFailed(err as Error);
      return false;
    }
    this.pending = [];
    this.pendingSnapshot = null;
    this.committed = batch.at(-1)?.event.seq ?? this.committed;
    if (this.failing) {
      this.failing = false;
      this.emit('recovered');
    }
    if (batch.length > 0) this.emit('durable', batch.map((p) => p.event));
    return true;
  }

  /** Oldest committed, undelivered events after `afterSeq`, in seq order. */
  undelivered(afterSeq: number, limit: number): JournaledEvent[] {
    return this.stmt.undelivered.all(afterSeq, limit);
  }

  /**
   * Records a PUBACK. Marks are batched into one transaction per turn of the event loop and not
   * fsync'd on their own (the next event commit carries them): losing one in a power cut means
   * the event is published again, which the contract allows, never that one goes missing.
   */
  markDelivered(seq: number): void {
    if (this.acked.push(seq) === 1) setImmediate(() => this.writeMarks());
  }

  /** The last seq assigned (committed or queued). */
  lastSeq(): number {
    return this.seq;
  }

  /** The last seq that is on disk. */
  committedSeq(): number {
    return this.committed;
  }

  /** Events that wait for the disk (non-zero only while commits fail). */
  queued(): number {
    return this.pending.length;
  }

  oldestSeq(): number | null {
    return this.stmt.oldestSeq.get()?.s ?? null;
  }

  /** The engine snapshot saved with the last committed event, or null for a new journal. */
  snapshot<T>(): T | null {
    const raw = this.meta('snapshot');
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  /**
   * Verifies every kept event: chain, signatures, keys, counter. Runs on this connection; the
   * appliance runs it in a worker thread on a connection of its own (`chain-check.ts`).
   */
  verify(): ChainReport {
    return verifyChain(this.db, this.path);
  }

  countUndelivered(): number {
    return this.stmt.countUndelivered.get()?.n ?? 0;
  }

  /** For retention and the space alarm. */
  get database(): Database.Database {
    return this.db;
  }

  /** Commits what is queued and closes. Throws if the queue cannot be written. */
  close(): void {
    if (!this.db.open) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.writeMarks();
    const ok = this.flush();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.db.close();
    if (!ok) throw new JournalError(`journal ${this.path}: ${this.pending.length} event(s) could not be written before closing`);
  }

  private writeMarks(): void {
    if (this.acked.length === 0 || !this.db.open) return;
    const seqs = this.acked;
    this.acked = [];
    try {
      this.db.pragma('synchronous = NORMAL');
      this.markTx(seqs, this.ageClock());
    } catch {
      // Not fatal: unmarked events are published again after the next reconnect.
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.failing) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private onCommitFailed(err: Error): void {
    const first = !this.failing;
    this.failing = true;
    if (first) this.emit('error', new JournalError(`journal ${this.path}: cannot commit ${this.pending.length} event(s): ${err.message}`));
    if (!this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.flush();
      }, 1000);
    }
  }

  private meta(key: string): string | null {
    return this.stmt.getMeta.get(key)?.value ?? null;
  }
}
