import type { EventEmitter } from 'node:events';
import type { LinkDown } from '../serial/serial-link.js';

/** A raw change of one key, before the gate decides whether it is a press. */
export type KeyChange =
  | {
      readonly key: string;
      readonly is: 'down' | 'up' | 'repeat';
      /** When it happened by the source's own clock, in ms (the kernel's edge or record time); absent: on arrival. */
      readonly at?: number;
    }
  /** Events were lost (kernel buffer overflow): every key's state is unknown. */
  | { readonly is: 'resync' };

export type DeviceLink =
  | { readonly up: true; readonly detail: string }
  | { readonly up: false; readonly reason: 'not-found' | 'busy' | 'permission' | 'no-helper' | 'disconnected' | 'silent' | 'unsupported' | 'stopped'; readonly detail: string };

export interface KeySourceEvents {
  key: [KeyChange];
  /** Emitted on every change of the link, never twice the same way in a row. */
  link: [DeviceLink];
  /** Keys down when the source started (read from the hardware where it can be). */
  heldAtStart: [string[]];
}

/**
 * A device with buttons: a USB keypad or pedal (evdev), GPIO lines, a serial button panel.
 * Each reconnects by itself; `link` tells the table when it is gone and back, and nothing
 * that was in flight when it went is reported as a key.
 */
export interface KeySource extends EventEmitter<KeySourceEvents> {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/** A serial device's link going down, as a device link (null for a deliberate stop). */
export function serialDeviceDown(d: LinkDown): (DeviceLink & { up: false }) | null {
  if (d.reason === 'stopped') return null;
  const reason = d.reason === 'silent' || d.reason === 'not-found' ? d.reason : 'disconnected';
  return { up: false, reason, detail: d.detail };
}
