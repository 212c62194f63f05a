import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ed25519Signer, type Signer } from '../contract/envelope.js';
import { publicJwk, type Ed25519Jwk } from '../contract/jwk.js';
import { CREDENTIAL_ID, credentialName, resolveSealWith, seal, SEALED_SUBDIR, SEALED_SUFFIX, SealError, unseal, type SealWith } from './sealed.js';

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** A private signing key. Its bytes stay in this object: never logged, never published. */
export interface SigningKey {
  readonly jwk: Ed25519Jwk;
  readonly signer: Signer;
  /** Where it lives: the PEM file, or the sealed file it was unsealed from. */
  readonly file: string;
  /** Plain PEM on disk (readable by anyone who copies the disk), or sealed for this machine. */
  readonly storage: 'plain' | 'sealed';
  /** When it was made: the newest key is the one to rotate to. */
  readonly createdMs: number;
}

export interface GenerateOptions {
  /** `plain`: a PEM file as before, for boxes without systemd-creds. Otherwise sealed with this key. */
  readonly seal: SealWith | 'plain';
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * RFC 7468 §2 lets text precede a PEM block and parsers skip it: a sealed key carries its
 * creation time there, because the file systemd hands over has its own mtime.
 */
const CREATED = /^pitbox-key-created: (\S+)$/m;

/**
 * A new Ed25519 key in `dir` (created 0700): sealed for this machine as
 * `<dir>/sealed/<kid>.cred`, or, with `seal: 'plain'`, `<dir>/<kid>.key` (PKCS#8 PEM, 0600).
 * Never overwrites.
 */
export function generateKey(dir: string, opts: GenerateOptions = { seal: 'plain' }): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicJwk(privateKey);
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const signer = ed25519Signer(jwk.kid, privateKey);
  const sealWith = opts.seal;
  if (sealWith === 'plain') {
    const file = join(dir, `${jwk.kid}.key`);
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    return { jwk, signer, file, storage: 'plain', createdMs: statSync(file).mtimeMs };
  }
  const createdMs = Date.now();
  const sealedDir = join(dir, SEALED_SUBDIR);
  mkdirSync(sealedDir, { recursive: true, mode: 0o700 });
  const fileName = `${jwk.kid}${SEALED_SUFFIX}`;
  const file = join(sealedDir, fileName);
  if (existsSync(file)) throw new KeyError(`${file} exists`);
  wrap(() => seal(`pitbox-key-created: ${new Date(createdMs).toISOString()}\n${pem}`, file, fileName, resolveSealWith(sealWith, opts.env), opts.env));
  return { jwk, signer, file, storage: 'sealed', createdMs };
}

/**
 * `pitbox keys seal`: each plain `*.key` in `dir` sealed for this machine (keeping when it was
 * made), checked to unseal to the same key, and only then removed.
 */
export function sealPlainKeys(dir: string, withKey: SealWith, env: NodeJS.ProcessEnv = process.env): SigningKey[] {
  const plain = loadKeys(dir, { ...env, CREDENTIALS_DIRECTORY: '' }).filter((k) => k.storage === 'plain');
  const how = resolveSealWith(withKey, env);
  mkdirSync(join(dir, SEALED_SUBDIR), { recursive: true, mode: 0o700 });
  return plain.map((k) => {
    const fileName = `${k.jwk.kid}${SEALED_SUFFIX}`;
    const file = join(dir, SEALED_SUBDIR, fileName);
    const pem = readFileSync(k.file, 'utf8');
    wrap(() => seal(`pitbox-key-created: ${new Date(k.createdMs).toISOString()}\n${pem}`, file, fileName, how, env));
    const back = parse(wrap(() => unseal(file, fileName, env)), file, 'sealed', null);
    if (back.jwk.kid !== k.jwk.kid) throw new KeyError(`${file} does not unseal to ${k.jwk.kid}; ${k.file} is kept`);
    unlinkSync(k.file);
    return back;
  });
}

