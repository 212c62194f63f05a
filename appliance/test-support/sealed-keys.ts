import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialName } from '../signing/sealed.js';

/**
 * A machine's host key as `systemd-creds setup` makes it (random bytes, mode 0400), and the
 * environment that points systemd-creds at it: each call plays another machine.
 */
export function machine(): NodeJS.ProcessEnv {
  const file = join(mkdtempSync(join(tmpdir(), 'pitbox-host-')), 'credential.secret');
  writeFileSync(file, randomBytes(4096), { mode: 0o400 });
  return { ...process.env, SYSTEMD_CREDENTIAL_SECRET: file, CREDENTIALS_DIRECTORY: '' };
}

/**
 * What `LoadCredentialEncrypted=signing-key:KEYDIR/sealed` does at unit start: every sealed file
 * decrypted (by systemd-creds itself, name checked) into a fresh credentials directory, 0400.
 */
export function unsealAsTheUnitWould(keyDir: string, env: NodeJS.ProcessEnv): string {
  const creds = mkdtempSync(join(tmpdir(), 'pitbox-creds-'));
  for (const n of readdirSync(join(keyDir, 'sealed'))) {
    const out = join(creds, credentialName(n));
    execFileSync('systemd-creds', ['decrypt', `--name=${credentialName(n)}`, join(keyDir, 'sealed', n), out], { env, stdio: 'ignore' });
    execFileSync('chmod', ['0400', out]);
  }
  return creds;
}
