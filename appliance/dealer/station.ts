import { LinuxBinding } from '@serialport/bindings-cpp';
import type { Logger } from 'pino';
import type { ShoeConfig, InputConfig } from '../../drivers/input/config.js';
import { SerialShoe, WedgeShoe, type CardShoe } from '../../drivers/input/card-shoe.js';
import { EvdevDevice } from '../../drivers/input/evdev-device.js';
import { GpioButtons } from '../../drivers/input/gpio-buttons.js';
import { KeyGate, type KeyVerdict } from '../../drivers/input/key-gate.js';
import { keyCode } from '../../drivers/input/key-codes.js';
import type { DeviceLink, KeySource } from '../../drivers/input/key-source.js';
import { SerialPanel } from '../../drivers/input/serial-panel.js';
import type { JsonObject } from '../contract/envelope.js';
import { codePattern, parseShoeCode } from '../cards/shoe-code.js';
import type { ShoeRead } from '../cards/shoe-match.js';
import { perform, type Action, type TableControl } from '../kernel/control-socket.js';
import type { TableGame } from '../kernel/game.js';
import type { EventDraft } from '../kernel/events.js';

/** The last press a dealer made, and what the table said: the monitor shows it. */
export interface PressRecord {
  readonly device: string;
  readonly key: string;
  readonly action: string | null;
  readonly ok: boolean;
  readonly reason: string | null;
  readonly at: string;
}

export interface StationHooks {
  readonly control: TableControl;
  /** Journals an event (device.down / device.up) in the table's sequence. */
  readonly journal: (draft: EventDraft) => void;
  readonly alarm: (code: 'input-device' | 'input-stuck', reason: string | null) => void;
  /** Something the monitor shows changed (a press, a device). */
  readonly changed: () => void;
  /** A card drawn from the shoe (card tables that deal from it). */
  readonly shoe?: { read(read: ShoeRead, by: string): void; link(problem: string | null): void };
  readonly onPress?: (action: string, accepted: boolean) => void;
}

/** What the shoe's last scan decoded to: `pitbox doctor` and the monitor show it while a scanner is set up. */
export interface ScanRecord {
  readonly keys: string;
  readonly shown: string;
  readonly text: string | null;
  readonly card: string | null;
  readonly error: string | null;
  readonly at: string;
}

interface Device {
  readonly source: KeySource | CardShoe;
  readonly driver: string;
  state: 'starting' | 'up' | 'down';
  detail: string;
  gate: KeyGate | null;
  ignored: number;
  lastScan?: ScanRecord;
  /** The outage's `device.down` is in the journal; `device.up` is not yet. */
  outage: { downs: number; settle: NodeJS.Timeout | null } | null;
}

/** Back this long before `device.up` is journaled: a device that flaps makes one outage, not hundreds of events. */
export const SETTLE_MS = 3000;

/**
 * The dealer's side of the box: button devices whose presses go through the same engine API as
 * the control socket (`by` names the device and key), and the card shoe. A press the table does
 * not allow now is refused, never queued, and the reason is kept for the dealer's monitor. A
 * device that goes away is journaled (`device.down`, `device.up` on return) and raises an alarm;
 * what was in flight when it went counts for nothing.
 */
export class DealerStation {
  private readonly devices = new Map<string, Device>();
  private lastPress: PressRecord | null = null;
  private readonly stuck = new Map<string, number>();

