import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { HumanLines } from '../../packages/consumer/src/human-lines.js';
import { VerifiedStream, type StreamItem } from '../../packages/consumer/src/stream.js';
import { loadConfig, readSecret } from '../config/load.js';
import { patientClient, type PatientClient } from './patient-client.js';

export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  url: { type: 'string' },
  prefix: { type: 'string' },
  studio: { type: 'string' },
  table: { type: 'string' },
  trust: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  username: { type: 'string' },
  'password-file': { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  'gap-timeout': { type: 'string' },
  json: { type: 'boolean' },
  'broker-timeout': { type: 'string' },
  session: { type: 'string' },
} as const;

/**
 * `pitbox verify` and `pitbox tail`: subscribe like a backend, verify every signature and the
 * hash chain, track gaps and duplicates per table, rebuild the table state, and exit 1 on the
 * first violation. `tail` prints a line per event for people (state and status only when they
 * change) or, with `--json`, every item for machines; `verify` prints a summary at the end.
 *
 * The broker and table come from `--config FILE` (a table's YAML) or from `--url` and
 * `--studio/--table` (all tables under `--prefix` when omitted). `--trust FILE`: JWKs (one per
 * line, as `pitbox keys list` prints them) that may sign a birth; without it the first birth
 * seen is trusted. `--count N` stops after N new events, `--duration S` after S seconds; a gap
 * that stops filling for `--gap-timeout` seconds (default 30) is a violation. A broker that is
 * `--session ID` keeps a persistent MQTT session under that client id, so events published while
 * the client was away (a broker restart) are kept for it and arrive on reconnect. A broker that is
 * not up yet, or goes away, is waited for (said on stderr, with the URL); `--broker-timeout S`
 * gives up after S seconds without one (0: at the first refused connect), exit 1.
 */
export async function tailCommand(mode: 'tail' | 'verify', args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  const target = resolveTarget(v);
  if (typeof target === 'string') {
    process.stderr.write(`pitbox ${mode}: ${target}\n`);
    return 2;
  }
  // A persistent session (as a backend keeps): the broker holds QoS 1 events for this client id
  // while it is away, so a reconnect after a broker restart misses nothing published meanwhile.
  if (v.session) Object.assign(target.options, { clientId: v.session, clean: false });
  const trusted = v.trust ? readTrust(v.trust) : undefined;
  const count = v.count ? Number(v.count) : Infinity;
  const gapTimeoutMs = Number(v['gap-timeout'] ?? 30) * 1000;
  const link = await connectTarget(`pitbox ${mode}`, target, v['broker-timeout']);
  if (typeof link === 'string') return 1;
  const { client } = link;

  const human = new HumanLines();
  let fresh = 0;
  let failure: string | null = null;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const stream = new VerifiedStream(client, { prefix: target.prefix, ...(target.studio ? { studio: target.studio } : {}), ...(target.table ? { table: target.table } : {}), ...(trusted ? { trusted } : {}) }, (item: StreamItem) => {
    if (item.kind === 'violation') {
      failure = `${item.table}: ${item.violation.code}${item.violation.seq === undefined ? '' : ` at seq ${item.violation.seq}`}: ${item.violation.detail}`;
      finish();
      return;
    }
    if (item.kind === 'event' && !item.duplicate) fresh += 1;
    // People see each event once (a replay after a reconnect is counted, not shown); --json shows all.
    if (mode === 'tail' && (v.json || item.kind !== 'event' || !item.duplicate)) {
      const line = v.json ? JSON.stringify(item) : human.line(item);
      if (line !== null) process.stdout.write(`${line}\n`);
    }
    if (fresh >= count) finish();
  });
  await stream.start();
  const gapCheck = setInterval(() => {
    for (const [table, verifier] of stream.tables) {
      if (verifier.gapStalled(gapTimeoutMs)) {
        failure = `${table}: gap: ${JSON.stringify(verifier.gaps().slice(0, 5))} stopped filling for ${gapTimeoutMs / 1000} s`;
        finish();
      }
    }
  }, 1000);
  let gaveUp = null as string | null; // set in a callback: no narrowing to null
  void link.gaveUp.then((why) => {
    gaveUp = why;
    finish();
  });
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = v.duration ? setTimeout(stop, Number(v.duration) * 1000) : null;
  await done;
  clearInterval(gapCheck);
  if (timer) clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await client.endAsync();
  if (gaveUp !== null) {
    process.stderr.write(`pitbox ${mode}: ${gaveUp}\n`);
    return 1;
  }

  if (failure === null) {
    for (const [table, verifier] of stream.tables) {
      const gaps = verifier.gaps();
      if (gaps.length > 0) failure = `${table}: gap: seqs ${gaps.map((g) => (g.from === g.to ? g.from : `${g.from}-${g.to}`)).join(', ')} never arrived`;
    }
  }
  const summary = [...stream.tables].map(([table, t]) => ({ table, verified: t.verified, duplicates: t.duplicates, ...t.range, view: t.view }));
  if (mode === 'verify' || failure) process.stderr.write(`${JSON.stringify({ ok: failure === null, tables: summary })}\n`);
  if (failure) {
    process.stderr.write(`pitbox ${mode}: VIOLATION ${failure}\n`);
    return 1;
  }
  return 0;
}

/**
 * The command's broker connection (see patientClient); the reason, already said on stderr, when
 * it gave up before the first connect.
 */
export async function connectTarget(who: string, target: Target, brokerTimeout: string | undefined): Promise<PatientClient | string> {
  const giveUpMs = brokerTimeout === undefined ? null : Number(brokerTimeout) * 1000;
  const link = patientClient(target.url, target.options, { who, giveUpMs, say: (line) => process.stderr.write(`${line}\n`) });
  const first = await Promise.race([link.connected.then(() => null), link.gaveUp]);
  if (first === null) return link;
  process.stderr.write(`${who}: ${first}\n`);
  return first;
}

export interface Target {
  url: string;
  prefix: string;
  studio?: string;
  table?: string;
  options: IClientOptions;
}

export function resolveTarget(v: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string }): Target | string {
  const options: IClientOptions = {};
  if (v.config) {
    const c = loadConfig(v.config);
    const username = c.uplink ? c.uplink.username : c.broker.username;
    const passwordFile = c.uplink ? c.uplink.passwordFile : c.broker.passwordFile;
    if (username) options.username = username;
    if (passwordFile) options.password = readSecret(passwordFile, v.config);
    if (c.uplink?.caFile) options.ca = readFileSync(c.uplink.caFile);
    const url = v.url ?? c.uplink?.url ?? `mqtt://${c.broker.host}:${c.broker.port}`;
    return { url, prefix: c.topicPrefix, studio: c.studio, table: c.table, options };
  }
  if (!v.url) return '--config FILE or --url URL is required';
  if (v.username) options.username = v.username;
  if (v['password-file']) options.password = readFileSync(v['password-file'], 'utf8').replace(/\r?\n$/, '');
  if (v.ca) options.ca = readFileSync(v.ca);
  if (v.cert) options.cert = readFileSync(v.cert);
  if (v.key) options.key = readFileSync(v.key);
  return { url: v.url, prefix: v.prefix ?? 'pitbox/v1', ...(v.studio ? { studio: v.studio } : {}), ...(v.table ? { table: v.table } : {}), options };
}

function readTrust(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { kid: string }).kid);
}