/**
 * Every key for `dir`, oldest first: plain `*.key` files in it, and its sealed keys. Inside the
 * unit the sealed ones come unsealed from `$CREDENTIALS_DIRECTORY` (`signing-key_<kid>.cred`);
 * outside it (root running `keys list`, `doctor`) they are unsealed here. Refuses a key that
 * group or others can read, or that is not an Ed25519 private key: a leaked table key lets
 * anyone forge its results.
 */
export function loadKeys(dir: string, env: NodeJS.ProcessEnv = process.env): SigningKey[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // In the unit a key directory made by root (sealed keys only) may be closed to the service
    // user, which then has no plain key to read there: systemd hands over the sealed ones.
    if (!(env.CREDENTIALS_DIRECTORY && code === 'EACCES')) throw new KeyError(`cannot read the key directory ${dir}: ${code ?? (err as Error).message}`);
    names = [];
  }
  const plain = names.filter((n) => n.endsWith('.key')).map((n) => loadPlain(join(dir, n)));
  const keys = [...plain, ...loadSealed(dir, env)];
  if (keys.length === 0) throw new KeyError(`no signing key in ${dir}: create one with \`pitbox keys generate --dir ${dir}\``);
  return keys.sort((a, b) => a.createdMs - b.createdMs);
}

function loadSealed(dir: string, env: NodeJS.ProcessEnv): SigningKey[] {
  const sealedDir = join(dir, SEALED_SUBDIR);
  const credDir = env.CREDENTIALS_DIRECTORY;
  const sealed = sealedFiles(sealedDir, !!credDir);
  if (!credDir) return sealed.map((n) => parse(wrap(() => unseal(join(sealedDir, n), n, env)), join(sealedDir, n), 'sealed', null));
  const given = new Set(readdirSync(credDir).filter((n) => n.startsWith(`${CREDENTIAL_ID}_`) && n.endsWith(SEALED_SUFFIX)));
  const absent = sealed.filter((n) => !given.has(credentialName(n)));
  if (absent.length > 0) {
    throw new KeyError(
      `sealed key(s) ${absent.join(', ')} in ${sealedDir} were not handed to the service: the unit needs LoadCredentialEncrypted=${CREDENTIAL_ID}:${sealedDir} (restart it after adding a key)`,
    );
  }
  return [...given].map((n) => {
    const file = join(credDir, n);
    checkMode(file);
    return parse(readFileSync(file, 'utf8'), file, 'sealed', null);
  });
}

/**
 * The sealed files. Inside the unit only to name one systemd did not hand over: a directory the
 * service user may not list (made by root and never chown'd) skips that check, nothing else.
 */
function sealedFiles(sealedDir: string, inUnit: boolean): string[] {
  try {
    return readdirSync(sealedDir).filter((n) => n.endsWith(SEALED_SUFFIX));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || (inUnit && code === 'EACCES')) return [];
    throw err;
  }
}

function loadPlain(file: string): SigningKey {
  const st = checkMode(file);
  return parse(readFileSync(file, 'utf8'), file, 'plain', st.mtimeMs);
}

function checkMode(file: string): Stats {
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0) {
    throw new KeyError(`key file ${file} has mode ${(st.mode & 0o777).toString(8)}: group and others must not read it (chmod 600 ${file})`);
  }
  return st;
}

function parse(text: string, file: string, storage: SigningKey['storage'], mtimeMs: number | null): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new KeyError(`key file ${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`key file ${file} holds a ${key.asymmetricKeyType} key; pitbox signs with Ed25519`);
  const created = CREATED.exec(text)?.[1];
  const createdMs = created ? Date.parse(created) : mtimeMs;
  if (createdMs === null || Number.isNaN(createdMs)) throw new KeyError(`sealed key ${file} does not say when it was made (pitbox-key-created)`);
  const jwk = publicJwk(key);
  return { jwk, signer: ed25519Signer(jwk.kid, key), file, storage, createdMs };
}

/** Sealing problems are key problems to every caller: one error type, one message. */
function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SealError) throw new KeyError(err.message);
    throw err;
  }
}
