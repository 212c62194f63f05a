import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { readSecret } from '../config/load.js';
import type { TableConfig } from '../config/schema.js';

/**
 * How a table connects to its uplink (or, without one, to its embedded broker): client id,
 * credentials and TLS from the config, secrets read from files. The appliance adds its will;
 * `pitbox doctor` connects exactly as the appliance would, under another client id.
 */
export function uplinkClientOptions(config: TableConfig, configFile: string, extra: IClientOptions = {}): IClientOptions {
  const up = config.uplink;
  const opts: IClientOptions = {
    clientId: up?.clientId ?? `pitbox-${config.studio}-${config.table}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    queueQoSZero: false,
    ...extra,
  };
  const username = up ? up.username : config.broker.username;
  const passwordFile = up ? up.passwordFile : config.broker.passwordFile;
  if (username) opts.username = username;
  if (passwordFile) opts.password = readSecret(passwordFile, configFile);
  if (up?.caFile) opts.ca = readFileSync(up.caFile);
  if (up?.certFile) opts.cert = readFileSync(up.certFile);
  if (up?.keyFile) opts.key = readFileSync(up.keyFile);
  return opts;
}

/** The URL the table publishes to: the uplink, or its own embedded broker. */
export function uplinkUrl(config: TableConfig, embeddedPort?: number): string {
  if (config.uplink) return config.uplink.url;
  const host = config.broker.host === '0.0.0.0' || config.broker.host === '::' ? '127.0.0.1' : config.broker.host;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${embeddedPort ?? config.broker.port}`;
}
