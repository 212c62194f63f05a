import Database from 'better-sqlite3';
import { dieWithParent } from '../../drivers/camera/tied-worker.js';
import { verifyChain } from './integrity.js';

/**
 * The background chain check, in a process of its own: a million Ed25519 verifications take
 * about a minute of one core, which must never stall the event loop that carries the wheel.
 * Reads through its own read-only connection (WAL: the appliance keeps writing meanwhile).
 * argv: journal path. Sends { progress } and then one { report }.
 */
const [path] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: chain-check-worker JOURNAL\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
// The check is one long synchronous loop, deaf to 'disconnect': the kernel ends it with the appliance.
dieWithParent();
const db = new Database(path, { readonly: true, fileMustExist: true });
try {
  const report = verifyChain(db, path, (checked) => process.send?.({ progress: checked }));
  process.send?.({ report }, () => process.exit(0));
} catch (err) {
  process.send?.({ error: (err as Error).message }, () => process.exit(1));
} finally {
  db.close();
}
