import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:net';

/**
 * What every listener on the box shares (the embedded MQTT broker, the local HTTP server): it
 * binds loopback unless credentials are set, compares secrets in constant time, and reports a
 * port it cannot bind as an error rather than an unhandled event.
 */

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses a listener on anything but loopback without credentials; `key` names the config section. */
export function requireCredentialsOffLoopback(key: string, host: string, credentials: unknown): void {
  if (!isLoopback(host) && !credentials) throw new Error(`${key}.host ${host} is not loopback: set ${key}.username and ${key}.passwordFile`);
}

/** Constant-time comparison of a secret someone presented with the configured one. */
export function secretEquals(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Binds `server`, resolving once it listens and rejecting with the bind error (EADDRINUSE...). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
