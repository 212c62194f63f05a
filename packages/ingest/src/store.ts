import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { Ed25519Jwk, EventEnvelope } from '../../consumer/src/index.js';

export type Recorded = 'stored' | 'duplicate' | 'conflicting-duplicate';

/** A table's row: how far its stream is complete and chained. */
export interface TableProgress {
  readonly contiguous: number;
  readonly highest: number;
  readonly firstSeq: number;
}

const MIGRATIONS = new URL('../migrations/', import.meta.url).pathname;

/**
 * PostgreSQL, as pitbox-ingest writes it (migrations/). Every write is one transaction that
 * either commits or throws: the caller acknowledges a message to the broker only after it.
 */
export class EventStore {
  readonly pool: pg.Pool;

  /**
   * `joinMidStream`: a table first seen at seq N > 1 is complete from N (its history before the
   * platform began is not wanted). Otherwise every table is expected from seq 1.
   */
  constructor(
    connectionString: string,
    private readonly instance: string,
    private readonly joinMidStream = false,
  ) {
    this.pool = new pg.Pool({ connectionString, max: 4 });
    // An idle client that loses its server must not crash the process: the next query fails and is retried.
    this.pool.on('error', () => undefined);
  }

  /** Applies the migrations not applied yet, each in its own transaction, under an advisory lock. */
  async migrate(): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7346121)');
      await client.query('CREATE TABLE IF NOT EXISTS pitbox_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM pitbox_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const file of readdirSync(MIGRATIONS).filter((f) => /^\d+_.*\.sql$/.test(f)).sort()) {
        const version = Number.parseInt(file, 10);
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(MIGRATIONS + file, 'utf8'));
          await client.query('INSERT INTO pitbox_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(7346121)').catch(() => undefined);
      client.release();
    }
  }

  /**
   * Stores one verified event exactly once, and its result, and moves the table's contiguous
   * mark over every event now chained after it. The table's row is locked first, so instances
   * writing the same table take turns and every transaction sees the others' committed rows.
   */
  async record(e: EventEnvelope, canonical: string, hash: string): Promise<Recorded> {
    return this.transaction(async (c) => {
      const anchor = this.joinMidStream ? { at: e.seq - 1, hash: e.prev } : { at: 0, hash: null };
      await c.query('INSERT INTO pitbox_tables (studio, table_name, contiguous, contiguous_hash, highest, first_seq) VALUES ($1, $2, $3, $4, $3, $5) ON CONFLICT DO NOTHING', [e.studio, e.table, anchor.at, anchor.hash, anchor.at + 1]);
      const table = (await c.query<{ contiguous: string; contiguous_hash: string | null; highest: string }>('SELECT contiguous, contiguous_hash, highest FROM pitbox_tables WHERE studio = $1 AND table_name = $2 FOR UPDATE', [e.studio, e.table])).rows[0]!;
      const inserted = await c.query(
        `INSERT INTO pitbox_events (studio, table_name, seq, id, type, round, ts, kid, prev, hash, body, ingested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
        [e.studio, e.table, e.seq, e.id, e.type, e.round ?? null, e.ts, e.kid, e.prev, hash, canonical, this.instance],
      );
      if (inserted.rowCount === 0) {
        const same = await c.query('SELECT 1 FROM pitbox_events WHERE studio = $1 AND table_name = $2 AND seq = $3 AND id = $4 AND hash = $5', [e.studio, e.table, e.seq, e.id, hash]);
        if (same.rowCount) return 'duplicate';
        await this.violationIn(c, e.studio, e.table, e.seq, 'conflicting-duplicate', `seq ${e.seq} or id ${e.id} is stored with other content`, canonical);
        return 'conflicting-duplicate';
      }
      if (e.type === 'round.result') {
        const game = typeof e.data['game'] === 'string' ? e.data['game'] : 'roulette';
        await c.query('INSERT INTO pitbox_results (studio, table_name, seq, round, game, data, ts) VALUES ($1, $2, $3, $4, $5, $6, $7)', [e.studio, e.table, e.seq, e.round ?? null, game, JSON.stringify(e.data), e.ts]);
      }
      await this.advance(c, e, Number(table.contiguous), table.contiguous_hash, Math.max(Number(table.highest), e.seq));
      return 'stored';
    });
  }

  /** A message refused, kept with its reason (malformed, unknown table or key, bad signature...). */
  async violation(studio: string | null, table: string | null, seq: number | null, code: string, detail: string, body: string): Promise<void> {
    await this.violationIn(this.pool, studio, table, seq, code, detail, body);
  }

  async saveKeys(studio: string, table: string, keys: readonly Ed25519Jwk[]): Promise<void> {
    for (const k of keys) await this.pool.query('INSERT INTO pitbox_keys (studio, table_name, kid, jwk) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [studio, table, k.kid, JSON.stringify(k)]);
  }

  /** Every table's keys as stored: what a restarted instance verifies with before the next birth. */
  async loadKeys(): Promise<Map<string, Ed25519Jwk[]>> {
    const rows = (await this.pool.query<{ studio: string; table_name: string; jwk: Ed25519Jwk }>('SELECT studio, table_name, jwk FROM pitbox_keys')).rows;
    const out = new Map<string, Ed25519Jwk[]>();
    for (const r of rows) out.set(`${r.studio}/${r.table_name}`, [...(out.get(`${r.studio}/${r.table_name}`) ?? []), r.jwk]);
    return out;
  }

  async progress(studio: string, table: string): Promise<TableProgress | null> {
    const r = (await this.pool.query<{ contiguous: string; highest: string; first_seq: string }>('SELECT contiguous, highest, first_seq FROM pitbox_tables WHERE studio = $1 AND table_name = $2', [studio, table])).rows[0];
    return r ? { contiguous: Number(r.contiguous), highest: Number(r.highest), firstSeq: Number(r.first_seq) } : null;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  /** Moves the contiguous mark over stored events that follow it, each chained to the one before. */
  private async advance(c: pg.PoolClient, e: EventEnvelope, from: number, fromHash: string | null, highest: number): Promise<void> {
    let contiguous = from;
    let hash = fromHash;
    for (;;) {
      const next = (await c.query<{ seq: string; prev: string | null; hash: string }>('SELECT seq, prev, hash FROM pitbox_events WHERE studio = $1 AND table_name = $2 AND seq > $3 AND seq <= $3 + 500 ORDER BY seq', [e.studio, e.table, contiguous])).rows;
      let moved = 0;
      for (const row of next) {
        if (Number(row.seq) !== contiguous + 1) break;
        if (row.prev !== hash) {
          await this.violationIn(c, e.studio, e.table, Number(row.seq), 'chain-broken', `prev of ${row.seq} is not the hash of ${contiguous}`, null);
          break;
        }
        contiguous += 1;
        hash = row.hash;
        moved += 1;
      }
      if (moved < 500) break;
    }
    await c.query('UPDATE pitbox_tables SET contiguous = $3, contiguous_hash = $4, highest = $5, updated_at = clock_timestamp() WHERE studio = $1 AND table_name = $2', [e.studio, e.table, contiguous, hash, highest]);
  }

  private async violationIn(c: pg.Pool | pg.PoolClient, studio: string | null, table: string | null, seq: number | null, code: string, detail: string, body: string | null): Promise<void> {
    await c.query('INSERT INTO pitbox_violations (studio, table_name, seq, code, detail, body, ingested_by) VALUES ($1, $2, $3, $4, $5, $6, $7)', [studio, table, seq, code, detail, body, this.instance]);
  }

  private async transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}
