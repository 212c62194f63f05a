import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import t from 'tap';
import { canonicalize } from './canonical.js';
import { chainHash, ed25519Signer, seal, signatureValid, type EventEnvelope } from './envelope.js';
import { jwkThumbprint, publicJwk, publicKeyFromJwk } from './jwk.js';

t.test('JCS: the RFC 8785 examples', async (t) => {
  // RFC 8785 section 3.2.2, parsed the way a JSON parser sees the input.
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  ) as unknown;
  t.equal(canonicalize(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  // Section 3.2.3: members sorted by UTF-16 code units, not by code points or bytes.
  const sorting = JSON.parse('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}') as Record<string, string>;
  const text = canonicalize(sorting);
  const order = Object.values(sorting).sort((x, y) => text.indexOf(`"${x}"`) - text.indexOf(`"${y}"`));
  t.same(order, ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh']);
  t.equal(text.indexOf('"\\r"'), 1, 'CR (U+000D) sorts first');
  t.ok(text.indexOf('"\ud83d\ude00"') < text.indexOf('"\ufb33"'), 'a surrogate pair (D83D) sorts before U+FB33');
});

t.test('JCS: numbers as ECMAScript prints them (RFC 8785 appendix B)', async (t) => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [9007199254740992, '9007199254740992'],
    [295147905179352830000, '295147905179352830000'],
    [17.25, '17.25'],
    [-1.5e-300, '-1.5e-300'],
  ];
  for (const [n, s] of cases) t.equal(canonicalize(n), s, `${s}`);
});

t.test('JCS refuses what is not JSON instead of changing it', async (t) => {
  t.throws(() => canonicalize(NaN), /not a JSON number/);
  t.throws(() => canonicalize({ a: Infinity }), /not a JSON number/);
  t.throws(() => canonicalize(new Date()), /plain objects/);
  t.throws(() => canonicalize(10n), /bigint/);
  t.equal(canonicalize({ b: undefined, a: [1, 'x'] }), '{"a":[1,"x"]}', 'undefined members are absent, as in JSON.stringify');
});

t.test('JWK thumbprint and signatures: the RFC 8037 Ed25519 examples', async (t) => {
  const x = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
  t.equal(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', 'RFC 8037 A.3');
  const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }, format: 'jwk' });
  t.same(publicJwk(priv), { kty: 'OKP', crv: 'Ed25519', x, kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' });
  const sig = sign(null, Buffer.from('eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc'), priv).toString('base64url');
  t.equal(sig, 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg', 'RFC 8037 A.4');
  t.throws(() => publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x, kid: 'not-its-thumbprint' }), /is not its thumbprint/);
});

t.test('seal, verify, chain: any changed byte breaks the signature', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicJwk(privateKey);
  const signer = ed25519Signer(jwk.kid, privateKey);
  const { message, text } = seal<EventEnvelope>(
    { v: 1, studio: 's', table: 't', seq: 1, id: 'a', ts: '2026-01-01T00:00:00.000Z', type: 'round.result', round: 1, data: { number: 17, rotorRpm: 17.25 }, prev: null, kid: jwk.kid },
    signer,
  );
  t.equal(text, canonicalize(message), 'the wire text is the canonical form');
  const key = publicKeyFromJwk(jwk);
  t.ok(signatureValid(message, key));
  const changedResult: EventEnvelope = { ...message, data: { number: 18, rotorRpm: 17.25 } };
  const changedSeq: EventEnvelope = { ...message, seq: 2 };
  t.notOk(signatureValid(changedResult, key), 'a changed result');
  t.notOk(signatureValid(changedSeq, key), 'a changed seq');
  t.match(chainHash(message), /^[A-Za-z0-9_-]{43}$/, 'SHA-256, base64url without padding');
  t.throws(() => seal<EventEnvelope>({ ...message, kid: 'other' }, signer), /signed with/);
});

t.test('sealing splices sig into the canonical text exactly where JCS puts it', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicJwk(privateKey);
  for (const extra of [{}, { a: 1 }, { zz: [1, { b: 'x' }] }, { sia: true, sih: null }]) {
    const { message, text } = seal<EventEnvelope>(
      { v: 1, studio: 's', table: 't', seq: 3, id: 'i', ts: 'x', type: 'round.opened', data: { by: 'wheel' }, prev: null, kid: jwk.kid, ...extra },
      ed25519Signer(jwk.kid, privateKey),
    );
    t.equal(text, canonicalize(message), JSON.stringify(extra));
  }
});

/**
 * A known answer for what is signed and what is hashed, computed outside this code base (with
 * OpenSSL 3 from the bytes below, the RFC 8037 key): changing what `seal` signs or what the
 * chain hashes breaks this test even though the producer and the verifier share that code.
 *
 *   unsigned text  -> openssl pkeyutl -sign -rawin (Ed25519)          = sig
 *   signed text    -> openssl dgst -sha256 -binary | base64url        = the next event's prev
 */
t.test('hash chain and signature against a known answer (CONTRACT.md, computed with OpenSSL)', async (t) => {
  const kid = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
  const prev = 'fHbEmT_VLAc1UWnXFMQSAgkxxmk-YiPqKZexwsAOlOw'; // sha256("pitbox"), standing in for event 1
  const unsignedText =
    '{"data":{"colour":"red","direction":"clockwise","number":32,"rotorRpm":17.3,"spin":201},"id":"00000000-0000-4000-8000-000000000001",' +
    `"kid":"${kid}","prev":"${prev}","round":7,"seq":2,"studio":"studio-a","table":"roulette-07","ts":"2026-11-28T12:00:00.000Z","type":"round.result","v":1}`;
  const sig = 'ZnBuaK5Uo9H1kE-iK2leYV1ntFeChFXxsfKbxQ-kRsfjPEschub1bvdjuOA-WrETfT8zQ1Us7b0vJfwA2CMvDQ';
  const signedText = unsignedText.replace(`"seq":2,`, `"seq":2,"sig":"${sig}",`);
  const nextPrev = 'iR7ShvNDomEWQ2WNMgrasyvzw8p-OCYFy--xm5oYC_A';

  const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' }, format: 'jwk' });
  // Members given out of order on purpose: the canonical form sorts them.
  const { message, text } = seal<EventEnvelope>(
    { v: 1, type: 'round.result', seq: 2, table: 'roulette-07', studio: 'studio-a', round: 7, ts: '2026-11-28T12:00:00.000Z', id: '00000000-0000-4000-8000-000000000001', data: { spin: 201, number: 32, rotorRpm: 17.3, direction: 'clockwise', colour: 'red' }, prev, kid },
    ed25519Signer(kid, priv),
  );
  t.equal(canonicalize({ ...message, sig: undefined }), unsignedText, 'the signed bytes: the canonical form without sig');
  t.equal(message.sig, sig, 'Ed25519 over exactly those bytes');
  t.equal(text, signedText, 'the published bytes: the canonical form with sig');
  t.equal(chainHash(message), nextPrev, 'prev of the next event: SHA-256 of the published bytes, base64url');
  t.equal(createHash('sha256').update(signedText).digest('base64url'), nextPrev, 'the vector itself is consistent');
});
