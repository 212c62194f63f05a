import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EventDraft } from '../table/events.js';

/** The envelope as it goes on the wire. Signing (`prev`, `kid`, `sig`) slots in here. */
export interface EventEnvelope {
  readonly v: 1;
  readonly studio: string;
  readonly table: string;
  readonly seq: number;
  readonly id: string;
  readonly ts: string;
  readonly type: EventDraft['type'];
  readonly round?: number;
  readonly data: EventDraft['data'];
}

/** A journaled event: its sequence number and the exact bytes that are published, every time. */
export interface JournaledEvent {
  readonly seq: number;
  readonly body: string;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

const SCHEMA_VERSION = '1';

/**
 * The table's record: every event is committed here (WAL, synchronous=FULL, so fsync'd) before
 * anything publishes it, and publishing reads from here. `seq` comes from a counter kept in
 * the same transaction, not from MAX(seq), so pruning delivered rows can never make it reuse a
 * number. A journal belongs to one studio/table; opening it for another is refused.
 */
export class Journal {
  private readonly db: Database.Database;
  private readonly appendTx: (draft: EventDraft, snapshot: string) => JournaledEvent;
  private readonly selectUndelivered: Database.Statement<[number, number], JournaledEvent>;
  private readonly markDeliveredStmt: Database.Statement<[number, number]>;
  private getMeta!: Database.Statement<[string], { value: string }>;

  constructor(
    readonly path: string,
    private readonly studio: string,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.migrate();
    } catch (err) {
      if (err instanceof JournalError) throw err;
      throw new JournalError(`cannot open journal ${path}: ${(err as Error).message}`);
    }
    this.checkOwner();

    const getMeta = this.getMeta;
    const setMeta = this.db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    const insert = this.db.prepare<[number, string, string, number | null, string]>('INSERT INTO events (seq, id, type, round, body) VALUES (?, ?, ?, ?, ?)');
    this.appendTx = this.db.transaction((draft: EventDraft, snapshot: string) => {
      const seq = Number(getMeta.get('last_seq')?.value ?? '0') + 1;
      const envelope: EventEnvelope = {
        v: 1,
        studio: this.studio,
        table: this.table,
        seq,
        id: randomUUID(),
        ts: this.now().toISOString(),
        type: draft.type,
        ...(draft.round === null ? {} : { round: draft.round }),
        data: draft.data,
      };
      const body = JSON.stringify(envelope);
      insert.run(seq, envelope.id, draft.type, draft.round, body);
      setMeta.run('last_seq', String(seq));
      setMeta.run('snapshot', snapshot);
      return { seq, body };
    });
    this.selectUndelivered = this.db.prepare('SELECT seq, body FROM events WHERE delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?');
    this.markDeliveredStmt = this.db.prepare('UPDATE events SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL');
  }

  /** Commits the event and the engine snapshot that follows from it, in one transaction. */
  append(draft: EventDraft, snapshot: unknown): JournaledEvent {
    return this.appendTx(draft, JSON.stringify(snapshot));
  }

  /** Oldest undelivered events after `afterSeq`, in order. */
  undelivered(afterSeq: number, limit: number): JournaledEvent[] {
    return this.selectUndelivered.all(afterSeq, limit);
  }

  markDelivered(seq: number): void {
    this.markDeliveredStmt.run(Date.now(), seq);
  }

  lastSeq(): number {
    return Number(this.meta('last_seq') ?? '0');
  }

  /** The engine snapshot saved with the last event, or null for a new journal. */
  snapshot<T>(): T | null {
    const raw = this.meta('snapshot');
    return raw === null ? null : (JSON.parse(raw) as T);
  }

  countUndelivered(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE delivered_at IS NULL').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private meta(key: string): string | null {
    return this.getMeta.get(key)?.value ?? null;
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        round INTEGER,
        body TEXT NOT NULL,
        delivered_at INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS events_undelivered ON events (seq) WHERE delivered_at IS NULL;
    `);
    this.getMeta = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const version = this.meta('schema_version');
    if (version === null) {
      this.db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?)')
        .run('schema_version', SCHEMA_VERSION, 'studio', this.studio, 'table', this.table);
    } else if (version !== SCHEMA_VERSION) {
      throw new JournalError(`journal ${this.path} has schema version ${version}; this pitbox reads version ${SCHEMA_VERSION}`);
    }
  }

  private checkOwner(): void {
    const studio = this.meta('studio');
    const table = this.meta('table');
    if (studio !== this.studio || table !== this.table) {
      this.close();
      throw new JournalError(`journal ${this.path} belongs to ${studio}/${table}, not ${this.studio}/${this.table}: refusing to mix tables`);
    }
  }
}
