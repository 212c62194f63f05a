import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { isLoopback } from '../net/listener.js';

/** The local HTTP server's `tls` setting (config/schema.ts). */
export type HttpTls = 'auto' | 'off' | { readonly certFile: string; readonly keyFile: string };

/** What the server presents, and what a technician pins: the certificate's SHA-256 fingerprint. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, colon-separated hex, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  readonly fingerprint: string;
  readonly source: 'files' | 'self-signed';
  readonly certFile: string;
  readonly validTo: string;
}

export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsError';
  }
}

/** Whether the server speaks HTTPS: always with the studio's certificate, beyond loopback with `auto`. */
export function wantsTls(tls: HttpTls, host: string): boolean {
  return typeof tls === 'object' || (tls === 'auto' && !isLoopback(host));
}

/**
 * The certificate and key the server presents, or null for plain HTTP. With `auto` beyond
 * loopback a self-signed one is made on first start in `stateDir/https/` and kept, so its
 * fingerprint stays the one the technician pinned. `readSecret` resolves the key file as every
 * secret is resolved ($CREDENTIALS_DIRECTORY first).
 */
export function tlsIdentity(tls: HttpTls, host: string, stateDir: string, readSecret: (path: string) => string, make = true): TlsIdentity | null {
  if (!wantsTls(tls, host)) return null;
  if (typeof tls === 'object') return identity(readFileOr(tls.certFile, 'http.tls.certFile'), readSecret(tls.keyFile), 'files', tls.certFile);
  const dir = join(stateDir, 'https');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    if (!make) throw new TlsError(`no self-signed certificate yet in ${dir}: the table makes one on its first start with http.host ${host}`);
    selfSign(dir, certFile, keyFile, host);
  }
  return identity(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'), 'self-signed', certFile);
}

function readFileOr(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TlsError(`${key} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function identity(cert: string, key: string, source: TlsIdentity['source'], certFile: string): TlsIdentity {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsError(`${certFile} is not a PEM certificate`);
  }
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new TlsError(`the key for ${certFile} is not a PEM private key`);
  }
  if (!matches) throw new TlsError(`the key does not belong to the certificate ${certFile}`);
  return { cert, key, fingerprint: x509.fingerprint256, source, certFile, validTo: x509.validTo };
}

/**
 * ECDSA P-256 (what every browser takes), ten years, CA:FALSE, named for every address the
 * server answers on. openssl, not a JavaScript X.509 writer: Debian ships it and it is the tool
 * a technician checks the result with.
 */
function selfSign(dir: string, certFile: string, keyFile: string, host: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = [`DNS:${hostname()}`, ...addresses(host).map((a) => `IP:${a}`)];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '3650', '-subj', `/CN=pitbox ${hostname()}`]
      .concat(['-addext', `subjectAltName=${names.join(',')}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth'])
      .concat(['-keyout', keyFile, '-out', certFile]),
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
  );
}

/** The addresses a listener on `host` answers on: that one, or every interface's for a wildcard. */
function addresses(host: string): string[] {
  if (isIP(host) && host !== '0.0.0.0' && host !== '::') return [host];
  if (isIP(host) === 0) return [];
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((i) => (i ? [i.address.replace(/%.*$/, '')] : []));
}
