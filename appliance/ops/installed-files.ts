import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The package's files against its software bill of materials (CycloneDX, made at package time
 * by scripts/make-sbom.ts): every file under the install root is a `file` component named by
 * its path below the root, with its SHA-256. A file changed, missing or added since is named.
 */

export const SBOM_FILE = '/usr/share/doc/pitbox/sbom.cdx.json';
export const INSTALL_ROOT = '/opt/pitbox';

export interface CycloneDxHash {
  readonly alg: string;
  readonly content: string;
}

export interface CycloneDxComponent {
  readonly type: string;
  readonly name: string;
  readonly version?: string;
  readonly hashes?: readonly CycloneDxHash[];
  readonly licenses?: readonly ({ license: { id?: string; name?: string } } | { expression: string })[];
  readonly properties?: readonly { name: string; value: string }[];
}

export interface InstalledFilesReport {
  readonly checked: number;
  readonly modified: string[];
  readonly missing: string[];
  readonly added: string[];
}

/** Every regular file below `root`, as paths relative to it, sorted. */
export function filesBelow(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The SBOM's file components: path below the install root to SHA-256. */
export function fileHashes(sbom: { components?: readonly CycloneDxComponent[] }): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of sbom.components ?? []) {
    const sha = c.hashes?.find((h) => h.alg === 'SHA-256')?.content;
    if (c.type === 'file' && sha) out.set(c.name, sha);
  }
  return out;
}

export function checkInstalledFiles(sbom: { components?: readonly CycloneDxComponent[] }, root: string): InstalledFilesReport {
  const want = fileHashes(sbom);
  const have = new Set(filesBelow(root));
  const report: InstalledFilesReport = { checked: 0, modified: [], missing: [], added: [] };
  for (const [path, sha] of want) {
    if (!have.has(path)) {
      report.missing.push(path);
      continue;
    }
    (report as { checked: number }).checked += 1;
    if (sha256File(join(root, path)) !== sha) report.modified.push(path);
  }
  for (const path of have) if (!want.has(path)) report.added.push(path);
  return report;
}
