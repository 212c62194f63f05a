import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../appliance/test-support/harness.js';

/** Debian's PostgreSQL binaries (postgresql-15), not on PATH by default. */
function pgBin(name: string): string {
  const found = spawnSync('sh', ['-c', `ls -d /usr/lib/postgresql/*/bin/${name} | sort -V | tail -1`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`PostgreSQL's ${name} is not installed (apt-get install postgresql)`);
  return found;
}

/** PostgreSQL refuses to run as root: as root the server runs as the postgres user. */
function asServer(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export interface TestPostgres {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL cluster in a temporary directory, on a loopback port, trust auth. */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-pg-'));
  chmodSync(dir, 0o777); // the postgres user writes the cluster here
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asServer(cmd, args);
    const r = spawnSync(c, a, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run(pgBin('initdb'), ['-D', data, '-U', 'pitbox', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const [c, a] = asServer(pgBin('pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  const started = spawnSync(c, a, { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}${started.stdout}`);
  return {
    url: `postgres://pitbox@127.0.0.1:${port}/postgres`,
    dir,
    stop: async () => {
      const [sc, sa] = asServer(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      await new Promise<void>((resolve) => spawn(sc, sa, { stdio: 'ignore' }).once('exit', () => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
