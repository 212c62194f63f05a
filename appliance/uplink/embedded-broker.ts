import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { listen, requireCredentialsOffLoopback, secretEquals } from '../net/listener.js';

export interface EmbeddedBrokerOptions {
  readonly host: string;
  readonly port: number;
  /** Required when `host` is not a loopback address. */
  readonly credentials: { readonly username: string; readonly password: string } | null;
  readonly log: Logger;
}

/**
 * The MQTT broker inside the appliance: the uplink when none is configured, and the feed for
 * local consumers (displays, the dealer monitor). It listens on loopback unless credentials are
 * set, so a box on the studio LAN never exposes an open broker by accident.
 */
export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    requireCredentialsOffLoopback('broker', opts.host, opts.credentials);
  }

  /** The bound port (useful when configured as 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  /** The running broker, for in-process publishing (the local mirror). */
  get instance(): Aedes | null {
    return this.broker;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const creds = this.opts.credentials;
    if (creds) {
      broker.authenticate = (_client, username, password, done) => {
        const ok = username === creds.username && password !== undefined && secretEquals(password, Buffer.from(creds.password));
        done(null, ok);
      };
    }
    const server = createServer(broker.handle);
    await listen(server, this.opts.port, this.opts.host);
    this.broker = broker;
    this.server = server;
    this.opts.log.info({ host: this.opts.host, port: this.port, auth: creds !== null }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
