import { parseArgs } from 'node:util';
import { generateKey, KeyError, loadKeys } from '../signing/keyring.js';

/**
 * `pitbox keys generate --dir DIR`: a new Ed25519 signing key, `<kid>.key`, mode 0600. Prints
 * the public JWK (for the central platform's trust list), never the private key.
 * `pitbox keys list --dir DIR`: the public JWKs of the keys in DIR, oldest first.
 */
export function keysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { dir: { type: 'string', short: 'd' } } });
  if (!values.dir || (action !== 'generate' && action !== 'list')) {
    process.stderr.write('usage: pitbox keys generate|list --dir DIR\n');
    return Promise.resolve(2);
  }
  try {
    if (action === 'generate') {
      const key = generateKey(values.dir);
      process.stderr.write(`wrote ${key.file} (mode 0600). Restart the table to announce it; it signs once the broker has its birth.\n`);
      process.stdout.write(`${JSON.stringify(key.jwk)}\n`);
    } else {
      for (const key of loadKeys(values.dir)) process.stdout.write(`${JSON.stringify(key.jwk)}\n`);
    }
    return Promise.resolve(0);
  } catch (err) {
    if (!(err instanceof KeyError) && (err as NodeJS.ErrnoException).code === undefined) throw err;
    process.stderr.write(`pitbox keys: ${(err as Error).message}\n`);
    return Promise.resolve(1);
  }
}
