import type { InputConfig, ShoeConfig } from '../../drivers/input/config.js';
import { SHOE_KEYS } from '../../drivers/input/card-shoe.js';
import { listInputNodes, nodesNamed, nodesOfPath, pickNode, type InputNode, type SysInput } from '../../drivers/input/input-nodes.js';
import { keyCode } from '../../drivers/input/key-codes.js';
import type { TableConfig } from '../config/schema.js';
import type { ScanRecord } from '../dealer/station.js';
import { fail, pass, skip, warn, type Check, type CheckResult } from './doctor.js';

interface RunningDevice {
  readonly name: string;
  readonly state: string;
  readonly detail: string;
  readonly downs?: number;
  readonly lastScan?: ScanRecord;
}

type Configured = { readonly name: string; readonly evdev: { path?: string | undefined; deviceName?: string | undefined } | null; readonly wanted: readonly number[]; readonly shoe: boolean };

function configured(config: TableConfig): Configured[] {
  const inputs = config.inputs.map((i: InputConfig): Configured => ({
    name: i.name,
    evdev: i.driver === 'evdev' ? { path: i.path, deviceName: i.deviceName } : null,
    wanted: i.driver === 'evdev' ? Object.keys(i.keys).map((k) => keyCode(k) ?? -1) : [],
    shoe: false,
  }));
  const shoe: ShoeConfig | undefined = config.game === 'roulette' ? undefined : config.cards.shoe;
  return shoe ? [...inputs, { name: shoe.name, evdev: shoe.driver === 'evdev' ? { path: shoe.path, deviceName: shoe.deviceName } : null, wanted: SHOE_KEYS, shoe: true }] : inputs;
}

const describe = (n: InputNode, wanted: readonly number[]) =>
  `${n.event} "${n.name}" (${n.keys.size} keys${n.keyboard ? ', a keyboard' : ''}${wanted.length && !wanted.every((k) => n.keys.has(k)) ? ', lacks some configured keys' : ''})`;

/** What a scan decoded to, for a technician setting a scanner up with the shoe test sheet. */
export function describeScan(s: ScanRecord | undefined): string {
  if (!s) return 'no scan since the appliance started (scan the README\'s shoe test sheet)';
  const to = s.text === null ? 'no code' : JSON.stringify(s.text);
  return `last scan ${s.at}: keys ${s.keys || '(a serial line)'} -> ${JSON.stringify(s.shown)} -> ${to} -> ${s.card ?? `unreadable: ${s.error ?? '?'}`}`;
}

/**
 * Each configured dealer device: for evdev ones every node of the device (a keypad or scanner
 * shows several) and which one is used; with the appliance running, its state and, for the
 * shoe, what the last scan decoded to.
 */
export function inputResults(config: TableConfig, running: Record<string, unknown> | null, sys: SysInput = {}): CheckResult[] {
  const devices = configured(config);
  if (!devices.length) return [skip('no dealer inputs or shoe configured')];
  const now = (running?.['dealer'] as { devices?: RunningDevice[] } | null)?.devices ?? [];
  const nodes = devices.some((d) => d.evdev) ? listInputNodes(sys) : [];
  return devices.map((d) => {
    const live = now.find((r) => r.name === d.name);
    const state = running ? (live ? `; running: ${live.state} (${live.detail})${live.downs && live.downs > 1 ? `, down ${live.downs} times` : ''}` : '; not in the running appliance') : '';
    const scan = d.shoe && running ? `; ${describeScan(live?.lastScan)}` : '';
    if (!d.evdev) return live && live.state !== 'up' ? warn(`${d.name}${state}`, 'see the detail; `journalctl -u pitbox@...` shows each reconnect') : pass(`${d.name}${state || ': not evdev (no nodes to list)'}${scan}`);
    const { path, deviceName } = d.evdev;
    const found = path ? nodesOfPath(path, nodes) : { used: pickNode(nodes.filter((n) => n.name === deviceName), d.wanted), all: nodesNamed(deviceName ?? '', nodes) };
    const where = path ?? `the device named "${deviceName ?? ''}"`;
    if (!found.used) return fail(`${d.name}: ${where} is not connected${state}`, 'plug it in; for a udev link check systemd/99-pitbox-input.rules is installed (udevadm info -a -n /dev/input/eventN)');
    const others = found.all.filter((n) => n !== found.used).map((n) => describe(n, []));
    const line = `${d.name}: ${where} -> ${describe(found.used, d.wanted)} used${others.length ? `; also ${others.join(', ')}` : ''}${state}${scan}`;
    if (!d.wanted.every((k) => found.used?.keys.has(k))) return warn(line, 'the node used cannot send every configured key: point the udev rule at the keyboard node (ENV{ID_INPUT_KEYBOARD}=="1" or ENV{ID_USB_INTERFACE_NUM}) or configure deviceName');
    return live && live.state !== 'up' ? warn(line, 'see the running state\'s detail') : pass(line);
  });
}

export const inputsCheck: Check<{ config: TableConfig | null; running: Record<string, unknown> | null }> = {
  name: 'dealer-inputs',
  run: (ctx) => (ctx.config ? inputResults(ctx.config, ctx.running) : skip('no usable config')),
};
