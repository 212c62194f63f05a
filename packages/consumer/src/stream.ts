import type { EventEnvelope } from './envelope.js';
import { TableVerifier, type Violation } from './verifier.js';

export type StreamItem =
  | { readonly kind: 'event'; readonly table: string; readonly event: EventEnvelope; readonly duplicate: boolean }
  | { readonly kind: 'birth' | 'state' | 'status'; readonly table: string; readonly text: string }
  | { readonly kind: 'violation'; readonly table: string; readonly violation: Violation };

/**
 * What the stream needs of an MQTT client: mqtt.js's `MqttClient` (v5) is one, and so is any
 * client with these two methods. Structural, so the package does not depend on an MQTT library.
 */
export interface MessageSource {
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  subscribeAsync(topics: string | string[], opts: { qos: 1 }): Promise<unknown>;
}

export interface StreamOptions {
  /** Topic prefix, e.g. `pitbox/v1`. */
  readonly prefix: string;
  /** Restrict to one studio and/or table; `+` for all. */
  readonly studio?: string;
  readonly table?: string;
  readonly trusted?: readonly string[];
}

/**
 * Subscribes to every table under a prefix and verifies each table's stream with its own
 * TableVerifier. This is the whole of what a backend needs: MQTT, JSON, JCS, SHA-256, Ed25519.
 */
export class VerifiedStream {
  readonly tables = new Map<string, TableVerifier>();

  constructor(
    private readonly client: MessageSource,
    private readonly opts: StreamOptions,
    private readonly sink: (item: StreamItem) => void,
  ) {}

  async start(): Promise<void> {
    const base = `${this.opts.prefix.replace(/\/+$/, '')}/${this.opts.studio ?? '+'}/${this.opts.table ?? '+'}`;
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload.toString()));
    // Birth first, so keys are known before the retained state and the events arrive.
    await this.client.subscribeAsync(`${base}/birth`, { qos: 1 });
    await this.client.subscribeAsync([`${base}/state`, `${base}/status`, `${base}/events`], { qos: 1 });
  }

  private onMessage(topic: string, text: string): void {
    const levels = topic.split('/');
    const kind = levels.at(-1);
    const studio = levels.at(-3) ?? '';
    const tableName = levels.at(-2) ?? '';
    const table = `${studio}/${tableName}`;
    let verifier = this.tables.get(table);
    if (!verifier) {
      verifier = new TableVerifier({ studio, table: tableName, ...(this.opts.trusted ? { trusted: this.opts.trusted } : {}) });
      this.tables.set(table, verifier);
    }
    const violation = (v: Violation | null): void => {
      if (v) this.sink({ kind: 'violation', table, violation: v });
    };
    switch (kind) {
      case 'birth':
        violation(verifier.birth(text));
        this.sink({ kind: 'birth', table, text });
        return;
      case 'state':
        violation(verifier.state(text));
        this.sink({ kind: 'state', table, text });
        return;
      case 'status':
        this.sink({ kind: 'status', table, text });
        return;
      case 'events': {
        const out = verifier.event(text);
        if (out.kind === 'violation') violation(out.violation);
        else this.sink({ kind: 'event', table, event: out.event, duplicate: out.kind === 'duplicate' });
        return;
      }
      default:
        return; // another topic under the table: not part of contract v1
    }
  }
}
