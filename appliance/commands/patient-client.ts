import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** How a command's MQTT client treats a broker that is not there (yet, or any more). */
export interface PatienceOptions {
  /** Who speaks in the messages, e.g. `pitbox tail`. */
  readonly who: string;
  /**
   * Give up when the broker has been unreachable this long (ms), at start or after a drop;
   * 0: on the first refused connect; null: never.
   */
  readonly giveUpMs: number | null;
  /** Where the client says what it waits for (stderr: stdout is the command's own output). */
  readonly say: (line: string) => void;
  readonly reconnectMs?: number;
}

export interface PatientClient {
  readonly client: MqttClient;
  /** Resolves at the first CONNACK (never, when the client gives up first). */
  readonly connected: Promise<void>;
  /** Resolves with why the client gave up: the broker refused the login, or stayed away past the limit. */
  readonly gaveUp: Promise<string>;
}

/**
 * A command's MQTT client that behaves like any backend's: it waits for a broker that is not
 * up yet and reconnects after a drop (saying so, once per outage, with the URL), and gives up
 * only behind `giveUpMs` or when the broker refuses the login (which retrying cannot mend).
 * Subscriptions are renewed on every reconnect (mqtt.js `resubscribe`).
 */
export function patientClient(url: string, options: IClientOptions, patience: PatienceOptions): PatientClient {
  const { who, giveUpMs, say } = patience;
  const reconnectMs = patience.reconnectMs ?? 1000;
  const shown = displayUrl(url);
  const client = mqtt.connect(url, { ...options, reconnectPeriod: reconnectMs, connectTimeout: Math.max(5000, reconnectMs) });
  let up = false;
  let everUp = false;
  let outage: string | null = null; // what was last said about the current outage
  let giveUpTimer: NodeJS.Timeout | null = null;
  let giveUp: (why: string) => void = () => undefined;
  const gaveUp = new Promise<string>((resolve) => (giveUp = resolve));
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));

  let stopped = false;
  const away = (why: string): void => {
    if (up || stopped) return;
    if (giveUpMs === 0) return stop(`no broker at ${shown}: ${why}`);
    if (giveUpMs !== null && giveUpTimer === null) {
      giveUpTimer = setTimeout(() => stop(`no broker at ${shown} for ${giveUpMs / 1000} s (${why}): giving up`), giveUpMs);
    }
    const line = everUp ? `lost the broker at ${shown} (${why}); reconnecting every ${reconnectMs / 1000} s` : `waiting for the broker at ${shown} (${why}); trying again every ${reconnectMs / 1000} s`;
    if (outage === null) say(`${who}: ${line}`);
    else if (outage !== why) say(`${who}: still no broker at ${shown}: ${why}`);
    outage = why;
  };
  const stop = (why: string): void => {
    if (stopped) return;
    stopped = true;
    if (giveUpTimer) clearTimeout(giveUpTimer);
    client.end(true);
    giveUp(why);
  };

  client.on('connect', () => {
    up = true;
    everUp = true;
    if (giveUpTimer) clearTimeout(giveUpTimer);
    giveUpTimer = null;
    if (outage !== null) say(`${who}: connected to ${shown}`);
    outage = null;
    onConnected();
  });
  client.on('error', (err: Error & { code?: string | number }) => {
    // A CONNACK refusal (a number): bad credentials or a banned client id stay so; mqtt.js stops retrying.
    if (typeof err.code === 'number') return stop(`the broker at ${shown} refused the connection: ${err.message}`);
    away(err.message);
  });
  client.on('close', () => {
    const was = up;
    up = false;
    if (client.disconnecting) return; // the command ends it: nothing was lost
    if (was) away('the connection closed');
    else away(outage ?? 'no answer');
  });
  return { client, connected, gaveUp };
}

/** The URL as it may be printed: a password in it is masked. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}
