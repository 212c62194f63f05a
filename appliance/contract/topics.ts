/** MQTT topics of one table (the contract backends subscribe to). */
export interface TableTopics {
  /** Every event, QoS 1, not retained. */
  readonly events: string;
  /** The current table state, retained. */
  readonly state: string;
  /** Availability, alarms and journal gauges, retained; the last will says offline. */
  readonly status: string;
  /** Who is publishing and with which keys, retained, published on every connect before any event. */
  readonly birth: string;
}

export function tableTopics(prefix: string, studio: string, table: string): TableTopics {
  const base = `${prefix.replace(/\/+$/, '')}/${studio}/${table}`;
  return { events: `${base}/events`, state: `${base}/state`, status: `${base}/status`, birth: `${base}/birth` };
}

/** Studio and table names become topic levels: no wildcards, separators or control characters. */
export const TOPIC_LEVEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
