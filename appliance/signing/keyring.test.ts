import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { KeyRecord } from '../journal/journal.js';
import { planKeys } from './key-plan.js';
import { generateKey, loadKeys } from './keyring.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-keys-'));

t.test('generate writes a 0600 PKCS#8 key named by its kid, in a 0700 directory, and never overwrites', async (t) => {
  const d = join(dir(), 'keys');
  const k = generateKey(d);
  t.equal(statSync(k.file).mode & 0o777, 0o600);
  t.equal(statSync(d).mode & 0o777, 0o700);
  t.equal(k.file, join(d, `${k.jwk.kid}.key`));
  t.match(readFileSync(k.file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  t.same(Object.keys(k.jwk).sort(), ['crv', 'kid', 'kty', 'x'], 'the public JWK carries no private part');
  t.same(loadKeys(d).map((x) => x.jwk), [k.jwk], 'loads back as the same key');
});

t.test('a key others can read, a wrong key type, an empty or missing directory: refused with what to do', async (t) => {
  const d = dir();
  const k = generateKey(d);
  chmodSync(k.file, 0o644);
  t.throws(() => loadKeys(d), new RegExp(`mode 644.*chmod 600 ${k.file}`));
  chmodSync(k.file, 0o640);
  t.throws(() => loadKeys(d), new RegExp(`mode 640.*chmod 600 ${k.file}`), 'readable by its group is refused too');
  chmodSync(k.file, 0o600);
  t.equal(loadKeys(d).length, 1, '0600 is accepted');

  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(join(d, 'rsa.key'), rsa, { mode: 0o600 });
  t.throws(() => loadKeys(d), /rsa key; pitbox signs with Ed25519/);

  const e = dir();
  writeFileSync(join(e, 'junk.key'), 'not a key', { mode: 0o600 });
  t.throws(() => loadKeys(e), /not a PEM private key/);
  t.throws(() => loadKeys(dir()), /no signing key in .*pitbox keys generate/);
  t.throws(() => loadKeys(join(dir(), 'nope')), /cannot read the key directory .*ENOENT/);
});

t.test('rotation plan: a new key is announced first, and old keys stay announced while their events are kept', async (t) => {
  const d = dir();
  const a = generateKey(d);
  utimesSync(a.file, 1000, 1000);
  const onDisk = () => loadKeys(d);

  const fresh = { activeKid: () => null, keys: (): KeyRecord[] => [], oldestSeq: () => null, revokedKeys: () => ({}) };
  t.equal(planKeys(onDisk(), fresh, d).active.jwk.kid, a.jwk.kid, 'a new table signs with its only key');

  const b = generateKey(d);
  utimesSync(b.file, 2000, 2000);
  const running = { activeKid: () => a.jwk.kid, keys: (): KeyRecord[] => [{ jwk: a.jwk, firstSeq: 1 }], oldestSeq: () => 1, revokedKeys: () => ({}) };
  const plan = planKeys(onDisk(), running, d);
  t.equal(plan.active.jwk.kid, a.jwk.kid, 'the old key keeps signing until the birth is acknowledged');
  t.equal(plan.next?.jwk.kid, b.jwk.kid);
  t.same(plan.announced.map((j) => j.kid), [a.jwk.kid, b.jwk.kid], 'both announced');

  const rotated = { activeKid: () => b.jwk.kid, keys: (): KeyRecord[] => [{ jwk: a.jwk, firstSeq: 1 }, { jwk: b.jwk, firstSeq: 50 }], oldestSeq: () => 10, revokedKeys: () => ({}) };
  const after = planKeys(onDisk(), rotated, d);
  t.same([after.active.jwk.kid, after.next], [b.jwk.kid, null]);
  t.same(after.announced.map((j) => j.kid), [b.jwk.kid, a.jwk.kid], 'the old key still verifies retained events 10-49');
  const pruned = { ...rotated, oldestSeq: () => 50 };
  t.same(planKeys(onDisk(), pruned, d).announced.map((j) => j.kid), [b.jwk.kid], 'no longer needed once its events are pruned');

  const lost = { activeKid: () => 'gone', keys: (): KeyRecord[] => [], oldestSeq: () => 1, revokedKeys: () => ({}) };
  t.throws(() => planKeys(onDisk(), lost, d), /active signing key gone is not in/);

  const revokedNext = { ...running, revokedKeys: () => ({ [b.jwk.kid]: 7 }) };
  const held = planKeys(onDisk(), revokedNext, d);
  t.same([held.active.jwk.kid, held.next, held.announced.map((j) => j.kid)], [a.jwk.kid, null, [a.jwk.kid]], 'a revoked key on disk is neither announced nor switched to');
  const revokedActive = { ...running, revokedKeys: () => ({ [a.jwk.kid]: 9 }) };
  t.throws(() => planKeys(onDisk(), revokedActive, d), new RegExp(`active signing key ${a.jwk.kid} was revoked at seq 9: it must never sign again`));
});
