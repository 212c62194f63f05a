import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519Signer, type Signer } from '../contract/envelope.js';
import { publicJwk, type Ed25519Jwk } from '../contract/jwk.js';

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** A private signing key on disk. Its bytes stay in this object: never logged, never published. */
export interface SigningKey {
  readonly jwk: Ed25519Jwk;
  readonly signer: Signer;
  readonly file: string;
  /** When the file was written: the newest key is the one to rotate to. */
  readonly createdMs: number;
}

/**
 * Writes a new Ed25519 key as `<dir>/<kid>.key` (PKCS#8 PEM), mode 0600, never overwriting.
 * The directory is created 0700.
 */
export function generateKey(dir: string): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicJwk(privateKey);
  const file = join(dir, `${jwk.kid}.key`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return { jwk, signer: ed25519Signer(jwk.kid, privateKey), file, createdMs: statSync(file).mtimeMs };
}

/**
 * Every `*.key` in `dir`, oldest first. Refuses a key that group or others can read, or that is
 * not an Ed25519 private key: a leaked table key lets anyone forge its results.
 */
export function loadKeys(dir: string): SigningKey[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.key'));
  } catch (err) {
    throw new KeyError(`cannot read the key directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (names.length === 0) throw new KeyError(`no signing key in ${dir}: create one with \`pitbox keys generate --dir ${dir}\``);
  return names.map((n) => loadKey(join(dir, n))).sort((a, b) => a.createdMs - b.createdMs);
}

function loadKey(file: string): SigningKey {
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0) {
    throw new KeyError(`key file ${file} has mode ${(st.mode & 0o777).toString(8)}: group and others must not read it (chmod 600 ${file})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch {
    throw new KeyError(`key file ${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`key file ${file} holds a ${key.asymmetricKeyType} key; pitbox signs with Ed25519`);
  const jwk = publicJwk(key);
  return { jwk, signer: ed25519Signer(jwk.kid, key), file, createdMs: st.mtimeMs };
}
