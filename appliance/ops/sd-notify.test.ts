import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { UnixDgramSocket } from './unix-dgram.js';
import { simulatedTable, startAppliance, startBroker, stopAppliance, stopMosquitto, until } from '../test-support/harness.js';

/**
 * systemd's side of Type=notify, played by this test: a unix datagram socket as NOTIFY_SOCKET
 * (what PID 1 binds), and `pitbox run` on a simulated wheel as the service. Real datagrams.
 */

t.test('READY once the table runs, WATCHDOG from the heartbeat, STATUS with the table, STOPPING on SIGTERM', async (t) => {
  const socketPath = join(mkdtempSync(join(tmpdir(), 'pitbox-notify-')), 'notify');
  const systemd = new UnixDgramSocket();
  systemd.bind(socketPath);
  t.teardown(() => systemd.close());
  const messages: { at: number; fields: Record<string, string> }[] = [];
  systemd.on('data', (buf) => {
    messages.push({ at: performance.now(), fields: Object.fromEntries(buf.toString().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string])) });
  });

  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = await simulatedTable({ brokerPort: port, speed: 20, seed: 9, faults: {} });
  t.teardown(() => table.sim.stop());
  const child = startAppliance(table, { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '400000' });
  t.teardown(() => stopAppliance(table, 'SIGKILL'));

  await until('READY=1', () => messages.some((m) => m.fields.READY === '1'), 30_000);
  const ready = messages.find((m) => m.fields.READY === '1')!;
  t.equal(ready.fields.MAINPID, String(child.pid), 'sent by the main process itself (NotifyAccess=main)');
  t.match(ready.fields.STATUS, /roulette-01: (open|closed|suspended|starting)/, 'STATUS says where the table stands');
  await until('three watchdog pings', () => messages.filter((m) => m.fields.WATCHDOG === '1').length >= 3, 10_000);
  t.ok(messages.findIndex((m) => m.fields.WATCHDOG === '1') > messages.indexOf(ready), 'pings only after READY');

  // A frozen process sends nothing: that is what lets systemd's WatchdogSec restart it.
  process.kill(child.pid as number, 'SIGSTOP');
  const frozenAt = messages.length;
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(messages.length, frozenAt, 'no ping while the event loop cannot turn');
  process.kill(child.pid as number, 'SIGCONT');
  await until('pings again', () => messages.slice(frozenAt).some((m) => m.fields.WATCHDOG === '1'), 10_000);

  t.equal(await stopAppliance(table), 0);
  t.ok(messages.some((m) => m.fields.STOPPING === '1'), 'STOPPING=1 on SIGTERM');
});

t.test('without NOTIFY_SOCKET nothing is sent and nothing fails', async (t) => {
  const { SystemdNotifier } = await import('./sd-notify.js');
  const { silentLogger } = await import('../log.js');
  t.equal(SystemdNotifier.fromEnv(silentLogger, {}), null);
  const n = SystemdNotifier.fromEnv(silentLogger, { NOTIFY_SOCKET: '/nonexistent/notify', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) });
  t.equal(n?.watchdogEveryMs, 15_000, 'pings at half of WATCHDOG_USEC');
  t.doesNotThrow(() => n?.ready('x'), 'a socket that is not there is a logged warning, not a crash');
  n?.close();
  const other = SystemdNotifier.fromEnv(silentLogger, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
  t.equal(other?.watchdogEveryMs, null, 'a watchdog meant for another process is not ours');
  other?.close();
});
