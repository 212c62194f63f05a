import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Journal, JournaledEvent } from '../journal/journal.js';
import type { TableTopics } from '../contract/topics.js';

export interface DeliveryOptions {
  /** Most live events handed to mqtt.js and not yet acknowledged. */
  readonly liveWindow: number;
  /** Most backlog events in flight. */
  readonly backlogWindow: number;
  /** Backlog events per second after an outage; 0 for as fast as the broker acknowledges. */
  readonly backlogRate: number;
}

export interface PublisherOptions extends DeliveryOptions {
  readonly client: MqttClient;
  readonly journal: Journal;
  readonly topics: TableTopics;
  readonly log: Logger;
  /** The signed birth for a connection whose backlog ends at `lastSeq`. */
  readonly birth: (lastSeq: number) => string;
  /** The broker has acknowledged the birth of the current connection. */
  readonly onBirth?: () => void;
}

/** One stream of events in seq order, with a bounded number in flight. */
interface Lane {
  readonly name: 'live' | 'backlog';
  /** Highest seq handed to mqtt.js on this connection. */
  queuedUpTo: number;
  /** Last seq this lane carries (backlog: the journal's head at connect). */
  until: number;
  inFlight: number;
  readonly window: number;
}

/**
 * Publishes journaled events at QoS 1 and marks each delivered on its PUBACK. The journal is
 * the only queue: mqtt.js holds at most the two windows, and after any (re)connect publishing
 * starts again from the oldest undelivered event.
 *
 * Two lanes, each in seq order: the backlog (everything committed before this connection,
 * drained at a bounded rate) and live (everything after). A live result therefore never waits
 * behind an hour of backlog; consumers order by `seq`, and the birth's `lastSeq` tells them
 * where the backlog ends.
 */
export class Publisher {
  private generation = 0;
  private live: Lane;
  private backlog: Lane;
  private latestState: string | null = null;
  private latestStatus: string | null = null;
  private stopped = false;
  private tokens = 0;
  private lastRefill = 0;
  private refillTimer: NodeJS.Timeout | null = null;
  private connectionHead = 0;

  constructor(private readonly opts: PublisherOptions) {
    this.live = { name: 'live', queuedUpTo: 0, until: Infinity, inFlight: 0, window: opts.liveWindow };
    this.backlog = { name: 'backlog', queuedUpTo: 0, until: 0, inFlight: 0, window: opts.backlogWindow };
  }

  start(): void {
    const { client, journal } = this.opts;
    client.on('connect', () => this.onConnect());
    client.on('close', () => {
      this.generation += 1;
      this.clearRefill();
    });
    journal.on('durable', () => this.pumpLane(this.live));
    if (client.connected) this.onConnect();
  }

  /** Publishes the signed table state, retained. Only the newest matters, so it is not journaled. */
  publishState(text: string): void {
    this.latestState = text;
    if (this.opts.client.connected) this.opts.client.publish(this.opts.topics.state, text, { qos: 1, retain: true });
  }

  /** Publishes availability and alarms, retained; the last will replaces it when the box dies. */
  publishStatus(text: string): void {
    this.latestStatus = text;
    if (this.opts.client.connected) this.opts.client.publish(this.opts.topics.status, text, { qos: 1, retain: true });
  }

  /** Publishes the birth again (after a key rotation), with this connection's backlog boundary. */
  republishBirth(): void {
    const { client, topics } = this.opts;
    if (client.connected) client.publish(topics.birth, this.opts.birth(this.connectionHead), { qos: 1, retain: true });
  }

  /** Backlog events not yet handed to mqtt.js on this connection. */
  backlogRemaining(): number {
    return Math.max(0, this.backlog.until - this.backlog.queuedUpTo);
  }

  stop(): void {
    this.stopped = true;
    this.clearRefill();
  }

  private onConnect(): void {
    // A connection that completes while the table shuts down publishes nothing: the journal is closing.
    if (this.stopped) return;
    const { client, journal, topics } = this.opts;
    this.generation += 1;
    const head = (this.connectionHead = journal.committedSeq());
    this.backlog = { ...this.backlog, queuedUpTo: 0, until: head, inFlight: 0 };
    this.live = { ...this.live, queuedUpTo: head, inFlight: 0 };
    this.tokens = this.opts.backlogWindow;
    this.lastRefill = performance.now();
    const generation = this.generation;
    // Birth first: a consumer learns the keys before any event they sign.
    client.publish(topics.birth, this.opts.birth(head), { qos: 1, retain: true }, (err) => {
      if (!err && generation === this.generation && !this.stopped) this.opts.onBirth?.();
    });
    if (this.latestStatus !== null) client.publish(topics.status, this.latestStatus, { qos: 1, retain: true });
    if (this.latestState !== null) client.publish(topics.state, this.latestState, { qos: 1, retain: true });
    this.opts.log.info({ undelivered: journal.countUndelivered(), backlogUpTo: head }, 'uplink connected: publishing from the oldest undelivered event');
    this.pumpLane(this.backlog);
    this.pumpLane(this.live);
  }

  private pumpLane(lane: Lane): void {
    const { client, journal } = this.opts;
    if (this.stopped || !client.connected) return;
    while (lane.inFlight < lane.window) {
      let room = lane.window - lane.inFlight;
      if (lane === this.backlog) {
        room = Math.min(room, this.takeTokens(room));
        if (room === 0) return;
      }
      const batch = journal.undelivered(lane.queuedUpTo, room).filter((e) => e.seq <= lane.until);
      if (lane === this.backlog) this.tokens += room - batch.length;
      if (batch.length === 0) {
        if (lane === this.backlog && lane.until > 0 && lane.inFlight === 0) this.onBacklogDrained();
        return;
      }
      for (const event of batch) this.send(lane, event);
    }
  }

  private send(lane: Lane, event: JournaledEvent): void {
    const { client, journal, topics, log } = this.opts;
    const generation = this.generation;
    lane.inFlight += 1;
    lane.queuedUpTo = event.seq;
    client.publish(topics.events, event.body, { qos: 1 }, (err) => {
      if (!err) journal.markDelivered(event.seq);
      else log.debug({ seq: event.seq, err: err.message }, 'publish failed; the event stays in the journal');
      // Acknowledgements from an earlier connection do not free this connection's window.
      if (generation !== this.generation) return;
      lane.inFlight -= 1;
      this.pumpLane(lane);
    });
  }

  /** Token bucket for the backlog: `backlogRate` per second, bursts up to the window. */
  private takeTokens(wanted: number): number {
    const rate = this.opts.backlogRate;
    if (rate <= 0) return wanted;
    const now = performance.now();
    this.tokens = Math.min(this.opts.backlogWindow, this.tokens + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
    const got = Math.floor(this.tokens);
    this.tokens -= got;
    if (got < wanted && !this.refillTimer) {
      const wait = Math.max(1, Math.ceil(((wanted - got - this.tokens) / rate) * 1000));
      this.refillTimer = setTimeout(() => {
        this.refillTimer = null;
        this.pumpLane(this.backlog);
      }, Math.min(wait, 1000));
    }
    return got;
  }

  private onBacklogDrained(): void {
    this.opts.log.info({ upTo: this.backlog.until }, 'backlog delivered');
    this.backlog.until = 0;
  }

  private clearRefill(): void {
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
  }
}
