import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import puppeteer from 'puppeteer-core';
import t from 'tap';
import { ConfigError, loadConfig, parseConfig } from '../config/load.js';
import { defaultContext } from '../doctor/checks.js';
import { httpTlsCheck } from '../doctor/security-checks.js';
import { Journal } from '../journal/journal.js';
import { generateKey } from '../signing/keyring.js';
import { TableRuntime } from '../table/table-runtime.js';

/**
 * The local page over HTTPS: plain HTTP with Basic credentials beyond loopback refused at
 * config check; a self-signed certificate made on first start, kept, its fingerprint in the log
 * and in the doctor; and the studio's own certificate, trusted by Chromium through the studio's
 * CA (an NSS database, as a studio's managed browsers have it), refused by one without it.
 */

const hooks = { onStorage: () => undefined, onIntegrity: () => undefined };
const sh = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENSSL_CONF: '/dev/null' } });

function tableConfig(http: readonly string[]): { dir: string; configFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-tls-'));
  const configFile = join(dir, 'table.yaml');
  writeFileSync(join(dir, 'http-password'), 'pw-from-a-file\n');
  writeFileSync(
    configFile,
    ['studio: e2e', 'table: roulette-01', 'game: roulette', 'wheel:', '  driver: cammegh-ss2', '  port: /dev/null', 'journal:', `  path: ${join(dir, 'journal.db')}`, 'signing:', `  keyDir: ${join(dir, 'keys')}`]
      .concat(['broker:', '  port: 0', 'http:', '  port: 0', '  username: tech', '  passwordFile: http-password', ...http.map((l) => `  ${l}`), ''])
      .join('\n'),
  );
  generateKey(join(dir, 'keys'));
  Journal.create({ path: join(dir, 'journal.db'), studio: 'e2e', table: 'roulette-01' }).close();
  return { dir, configFile };
}

async function running(configFile: string): Promise<{ runtime: TableRuntime; port: number; logged: () => Record<string, unknown>[] }> {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const runtime = new TableRuntime(loadConfig(configFile), configFile, log);
  await runtime.start(new AbortController().signal, hooks);
  return { runtime, port: runtime.httpPort ?? 0, logged: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** GET over HTTPS trusting `ca` only, with Basic credentials. */
function httpsGet(url: string, ca: string, auth: string): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } }, (res) => {
      res.resume();
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      resolve({ status: res.statusCode ?? 0, fingerprint: cert.fingerprint256 });
    }).on('error', reject);
  });
}

t.test('Basic credentials over plain HTTP beyond loopback: refused at config check, naming the fix', async (t) => {
  const base = 'studio: s\ntable: t\ngame: roulette\nwheel: { driver: cammegh-ss2, port: /dev/null }\njournal: { path: /j.db }\nsigning: { keyDir: /k }\n';
  const plain = `${base}http: { host: 203.0.113.5, username: tech, passwordFile: pw, tls: off }\n`;
  t.throws(() => parseConfig(plain), ConfigError);
  t.throws(() => parseConfig(plain), /http\.tls: Basic credentials over plain HTTP on 203\.0\.113\.5 would cross the network in clear: remove "tls: off" .*or set tls\.certFile and tls\.keyFile/);
  t.equal(parseConfig(`${base}http: { host: 203.0.113.5, username: tech, passwordFile: pw }\n`).http.tls, 'auto', 'the default: HTTPS beyond loopback');
  t.equal(parseConfig(`${base}http: { host: 127.0.0.1, username: tech, passwordFile: pw, tls: off }\n`).http.tls, 'off', 'plain on loopback is fine');
});

