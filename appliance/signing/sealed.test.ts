import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import t from 'tap';
import { generateKey, loadKeys, sealPlainKeys } from './keyring.js';
import { machine, unsealAsTheUnitWould } from '../test-support/sealed-keys.js';

/**
 * Sealed keys with the real systemd-creds (systemd 252), no PID 1 needed: `--with-key=host`
 * against a host key file of the test's own (SYSTEMD_CREDENTIAL_SECRET), and a second host key
 * file playing another machine.
 */

const dir = () => mkdtempSync(join(tmpdir(), 'pitbox-sealed-'));

const signsFor = (key: { signer: { sign(b: Buffer): Buffer }; jwk: { x: string } }) => {
  const probe = randomBytes(32);
  return verify(null, probe, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.jwk.x }, format: 'jwk' }), key.signer.sign(probe));
};

t.test('a sealed key: no PEM on disk, 0600, and it loads as the unit hands it over and as root unseals it', async (t) => {
  const env = machine();
  const d = join(dir(), 'keys');
  const k = generateKey(d, { seal: 'host', env });
  t.equal(k.file, join(d, 'sealed', `${k.jwk.kid}.cred`));
  t.equal(k.storage, 'sealed');
  t.equal(statSync(k.file).mode & 0o777, 0o600);
  t.notMatch(readFileSync(k.file, 'latin1'), /PRIVATE KEY|pitbox-key-created/, 'the file holds no plaintext');
  t.same(readdirSync(d), ['sealed'], 'no plain key beside it');

  const unsealed = loadKeys(d, env);
  t.same(unsealed.map((x) => [x.jwk, x.storage, x.createdMs]), [[k.jwk, 'sealed', k.createdMs]], 'root (keys list, doctor) unseals it with systemd-creds');

  const creds = unsealAsTheUnitWould(d, env);
  const given = loadKeys(d, { CREDENTIALS_DIRECTORY: creds });
  t.same(given.map((x) => [x.jwk, x.storage, x.createdMs]), [[k.jwk, 'sealed', k.createdMs]], 'the appliance reads it from $CREDENTIALS_DIRECTORY');
  t.ok(signsFor(given[0] as (typeof given)[0]), 'and signs with it');
});

t.test('the same sealed file on another machine (another host key) is refused, saying what that means', async (t) => {
  const here = machine();
  const d = join(dir(), 'keys');
  generateKey(d, { seal: 'host', env: here });
  const elsewhere = machine();
  t.throws(() => loadKeys(d, elsewhere), /cannot unseal .*\.cred on this machine: it was sealed for another one, or this machine's host key .* has changed since .*pitbox keys rotate/);
  t.throws(() => unsealAsTheUnitWould(d, elsewhere), 'systemd-creds itself refuses, so the unit would not start either');
});

t.test('a sealed key renamed to pass as another is refused (the name is sealed in)', async (t) => {
  const env = machine();
  const d = join(dir(), 'keys');
  const k = generateKey(d, { seal: 'host', env });
  copyFileSync(k.file, join(d, 'sealed', 'someone-else.cred'));
  t.throws(() => loadKeys(d, env), /cannot unseal .*someone-else\.cred/);
});

t.test('sealed and plain keys together, oldest first; a sealed key the unit did not hand over is named', async (t) => {
  const env = machine();
  const d = join(dir(), 'keys');
  const plain = generateKey(d, { seal: 'plain' });
  utimesSync(plain.file, 1000, 1000);
  const sealed = generateKey(d, { seal: 'host', env });
  t.same(loadKeys(d, env).map((k) => [k.jwk.kid, k.storage]), [[plain.jwk.kid, 'plain'], [sealed.jwk.kid, 'sealed']]);

  const creds = unsealAsTheUnitWould(d, env);
  const later = generateKey(d, { seal: 'host', env });
  t.throws(() => loadKeys(d, { CREDENTIALS_DIRECTORY: creds }), new RegExp(`${later.jwk.kid}\\.cred in .* were not handed to the service: the unit needs LoadCredentialEncrypted=signing-key:${d}/sealed`));

  mkdirSync(join(d, 'other'));
  const all = loadKeys(d, { CREDENTIALS_DIRECTORY: unsealAsTheUnitWould(d, env) });
  t.same(all.map((k) => k.jwk.kid), [plain.jwk.kid, sealed.jwk.kid, later.jwk.kid], 'once restarted, every key');
});

t.test('sealing without systemd-creds fails with what to do instead', async (t) => {
  const env = { ...machine(), PATH: dir() };
  t.throws(() => generateKey(join(dir(), 'keys'), { seal: 'host', env }), /cannot run systemd-creds \(ENOENT\): .*pitbox keys generate --plain/);
});

t.test('keys seal: each plain key sealed, keeping when it was made, and removed only once the sealed one unseals to it', async (t) => {
  const env = machine();
  const d = join(dir(), 'keys');
  const plain = generateKey(d, { seal: 'plain' });
  utimesSync(plain.file, 2000, 2000);
  const sealed = sealPlainKeys(d, 'host', env);
  t.same(sealed.map((k) => [k.jwk.kid, k.storage, k.createdMs]), [[plain.jwk.kid, 'sealed', 2_000_000]]);
  t.notOk(existsSync(plain.file), 'the plain file is gone');
  t.same(loadKeys(d, env).map((k) => [k.jwk.kid, k.storage]), [[plain.jwk.kid, 'sealed']]);
  t.same(sealPlainKeys(d, 'host', env), [], 'nothing left to seal');
});

t.test('pitbox keys rotate: a new sealed key in the table\'s key directory, the restart named; list shows how each is kept', async (t) => {
  const env = machine();
  const d = dir();
  const config = join(d, 'roulette-07.yaml');
  writeFileSync(config, `studio: s\ntable: roulette-07\ngame: roulette\nwheel:\n  driver: cammegh-ss2\n  port: /dev/null\njournal:\n  path: ${d}/j.db\nsigning:\n  keyDir: ${d}/keys\n`);
  const first = generateKey(join(d, 'keys'), { seal: 'plain' });
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  const pitbox = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env });
  const rotated = pitbox('keys', 'rotate', '--config', config, '--seal', 'host', '--no-restart');
  t.equal(rotated.status, 0, rotated.stderr);
  const jwk = JSON.parse(rotated.stdout) as { kid: string; d?: string };
  t.equal(jwk.d, undefined, 'no private part printed');
  t.match(rotated.stderr, new RegExp(`new key ${jwk.kid}, sealed for this machine .*1 older key\\(s\\) stay\\. Restart pitbox@roulette-07\\.service to announce it`));
  const list = pitbox('keys', 'list', '--dir', join(d, 'keys'));
  t.same(list.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kid: string }).kid), [first.jwk.kid, jwk.kid], 'oldest first');
  t.match(list.stderr, new RegExp(`${first.jwk.kid} plain .*\\n${jwk.kid} sealed `));
  t.equal(pitbox('keys', 'revoke', jwk.kid, '--config', config).status, 2, 'revoke without --reason: usage');
});
