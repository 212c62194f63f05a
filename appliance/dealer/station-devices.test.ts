import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { inputConfig } from '../../drivers/input/config.js';
import { standInBin } from '../test-support/input-stand-ins.js';
import { until } from '../test-support/harness.js';
import type { TableControl } from '../kernel/control-socket.js';
import type { EventDraft } from '../kernel/events.js';
import { DealerStation, SETTLE_MS } from './station.js';

process.env['PATH'] = `${standInBin()}:${process.env['PATH']}`;
const log = pino({ level: 'silent' });

/** A table that records the presses it is asked for, and a station on GPIO lines replayed through the gpiomon stand-in. */
function station(lines: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-station-'));
  process.env['GPIO_DIR'] = dir;
  writeFileSync(join(dir, 'levels'), '1\n');
  execFileSync('mkfifo', [join(dir, 'events')]);
  const presses: string[] = [];
  const ok = (by: string) => (presses.push(by), { ok: true as const });
  const control: TableControl = {
    openTable: ok,
    closeTable: ok,
    startRound: ok,
    closeBets: ok,
    voidRound: () => ({ ok: true }),
    resume: ok,
    suspendTable: ok,
  };
  const journal: EventDraft[] = [];
  const config = inputConfig.parse({ name: 'pedals', driver: 'gpio', lines, reconnect: { initialMs: 50, maxMs: 100 } });
  const s = new DealerStation([config], null, { control, journal: (d) => journal.push(d), alarm: () => undefined, changed: () => undefined }, log);
  return { s, dir, presses, journal, events: join(dir, 'events') };
}

t.test('GPIO through the station: a line written "017", contact bounce on the kernel\'s edge times, one press', async (t) => {
  const { s, presses, events } = station({ '017': 'start' });
  t.teardown(() => s.stop());
  s.start();
  const fifo = await open(events, 'w');
  t.teardown(() => fifo.close());
  // fall, bounce open 1 ms later, fall again and held 100 ms: gpiomon 1.6's "%o %e %s %n" lines
  await fifo.write('17 0 5000 0\n17 1 5000 1000000\n17 0 5000 2000000\n');
  await until('the press', () => presses.length > 0, 5000);
  await fifo.write('17 1 5000 102000000\n');
  await new Promise((r) => setTimeout(r, 100));
  t.same(presses, ['pedals:17'], 'the bounce did not eat the press, nor make two');
});

t.test('a device that flaps is one device.down, and one device.up with the count once it stays', async (t) => {
  const { s, journal, events } = station({ '17': 'start' });
  t.teardown(() => s.stop());
  s.start();
  // gpiomon lives for one edge and exits, five times: up (it showed life), then down, each time.
  const state = () => (s.report()['devices'] as { state: string }[])[0]?.state;
  for (let i = 0; i < 5; i++) {
    const fifo = await open(events, 'w');
    await fifo.write(`17 1 ${6000 + i} 0\n`);
    await until(`up ${i + 1}`, () => state() === 'up', 10_000);
    await fifo.close();
    await until(`down ${i + 1}`, () => state() === 'down', 10_000);
  }
  t.same(journal.map((e) => e.type), ['device.down'], 'one event for the outage so far, not one per flap');
  const fifo = await open(events, 'w');
  t.teardown(() => fifo.close());
  await fifo.write('17 1 7000 0\n');
  await until('back and settled', () => journal.length > 1, SETTLE_MS + 5000);
  t.same(journal.map((e) => e.type), ['device.down', 'device.up']);
  t.match(journal[1]?.data, { device: 'pedals', downs: 5 }, 'how many times it went down, in the device.up');
});