t.test('beyond loopback: a self-signed certificate made on first start, kept, its fingerprint logged and in the doctor', async (t) => {
  const { dir, configFile } = tableConfig(['host: 0.0.0.0']);
  let { runtime, port, logged } = await running(configFile);
  const stopping = () => runtime.stop();
  t.teardown(() => stopping());
  const line = logged().find((l) => l.msg === 'local HTTPS certificate');
  t.match(line, { source: 'self-signed', fingerprint: /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/ }, 'the journal has the fingerprint to pin');
  const certFile = join(dir, 'https', 'cert.pem');
  t.equal(statSync(join(dir, 'https', 'key.pem')).mode & 0o777, 0o600, 'its key is 0600');
  const openssl = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  t.equal(openssl.trim().split('=')[1], line?.fingerprint, 'the fingerprint openssl shows');

  const cert = readFileSync(certFile, 'utf8');
  t.same(await httpsGet(`https://127.0.0.1:${port}/healthz`, cert, 'tech:pw-from-a-file'), { status: 200, fingerprint: line?.fingerprint }, 'HTTPS, pinned to that certificate');
  t.equal((await httpsGet(`https://127.0.0.1:${port}/healthz`, cert, 'tech:wrong')).status, 401);
  await t.rejects(fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) }), 'no plain HTTP on that port');

  await runtime.stop();
  ({ runtime, port, logged } = await running(configFile));
  t.equal(logged().find((l) => l.msg === 'local HTTPS certificate')?.fingerprint, line?.fingerprint, 'the same certificate after a restart: the pin holds');

  const ctx = defaultContext(configFile);
  ctx.config = loadConfig(configFile);
  t.match(await httpTlsCheck.run(ctx), { status: 'pass', found: new RegExp(`self-signed, SHA-256 ${String(line?.fingerprint)}, valid to`) }, 'pitbox doctor prints it');
});

t.test('the studio CA\'s certificate in Chromium: trusted with the CA, refused without', async (t) => {
  const pki = mkdtempSync(join(tmpdir(), 'pitbox-pki-'));
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=Test Studio CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', 'ca.key', '-out', 'ca.pem'], pki);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=roulette-01.studio.test', '-keyout', 'table.key', '-out', 'table.csr'], pki);
  writeFileSync(join(pki, 'ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n');
  sh('openssl', ['x509', '-req', '-in', 'table.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'ext', '-out', 'table.pem'], pki);

  const { configFile } = tableConfig(['host: 127.0.0.1', 'tls:', `  certFile: ${join(pki, 'table.pem')}`, `  keyFile: ${join(pki, 'table.key')}`]);
  const { runtime, port, logged } = await running(configFile);
  t.teardown(() => runtime.stop());
  t.match(logged().find((l) => l.msg === 'local HTTPS certificate'), { source: 'files', certificate: join(pki, 'table.pem') }, 'HTTPS on loopback too when the studio gives a certificate');

  // A browser that trusts the studio CA: Chromium on Linux reads the user's NSS database.
  const home = mkdtempSync(join(tmpdir(), 'pitbox-home-'));
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  sh('certutil', ['-N', '-d', `sql:${join(home, '.pki', 'nssdb')}`, '--empty-password'], home);
  sh('certutil', ['-A', '-d', `sql:${join(home, '.pki', 'nssdb')}`, '-t', 'C,,', '-n', 'Test Studio CA', '-i', join(pki, 'ca.pem')], home);
  const launch = (env: NodeJS.ProcessEnv) => puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], env });

  const trusting = await launch({ ...process.env, HOME: home });
  t.teardown(() => trusting.close());
  const page = await trusting.newPage();
  await page.authenticate({ username: 'tech', password: 'pw-from-a-file' });
  const res = await page.goto(`https://127.0.0.1:${port}/status.json`, { waitUntil: 'domcontentloaded' });
  t.equal(res?.status(), 200, 'the page opens over HTTPS, with Basic credentials');
  t.equal(res?.securityDetails()?.issuer(), 'Test Studio CA');
  t.match(JSON.parse((await res?.text()) ?? '{}') as object, { v: 1, online: true, journal: { lastSeq: 0 } }, 'the table\'s status');

  const stranger = await launch({ ...process.env, HOME: mkdtempSync(join(tmpdir(), 'pitbox-home-')) });
  t.teardown(() => stranger.close());
  await t.rejects((await stranger.newPage()).goto(`https://127.0.0.1:${port}/status.json`), /ERR_CERT_AUTHORITY_INVALID/, 'a browser without the studio CA refuses it');
});
