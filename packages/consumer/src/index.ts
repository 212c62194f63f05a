/**
 * @pitbox/consumer: what a backend needs to take a pitbox table's results off MQTT and trust
 * them. See README.md for the API and a complete example.
 */
export { canonicalize } from './canonical.js';
export { chainHash, chainHashOfText, ed25519Signer, seal, signatureValid } from './envelope.js';
export type { BirthMessage, EventEnvelope, JsonObject, JsonValue, Signed, Signer, StateMessage, Unsigned } from './envelope.js';
export { jwkThumbprint, publicJwk, publicKeyFromJwk } from './jwk.js';
export type { Ed25519Jwk } from './jwk.js';
export { parseEvent, TableVerifier } from './verifier.js';
export type { EventOutcome, VerifierCheckpoint, VerifierOptions, Violation, ViolationCode } from './verifier.js';
export { applyEvent, emptyView } from './table-view.js';
export type { TableView } from './table-view.js';
export { VerifiedStream } from './stream.js';
export type { MessageSource, StreamItem, StreamOptions } from './stream.js';
export { ReceivedFrames } from './video-link.js';
export type { FrameLink, ReceivedFrame } from './video-link.js';
export { FrameHold, namedFrame } from './frame-hold.js';
export type { Released } from './frame-hold.js';
export { describeEvent, HumanLines } from './human-lines.js';
