import type { Aedes } from 'aedes';
import type { JournaledEvent } from '../journal/journal.js';

/**
 * Copies what the table publishes to the embedded broker when the uplink is a central broker,
 * so local consumers (table displays, the dealer's monitor) see the same topics on loopback.
 * Best effort by design: the journal's delivery guarantee is for the uplink; a display that
 * reconnects catches up from the retained state, not from history.
 */
export class LocalMirror {
  constructor(private readonly broker: Aedes) {}

  events(topic: string, batch: readonly JournaledEvent[]): void {
    for (const e of batch) this.publish(topic, e.body, false);
  }

  retained(topic: string, text: string): void {
    this.publish(topic, text, true);
  }

  private publish(topic: string, payload: string, retain: boolean): void {
    this.broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, () => undefined);
  }
}
