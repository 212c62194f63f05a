import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { filesBelow, sha256File, type CycloneDxComponent } from './installed-files.js';

/**
 * The package's software bill of materials, CycloneDX 1.5 JSON: what `npm sbom` says of the
 * production dependencies (name, version, licence, purl, the registry tarball's SHA-512), plus
 * what npm does not know: the Node.js runtime shipped inside, the native addons as built here,
 * the card models, and every installed file with its SHA-256 (what `pitbox doctor` checks).
 */

export interface SbomInput {
  /** The install tree as it will be installed (/opt/pitbox staged). */
  readonly root: string;
  /** The package.json and package-lock.json its node_modules came from. */
  readonly lockDir: string;
  /** Where the root is installed. */
  readonly installRoot: string;
  readonly nodeVersion: string;
  /** Licence of the models (they are trained in this repository: models/README.md). */
  readonly modelLicence: string;
}

interface Bom {
  bomFormat: 'CycloneDX';
  specVersion: string;
  metadata: { properties?: { name: string; value: string }[]; [k: string]: unknown };
  components: CycloneDxComponent[];
  [k: string]: unknown;
}

/**
 * `npm sbom` over the lockfile (what was installed), kept to the production packages. The
 * lockfile's own `dev` flags decide, not `npm sbom --omit=dev`: npm 11 over a lockfile drops
 * production packages that are also reached from a devDependency (serialport's
 * @serialport/binding-mock, node-gyp's tree under opencv4nodejs).
 */
export function npmSbom(dir: string): Bom {
  const text = execFileSync('npm', ['sbom', '--package-lock-only', '--sbom-format=cyclonedx', '--sbom-type=application'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const bom = JSON.parse(text) as Bom & { dependencies?: { ref: string; dependsOn?: string[] }[] };
  const production = new Set(productionPackages(join(dir, 'package-lock.json')));
  const components = bom.components.filter((c) => production.has(`${c.name}@${c.version ?? ''}`));
  const refs = new Set([...components.map((c) => (c as { 'bom-ref'?: string })['bom-ref']), (bom.metadata.component as { 'bom-ref'?: string } | undefined)?.['bom-ref']]);
  const dependencies = bom.dependencies?.filter((d) => refs.has(d.ref)).map((d) => ({ ...d, dependsOn: (d.dependsOn ?? []).filter((r) => refs.has(r)) }));
  return { ...bom, components, ...(dependencies ? { dependencies } : {}) };
}

export function buildSbom(input: SbomInput, base: Bom = npmSbom(input.lockDir)): Bom {
  const { root } = input;
  const files = filesBelow(root);
  const licences = new Map(base.components.map((c) => [c.name, c.licenses ?? []]));
  const extra: CycloneDxComponent[] = [];
  const node = join('node', 'bin', 'node');
  if (existsSync(join(root, node))) {
    extra.push({
      type: 'platform',
      name: 'node',
      version: input.nodeVersion.replace(/^v/, ''),
      licenses: [{ license: { id: 'MIT' } }],
      hashes: [{ alg: 'SHA-256', content: sha256File(join(root, node)) }],
      properties: [{ name: 'pitbox:path', value: node }],
    });
  }
  for (const f of files.filter((p) => p.endsWith('.onnx'))) {
    extra.push({
      type: 'machine-learning-model',
      name: f.split(sep).at(-1) ?? f,
      licenses: [{ license: { name: input.modelLicence } }],
      hashes: [{ alg: 'SHA-256', content: sha256File(join(root, f)) }],
      properties: [{ name: 'pitbox:path', value: f }],
    });
  }
  const fileComponents = files.map((f): CycloneDxComponent => {
    const owner = owningPackage(root, f);
    const addon = f.endsWith('.node');
    return {
      type: 'file',
      name: f,
      hashes: [{ alg: 'SHA-256', content: sha256File(join(root, f)) }],
      ...(addon && owner ? { licenses: licences.get(owner) ?? [] } : {}),
      properties: [...(owner ? [{ name: 'pitbox:package', value: owner }] : []), ...(addon ? [{ name: 'pitbox:kind', value: 'native-addon' }] : [])],
    };
  });
  return {
    ...base,
    metadata: { ...base.metadata, properties: [...(base.metadata.properties ?? []), { name: 'pitbox:install-root', value: input.installRoot }] },
    components: [...base.components, ...extra, ...fileComponents],
  };
}

/** The npm package a file under node_modules belongs to (the innermost), by its package.json. */
function owningPackage(root: string, file: string): string | null {
  let dir = dirname(join(root, file));
  while (dir.startsWith(join(root, 'node_modules'))) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name;
      // Some packages keep a package.json in sub-folders with no name (type: module markers).
      if (name) return name;
    }
    dir = dirname(dir);
  }
  return null;
}

/**
 * `name@version` of every production package a lockfile installs for the appliance: what the
 * root package's dependencies reach, resolved as Node resolves them (the nearest node_modules
 * up the tree). The npm workspaces (packages/*: the consumer library, the ingester) are links
 * the package drops, and what only they depend on (pg, for one) is pruned with them, so neither
 * is listed. An alias (`string-width-cjs` for `npm:string-width@4.2.3`) is listed under the
 * package it really is.
 */
export function productionPackages(lockFile: string): string[] {
  type Entry = { name?: string; version?: string; link?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, Entry> };
  const resolve = (from: string, dep: string): string | null => {
    for (let base = from; ; ) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (lock.packages[candidate]) return candidate;
      if (!base) return null;
      const up = base.lastIndexOf('/node_modules/');
      base = up < 0 ? '' : base.slice(0, up);
    }
  };
  const seen = new Set<string>();
  const queue = [''];
  while (queue.length) {
    const path = queue.pop()!;
    const e = lock.packages[path]!;
    for (const dep of Object.keys({ ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies })) {
      const at = resolve(path, dep);
      if (at === null || seen.has(at) || lock.packages[at]!.link) continue;
      seen.add(at);
      queue.push(at);
    }
  }
  return [...seen].map((path) => {
    const e = lock.packages[path]!;
    return `${e.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${e.version ?? ''}`;
  });
}
