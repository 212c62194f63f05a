import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { chainHashOfText } from '../contract/envelope.js';
import type { Journal } from './journal.js';

export interface RetentionPolicy {
  /** Delivered events older than this are pruned. */
  readonly maxAgeMs: number;
  /** Delivered events are pruned, oldest first, while the journal uses more than this. */
  readonly maxBytes: number;
}

export interface SpacePolicy {
  /** Below this much free space on the journal's filesystem the table is suspended. */
  readonly minFreeBytes: number;
  /** A cap on the journal itself (for a box that shares its disk); null for none. */
  readonly maxBytes: number | null;
}

export interface Space {
  readonly ok: boolean;
  readonly usedBytes: number;
  readonly freeBytes: number;
  readonly reason: string | null;
}

/** Bytes the journal's live pages take (pages freed by pruning are reused before the file grows). */
export function usedBytes(journal: Journal): number {
  const db = journal.database;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

export function checkSpace(journal: Journal, policy: SpacePolicy): Space {
  const fs = statfsSync(dirname(journal.path));
  const freeBytes = fs.bavail * fs.bsize;
  const used = usedBytes(journal);
  let reason: string | null = null;
  if (freeBytes < policy.minFreeBytes) reason = `only ${mib(freeBytes)} free on the journal's filesystem (minimum ${mib(policy.minFreeBytes)})`;
  else if (policy.maxBytes !== null && used > policy.maxBytes) reason = `the journal uses ${mib(used)}, over its cap of ${mib(policy.maxBytes)}, and holds nothing delivered left to prune`;
  return { ok: reason === null, usedBytes: used, freeBytes, reason };
}

/**
 * Deletes delivered events by age, then by size, oldest first, and only ever a prefix of the
 * journal: pruning stops at the first event that is undelivered (the only copy) or too young,
 * so the kept rows stay one unbroken chain. The mark (`pruned_through`, and `pruned_head`, the
 * chain hash of the last event deleted) moves in the same transaction, which is how the open
 * check tells pruning from rows deleted by someone else. The seq counter lives in `meta`, so
 * pruning can never make a number come round again. Ages are on the journal's age clock, which
 * a step of the wall clock does not move (steady-clock.ts).
 */
export function prune(journal: Journal, policy: RetentionPolicy, now = journal.ageClock()): number {
  const db = journal.database;
  const cutoff = now - policy.maxAgeMs;
  const next = db.prepare<[number], { seq: number; body: string; delivered_at: number | null }>('SELECT seq, body, delivered_at FROM events WHERE seq > ? ORDER BY seq LIMIT 500');
  const del = db.prepare<[number, number]>('DELETE FROM events WHERE seq > ? AND seq <= ?');
  const mark = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const through = () => Number((db.prepare("SELECT value FROM meta WHERE key = 'pruned_through'").get() as { value: string } | undefined)?.value ?? '0');
  let deleted = 0;
  // By age, then (once nothing is old enough) by size: each pass deletes up to 500 rows.
  for (const byAge of [true, false]) {
    for (;;) {
      if (!byAge && usedBytes(journal) <= policy.maxBytes) break;
      const from = through();
      const rows = next.all(from);
      let upTo: { seq: number; body: string } | null = null;
      for (const r of rows) {
        if (r.delivered_at === null || (byAge && r.delivered_at >= cutoff)) break;
        upTo = r;
      }
      if (!upTo) break;
      const last = upTo;
      db.transaction(() => {
        deleted += del.run(from, last.seq).changes;
        mark.run('pruned_through', String(last.seq));
        mark.run('pruned_head', chainHashOfText(last.body));
      })();
      if (last !== rows.at(-1)) break;
    }
  }
  return deleted;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
