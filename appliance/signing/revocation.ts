import type { KeyHistory, KeyPlan } from './key-plan.js';

/**
 * Whether `kid` may be revoked now, and why not. The key that signs now cannot be: the
 * revocation is signed by the current key, and a table needs one that is not revoked (rotate
 * first, then revoke the old one). A kid this table never announced was never trusted, so there
 * is nothing to revoke.
 */
export function revocationRefusal(kid: string, reason: string, plan: KeyPlan, history: KeyHistory): string | null {
  if (reason.trim() === '') return 'say why (--reason): the platform reads it';
  if (kid === plan.active.jwk.kid) return `${kid} signs now: rotate first (pitbox keys rotate), then revoke it once the new key signs`;
  const at = history.revokedKeys()[kid];
  if (at !== undefined) return `${kid} was revoked already, at seq ${at}`;
  const known = plan.next?.jwk.kid === kid || plan.announced.some((j) => j.kid === kid) || history.keys().some((k) => k.jwk.kid === kid);
  if (!known) return `${kid} was never announced by this table: nothing trusts it`;
  return null;
}
