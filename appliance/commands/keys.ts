import { execFileSync } from 'node:child_process';
import { chownSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { generateKey, KeyError, loadKeys, sealPlainKeys, type SigningKey } from '../signing/keyring.js';
import type { SealWith } from '../signing/sealed.js';
import { REVOKE_KEY, defaultSocketPath } from '../kernel/control-socket.js';
import { askControl } from './table.js';

const USAGE = `usage: pitbox keys generate --dir DIR [--plain | --seal auto|host|tpm2|host+tpm2]
       pitbox keys list --dir DIR
       pitbox keys seal --dir DIR [--seal ...]
       pitbox keys rotate --config FILE [--plain | --seal ...] [--no-restart]
       pitbox keys revoke KID --reason TEXT --config FILE [--by NAME]`;

const SEAL_WITH: readonly string[] = ['auto', 'host', 'tpm2', 'host+tpm2'];

/**
 * The technician's key commands. Private keys are never printed; public JWKs go to stdout (for
 * the platform's trust list), what happened to stderr. `rotate` and `revoke` act on a table by
 * its config: the new key is announced at the restart and signs once the broker has that birth;
 * a revocation is journaled by the running table, signed by its current key.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: 'string', short: 'd' },
      config: { type: 'string', short: 'c' },
      plain: { type: 'boolean', default: false },
      seal: { type: 'string', default: 'auto' },
      'no-restart': { type: 'boolean', default: false },
      reason: { type: 'string' },
      by: { type: 'string', default: process.env.SUDO_USER ?? 'technician' },
    },
  });
  const [action, kid] = positionals;
  if (!SEAL_WITH.includes(values.seal)) return usage(`--seal is one of ${SEAL_WITH.join(', ')}`);
  const how: SealWith | 'plain' = values.plain ? 'plain' : (values.seal as SealWith);
  try {
    switch (action) {
      case 'generate': {
        if (!values.dir) return usage();
        announce(generateKey(values.dir, { seal: how }), 'Restart the table to announce it; it signs once the broker has its birth.');
        return 0;
      }
      case 'list': {
        if (!values.dir) return usage();
        for (const key of loadKeys(values.dir)) {
          process.stderr.write(`${key.jwk.kid} ${key.storage} ${new Date(key.createdMs).toISOString()}\n`);
          process.stdout.write(`${JSON.stringify(key.jwk)}\n`);
        }
        return 0;
      }
      case 'seal': {
        if (!values.dir || how === 'plain') return usage();
        const sealed = sealPlainKeys(values.dir, how);
        process.stderr.write(sealed.length === 0 ? `no plain key in ${values.dir}\n` : `sealed ${sealed.map((k) => k.jwk.kid).join(', ')}; the plain files are removed. Restart the table.\n`);
        return 0;
      }
      case 'rotate':
        return values.config ? rotate(values.config, how, !values['no-restart']) : usage();
      case 'revoke':
        if (!kid || !values.config || !values.reason) return usage();
        return await revoke(values.config, { kid, reason: values.reason, by: values.by });
      default:
        return usage();
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
    if (!(err instanceof KeyError) && (err as NodeJS.ErrnoException).code === undefined) throw err;
    process.stderr.write(`pitbox keys: ${(err as Error).message}\n`);
    return 1;
  }
}

function usage(why?: string): number {
  process.stderr.write(`${why ? `${why}\n` : ''}${USAGE}\n`);
  return 2;
}

function announce(key: SigningKey, next: string): void {
  const where = key.storage === 'sealed' ? `sealed for this machine (${key.file})` : `${key.file} (mode 0600, plain: anyone who copies the disk can sign with it)`;
  process.stderr.write(`new key ${key.jwk.kid}, ${where}. ${next}\n`);
  process.stdout.write(`${JSON.stringify(key.jwk)}\n`);
}

/**
 * A new key in the table's key directory, then a restart of its unit (`pitbox@<config name>`),
 * which announces it. A plain key is given to the directory's owner (the service user reads it
 * itself); a sealed one is read by systemd.
 */
function rotate(configFile: string, how: SealWith | 'plain', restart: boolean): number {
  const config = loadConfig(configFile);
  const dir = config.signing.keyDir;
  const before = loadKeys(dir).length;
  const key = generateKey(dir, { seal: how });
  if (key.storage === 'plain') {
    const owner = statSync(dir);
    chownSync(key.file, owner.uid, owner.gid);
  }
  const unit = `pitbox@${basename(configFile).replace(/\.ya?ml$/, '')}.service`;
  if (!restart) {
    announce(key, `${before} older key(s) stay. Restart ${unit} to announce it.`);
    return 0;
  }
  try {
    // try-restart: a table that is not running is left so; it announces the key when it starts.
    execFileSync('systemctl', ['try-restart', unit], { stdio: ['ignore', 'ignore', 'pipe'] });
    announce(key, `${unit} restarted (if it was running): the key is announced now and signs once the broker acknowledges that birth. Then revoke the old kid if it may have leaked.`);
  } catch (err) {
    announce(key, `Could not restart ${unit} (${(err as Error).message.split('\n')[0]}): restart it to announce the key.`);
  }
  return 0;
}

async function revoke(configFile: string, request: { kid: string; reason: string; by: string }): Promise<number> {
  const config = loadConfig(configFile);
  const socket = config.control.socket ?? defaultSocketPath(config.table);
  const answer = await askControl(socket, { action: REVOKE_KEY, ...request }).catch((err: NodeJS.ErrnoException) => {
    process.stderr.write(`pitbox keys: cannot reach ${socket} (${err.code ?? err.message}): the running table journals the revocation, signed by its current key; start it first\n`);
    return null;
  });
  if (!answer) return 1;
  if (!answer.ok) {
    process.stderr.write(`revoke ${request.kid}: refused: ${answer.reason}\n`);
    return 1;
  }
  process.stdout.write(`revoked ${request.kid}: key.revoked is journaled and goes to the platform with the next events; delete its key file\n`);
  return 0;
}
