import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalize } from './canonical.js';

/** An Ed25519 public key as RFC 8037 writes it, with its RFC 7638 thumbprint as `kid`. */
export interface Ed25519Jwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  /** base64url of the 32-byte public key. */
  readonly x: string;
  readonly kid: string;
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function sha256(text: string | Uint8Array): Buffer {
  return createHash('sha256').update(text).digest();
}

/** RFC 7638: SHA-256 over the required members only, in canonical form. */
export function jwkThumbprint(jwk: { readonly crv: string; readonly kty: string; readonly x: string }): string {
  return base64url(sha256(canonicalize({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })));
}

export function publicJwk(key: KeyObject): Ed25519Jwk {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  const { x } = createPublicKey(key).export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }) };
}

/** The verifying key of a JWK; refuses a JWK whose `kid` is not its own thumbprint. */
export function publicKeyFromJwk(jwk: Ed25519Jwk): KeyObject {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 JWK');
  const kid = jwkThumbprint(jwk);
  if (jwk.kid !== kid) throw new Error(`JWK kid ${jwk.kid} is not its thumbprint ${kid}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
}