  constructor(
    private readonly inputs: readonly InputConfig[],
    private readonly shoe: ShoeConfig | null,
    private readonly hooks: StationHooks,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const input of this.inputs) this.addInput(input);
    if (this.shoe) this.addShoe(this.shoe);
    for (const d of this.devices.values()) d.source.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.devices.values()].map(async (d) => {
      d.gate?.stop();
      if (d.outage?.settle) clearTimeout(d.outage.settle);
      await d.source.stop();
    }));
  }

  /** What the monitor and `status` show: each device, the keys held, the last press. */
  report(): JsonObject {
    return {
      devices: [...this.devices].map(([name, d]) => ({
        name,
        driver: d.driver,
        state: d.state,
        detail: d.detail,
        held: d.gate?.held() ?? [],
        ignored: d.ignored,
        ...(d.outage ? { downs: d.outage.downs } : {}),
        ...(d.lastScan ? { lastScan: d.lastScan as unknown as JsonObject } : {}),
      })),
      lastPress: this.lastPress as unknown as JsonObject | null,
    };
  }

  private addInput(input: InputConfig): void {
    const log = this.log.child({ device: input.name });
    const reconnect = input.reconnect;
    let source: KeySource;
    let keys: Record<string, Action>;
    switch (input.driver) {
      case 'evdev':
        source = new EvdevDevice({ name: input.name, location: input.path ? { path: input.path } : { name: input.deviceName ?? '' }, keys: Object.keys(input.keys).map((k) => keyCode(k) ?? -1), reconnect, log });
        keys = input.keys;
        break;
      case 'gpio':
        source = new GpioButtons({ name: input.name, chip: input.chip, lines: Object.keys(input.lines).map(Number), bias: input.bias, activeLow: input.activeLow, reconnect, log });
        keys = input.lines;
        break;
      case 'serial':
        source = new SerialPanel({ name: input.name, path: input.port, baudRate: input.baudRate, binding: LinuxBinding, pattern: input.pattern, heartbeat: input.heartbeat, silenceMs: input.silenceMs, reconnect, log });
        keys = input.keys;
        break;
    }
    const device: Device = { source, driver: input.driver, state: 'starting', detail: 'starting', gate: null, ignored: 0, outage: null };
    const gpio = input.driver === 'gpio';
    const rules = { minGapMs: input.minGapMs, holdAlarmMs: input.holdAlarmMs, stableMs: gpio ? input.debounceMs : 0, downWhileDown: gpio ? ('bounce' as const) : ('lost-release' as const) };
    const gate = (device.gate = new KeyGate(rules, (v) => this.onVerdict(input.name, device, keys, v)));
    this.devices.set(input.name, device);
    source.on('key', (k) => {
      if (k.is === 'resync') return gate.forget('resync');
      // Autorepeat (30 a second on a held key) changes nothing shown: no status for it.
      if (k.is === 'repeat') return gate.repeat(k.key);
      if (k.is === 'down') gate.down(k.key, k.at);
      else gate.up(k.key, k.at);
      this.hooks.changed();
    });
    source.on('heldAtStart', (held) => gate.heldAtStart(held));
    source.on('link', (link) => {
      if (!link.up) gate.forget('gone');
      this.onLink(input.name, device, link);
    });
  }

  private addShoe(config: ShoeConfig): void {
    const log = this.log.child({ device: config.name });
    const source: CardShoe =
      config.driver === 'evdev'
        ? new WedgeShoe({ name: config.name, location: config.path ? { path: config.path } : { name: config.deviceName ?? '' }, reconnect: config.reconnect, log, layout: config.layout, terminator: config.terminator })
        : new SerialShoe(config.name, { path: config.port ?? '', baudRate: config.baudRate, binding: LinuxBinding, reconnect: config.reconnect, log });
    const device: Device = { source, driver: `shoe-${config.driver}`, state: 'starting', detail: 'starting', gate: null, ignored: 0, outage: null };
    this.devices.set(config.name, device);
    const pattern = codePattern(config.pattern ? { pattern: config.pattern } : { order: config.code });
    source.on('code', (scan) => {
      const parsed = scan.text === null ? { error: scan.problem ?? 'no code' } : parseShoeCode(scan.text, pattern);
      const card = 'card' in parsed ? parsed.card : null;
      const error = 'error' in parsed ? parsed.error : null;
      if (error) log.error({ code: JSON.stringify(scan.shown.slice(0, 40)), keys: scan.keys.slice(0, 200) }, error);
      device.lastScan = { keys: scan.keys.slice(0, 200), shown: scan.shown.slice(0, 60), text: scan.text, card, error, at: new Date().toISOString() };
      this.hooks.shoe?.read({ card, ...(error ? { error } : {}), code: (scan.text ?? scan.shown).slice(0, 40), at: performance.now() }, `shoe:${config.name}`);
      this.hooks.changed();
    });
    source.on('link', (link) => {
      this.hooks.shoe?.link(link.up ? null : `${config.name}: ${link.detail}`);
      this.onLink(config.name, device, link);
    });
  }

  private onVerdict(name: string, device: Device, keys: Record<string, Action>, v: KeyVerdict): void {
    switch (v.kind) {
      case 'press': {
        const action = keys[v.key] ?? null;
        if (action === null) {
          this.log.info({ device: name, key: v.key }, 'a key with no action: ignored');
          this.lastPress = { device: name, key: v.key, action: null, ok: false, reason: 'this key has no action', at: new Date().toISOString() };
          break;
        }
        const decision = perform(this.hooks.control, { action, by: `${name}:${v.key}` });
        this.hooks.onPress?.(action, decision.ok);
        this.lastPress = { device: name, key: v.key, action, ok: decision.ok, reason: decision.ok ? null : decision.reason, at: new Date().toISOString() };
        this.log.info({ device: name, key: v.key, action, ...(decision.ok ? {} : { refused: decision.reason }) }, 'press');
        break;
      }
      case 'ignored':
        device.ignored += 1;
        this.log.debug({ device: name, key: v.key, why: v.why }, 'key ignored');
        if (v.why === 'repeat') return; // the held key is already shown
        break;
      case 'stuck':
        this.stuck.set(`${name}:${v.key}`, v.heldMs);
        this.raiseStuck();
        break;
      case 'unstuck':
        this.stuck.delete(`${name}:${v.key}`);
        this.raiseStuck();
        break;
    }
    this.hooks.changed();
  }

  private raiseStuck(): void {
    const keys = [...this.stuck.keys()];
    this.hooks.alarm('input-stuck', keys.length ? `held too long: ${keys.join(', ')} (quarantined until released)` : null);
  }

  /**
   * One outage is one `device.down` and one `device.up`: the up is journaled only once the
   * device has stayed back `SETTLE_MS`, and each time it drops before that is counted
   * (`downs` in `device.up`, the alarm and the report), not journaled.
   */
  private onLink(name: string, device: Device, link: DeviceLink): void {
    const was = device.state;
    device.detail = link.detail;
    if (link.up) {
      device.state = 'up';
      const outage = device.outage;
      if (outage && !outage.settle) {
        outage.settle = setTimeout(() => {
          device.outage = null;
          this.hooks.journal({ type: 'device.up', round: null, data: { device: name, driver: device.driver, detail: device.detail, downs: outage.downs } });
          this.hooks.changed();
        }, SETTLE_MS);
        outage.settle.unref();
      }
    } else if (link.reason !== 'stopped') {
      device.state = 'down';
      if (device.outage) {
        if (device.outage.settle) clearTimeout(device.outage.settle);
        device.outage.settle = null;
        if (was !== 'down') device.outage.downs += 1;
      } else {
        device.outage = { downs: 1, settle: null };
        this.hooks.journal({ type: 'device.down', round: null, data: { device: name, driver: device.driver, reason: link.reason, detail: link.detail } });
      }
    }
    const down = [...this.devices].filter(([, d]) => d.state === 'down').map(([n, d]) => `${n} (${d.detail}${d.outage && d.outage.downs > 1 ? `; down ${d.outage.downs} times` : ''})`);
    this.hooks.alarm('input-device', down.length ? `down: ${down.join('; ')}` : null);
    this.hooks.changed();
  }
}

