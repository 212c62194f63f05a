import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../config/load.js';
import { inputResults } from './input-checks.js';

const KEYBOARD = 'ff9f207ac14057ff febeffdfffefffff fffffffffffffffe';

t.test('doctor: every node of each configured device, the one used, and what the last scan decoded to', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-doctor-inputs-'));
  const sys = join(dir, 'sys');
  const dev = join(dir, 'dev');
  mkdirSync(dev);
  const node = (event: string, name: string, keys: string, phys: string) => {
    mkdirSync(join(sys, event, 'device', 'capabilities'), { recursive: true });
    writeFileSync(join(sys, event, 'device', 'name'), `${name}\n`);
    writeFileSync(join(sys, event, 'device', 'phys'), `${phys}\n`);
    writeFileSync(join(sys, event, 'device', 'capabilities', 'key'), `${keys}\n`);
    writeFileSync(join(dev, event), '');
  };
  node('event3', 'Acme Scanner', KEYBOARD, 'usb-0000:00:14.0-2/input0');
  node('event4', 'Acme Scanner Consumer Control', '38000000000000 0', 'usb-0000:00:14.0-2/input1');
  node('event6', 'Keypad Co Keypad', '38000000000000 0', 'usb-0000:00:14.0-3/input1');
  node('event7', 'Keypad Co Keypad', '1000000000007 ff800000000007ff febeffdfffefffff fffffffffffffffe', 'usb-0000:00:14.0-3/input0');
  symlinkSync(join(dev, 'event3'), join(dev, 'pitbox-shoe'));
  const config = parseConfig(`studio: s
table: t
journal: { path: /tmp/j.db }
signing: { keyDir: /tmp/k }
game: baccarat
cards: { source: shoe, shoe: { driver: evdev, path: ${join(dev, 'pitbox-shoe')}, layout: fr } }
inputs:
  - { name: keypad, driver: evdev, deviceName: Keypad Co Keypad, keys: { KEY_F1: start } }
  - { name: pedal, driver: evdev, path: ${join(dev, 'pitbox-pedal')}, keys: { KEY_A: start } }
`);
  const lines = inputResults(config, null, { sysClassInput: sys, devInput: dev });
  t.match(lines[0], { status: 'pass', found: /^keypad: the device named "Keypad Co Keypad" -> event7 "Keypad Co Keypad" \(\d+ keys, a keyboard\) used; also event6 "Keypad Co Keypad" \(3 keys\)$/ });
  t.match(lines[1], { status: 'fail', found: /pedal: .*pitbox-pedal is not connected/ });
  t.match(lines[2], { status: 'pass', found: /^shoe: .*pitbox-shoe -> event3 "Acme Scanner" \(\d+ keys, a keyboard\) used; also event4 "Acme Scanner Consumer Control" \(3 keys\)$/ });

  const running = {
    dealer: {
      devices: [
        { name: 'keypad', state: 'up', detail: 'grabbed' },
        { name: 'pedal', state: 'down', detail: 'not connected', downs: 3 },
        { name: 'shoe', state: 'up', detail: 'grabbed', lastScan: { keys: 'Shift+A Shift+S ENTER', shown: 'QS<CR>', text: 'QS', card: 'QS', error: null, at: '2026-12-03T16:00:00.000Z' } },
      ],
    },
  };
  const live = inputResults(config, running, { sysClassInput: sys, devInput: dev });
  t.match(live[1]?.found, /running: down \(not connected\), down 3 times/);
  t.match(live[2]?.found, /last scan 2026-12-03T16:00:00.000Z: keys Shift\+A Shift\+S ENTER -> "QS<CR>" -> "QS" -> QS$/);
  const noScan = inputResults(config, { dealer: { devices: [{ name: 'shoe', state: 'up', detail: 'grabbed' }] } }, { sysClassInput: sys, devInput: dev });
  t.match(noScan[2]?.found, /no scan since the appliance started/);
});
