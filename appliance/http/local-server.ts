import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { listen, requireCredentialsOffLoopback, secretEquals } from '../net/listener.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LocalServerOptions {
  readonly host: string;
  readonly port: number;
  /** Required when `host` is not loopback: HTTP Basic, the password read from a file. */
  readonly credentials: { readonly username: string; readonly password: string } | null;
  /** HTTPS with this certificate and key; null: plain HTTP (loopback, or `tls: off`). */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly log: Logger;
}

/**
 * The box's one small HTTP server: `/metrics` for Prometheus, the technicians' status page and
 * the dealer monitor (both later) as routes on it. Loopback unless credentials are set, as the
 * embedded broker. GET only; nothing on it changes the table.
 */
export class LocalHttpServer {
  private readonly routes = new Map<string, Handler>();
  private server: Server | null = null;

  constructor(private readonly opts: LocalServerOptions) {
    requireCredentialsOffLoopback('http', opts.host, opts.credentials);
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  async start(): Promise<void> {
    const serve = (req: IncomingMessage, res: ServerResponse): void => void this.serve(req, res);
    const tls = this.opts.tls;
    const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, serve) : createServer(serve);
    await listen(server, this.opts.port, this.opts.host);
    this.server = server;
    this.opts.log.info({ https: tls !== null, host: this.opts.host, port: this.port, auth: this.opts.credentials !== null }, 'local HTTP server listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorised(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="pitbox"', 'content-type': 'text/plain' }).end('credentials required\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://box').pathname;
    const handler = this.routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no page at ${path}\n`);
      return;
    }
    try {
      await handler(req, res);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, path }, 'HTTP handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const creds = this.opts.credentials;
    if (!creds) return true;
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) return false;
    const given = Buffer.from(m[1], 'base64');
    const want = Buffer.from(`${creds.username}:${creds.password}`);
    return secretEquals(given, want);
  }
}
