// The package's SBOM (appliance/ops/sbom.ts):
//   node --import tsx scripts/make-sbom.ts STAGED_OPT INSTALL_ROOT LOCK_DIR OUT.json
// LOCK_DIR holds the package.json and package-lock.json the staged node_modules came from.
import { writeFileSync } from 'node:fs';
import { buildSbom } from '../appliance/ops/sbom.js';

const [root, installRoot, lockDir, out] = process.argv.slice(2);
if (!root || !installRoot || !lockDir || !out) {
  process.stderr.write('usage: make-sbom.ts STAGED_OPT INSTALL_ROOT LOCK_DIR OUT.json\n');
  process.exit(2);
}
const bom = buildSbom({ root, installRoot, lockDir, nodeVersion: process.version, modelLicence: 'LicenseRef-pitbox (trained in this repository; training data and its licences: models/README.md)' });
writeFileSync(out, `${JSON.stringify(bom, null, 1)}\n`);
const files = bom.components.filter((c) => c.type === 'file').length;
process.stderr.write(`sbom: ${bom.components.length - files} components, ${files} files -> ${out}\n`);
