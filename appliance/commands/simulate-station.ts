import { existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { keyRecords } from '../../drivers/input/input-event.js';
import { keyCode } from '../../drivers/input/key-codes.js';
import { PtyPair } from '../../drivers/serial/pty-pair.js';
import { SimulatedInputNode as FakeInputNode } from '../../drivers/input/simulator/input-node.js';

/**
 * `pitbox simulate station`: the dealer's hardware for a simulated card table. A keypad node
 * (a FIFO the table's evdev input reads through a stand-in `intercept`, see
 * scripts/simulate-baccarat.sh) and a serial shoe on a pty. Reads commands on stdin:
 * `press KEY_F1` (down and up), `hold KEY_F1` / `release KEY_F1`, `card AS` (the shoe reads a
 * card), `unplug keypad|shoe`, `replug keypad|shoe`.
 */
export async function simulateStationCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { keypad: { type: 'string', default: '/tmp/pitbox-keypad' }, shoe: { type: 'string', default: '/tmp/pitbox-shoe' } } });
  const keypad = new FakeInputNode(values.keypad);
  if (existsSync(keypad.path)) rmSync(keypad.path);
  keypad.plug();
  const shoe = new PtyPair(values.shoe);
  await shoe.plug();
  process.stdout.write(`keypad: ${keypad.path}\nshoe: ${shoe.linkPath}\n`);
  const opened = keypad.open();
  const write = async (code: number, value: number) => {
    await opened;
    await keypad.write(keyRecords(code, value, keypad.stamp()), () => 0.99);
  };
  const commands = createInterface({ input: process.stdin });
  for await (const line of commands) {
    const [verb, arg = ''] = line.trim().split(/\s+/);
    const code = keyCode(arg);
    try {
      if (verb === 'press' && code !== null) {
        await write(code, 1);
        await new Promise((r) => setTimeout(r, 80));
        await write(code, 0);
      } else if (verb === 'hold' && code !== null) await write(code, 1);
      else if (verb === 'release' && code !== null) await write(code, 0);
      else if (verb === 'card') await shoe.write(`${arg}\r\n`);
      else if (verb === 'unplug') await (arg === 'shoe' ? shoe.unplug() : keypad.unplug());
      else if (verb === 'replug' && arg === 'shoe') await shoe.plug();
      else if (verb === 'replug') {
        keypad.plug();
        await keypad.open();
      } else if (verb) process.stderr.write(`unknown command ${JSON.stringify(line)}: press KEY, hold KEY, release KEY, card CODE, unplug|replug keypad|shoe\n`);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  }
  await keypad.unplug();
  await shoe.unplug();
  return 0;
}
