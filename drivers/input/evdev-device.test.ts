import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { FakeInputNode, standInBin } from '../../appliance/test-support/input-stand-ins.js';
import { until } from '../../appliance/test-support/harness.js';
import { encodeEvent, EV_SYN, keyRecords, SYN_DROPPED } from './input-event.js';
import { EvdevDevice } from './evdev-device.js';
import { WedgeShoe } from './card-shoe.js';
import { capabilityBits, listInputNodes } from './input-nodes.js';
import { keyCode } from './key-codes.js';
import { KeyGate } from './key-gate.js';
import type { DeviceLink, KeyChange } from './key-source.js';

const log = pino({ level: 'silent' });
process.env['PATH'] = `${standInBin()}:${process.env['PATH']}`;

function device(location: ConstructorParameters<typeof EvdevDevice>[0]['location'], extra: Partial<ConstructorParameters<typeof EvdevDevice>[0]> = {}) {
  const d = new EvdevDevice({ name: 'keypad', location, reconnect: { initialMs: 50, maxMs: 200 }, log, ...extra });
  const keys: KeyChange[] = [];
  const links: DeviceLink[] = [];
  d.on('key', (k) => keys.push(k));
  d.on('link', (l) => links.push(l));
  return { d, keys, links };
}

t.test('keys from the grabbed node, across any read boundary; unplug and replug', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-evdev-'));
  const node = new FakeInputNode(join(dir, 'pitbox-keypad'));
  node.plug();
  const { d, keys, links } = device({ path: node.path });
  t.teardown(() => d.stop());
  d.start();
  await node.open();
  await node.write(Buffer.concat([keyRecords(59, 1, 1), keyRecords(59, 2, 2), keyRecords(59, 0, 3), keyRecords(60, 1, 4)]));
  await until('four key changes', () => keys.length >= 4, 5000);
  t.same(keys, [{ key: 'KEY_F1', is: 'down', at: 0.001 }, { key: 'KEY_F1', is: 'repeat', at: 0.002 }, { key: 'KEY_F1', is: 'up', at: 0.003 }, { key: 'KEY_F2', is: 'down', at: 0.004 }], 'each with its record time (µs here), in ms');
  t.match(links.at(-1), { up: true });

  // The kernel's buffer overflowed while F2 was released: libevdev drops the torn packet (F2's
  // release) and resyncs silently, so the next we hear of F2 is its next press: a down while down.
  await node.write(Buffer.concat([encodeEvent({ timeUs: 500_000, type: EV_SYN, code: SYN_DROPPED, value: 0 }), keyRecords(60, 0, 500_000), keyRecords(60, 1, 900_000)]));
  await until('the next packet', () => keys.length >= 5, 5000);
  t.same(keys.slice(4), [{ key: 'KEY_F2', is: 'down', at: 900 }], 'no SYN_DROPPED and no release come through intercept: F2 is reported down again');
  const presses: string[] = [];
  const gate = new KeyGate({ minGapMs: 150, stableMs: 0, holdAlarmMs: 60_000, downWhileDown: 'lost-release' }, (v) => v.kind === 'press' && presses.push(v.key));
  for (const k of keys) if (k.is === 'down') gate.down(k.key, k.at);
  gate.stop();
  t.same(presses, ['KEY_F1', 'KEY_F2', 'KEY_F2'], 'the gate counts the press after the lost release');
  await node.write(keyRecords(61, 1, 950_000));
  await until('keys again', () => keys.length >= 6, 5000);

  // half a record in flight when the cable is pulled
  await node.write(keyRecords(62, 1, 7).subarray(0, 30));
  await node.unplug();
  await until('down', () => links.at(-1)?.up === false, 5000);
  await new Promise((r) => setTimeout(r, 300));
  t.match(links.at(-1), { up: false, reason: 'not-found' }, 'stays down while the node is gone (backoff retries find nothing)');
  t.equal(keys.length, 6, 'the half record was not a key');

  node.plug();
  await until('up again (the directory watch saw the node)', () => links.at(-1)?.up === true, 5000);
  await node.open();
  await node.write(keyRecords(63, 1, 8));
  await until('a key after the replug', () => keys.length >= 7, 5000);
  t.same(keys.at(-1), { key: 'KEY_F5', is: 'down', at: 0.008 }, 'the grab was taken again; the records are aligned');
});

t.test('a device another process holds: a clear error naming it, and retried', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-evdev-'));
  const node = new FakeInputNode(join(dir, 'pedal'));
  node.plug();
  writeFileSync(`${node.path}.held`, '');
  const { d, links } = device({ path: node.path });
  t.teardown(() => d.stop());
  d.start();
  await until('refused', () => links.length > 0, 5000);
  t.match(links[0], { up: false, reason: 'busy', detail: new RegExp(`cannot grab ${node.path}: another process holds it.*fuser -v ${node.path}`) });
});

