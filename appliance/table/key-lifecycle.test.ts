import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { loadConfig } from '../config/load.js';
import { seal, type BirthMessage, type EventEnvelope } from '../contract/envelope.js';
import { Journal } from '../journal/journal.js';
import { silentLogger } from '../log.js';
import { generateKey, loadKeys } from '../signing/keyring.js';
import { startBroker, stopMosquitto, until, verifyReceived } from '../test-support/harness.js';
import { machine, unsealAsTheUnitWould } from '../test-support/sealed-keys.js';
import { ControlSocket } from '../kernel/control-socket.js';
import { refused } from '../kernel/events.js';
import { TableRuntime } from './table-runtime.js';

/**
 * A table's key from birth to revocation, on mosquitto, as a technician does it: a key sealed
 * for this machine and handed over as the unit would ($CREDENTIALS_DIRECTORY); a second sealed
 * key, announced at the restart and signing once the broker has that birth; the first revoked
 * with `pitbox keys revoke` through the control socket; then someone holding a copy of the
 * first key publishes with it, and the reference verifier refuses exactly that.
 */

const cli = new URL('../cli.ts', import.meta.url).pathname;
const hooks = { onStorage: () => undefined, onIntegrity: () => undefined };
const draft = (n: number) => ({ type: 'round.result' as const, round: n, data: { number: n % 37 } });
const kidOf = (body: string) => (JSON.parse(body) as EventEnvelope).kid;

