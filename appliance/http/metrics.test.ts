import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../log.js';
import { controlRequest as press, lanAddress, simulatedTable, startAppliance, startBroker, stopAppliance, stopMosquitto, until } from '../test-support/harness.js';
import { LocalHttpServer } from './local-server.js';

/** One sample's value from a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const head = `${name}${labels ? `{${labels}}` : ''} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? undefined : Number(line.slice(head.length));
}

t.test('/metrics of a running roulette table: Prometheus names, live values, no secrets or results in labels', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = await simulatedTable({ brokerPort: port, speed: 25, seed: 17, faults: {} });
  t.teardown(() => table.sim.stop());
  startAppliance(table);
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  await until('the HTTP server', () => /local HTTP server listening/.test(table.output.join('')), 30_000);
  const httpPort = Number(/"port":(\d+),"auth":false,"msg":"local HTTP server listening"/.exec(table.output.join(''))?.[1]);
  t.ok(httpPort > 0, `bound to port ${httpPort}`);
  const scrape = async () => {
    const r = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    t.equal(r.headers.get('content-type')?.split(';')[0], 'text/plain');
    return r.text();
  };
  let text = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    text = await scrape();
    if ((sample(text, 'pitbox_results_total') ?? 0) >= 1) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.ok((sample(text, 'pitbox_results_total') ?? 0) >= 1, 'results counted');
  t.ok((sample(text, 'pitbox_events_total', 'type="round.result"') ?? 0) >= 1, 'events by type');
  t.match(text, /pitbox_build_info\{version="[^"]+",studio="e2e",table="roulette-01",game="roulette"\} 1/);
  t.equal(sample(text, 'pitbox_uplink_connected'), 1);
  t.equal(sample(text, 'pitbox_wheel_link_up'), 1);
  t.ok((sample(text, 'pitbox_journal_last_seq') ?? 0) > 0);
  t.ok((sample(text, 'pitbox_wheel_last_frame_timestamp_seconds') ?? 0) > Date.now() / 1000 - 60, 'the last wheel frame, as Unix time');
  t.match(text, /# TYPE pitbox_process_cpu_seconds_total counter/, 'the default process metrics, prefixed');
  t.match(text, /pitbox_journal_free_bytes \d+/);

  // A press the table takes and one it refuses, counted by action and outcome.
  t.ok((await press(join(table.dir, 'control.sock'), 'suspend')).ok);
  t.notOk((await press(join(table.dir, 'control.sock'), 'open')).ok);
  text = await scrape();
  t.equal(sample(text, 'pitbox_input_presses_total', 'action="suspend",outcome="accepted"'), 1);
  t.equal(sample(text, 'pitbox_input_presses_total', 'action="open",outcome="refused"'), 1);
  t.equal(sample(text, 'pitbox_suspensions_total', 'code="technician"'), 1);

  // Conventions: every counter ends in _total; labels never carry a winning number or a password.
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
  t.same(types.filter(([n, ty]) => ty === 'counter' && !n.endsWith('_total')), [], 'counters are named *_total');
  // (`le` is a histogram's bucket bound; major/minor/patch the Node version of the default metrics.)
  const labelValues = [...text.matchAll(/(\w+)="([^"]*)"/g)].filter((m) => !['le', 'major', 'minor', 'patch'].includes(m[1] ?? '')).map((m) => m[2]);
  t.notOk(labelValues.some((v) => /^\d{1,2}$/.test(v ?? '')), 'no number as a label value');
  t.notOk(/password|secret/i.test(labelValues.join(' ')), 'no secret in a label');

  const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  t.equal(health.status, 200);
  const lanIp = lanAddress();
  if (lanIp) {
    const lan = await fetch(`http://${lanIp}:${httpPort}/metrics`, { signal: AbortSignal.timeout(2000) }).then(
      () => 'reachable',
      () => 'refused',
    );
    t.equal(lan, 'refused', `loopback only by default (not on ${lanIp})`);
  }
  t.equal((await fetch(`http://127.0.0.1:${httpPort}/metrics`, { method: 'POST' })).status, 405, 'read-only');
});

t.test('with credentials the server may leave loopback, and asks for them', async (t) => {
  t.throws(() => new LocalHttpServer({ host: '0.0.0.0', port: 0, credentials: null, tls: null, log: silentLogger }), /http\.host 0\.0\.0\.0 is not loopback/);
  const server = new LocalHttpServer({ host: '0.0.0.0', port: 0, credentials: { username: 'tech', password: 'pw-from-a-file' }, tls: null, log: silentLogger });
  server.route('/x', (_q, r) => void r.end('ok'));
  await server.start();
  t.teardown(() => server.stop());
  const url = `http://127.0.0.1:${server.port}/x`;
  t.equal((await fetch(url)).status, 401);
  t.equal((await fetch(url, { headers: { authorization: `Basic ${Buffer.from('tech:wrong').toString('base64')}` } })).status, 401);
  const ok = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('tech:pw-from-a-file').toString('base64')}` } });
  t.equal(ok.status, 200);
  t.equal(await ok.text(), 'ok');
});
