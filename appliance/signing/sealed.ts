import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/**
 * Private keys sealed at rest with `systemd-creds` (systemd 252): encrypted for this machine,
 * with its TPM2 chip when it has one and else with its host key
 * (`/var/lib/systemd/credential.secret`), so a copy of the key directory is useless elsewhere.
 * The unit hands the plaintext to the appliance through `LoadCredentialEncrypted=` (files in
 * `$CREDENTIALS_DIRECTORY`); commands run by root (`keys list`, `doctor`) unseal with
 * `systemd-creds decrypt` themselves. `SYSTEMD_CREDENTIAL_SECRET` (systemd's own variable) points
 * both at another host key file, which is how the tests play a second machine.
 */

/** The credential ID prefix the unit loads the sealed directory under (`LoadCredentialEncrypted=signing-key:...`). */
export const CREDENTIAL_ID = 'signing-key';
/** Sealed keys live in this subdirectory of the key directory, one `<kid>.cred` each. */
export const SEALED_SUBDIR = 'sealed';
export const SEALED_SUFFIX = '.cred';

/** What a key is sealed with: `auto` picks TPM2 (with the host key) when the box has one, else the host key. */
export type SealWith = 'auto' | 'host' | 'tpm2' | 'host+tpm2';

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/**
 * The name systemd gives a file loaded from a credential directory (ID, "_", file name), and
 * the name sealed into it: `systemd-creds decrypt` refuses a credential under another name, so
 * a sealed file cannot be passed off as some other secret.
 */
export function credentialName(fileName: string): string {
  return `${CREDENTIAL_ID}_${fileName}`;
}

/** The key the TPM2 would be used with: `host+tpm2` binds to both the chip and the disk. */
export function resolveSealWith(wanted: SealWith, env: NodeJS.ProcessEnv = process.env): Exclude<SealWith, 'auto'> {
  if (wanted !== 'auto') return wanted;
  return hasTpm2(env) ? 'host+tpm2' : 'host';
}

function hasTpm2(env: NodeJS.ProcessEnv): boolean {
  // `systemd-creds has-tpm2` exits 0 only when firmware, driver and system all support TPM2.
  return spawnSync('systemd-creds', ['has-tpm2'], { env, stdio: 'ignore' }).status === 0;
}

/** Encrypts `plaintext` into `file` (mode 0600, never overwriting), named for the unit's credential. */
export function seal(plaintext: string, file: string, fileName: string, withKey: Exclude<SealWith, 'auto'>, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync('systemd-creds', ['encrypt', `--with-key=${withKey}`, `--name=${credentialName(fileName)}`, '-', file], { input: plaintext, env, encoding: 'utf8' });
  if (r.error) throw new SealError(`cannot run systemd-creds (${(r.error as NodeJS.ErrnoException).code}): on a box without it use \`pitbox keys generate --plain\``);
  if (r.status !== 0) throw new SealError(`systemd-creds could not seal ${file} with the ${withKey} key: ${lastLine(r.stderr)}`);
  // systemd-creds writes with the umask; sealed or not, nobody else needs to read it.
  chmodSync(file, 0o600);
}

/**
 * Decrypts a sealed file as the unit would. A file sealed on another machine (or before this
 * machine's host key or TPM2 changed) is refused with what that means, not systemd's errno.
 */
export function unseal(file: string, fileName: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('systemd-creds', ['decrypt', `--name=${credentialName(fileName)}`, file, '-'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new SealError(`cannot unseal ${file}: systemd-creds is not installed`);
    throw new SealError(
      `cannot unseal ${file} on this machine: it was sealed for another one, or this machine's host key (/var/lib/systemd/credential.secret) or TPM2 has changed since (systemd-creds: ${lastLine(e.stderr ?? '')}). ` +
        'A copied key does not work elsewhere, by design: make a new one here with `pitbox keys rotate` and revoke the old kid if the copy is suspect',
    );
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => !/not located on encrypted media/.test(l)).at(-1) ?? 'no message';
}
