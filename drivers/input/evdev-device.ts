import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants, existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../serial/backoff.js';
import { ALIVE_AFTER_MS, DeviceLife } from './device-life.js';
import { endHelper } from './helper-process.js';
import { InputEventDecoder, KEY_DOWN, KEY_REPEAT, KEY_UP, recordLayout, type RecordLayout } from './input-event.js';
import { listInputNodes, pickNode } from './input-nodes.js';
import { keyName } from './key-codes.js';
import type { DeviceLink, KeySource, KeySourceEvents } from './key-source.js';

/** Where an input device is: a path (best: a udev symlink or /dev/input/by-id/...) or its kernel name. */
export type InputLocation = { readonly path: string } | { readonly name: string };

export interface EvdevOptions {
  /** The device's name in the table's config: it appears in every press's `by`. */
  readonly name: string;
  readonly location: InputLocation;
  readonly reconnect: BackoffPolicy;
  readonly log: Logger;
  /** Where devices are named (tests point this at a directory of their own). */
  readonly sysClassInput?: string;
  readonly devInput?: string;
  /** The key codes the device is read for: found by name, the node that can send them is used. */
  readonly keys?: readonly number[];
  /** The machine's architecture (`process.arch`): the record size depends on it. */
  readonly arch?: string;
}


/**
 * A USB keypad, foot pedal, button box or keyboard-wedge scanner, read from its evdev node with
 * an exclusive grab (EVIOCGRAB), so its keys reach pitbox only and never a console login.
 *
 * Node has no ioctl, so the grab and the reads are done by Debian's `intercept -g DEV`
 * (interception-tools): it grabs with libevdev and writes raw `input_event` records to its
 * stdout, which we read from a pipe (a read on the device node itself would park a libuv
 * thread while the keypad is idle). A child rather than an FFI call: the grab lives exactly as
 * long as the process, the kernel drops it if we crash, and an unplug ends the helper (its read
 * fails with ENODEV), which is how we notice it. intercept exits 1 without a word when the grab
 * is refused, so the reason is worked out here (permission or another holder).
 */
export class EvdevDevice extends EventEmitter<KeySourceEvents> implements KeySource {
  private helper: ChildProcessWithoutNullStreams | null = null;
  private readonly layout: RecordLayout | { unsupported: string };
  private readonly decoder: InputEventDecoder | null;
  private readonly life: DeviceLife;
  private retry: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private running = false;
  private link: DeviceLink | null = null;

  constructor(private readonly opts: EvdevOptions) {
    super();
    this.life = new DeviceLife(opts.reconnect);
    this.layout = recordLayout(opts.arch);
    this.decoder = 'unsupported' in this.layout ? null : new InputEventDecoder(this.layout);
  }

  get name(): string {
    return this.opts.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if ('unsupported' in this.layout) {
      // Reading records of the wrong size would lose presses while the device says grabbed.
      this.setLink({ up: false, reason: 'unsupported', detail: this.layout.unsupported });
      return;
    }
    this.watchForReplug();
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.watcher?.close();
    const helper = this.helper;
    this.helper = null;
    await endHelper(helper);
    this.setLink({ up: false, reason: 'stopped', detail: 'stopped' });
  }

  /**
   * The device node now, or null: by path, or among the event nodes whose kernel name matches
   * the one that can send the configured keys (a keypad's Consumer Control node shares its name).
   */
  locate(): string | null {
    const loc = this.opts.location;
    if ('path' in loc) return existsSync(loc.path) ? loc.path : null;
    const longBits = 'unsupported' in this.layout || this.layout.longBytes === 8 ? 64 : 32;
    const nodes = listInputNodes({ ...this.sys(), longBits }).filter((n) => n.name === loc.name);
    return pickNode(nodes, this.opts.keys ?? [])?.devPath ?? null;
  }

  private sys(): { sysClassInput?: string; devInput?: string } {
    return { ...(this.opts.sysClassInput ? { sysClassInput: this.opts.sysClassInput } : {}), ...(this.opts.devInput ? { devInput: this.opts.devInput } : {}) };
  }