function pitbox(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

t.test('sealed key, rotation, revocation: a backend refuses the revoked key from the revocation on', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const here = machine();
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-keylife-'));
  const keyDir = join(dir, 'keys');
  const socket = join(dir, 'control.sock');
  const configFile = join(dir, 'table.yaml');
  writeFileSync(
    configFile,
    ['studio: e2e', 'table: roulette-01', 'game: roulette', 'wheel:', '  driver: cammegh-ss2', '  port: /dev/null', 'journal:', `  path: ${join(dir, 'journal.db')}`, 'signing:', `  keyDir: ${keyDir}`]
      .concat(['uplink:', `  url: mqtt://127.0.0.1:${port}`, 'broker:', '  enabled: false', 'http:', '  enabled: false', 'control:', `  socket: ${socket}`, ''])
      .join('\n'),
  );
  const a = generateKey(keyDir, { seal: 'host', env: here });
  Journal.create({ path: join(dir, 'journal.db'), studio: 'e2e', table: 'roulette-01' }).close();

  const seen: { kind: string; text: string }[] = [];
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
  t.teardown(() => sub.endAsync());
  sub.on('message', (topic, payload) => seen.push({ kind: topic.slice(topic.lastIndexOf('/') + 1), text: payload.toString() }));
  await sub.subscribeAsync(['pitbox/v1/e2e/roulette-01/birth', 'pitbox/v1/e2e/roulette-01/events'], { qos: 1 });

  /** The unit's start: systemd unseals the keys into a fresh $CREDENTIALS_DIRECTORY, then the appliance runs. */
  const start = async () => {
    process.env.CREDENTIALS_DIRECTORY = unsealAsTheUnitWould(keyDir, here);
    const runtime = new TableRuntime(loadConfig(configFile), configFile, silentLogger);
    const journal = await runtime.start(new AbortController().signal, hooks);
    return { runtime, journal };
  };
  t.teardown(() => delete process.env.CREDENTIALS_DIRECTORY);
  const delivered = (j: Journal) => j.committedSeq() === j.lastSeq() && j.countUndelivered() === 0;

  let { runtime, journal } = await start();
  t.teardown(() => runtime.stop());
  t.same([1, 2].map((n) => kidOf(runtime.append(draft(n), {}).body)), [a.jwk.kid, a.jwk.kid], 'the sealed key signs');
  await until('A\'s events delivered', () => delivered(journal), 10_000);

  // Rotation: a new sealed key, and the restart that hands it over and announces it.
  const b = generateKey(keyDir, { seal: 'host', env: here });
  await runtime.stop();
  ({ runtime, journal } = await start());
  await until('B active once the broker has the birth announcing it', () => journal.activeKid() === b.jwk.kid, 10_000);
  t.same([3, 4].map((n) => kidOf(runtime.append(draft(n), {}).body)), [b.jwk.kid, b.jwk.kid], 'the new key signs after the acknowledgement');

  // Revocation through the control socket, as `pitbox keys revoke` sends it.
  const table = { openTable: () => refused('x'), closeTable: () => refused('x'), startRound: () => refused('x'), closeBets: () => refused('x'), voidRound: () => refused('x'), resume: () => refused('x'), suspendTable: () => refused('x') };
  const control = new ControlSocket(socket, table, silentLogger, { revokeKey: (r) => runtime.revokeKey(r, {}) });
  await control.start();
  t.teardown(() => control.stop());
  const active = await pitbox('keys', 'revoke', b.jwk.kid, '--reason', 'test', '--config', configFile);
  t.equal(active.code, 1);
  t.match(active.out, new RegExp(`${b.jwk.kid} signs now: rotate first`), 'the key that signs now cannot be revoked');
  const stranger = await pitbox('keys', 'revoke', 'nobody', '--reason', 'test', '--config', configFile);
  t.match(stranger.out, /nobody was never announced by this table/);
  const done = await pitbox('keys', 'revoke', a.jwk.kid, '--reason', 'the disk went for repair unsealed', '--config', configFile, '--by', 'tech-7');
  t.equal(done.code, 0, done.out);
  t.match((await pitbox('keys', 'revoke', a.jwk.kid, '--reason', 'again', '--config', configFile)).out, /revoked already, at seq 5/);
  const revokedAt = journal.revokedKeys()[a.jwk.kid];
  t.equal(revokedAt, 5, 'journaled as the next event');
  runtime.append(draft(6), {});
  await until('every event delivered', () => delivered(journal), 10_000);
  await until('the subscriber has the revocation', () => seen.some((m) => m.kind === 'events' && m.text.includes('"key.revoked"')), 10_000);
  const revocation = JSON.parse(seen.find((m) => m.text.includes('"key.revoked"'))?.text ?? '{}') as EventEnvelope;
  t.match(revocation, { seq: 5, kid: b.jwk.kid, data: { kid: a.jwk.kid, reason: 'the disk went for repair unsealed', by: 'tech-7' } }, 'signed by the current key');

  // Someone with a copy of A (unsealed on this machine, before the revocation) publishes with it.
  const stolen = loadKeys(keyDir, here).find((k) => k.jwk.kid === a.jwk.kid);
  if (!stolen) throw new Error('A is not on disk');
  const forged = seal<EventEnvelope>(
    { v: 1, studio: 'e2e', table: 'roulette-01', seq: 7, id: randomUUID(), ts: new Date().toISOString(), type: 'round.result', round: 7, data: { number: 0 }, prev: null, kid: a.jwk.kid },
    stolen.signer,
  ).text;
  const forgedBirth = seal<BirthMessage>(
    { v: 1, studio: 'e2e', table: 'roulette-01', ts: new Date().toISOString(), software: 'x', config: 'x', boot: 'x', lastSeq: 7, activeKid: a.jwk.kid, keys: [a.jwk], kid: a.jwk.kid },
    stolen.signer,
  ).text;
  await sub.publishAsync('pitbox/v1/e2e/roulette-01/events', forged, { qos: 1 });
  await sub.publishAsync('pitbox/v1/e2e/roulette-01/birth', forgedBirth, { qos: 1 });
  await until('the forgeries came back from the broker', () => seen.some((m) => m.text === forgedBirth), 10_000);
  await runtime.stop();

  const { verifier, violations } = verifyReceived(seen);
  t.same(
    violations.map((v) => [v.code, v.seq ?? null]),
    [
      ['revoked-key', 7],
      ['revoked-key', null],
    ],
    'the forged event and birth are refused, and nothing else',
  );
  t.equal(verifier.verified, 6, 'A\'s events before the revocation still verify');
  t.same(verifier.range, { lowest: 1, highest: 6 });
});
