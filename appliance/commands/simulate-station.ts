import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { keyRecords } from '../../drivers/input/input-event.js';
import { keyCode } from '../../drivers/input/key-codes.js';
import { PtyPair } from '../../drivers/serial/pty-pair.js';
import { SimulatedInputNode as FakeInputNode } from '../../drivers/input/simulator/input-node.js';
import { loadConfig } from '../config/load.js';
import type { TableConfig } from '../config/schema.js';
import { defaultSocketPath } from '../kernel/control-socket.js';
import { SimulatedDealer, type DealerKey } from './simulated-dealer.js';
import { askControl } from './table.js';
import { connectTarget, resolveTarget } from './tail.js';

const HELP = `type:
  start | close | void          the dealer's keys (start a round, close bets, void the round)
  misread CARD                  the shoe reads CARD instead of the next card, e.g. misread 9H
  card CARD                     the shoe reads one more card
  unplug keypad|shoe            pull a device out; replug keypad|shoe puts it back
  open | resume                 what a technician does (pitbox table open|resume)
  auto off | auto on            stop or go on dealing by itself
  press KEY | hold KEY | release KEY   a raw key on the keypad, e.g. press KEY_F1
  help`;

/**
 * `pitbox simulate station`: the dealer's hardware for a simulated card table. A keypad node
 * (a FIFO the table's evdev input reads through a stand-in `intercept`, see
 * scripts/simulate-baccarat.sh) and a serial shoe on a pty, driven from stdin (`help` lists the
 * commands). With `--auto --config FILE --deal CARDS` a simulated dealer plays round after
 * round by itself, watching the table's state on its broker (waiting for the broker like
 * `pitbox tail`): start when the layout is clear, close bets after `--bets S` seconds, and the
 * shoe reads the next of CARDS each time the camera sees one more card land.
 */
export async function simulateStationCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      keypad: { type: 'string', default: '/tmp/pitbox-keypad' },
      shoe: { type: 'string', default: '/tmp/pitbox-shoe' },
      config: { type: 'string', short: 'c' },
      auto: { type: 'boolean', default: false },
      deal: { type: 'string' },
      bets: { type: 'string', default: '1' },
    },
  });
  const config = values.config ? loadConfig(values.config) : null;
  const keys = config ? keypadKeys(config, values.keypad) : null;
  if (values.auto && (!config || !values.deal || !keys)) {
    process.stderr.write(`pitbox simulate station: --auto needs --config FILE (the table's, with an evdev input at ${values.keypad}) and --deal CARD,CARD,...\n`);
    return 2;
  }
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const keypad = new FakeInputNode(values.keypad);
  if (existsSync(keypad.path)) rmSync(keypad.path);
  keypad.plug();
  const shoe = new PtyPair(values.shoe);
  await shoe.plug();
  say(`keypad: ${keypad.path}\nshoe: ${shoe.linkPath}`);
  const opened = keypad.open();
  const write = async (code: number, value: number) => {
    await opened;
    await keypad.write(keyRecords(code, value, keypad.stamp()), () => 0.99);
  };
  const press = async (code: number): Promise<void> => {
    await write(code, 1);
    await new Promise((r) => setTimeout(r, 80));
    await write(code, 0);
  };
  const pressAction = async (action: DealerKey): Promise<void> => {
    const code = keys?.[action];
    if (code === undefined) throw new Error(`no key on the keypad does ${action}${config ? '' : ' (give --config FILE)'}`);
    await press(code);
  };
  const technician = async (action: 'open' | 'resume'): Promise<void> => {
    if (!config) throw new Error(`${action} needs --config FILE`);
    const answer = await askControl(config.control.socket ?? defaultSocketPath(config.table), { action, by: 'technician' });
    say(answer.ok ? `${action}: done` : `${action}: refused: ${answer.reason}`);
  };

  const dealer = values.auto ? new SimulatedDealer({ press: pressAction, shoe: (card) => shoe.write(`${card}\r\n`), say: (line) => say(`dealer: ${line}`) }, { deal: (values.deal ?? '').split(',').map((c) => c.trim()), betsMs: Number(values.bets) * 1000 }) : null;
  say(HELP);
  // The dealer waits for the table's broker while the prompt already takes commands.
  const watch = dealer && config ? watchTable(config, values.config as string, dealer, say).catch((err: Error) => void process.stderr.write(`dealer: ${err.message}\n`)) : null;

  const commands = createInterface({ input: process.stdin });
  for await (const line of commands) {
    const [verb = '', arg = ''] = line.trim().split(/\s+/);
    const code = keyCode(arg);
    try {
      if (verb === 'press' && code !== null) await press(code);
      else if (verb === 'hold' && code !== null) await write(code, 1);
      else if (verb === 'release' && code !== null) await write(code, 0);
      else if (verb === 'start' || verb === 'void') await pressAction(verb);
      else if (verb === 'close') await pressAction('close-bets');
      else if (verb === 'open' || verb === 'resume') await technician(verb);
      else if (verb === 'card') await shoe.write(`${arg}\r\n`);
      else if (verb === 'misread' && dealer && arg) {
        dealer.misread(arg.toUpperCase());
        say(`the shoe will read the next card as ${arg.toUpperCase()}`);
      } else if (verb === 'auto' && dealer && (arg === 'on' || arg === 'off')) {
        dealer.auto = arg === 'on';
        say(`dealing by itself: ${arg}`);
      } else if (verb === 'unplug') await (arg === 'shoe' ? shoe.unplug() : keypad.unplug());
      else if (verb === 'replug' && arg === 'shoe') await shoe.plug();
      else if (verb === 'replug') {
        keypad.plug();
        await keypad.open();
      } else if (verb === 'help') say(HELP);
      else if (verb) process.stderr.write(`unknown command ${JSON.stringify(line)}\n${HELP}\n`);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  }
  dealer?.stop();
  await (await watch)?.endAsync();
  await keypad.unplug();
  await shoe.unplug();
  return 0;
}