  private connect(): void {
    this.retry = null;
    if (!this.running || this.helper) return;
    const path = this.locate();
    if (!path) return this.down({ up: false, reason: 'not-found', detail: `${describe(this.opts.location)} is not connected` });
    const helper = spawn('intercept', ['-g', path], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.helper = helper;
    const started = performance.now();
    let bytes = 0;
    let stderr = '';
    // Alive: the helper kept the grab this long, or a record came through.
    const grabbed = setTimeout(() => {
      if (this.helper === helper) this.up(path);
    }, ALIVE_AFTER_MS);
    helper.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (this.helper !== helper) return;
      if (this.link?.up !== true) this.up(path);
      this.onBytes(chunk);
    });
    helper.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    helper.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(grabbed);
      if (this.helper !== helper) return;
      this.helper = null;
      const missing = err.code === 'ENOENT';
      this.down({ up: false, reason: missing ? 'no-helper' : 'disconnected', detail: missing ? 'intercept is not installed (apt install interception-tools)' : err.message });
    });
    helper.once('exit', (code, signal) => {
      clearTimeout(grabbed);
      if (this.helper !== helper) return;
      this.helper = null;
      // Refused: it ended with an error before it ever held the device (no record, not alive yet).
      const quick = performance.now() - started < ALIVE_AFTER_MS && bytes === 0;
      if (quick && code !== 0) return this.down(refusal(path, stderr));
      this.down({ up: false, reason: 'disconnected', detail: `${path} went away (intercept ${signal ?? `exited ${code}`})` });
    });
  }

  private onBytes(chunk: Buffer): void {
    for (const packet of this.decoder?.push(chunk) ?? []) {
      if (packet.kind === 'dropped') {
        this.opts.log.warn({ device: this.opts.name }, 'input events dropped by the kernel (SYN_DROPPED): key state resynced');
        this.emit('key', { is: 'resync' });
        continue;
      }
      // The record time is when the kernel saw the change: the gate measures gaps between these.
      const at = packet.timeUs / 1000;
      for (const k of packet.keys) {
        const is = k.value === KEY_DOWN ? 'down' : k.value === KEY_UP ? 'up' : k.value === KEY_REPEAT ? 'repeat' : null;
        if (is) this.emit('key', { key: keyName(k.code), is, at });
      }
    }
  }

  private up(path: string): void {
    if (this.life.alive()) this.setLink({ up: true, detail: `${path} grabbed` });
  }

  private down(link: DeviceLink & { up: false }): void {
    this.decoder?.reset();
    this.setLink(link);
    const delay = this.life.ended();
    if (!this.running || this.retry) return;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  /** udev creates the node (and its by-id link) on replug: try at once instead of at the next backoff. */
  private watchForReplug(): void {
    const loc = this.opts.location;
    const dir = 'path' in loc ? dirname(loc.path) : (this.opts.devInput ?? '/dev/input');
    const target = 'path' in loc ? basename(loc.path) : null;
    try {
      this.watcher = watch(dir, (_event, file) => {
        if (!this.running || this.helper || (target && file !== null && file !== target)) return;
        if (this.retry) clearTimeout(this.retry);
        this.retry = setTimeout(() => this.connect(), 50);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // The directory itself is missing (no by-id links until the first USB device): backoff finds it.
    }
  }

  private setLink(link: DeviceLink): void {
    const prev = this.link;
    if (prev && prev.up === link.up && (link.up || (!prev.up && prev.reason === link.reason))) return;
    this.link = link;
    this.opts.log[link.up ? 'info' : 'warn']({ device: this.opts.name, ...link }, link.up ? 'input device up' : 'input device down');
    this.emit('link', link);
  }
}

function describe(loc: InputLocation): string {
  return 'path' in loc ? loc.path : `the input device named "${loc.name}"`;
}

/** intercept exits 1 silently when it cannot open or grab: find out which, for the technician. */
function refusal(path: string, stderr: string): DeviceLink & { up: false } {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return { up: false, reason: 'permission', detail: `cannot read ${path}: the service user needs group "input" (systemd/99-pitbox-input.rules sets it)` };
  }
  const said = stderr.trim() ? ` (${stderr.trim()})` : '';
  return { up: false, reason: 'busy', detail: `cannot grab ${path}: another process holds it exclusively${said}; find it with: fuser -v ${path}` };
}
