import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base64url, sha256 } from './contract/jwk.js';

/** Facts about this box and this build that `birth` reports. */

/** The package version, found from this file whether it runs from source or from dist/. */
export function softwareVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pitbox') return `pitbox/${pkg.version ?? '0.0.0'}`;
    }
    dir = dirname(dir);
  }
  return 'pitbox/unknown';
}

/** The kernel's id for this boot: a new one in `birth` means the box restarted, not just the service. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export function fileHash(path: string): string {
  return base64url(sha256(readFileSync(path)));
}