/** What a table hands its station: the runtime's journal and alarms, the engine, the state push. */
export interface TableSide {
  readonly runtime: {
    append(draft: EventDraft, snapshot: unknown): unknown;
    setAlarm(code: 'input-device' | 'input-stuck', reason: string | null): void;
    refreshStatus(): void;
    readonly metrics: { onPress(action: string, accepted: boolean): void } | null;
  };
  readonly engine: TableGame;
  /** Publishes the table's state after an event. */
  readonly publishState: () => void;
  readonly shoe?: StationHooks['shoe'];
}

/** The station as every table wires it: events in the table's journal, alarms in its status. */
export function tableStation(side: TableSide, inputs: readonly InputConfig[], shoe: ShoeConfig | null, log: Logger): DealerStation {
  const { runtime, engine } = side;
  return new DealerStation(
    inputs,
    shoe,
    {
      control: engine,
      journal: (draft) => {
        runtime.append(draft, engine.snapshot());
        side.publishState();
      },
      alarm: (code, reason) => runtime.setAlarm(code, reason),
      changed: () => runtime.refreshStatus(),
      ...(side.shoe ? { shoe: side.shoe } : {}),
      onPress: (action, ok) => runtime.metrics?.onPress(action, ok),
    },
    log.child({ module: 'dealer' }),
  );
}