t.test('found by the kernel\'s device name; no helper installed is said plainly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-evdev-'));
  const sys = join(dir, 'sys');
  const dev = join(dir, 'dev');
  mkdirSync(join(sys, 'event3', 'device'), { recursive: true });
  mkdirSync(join(sys, 'event7', 'device'), { recursive: true });
  mkdirSync(dev);
  writeFileSync(join(sys, 'event3', 'device', 'name'), 'AT Translated Set 2 keyboard\n');
  writeFileSync(join(sys, 'event7', 'device', 'name'), 'VEC USB Footpedal\n');
  const found = new EvdevDevice({ name: 'pedal', location: { name: 'VEC USB Footpedal' }, reconnect: { initialMs: 50, maxMs: 100 }, log, sysClassInput: sys, devInput: dev });
  t.equal(found.locate(), join(dev, 'event7'));
  const missing = new EvdevDevice({ name: 'pedal', location: { name: 'Nope' }, reconnect: { initialMs: 50, maxMs: 100 }, log, sysClassInput: sys, devInput: dev });
  t.equal(missing.locate(), null);

  // A scanner with two nodes of one name: Consumer Control (volume keys) first, the keyboard after.
  const sysNode = (event: string, name: string, keys: string, phys: string) => {
    mkdirSync(join(sys, event, 'device', 'capabilities'), { recursive: true });
    writeFileSync(join(sys, event, 'device', 'name'), `${name}\n`);
    writeFileSync(join(sys, event, 'device', 'phys'), `${phys}\n`);
    writeFileSync(join(sys, event, 'device', 'capabilities', 'key'), `${keys}\n`);
  };
  sysNode('event4', 'Acme Scanner', '38000000000000 0', 'usb-0000:00:14.0-2/input1');
  sysNode('event12', 'Acme Scanner', 'ff9f207ac14057ff febeffdfffefffff fffffffffffffffe', 'usb-0000:00:14.0-2/input0');
  const scanner = new EvdevDevice({ name: 'shoe', location: { name: 'Acme Scanner' }, keys: [30, 31, 28], reconnect: { initialMs: 50, maxMs: 100 }, log, sysClassInput: sys, devInput: dev });
  t.equal(scanner.locate(), join(dev, 'event12'), 'the node that can type the keys, not the first of the name');
  const nodes = listInputNodes({ sysClassInput: sys, devInput: dev });
  t.same(nodes.map((n) => n.event), ['event3', 'event4', 'event7', 'event12'], 'in number order');
  t.same(nodes.filter((n) => n.keyboard).map((n) => n.event), ['event12'], 'the udev ID_INPUT_KEYBOARD test: Esc, digits, Q to D');
  t.same([...capabilityBits('38000000000000 0')], [115, 116, 117], 'volume keys: the second word, bits 51-53');

  const node = new FakeInputNode(join(dir, 'kbd'));
  node.plug();
  const saved = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  const { d, links } = device({ path: node.path });
  d.start();
  await until('down', () => links.length > 0, 5000);
  process.env['PATH'] = saved;
  await d.stop();
  t.match(links[0], { up: false, reason: 'no-helper', detail: /apt install interception-tools/ });
});

t.test('a keyboard-wedge shoe: characters until Enter; a code cut by an unplug is no code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-wedge-'));
  const node = new FakeInputNode(join(dir, 'pitbox-shoe'));
  node.plug();
  const shoe = new WedgeShoe({ name: 'shoe', location: { path: node.path }, reconnect: { initialMs: 50, maxMs: 200 }, log, layout: 'us', terminator: 'enter' });
  const codes: string[] = [];
  const links: DeviceLink[] = [];
  shoe.on('code', (c) => codes.push(String(c.text)));
  shoe.on('link', (l) => links.push(l));
  t.teardown(() => shoe.stop());
  shoe.start();
  await node.open();
  const type = (...keys: string[]) =>
    Buffer.concat(keys.flatMap((k, i) => [keyRecords(keyCode(k) as number, 1, i * 10), keyRecords(keyCode(k) as number, 0, i * 10 + 5)]));
  const shift = keyCode('KEY_LEFTSHIFT') as number;
  // "AS" typed with shift held, Enter; then "10H" and the keypad's Enter.
  await node.write(Buffer.concat([keyRecords(shift, 1, 0), type('KEY_A', 'KEY_S'), keyRecords(shift, 0, 99), type('KEY_ENTER', 'KEY_1', 'KEY_0', 'KEY_H', 'KEY_KPENTER')]));
  await until('two codes', () => codes.length >= 2, 5000);
  t.same(codes, ['AS', '10h'], 'H without Shift is h (the code pattern is case-blind)');
  await node.write(type('KEY_K'));
  await new Promise((r) => setTimeout(r, 50));
  await node.unplug();
  await until('down', () => links.at(-1)?.up === false, 5000);
  node.plug();
  await until('up', () => links.at(-1)?.up === true, 5000);
  await node.open();
  await node.write(type('KEY_Q', 'KEY_D', 'KEY_ENTER'));
  await until('a third code', () => codes.length >= 3, 5000);
  t.same(codes, ['AS', '10h', 'qd'], 'the K cut off by the unplug never became part of a code');
});
