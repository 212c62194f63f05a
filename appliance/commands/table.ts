import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { ACTIONS, defaultSocketPath, type Action } from '../kernel/control-socket.js';

const USAGE = `usage: pitbox table ACTION (--config FILE | --socket PATH) [--by NAME] [--reason TEXT]
  ACTION: ${ACTIONS.join(', ')}`;

/** `pitbox table ACTION`: what a dealer's button does, from a shell. Exit 1 when the table refuses. */
export async function tableCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, socket: { type: 'string' }, by: { type: 'string', default: 'technician' }, reason: { type: 'string' } },
  });
  const action = positionals[0] as Action | undefined;
  if (!action || !(ACTIONS as readonly string[]).includes(action) || (!values.config && !values.socket)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let path = values.socket;
  if (!path) {
    try {
      const config = loadConfig(values.config as string);
      path = config.control.socket ?? defaultSocketPath(config.table);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`pitbox: invalid config ${err.message}\n`);
      return 2;
    }
  }
  const answer = await askControl(path, { action, by: values.by, ...(values.reason ? { reason: values.reason } : {}) }).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'is the table running?' : err.code === 'EACCES' ? 'no permission (are you in the table\'s control group?)' : err.message;
    process.stderr.write(`pitbox table: cannot reach ${path}: ${why}\n`);
    return null;
  });
  if (!answer) return 1;
  if (answer.ok) {
    process.stdout.write(`${action}: done\n`);
    return 0;
  }
  process.stderr.write(`${action}: refused: ${answer.reason}\n`);
  return 1;
}

/** One request on a table's control socket, its answer. */
export function askControl(path: string, request: object): Promise<{ ok: boolean; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      resolve(JSON.parse(buffered.slice(0, nl)) as { ok: boolean; reason?: string });
    });
    socket.on('error', reject);
  });
}
