import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.js';
import type { TableTopics } from './topics.js';

export interface PublisherOptions {
  readonly client: MqttClient;
  readonly journal: Journal;
  readonly topics: TableTopics;
  /** Most events handed to mqtt.js and not yet acknowledged. The journal holds the rest. */
  readonly window: number;
  readonly log: Logger;
}

/**
 * Publishes journaled events in seq order at QoS 1 and marks each delivered on its PUBACK.
 * The journal is the only queue: mqtt.js never holds more than `window` events, and after any
 * reconnect publishing starts again from the oldest undelivered one. A duplicate after a
 * reconnect is allowed (at-least-once); consumers dedupe on `id`/`seq`.
 */
export class Publisher {
  private inFlight = 0;
  /** Highest seq handed to mqtt.js in this connection. */
  private queuedUpTo = 0;
  /** Bumped on every (re)connect, so acknowledgements of an old connection do not count as window space. */
  private generation = 0;
  private latestState: string | null = null;
  private stopped = false;

  constructor(private readonly opts: PublisherOptions) {}

  start(): void {
    const { client } = this.opts;
    client.on('connect', () => this.onConnect());
    client.on('close', () => {
      this.generation += 1;
      this.inFlight = 0;
      this.queuedUpTo = 0;
    });
    if (client.connected) this.onConnect();
  }

  /** Call after every journal append. */
  pump(): void {
    const { client, journal, topics, window } = this.opts;
    if (this.stopped || !client.connected) return;
    while (this.inFlight < window) {
      const batch = journal.undelivered(this.queuedUpTo, window - this.inFlight);
      if (batch.length === 0) return;
      for (const event of batch) {
        const generation = this.generation;
        this.inFlight += 1;
        this.queuedUpTo = event.seq;
        client.publish(topics.events, event.body, { qos: 1 }, (err) => {
          if (!err) journal.markDelivered(event.seq);
          else this.opts.log.warn({ seq: event.seq, err: err.message }, 'publish failed; will retry after reconnect');
          if (generation !== this.generation) return;
          this.inFlight -= 1;
          this.pump();
        });
      }
    }
  }

  /** Publishes the table state, retained. Only the newest state matters, so it is not journaled. */
  publishState(state: unknown): void {
    this.latestState = JSON.stringify(state);
    if (this.opts.client.connected) this.sendState();
  }

  stop(): void {
    this.stopped = true;
  }

  private onConnect(): void {
    this.generation += 1;
    this.inFlight = 0;
    this.queuedUpTo = 0;
    this.opts.client.publish(this.opts.topics.status, 'online', { qos: 1, retain: true });
    if (this.latestState !== null) this.sendState();
    this.opts.log.info({ undelivered: this.opts.journal.countUndelivered() }, 'uplink connected: publishing from the oldest undelivered event');
    this.pump();
  }

  private sendState(): void {
    if (this.latestState === null) return;
    this.opts.client.publish(this.opts.topics.state, this.latestState, { qos: 1, retain: true });
  }
}
