import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
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
 * Deletes delivered events by age, then by size, oldest first. Undelivered events are never
 * touched, whatever the policy says: they are the only copy. The seq counter lives in `meta`,
 * so pruning can never make a number come round again.
 */
export function prune(journal: Journal, policy: RetentionPolicy, now = Date.now()): number {
  const db = journal.database;
  let deleted = db.prepare('DELETE FROM events WHERE delivered_at IS NOT NULL AND delivered_at < ?').run(now - policy.maxAgeMs).changes;
  const oldest = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE delivered_at IS NOT NULL ORDER BY seq LIMIT 500)');
  while (usedBytes(journal) > policy.maxBytes) {
    const n = oldest.run().changes;
    if (n === 0) break;
    deleted += n;
  }
  return deleted;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
