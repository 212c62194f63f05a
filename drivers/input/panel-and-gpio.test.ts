import { LinuxBinding } from '@serialport/bindings-cpp';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { standInBin } from '../../appliance/test-support/input-stand-ins.js';
import { until } from '../../appliance/test-support/harness.js';
import { PtyPair } from '../serial/pty-pair.js';
import { SerialShoe } from './card-shoe.js';
import { GpioButtons, gpiomonArgs, parseGpiomonLine } from './gpio-buttons.js';
import type { DeviceLink, KeyChange } from './key-source.js';
import { SerialPanel } from './serial-panel.js';

const log = pino({ level: 'silent' });
process.env['PATH'] = `${standInBin()}:${process.env['PATH']}`;

t.test('gpiomon 1.6: the flags we pin, the lines it prints', async (t) => {
  t.same(gpiomonArgs({ chip: 'gpiochip0', lines: [17, 27], bias: 'pull-up' }), ['-b', '-B', 'pull-up', '-F', '%o %e %s %n', 'gpiochip0', '17', '27']);
  t.same(parseGpiomonLine('17 0 1764312345 123456789'), { offset: 17, rising: false, ns: 1764312345123456789n });
  t.same(parseGpiomonLine('27 1 12 5'), { offset: 27, rising: true, ns: 12000000005n });
  t.equal(parseGpiomonLine('event:  RISING EDGE offset: 17 timestamp: [1764312345.123456789]'), null, 'the default format is not what we asked for');
  t.equal(parseGpiomonLine('17 2 1 1'), null);
});

t.test('GPIO buttons: the levels at start, then edges; active-low with the pull-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-gpio-'));
  process.env['GPIO_DIR'] = dir;
  writeFileSync(join(dir, 'levels'), '1 0\n'); // 17 up, 27 held down at start
  execFileSync('mkfifo', [join(dir, 'events')]);
  const gpio = new GpioButtons({ name: 'pedals', chip: 'gpiochip0', lines: [17, 27], bias: 'pull-up', activeLow: true, reconnect: { initialMs: 50, maxMs: 100 }, log });
  const keys: KeyChange[] = [];
  const links: DeviceLink[] = [];
  const held: string[][] = [];
  gpio.on('key', (k) => keys.push(k));
  gpio.on('link', (l) => links.push(l));
  gpio.on('heldAtStart', (h) => held.push(h));
  t.teardown(() => gpio.stop());
  gpio.start();
  const events = await open(join(dir, 'events'), 'w');
  await until('up', () => links.at(-1)?.up === true, 5000);
  t.same(held, [['27']], 'line 27 was pressed when we started');
  await events.write('17 0 100 1\n17 1 100 90000000\nnonsense\n27 1 101 0\n');
  await until('three edges', () => keys.length >= 3, 5000);
  t.same(keys, [{ key: '17', is: 'down', at: 100_000 }, { key: '17', is: 'up', at: 100_090 }, { key: '27', is: 'up', at: 101_000 }], 'falling is pressed, at the kernel\'s edge time (ms); the nonsense line is dropped');
  await events.close();
  await until('gpiomon exited: down', () => links.at(-1)?.up === false, 5000);
  t.match(links.at(-1), { up: false, reason: 'disconnected' });
});

t.test('serial panel on a real pty: configured pattern, heartbeat, silence means gone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-panel-'));
  const pty = new PtyPair(join(dir, 'panel'));
  await pty.plug();
  t.teardown(() => pty.unplug());
  const panel = new SerialPanel({
    name: 'panel',
    path: pty.linkPath,
    baudRate: 9600,
    binding: LinuxBinding,
    pattern: /^BTN(?<key>\d+) (?<state>DOWN|UP)$/,
    heartbeat: /^HB$/,
    silenceMs: 300,
    reconnect: { initialMs: 50, maxMs: 100 },
    log,
  });
  const keys: KeyChange[] = [];
  const links: DeviceLink[] = [];
  panel.on('key', (k) => keys.push(k));
  panel.on('link', (l) => links.push(l));
  t.teardown(() => panel.stop());
  panel.start();
  await new Promise((r) => setTimeout(r, 150)); // under silenceMs
  t.same(links, [], 'the port open is not yet the panel: not up before it says something');
  await pty.write('HB\r\n');
  await until('up on its first line', () => links.at(-1)?.up === true, 5000);
  await pty.write('HB\r\nBTN1 DOWN\r\n\x00\xff garbage\r\nBTN1 UP\r\nBTN2 DOWN\r\n');
  await until('three changes', () => keys.length >= 3, 5000);
  t.same(keys, [{ key: '1', is: 'down' }, { key: '1', is: 'up' }, { key: '2', is: 'down' }]);
  for (let i = 0; i < 4; i++) {
    await pty.write('HB\r\n');
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(links.at(-1)?.up, true, 'heartbeats keep it up');
  await until('silent: down', () => links.at(-1)?.up === false, 5000);
  t.match(links.at(-1), { up: false, reason: 'silent' });
});

t.test('serial shoe on a real pty: one code per line, unplug and back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-shoe-'));
  const pty = new PtyPair(join(dir, 'shoe'));
  await pty.plug();
  const shoe = new SerialShoe('shoe', { path: pty.linkPath, baudRate: 9600, binding: LinuxBinding, reconnect: { initialMs: 50, maxMs: 100 }, log });
  const codes: string[] = [];
  const links: DeviceLink[] = [];
  shoe.on('code', (c) => codes.push(String(c.text)));
  shoe.on('link', (l) => links.push(l));
  t.teardown(() => shoe.stop());
  shoe.start();
  await until('open', () => links.at(-1)?.up === true, 5000);
  await pty.write('AS\r\n10H\r\n');
  await until('two codes', () => codes.length >= 2, 5000);
  await pty.unplug();
  await until('down', () => links.at(-1)?.up === false, 5000);
  await pty.plug();
  await until('up again', () => links.at(-1)?.up === true, 5000);
  await pty.write('KD\r\n');
  await until('a third code', () => codes.length >= 3, 5000);
  t.same(codes, ['AS', '10H', 'KD']);
  await pty.unplug();
});

t.test('gpiomon that exits at once (a line without interrupts) never makes the buttons up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-gpio-'));
  process.env['GPIO_DIR'] = dir;
  writeFileSync(join(dir, 'levels'), '1\n');
  writeFileSync(join(dir, 'events'), ''); // a plain file: the stand-in's cat ends at once, as gpiomon does there
  const gpio = new GpioButtons({ name: 'pedals', chip: 'gpiochip0', lines: [17], bias: 'pull-up', activeLow: true, reconnect: { initialMs: 20, maxMs: 100 }, log });
  const links: DeviceLink[] = [];
  gpio.on('link', (l) => links.push(l));
  t.teardown(() => gpio.stop());
  gpio.start();
  await new Promise((r) => setTimeout(r, 1500));
  t.same(links.map((l) => l.up), [false], 'one down, never up: a helper that starts is not a device that works');
  t.match(links[0], { reason: 'disconnected', detail: /gpiomon exited 0/ });
});
