import { readFileSync } from 'node:fs';
import t from 'tap';
import { DeviceLife } from './device-life.js';

t.test('backoff: a mere open does not start it over; a steady run does', async (t) => {
  let now = 0;
  const life = new DeviceLife({ initialMs: 100, maxMs: 10_000 }, 10_000, () => now);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    life.alive(); // opened, even said something once
    now += 500; // and went again half a second later
    delays.push(life.ended());
  }
  t.ok(delays.every((d, i) => i === 0 || d > delays[i - 1]!), `each retry waits longer: ${delays.join(', ')} ms`);
  t.equal(life.alive(), true, 'the first sign of life on an attempt reports up');
  t.equal(life.alive(), false, 'once');
  now += 60_000;
  t.ok(life.ended() <= 120, 'after a minute up, the next outage retries at the first delay again');
});

t.test('udev rules: each stable name picks the keyboard-capable node or an interface, not every node of the device', async (t) => {
  const rules = readFileSync(new URL('../../systemd/99-pitbox-input.rules', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('SUBSYSTEM=='));
  t.ok(rules.length >= 3);
  for (const rule of rules) t.match(rule, /ENV\{ID_INPUT_KEYBOARD\}=="1"|ENV\{ID_USB_INTERFACE_NUM\}=="\d+"/, rule.slice(0, 90));
});
