import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { brokerPort, simulatedTable, startAppliance, startMosquitto, stopAppliance, Subscriber, until, verifyReceived } from '../test-support/harness.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pitbox test CA');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'roulette-01']] as const) {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...(name === 'server' ? ['-extfile', 'san.ext'] : []));
  }
}

t.test('the uplink over TLS with a client certificate and a password file: delivered, and no secret in the logs', async (t) => {
  const pki = mkdtempSync(join(tmpdir(), 'pitbox-pki-'));
  makePki(pki);
  const plainPort = await brokerPort();
  const tlsPort = await brokerPort();
  const password = 'correct horse battery staple';
  execFileSync('mosquitto_passwd', ['-b', '-c', join(pki, 'passwd'), 'roulette-01', password]);
  // mosquitto drops to its own user: let it read the test PKI.
  execFileSync('chmod', ['-R', 'a+rX', pki]);
  // One broker: TLS with client certificates and passwords for the table, plain loopback for the test's subscriber.
  const broker = await startMosquitto(plainPort, undefined, [
    'per_listener_settings true',
    `listener ${tlsPort} 127.0.0.1`,
    `cafile ${join(pki, 'ca.pem')}`,
    `certfile ${join(pki, 'server.pem')}`,
    `keyfile ${join(pki, 'server.key')}`,
    'require_certificate true',
    'allow_anonymous false',
    `password_file ${join(pki, 'passwd')}`,
  ]);
  t.teardown(() => broker.kill());
  const table = await simulatedTable({ brokerPort: tlsPort, speed: 50, seed: 4, faults: {}, uplinkConfig: [
    'uplink:',
    `  url: mqtts://127.0.0.1:${tlsPort}`,
    '  username: roulette-01',
    '  passwordFile: uplink-password',
    `  caFile: ${join(pki, 'ca.pem')}`,
    `  certFile: ${join(pki, 'client.pem')}`,
    `  keyFile: ${join(pki, 'client.key')}`,
  ] });
  writeFileSync(join(table.dir, 'uplink-password'), `${password}\n`, { mode: 0o600 });
  t.teardown(() => table.sim.stop());
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  const sub = await Subscriber.connect(plainPort);
  t.teardown(() => sub.close());
  startAppliance(table);
  await until('2 results over TLS', () => sub.unique().filter((e) => e.type === 'round.result').length >= 2, 30_000);
  t.same(verifyReceived(sub.raw).violations, [], 'verified');
  t.equal(await stopAppliance(table), 0);
  const logs = table.output.join('');
  t.notMatch(logs, password, 'the password is not logged');
  t.notMatch(logs, /PRIVATE KEY/, 'no private key is logged');
  t.match(logs, /uplink connected/);
});
