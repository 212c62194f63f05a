import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSecret } from '../config/load.js';
import { tlsIdentity, wantsTls } from '../http/tls-identity.js';
import { checkInstalledFiles, INSTALL_ROOT, SBOM_FILE } from '../ops/installed-files.js';
import type { DoctorContext } from './doctor-context.js';
import { fail, pass, skip, warn, type Check, type CheckResult } from './doctor.js';

const DAY_MS = 86_400_000;

/** The local page's certificate: its fingerprint (to pin), whose it is, and when it runs out. */
export const httpTlsCheck: Check<DoctorContext> = {
  name: 'http-tls',
  run: (ctx) => {
    const c = ctx.config;
    if (!c) return skip('no usable config');
    if (!c.http.enabled || !wantsTls(c.http.tls, c.http.host)) return skip(`plain HTTP on ${c.http.host} (loopback)`);
    try {
      const id = tlsIdentity(c.http.tls, c.http.host, dirname(c.journal.path), (f) => readSecret(f, ctx.configFile), false);
      if (!id) return skip('no HTTPS');
      const found = `${id.source === 'self-signed' ? 'self-signed' : id.certFile}, SHA-256 ${id.fingerprint}, valid to ${id.validTo}`;
      const left = Date.parse(id.validTo) - Date.now();
      if (left < 0) return fail(`${found}: expired`, 'renew the certificate (self-signed: delete the https/ directory beside the journal and restart, then pin the new fingerprint)');
      if (left < 30 * DAY_MS) return warn(`${found}: expires in ${Math.floor(left / DAY_MS)} days`, 'renew it before it expires');
      return pass(found);
    } catch (err) {
      return fail((err as Error).message, 'set http.tls.certFile and keyFile to a matching pair, or http.tls: auto for a self-signed one');
    }
  },
};

/**
 * The installed package against the hashes of its SBOM: a file in /opt/pitbox changed, removed or
 * added since the package was built is a failure naming it. `root` and `sbomFile` for tests.
 */
export function packageFilesResult(sbomFile: string, root: string): CheckResult {
  if (!existsSync(sbomFile)) return skip(`no ${sbomFile}: not installed from the package`);
  const r = checkInstalledFiles(JSON.parse(readFileSync(sbomFile, 'utf8')) as object, root);
  const name = (what: string, paths: string[]) => (paths.length === 0 ? [] : [`${what}: ${paths.slice(0, 5).map((p) => join(root, p)).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}`]);
  const problems = [...name('modified', r.modified), ...name('missing', r.missing), ...name('not in the package', r.added)];
  if (problems.length > 0) return fail(problems.join('; '), `reinstall the package (apt install --reinstall pitbox) and find out who changed ${root}`);
  return pass(`${r.checked} files in ${root} match ${sbomFile}`);
}

export const packageFilesCheck: Check<DoctorContext> = {
  name: 'package-files',
  timeoutS: 60,
  run: () => packageFilesResult(SBOM_FILE, INSTALL_ROOT),
};
