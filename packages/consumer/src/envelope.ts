import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { canonicalize, canonicalMembers, joinMembers, withMember } from './canonical.js';
import { base64url, sha256, type Ed25519Jwk } from './jwk.js';

/**
 * The wire contract, version 1 (CONTRACT.md says the same for backends in other languages).
 * Every message a table publishes is one JSON object in RFC 8785 canonical form, signed with
 * Ed25519 over the canonical form of the object without `sig`.
 */

/** Only JSON values go into `data`, so that an event survives canonical serialisation exactly. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export interface Signed {
  /** RFC 7638 thumbprint of the signing key, announced in `birth`. */
  readonly kid: string;
  /** base64url (no padding) Ed25519 signature over canonicalize(message without sig). */
  readonly sig: string;
}

/** One table event on `<prefix>/<studio>/<table>/events`. */
export interface EventEnvelope extends Signed {
  readonly v: 1;
  readonly studio: string;
  readonly table: string;
  /** Per table, from 1, +1 each event, never reused. */
  readonly seq: number;
  /** UUID; a replay carries the same id and the same bytes. */
  readonly id: string;
  /** ISO 8601 UTC with milliseconds, when the event was journaled. */
  readonly ts: string;
  readonly type: string;
  readonly round?: number;
  readonly data: JsonObject;
  /** base64url SHA-256 of the previous event's canonical form (sig included); null for seq 1. */
  readonly prev: string | null;
}

/** Retained on `.../birth`, published on every connect before any event. */
export interface BirthMessage extends Signed {
  readonly v: 1;
  readonly studio: string;
  readonly table: string;
  readonly ts: string;
  readonly software: string;
  /** base64url SHA-256 of the table's config file as loaded. */
  readonly config: string;
  /** The Linux boot id: a new one means the box rebooted. */
  readonly boot: string;
  /** The last seq journaled when this connection began: events up to it are backlog. */
  readonly lastSeq: number;
  /** The key that signs new events now. */
  readonly activeKid: string;
  /** Every key a consumer may need: the active one, one announced to sign next, older ones. */
  readonly keys: readonly Ed25519Jwk[];
}

/** Retained on `.../state`: the table now, as of event `seq`. */
export interface StateMessage extends Signed {
  readonly v: 1;
  readonly studio: string;
  readonly table: string;
  readonly ts: string;
  readonly seq: number;
  readonly state: JsonObject;
}

export type Unsigned<T extends Signed> = Omit<T, 'sig'>;

export interface Signer {
  readonly kid: string;
  sign(data: Buffer): Buffer;
}

export function ed25519Signer(kid: string, privateKey: KeyObject): Signer {
  return { kid, sign: (data) => edSign(null, data, privateKey) };
}

/** Signs a message; returns it with `sig` and its canonical text, which is what goes on the wire. */
export function seal<T extends Signed>(unsigned: Unsigned<T>, signer: Signer): { message: T; text: string } {
  if (unsigned.kid !== signer.kid) throw new Error(`message names key ${unsigned.kid} but is signed with ${signer.kid}`);
  if ('sig' in unsigned) throw new Error('the message is already signed');
  const members = canonicalMembers(unsigned);
  const sig = base64url(signer.sign(Buffer.from(joinMembers(members))));
  // Serialised once: the signed text is the unsigned canonical text with `sig` spliced in place.
  return { message: { ...unsigned, sig } as T, text: withMember(members, 'sig', sig) };
}

export function signatureValid(message: Signed, key: KeyObject): boolean {
  const { sig, ...unsigned } = message;
  if (typeof sig !== 'string') return false;
  return edVerify(null, Buffer.from(canonicalize(unsigned)), key, Buffer.from(sig, 'base64url'));
}

/** The `prev` that the event after this one must carry. */
export function chainHash(message: EventEnvelope): string {
  return chainHashOfText(canonicalize(message));
}

/** chainHash of an event already in canonical form (what `seal` returns). */
export function chainHashOfText(canonicalText: string): string {
  return base64url(sha256(canonicalText));
}
