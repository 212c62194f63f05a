import type Database from 'better-sqlite3';

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

export const SCHEMA_VERSION = '2';

/**
 * Tables of a journal. `meta` holds the chain head (last_seq, last_hash), the active signing key
 * and the engine snapshot, all written in the same transaction as the events they follow from.
 * `keys` remembers every public key that ever signed for this table, with the first seq it
 * signed, so that `birth` can keep announcing the ones consumers still need.
 */
export function createSchema(db: Database.Database, studio: string, table: string): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE events (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,          -- a v4 UUID; nothing looks events up by id, so no index to feed
      type TEXT NOT NULL,
      round INTEGER,
      body TEXT NOT NULL,
      journaled_at INTEGER NOT NULL,
      delivered_at INTEGER
    ) STRICT;
    CREATE INDEX events_undelivered ON events (seq) WHERE delivered_at IS NULL;
    CREATE INDEX events_delivered ON events (delivered_at) WHERE delivered_at IS NOT NULL;
    CREATE TABLE keys (kid TEXT PRIMARY KEY, jwk TEXT NOT NULL, first_seq INTEGER) STRICT;
  `);
  const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [k, v] of [
    ['schema_version', SCHEMA_VERSION],
    ['studio', studio],
    ['table', table],
    ['last_seq', '0'],
    ['pruned_through', '0'],
    ['created_at', new Date().toISOString()],
  ]) put.run(k, v);
}

/** Refuses a journal this code cannot vouch for: damaged pages, another schema, another table. */
export function checkJournal(db: Database.Database, path: string, studio: string, table: string): void {
  const check = db.pragma('quick_check', { simple: true }) as string;
  if (check !== 'ok') throw new JournalError(`journal ${path} is damaged (${check}); restore it from a backup, do not delete it: a fresh journal would reuse seq numbers`);
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) throw new JournalError(`${path} is not a pitbox journal (no meta table)`);
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  const version = meta.get('schema_version');
  if (version !== SCHEMA_VERSION) throw new JournalError(`journal ${path} has schema version ${version ?? 'none'}; this pitbox reads version ${SCHEMA_VERSION}`);
  if (meta.get('studio') !== studio || meta.get('table') !== table) {
    throw new JournalError(`journal ${path} belongs to ${meta.get('studio')}/${meta.get('table')}, not ${studio}/${table}: refusing to mix tables`);
  }
  const lastSeq = Number(meta.get('last_seq'));
  const maxSeq = (db.prepare('SELECT MAX(seq) AS m FROM events').get() as { m: number | null }).m ?? 0;
  if (!Number.isInteger(lastSeq) || maxSeq > lastSeq) throw new JournalError(`journal ${path} is inconsistent: events up to seq ${maxSeq} but the counter says ${meta.get('last_seq')}`);
}

/**
 * Journals written before the prune mark existed: take the oldest kept row as the mark, once.
 * From then on every pruning moves the mark in the same transaction as its delete, so a row
 * missing at the old end is told apart from one that was pruned.
 */
export function adoptPruneMark(db: Database.Database): void {
  if (db.prepare("SELECT 1 FROM meta WHERE key = 'pruned_through'").get()) return;
  const first = db.prepare<[], { seq: number; body: string }>('SELECT seq, body FROM events ORDER BY seq LIMIT 1').get();
  const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    put.run('pruned_through', String(first ? first.seq - 1 : Number((db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: string } | undefined)?.value ?? '0')));
    const lastHash = (db.prepare("SELECT value FROM meta WHERE key = 'last_hash'").get() as { value: string } | undefined)?.value;
    const prev = first ? (JSON.parse(first.body) as { prev?: unknown }).prev : lastHash;
    if (typeof prev === 'string') put.run('pruned_head', prev);
  })();
}
