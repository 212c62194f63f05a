import type { Ed25519Jwk } from '../contract/jwk.js';
import type { KeyRecord } from '../journal/journal.js';
import { KeyError, type SigningKey } from './keyring.js';

/** What the journal knows about keys, as far as choosing one goes. */
export interface KeyHistory {
  activeKid(): string | null;
  keys(): KeyRecord[];
  oldestSeq(): number | null;
  /** Kids a journaled `key.revoked` took out of service, with its seq. */
  revokedKeys(): Record<string, number>;
}

export interface KeyPlan {
  /** Signs new events now. */
  readonly active: SigningKey;
  /** A newer key on disk that has never signed: announced in `birth`, active once that is acknowledged. */
  readonly next: SigningKey | null;
  /** What `birth` publishes: active, next, and older keys that signed events still in the journal. */
  readonly announced: readonly Ed25519Jwk[];
}

/**
 * Rotation without a gap in trust: a technician drops a new key into the key directory
 * (`pitbox keys generate`) and restarts; the box announces it in `birth`, keeps signing with
 * the old one until the broker has acknowledged that `birth`, and then switches. The old private
 * key may be deleted once `birth` names the new one active; its public key stays announced for
 * as long as events it signed are retained.
 */
export function planKeys(onDisk: readonly SigningKey[], history: KeyHistory, dir: string): KeyPlan {
  const activeKid = history.activeKid();
  const revoked = history.revokedKeys();
  if (activeKid !== null && revoked[activeKid] !== undefined) {
    throw new KeyError(`the active signing key ${activeKid} was revoked at seq ${revoked[activeKid]}: it must never sign again: put a new key in ${dir} (pitbox keys generate) and have the platform trust it, since nothing trusted can announce it`);
  }
  // A revoked key on disk (its file not yet deleted) is never announced as next, nor switched to.
  const usable = onDisk.filter((k) => revoked[k.jwk.kid] === undefined);
  const newest = usable.at(-1);
  if (!newest) throw new KeyError(`no signing key in ${dir}`);
  if (activeKid === null) return { active: newest, next: null, announced: [newest.jwk] };

  const active = usable.find((k) => k.jwk.kid === activeKid);
  if (!active) {
    throw new KeyError(`the active signing key ${activeKid} is not in ${dir}: put it back (a new key must be announced before it signs, which needs the old one)`);
  }
  const known = new Set(history.keys().map((k) => k.jwk.kid));
  const next = usable.filter((k) => !known.has(k.jwk.kid) && k.createdMs >= active.createdMs).at(-1) ?? null;
  return { active, next, announced: [active.jwk, ...(next ? [next.jwk] : []), ...stillNeeded(history, activeKid)] };
}

/** Older keys whose events are still in the journal (and so may still be published). */
function stillNeeded(history: KeyHistory, activeKid: string): Ed25519Jwk[] {
  const oldest = history.oldestSeq();
  if (oldest === null) return [];
  const used = history.keys().filter((k) => k.firstSeq !== null);
  return used.flatMap((k, i) => {
    const lastSigned = (used[i + 1]?.firstSeq ?? Infinity) - 1;
    return k.jwk.kid !== activeKid && lastSigned >= oldest ? [k.jwk] : [];
  });
}
