import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { packageFilesResult } from '../doctor/security-checks.js';
import { buildSbom, productionPackages } from './sbom.js';

/**
 * The SBOM over this repository's real lockfile (npm sbom), on a fake staged install root: every
 * production dependency with its version and licence, the runtime, the addon, the model, and
 * each file's hash; then the doctor's check of an "installed" root against it.
 */

const repo = new URL('../../', import.meta.url).pathname;

function stagedRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'pitbox-opt-'));
  const put = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  copyFileSync(join(repo, 'package.json'), join(root, 'package.json'));
  put('node/bin/node', 'a runtime');
  put('models/corners.onnx', 'a model');
  put('dist/appliance/cli.js', 'console.log("pitbox")\n');
  put('node_modules/better-sqlite3/package.json', JSON.stringify({ name: 'better-sqlite3' }));
  put('node_modules/better-sqlite3/build/Release/better_sqlite3.node', Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  return root;
}

interface LockEntry {
  version?: string;
}

t.test('the SBOM lists every production dependency with version and licence, the runtime, addons, models and file hashes', async (t) => {
  const root = stagedRoot();
  const bom = buildSbom({ root, lockDir: repo, installRoot: '/opt/pitbox', nodeVersion: 'v20.20.2', modelLicence: 'LicenseRef-test' });
  t.equal(bom.bomFormat, 'CycloneDX');
  t.equal(bom.specVersion, '1.5');

  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const production = productionPackages(join(repo, 'package-lock.json'));
  const listed = new Map(bom.components.filter((c) => c.type === 'library').map((c) => [`${c.name}@${c.version ?? ''}`, c]));
  const absent = production.filter((id) => !listed.has(id));
  t.same(absent, [], `every one of the ${production.length} production packages in package-lock.json is listed`);
  t.ok(production.length > 50, `a real dependency tree (${production.length})`);
  const unlicensed = [...listed.values()].filter((c) => (c.licenses ?? []).length === 0).map((c) => c.name);
  t.same(unlicensed, [], 'each with a licence');
  t.ok(listed.has(`zod@${lock.packages['node_modules/zod']?.version ?? '?'}`), 'zod, for one, with its locked version');
  t.notOk([...listed.keys()].some((id) => id.startsWith('tap@') || id.startsWith('typescript@')), 'no development dependency');

  t.match(bom.components.find((c) => c.name === 'node'), { type: 'platform', version: '20.20.2', licenses: [{ license: { id: 'MIT' } }], hashes: [{ alg: 'SHA-256', content: /^[0-9a-f]{64}$/ }] });
  t.match(bom.components.find((c) => c.type === 'machine-learning-model'), { name: 'corners.onnx', licenses: [{ license: { name: 'LicenseRef-test' } }], hashes: [{ alg: 'SHA-256' }] });
  const addon = bom.components.find((c) => c.type === 'file' && c.name.endsWith('.node'));
  t.match(addon, { licenses: [{ license: { id: 'MIT' } }], properties: [{ name: 'pitbox:package', value: 'better-sqlite3' }, { name: 'pitbox:kind', value: 'native-addon' }] }, 'the addon as built here, hashed, under its package\'s licence');
  t.same(bom.components.filter((c) => c.type === 'file').map((c) => c.name).sort(), ['dist/appliance/cli.js', 'models/corners.onnx', 'node/bin/node', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/package.json', 'package.json']);
});

t.test('pitbox doctor against the SBOM: a changed, missing or added file under the install root fails, named', async (t) => {
  const root = stagedRoot();
  const sbomFile = join(mkdtempSync(join(tmpdir(), 'pitbox-doc-')), 'sbom.cdx.json');
  writeFileSync(sbomFile, JSON.stringify(buildSbom({ root, lockDir: repo, installRoot: root, nodeVersion: 'v20.20.2', modelLicence: 'x' })));
  t.match(packageFilesResult(sbomFile, root), { status: 'pass', found: /^6 files in .* match / });

  appendFileSync(join(root, 'dist/appliance/cli.js'), 'sendKeysTo("elsewhere")\n');
  t.match(packageFilesResult(sbomFile, root), { status: 'fail', found: new RegExp(`modified: ${root}/dist/appliance/cli\\.js`), fix: /apt install --reinstall pitbox/ });
  rmSync(join(root, 'models/corners.onnx'));
  writeFileSync(join(root, 'node_modules/better-sqlite3/preload.js'), '');
  const r = packageFilesResult(sbomFile, root);
  t.match(r.found, /missing: .*models\/corners\.onnx/);
  t.match(r.found, /not in the package: .*better-sqlite3\/preload\.js/);
  t.match(packageFilesResult(join(root, 'nope.json'), root), { status: 'skip' }, 'a checkout without the package: skipped');
});