/** The keypad's key for each dealer action, from the table's evdev input reading this node. */
function keypadKeys(config: TableConfig, keypadPath: string): Partial<Record<DealerKey, number>> | null {
  const input = config.inputs.find((i) => i.driver === 'evdev' && i.path !== undefined && resolve(i.path) === resolve(keypadPath));
  if (!input || input.driver !== 'evdev') return null;
  const out: Partial<Record<DealerKey, number>> = {};
  for (const [key, action] of Object.entries(input.keys)) {
    const code = keyCode(key);
    if (code !== null && (action === 'start' || action === 'close-bets' || action === 'void') && out[action] === undefined) out[action] = code;
  }
  return out;
}

/** The table's state and status on its broker, to the dealer (and the table's refusals, said). */
async function watchTable(config: TableConfig, configFile: string, dealer: SimulatedDealer, say: (line: string) => void) {
  const target = resolveTarget({ config: configFile });
  if (typeof target === 'string') throw new Error(target);
  const link = await connectTarget('dealer', target, undefined);
  if (typeof link === 'string') throw new Error(link);
  const base = `${target.prefix}/${config.studio}/${config.table}`;
  let lastPress: string | null = null;
  let state: object | null = null;
  link.client.on('message', (topic, payload) => {
    const message = JSON.parse(payload.toString()) as { state?: object; dealer?: { lastPress?: { at: string; ok: boolean; action: string | null; reason: string | null } | null } };
    if (topic.endsWith('/state') && message.state) dealer.onState((state = message.state));
    const press = message.dealer?.lastPress;
    if (topic.endsWith('/status') && press !== undefined) {
      const at = press?.at ?? '';
      // The retained status may tell of a press from before: only presses from now on are said.
      if (press && lastPress !== null && at !== lastPress && !press.ok) say(`table: ${press.action ?? 'that key'} refused: ${press.reason ?? ''}`);
      lastPress = at;
    }
  });
  // The state is published when it changes; a press the table did not act on is retried on a tick.
  const tick = setInterval(() => state && dealer.onState(state), 500);
  link.client.once('end', () => clearInterval(tick));
  await link.client.subscribeAsync([`${base}/state`, `${base}/status`], { qos: 1 });
  return link.client;
}
