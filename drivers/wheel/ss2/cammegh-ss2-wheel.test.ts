import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinuxBinding } from '@serialport/bindings-cpp';
import pino from 'pino';
import t, { type Test } from 'tap';
import { PtyPair } from '../../serial/pty-pair.js';
import type { WheelLink } from '../wheel.js';
import { CammeghSs2Wheel } from './cammegh-ss2-wheel.js';
import { encodeStatus } from './messages.js';

/**
 * The driver on a real pty, with this test playing the wheel by hand: it answers the set-up
 * (`*o`, `*T s`) and sends status frames when the test says so, so silence is exactly what the
 * test makes it.
 */

const PERIOD_MS = 50;
const SILENCE_FACTOR = 8;

async function harness(t: Test, rotorReply = '*T s 16.5 18.2') {
  const pty = new PtyPair(join(mkdtempSync(join(tmpdir(), 'pitbox-ss2-')), 'wheel'));
  await pty.plug();
  t.teardown(() => pty.unplug());
  let buffered = '';
  pty.on('data', (d) => {
    buffered += d.toString();
    for (let i = buffered.indexOf('\r'); i >= 0; i = buffered.indexOf('\r')) {
      const cmd = buffered.slice(0, i).replace(/^\n/, '');
      buffered = buffered.slice(i + 1);
      if (cmd.startsWith('*o ')) void pty.write(`${cmd}\r\n`);
      else if (cmd === '*T s') void pty.write(`${rotorReply}\r\n`);
    }
  });
  const wheel = new CammeghSs2Wheel({
    port: pty.linkPath,
    baudRate: 9600,
    mode: 1157,
    binding: LinuxBinding,
    statusPeriodMs: PERIOD_MS,
    silenceFactor: SILENCE_FACTOR,
    commandTimeoutMs: 500,
    reconnect: { initialMs: 20, maxMs: 100 },
    log: pino({ level: 'silent' }),
  });
  const links: (WheelLink & { ms: number })[] = [];
  wheel.on('link', (l) => links.push({ ...l, ms: performance.now() }));
  let statuses = 0;
  wheel.on('status', () => (statuses += 1));
  t.teardown(() => wheel.stop());
  const frame = (spin = 12) => pty.write(encodeStatus({ state: 1, spin, lastNumber: 7, warnings: 0, rotorRpm: 17.3, direction: 'clockwise' }));
  return { pty, wheel, links, frame, statuses: () => statuses };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

t.test('status frames at the period keep the link up; silence for silenceFactor periods drops it; the next frame restores it', async (t) => {
  const h = await harness(t);
  await h.wheel.start();
  await until('link up after set-up', () => h.links.some((l) => l.up));
  t.match(h.links[0], { up: true, rotorWindow: { minRpm: 16.5, maxRpm: 18.2 } }, 'the rotor window reported by *T s');

  // Twice the silence window of frames, each one period apart: never declared lost.
  for (let i = 0; i < SILENCE_FACTOR * 2; i++) {
    h.frame();
    await sleep(PERIOD_MS);
  }
  t.equal(h.links.length, 1, 'frames at the status period never count as silence');
  t.ok(h.statuses() >= SILENCE_FACTOR * 2 - 1, `status frames reached the appliance (${h.statuses()})`);

  const lastFrame = performance.now();
  h.frame();
  await until('link lost', () => h.links.some((l) => !l.up), 5000);
  const down = h.links.find((l) => !l.up)!;
  t.match(down, { up: false, reason: 'silent' }, 'declared silent, not unplugged');
  t.ok(down.ms - lastFrame >= PERIOD_MS * SILENCE_FACTOR - 5, `not before ${SILENCE_FACTOR} periods without a frame (${Math.round(down.ms - lastFrame)} ms)`);

  // The wheel speaks again: the driver reopens, sets the wheel up again and is back.
  const sending = setInterval(() => void h.frame(), PERIOD_MS);
  t.teardown(() => clearInterval(sending));
  await until('link restored', () => h.links.at(-1)?.up === true, 5000);
  t.equal(h.links.filter((l) => l.up).length, 2, 'up again once');
});

t.test('a wheel that never reports a usable rotor window still comes up, without a window', async (t) => {
  const h = await harness(t, '*T s ?? ??');
  await h.wheel.start();
  await until('link up', () => h.links.some((l) => l.up));
  t.match(h.links[0], { up: true, rotorWindow: null });
});
