/**
 * How long the journal's checks take: `node --import tsx scripts/bench-journal-verify.ts [EVENTS=1000000] [RUNS=3]`.
 * Builds a journal of EVENTS signed events (roulette results, bursts of 100 per commit), then
 * times the open check (counter + newest 1,000 events) and the full-chain verification (what
 * `pitbox journal verify` and the background check run), RUNS times each; prints medians.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyChain } from '../appliance/journal/integrity.js';
import { Journal } from '../appliance/journal/journal.js';
import { generateKey } from '../appliance/signing/keyring.js';

const events = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'pitbox-bench-verify-'));
const path = join(dir, 'journal.db');
const key = generateKey(join(dir, 'keys'));
const opts = { path, studio: 'bench', table: 'roulette-01' };
const j = Journal.create(opts);
j.activateKey(key.jwk, key.signer);
const t0 = performance.now();
for (let i = 1; i <= events; i++) {
  j.append({ type: 'round.result', round: i, data: { number: i % 37, colour: 'red', spin: (i % 256) + 1, rotorRpm: 17.3, direction: 'clockwise' } }, { i });
  if (i % 100 === 0) j.flush();
}
j.close();
console.log(`built ${events.toLocaleString()} events in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const opens: number[] = [];
const fulls: number[] = [];
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  Journal.open(opts).close();
  opens.push(performance.now() - t);
  const db = new Database(path, { readonly: true });
  t = performance.now();
  const report = verifyChain(db, path);
  fulls.push(performance.now() - t);
  db.close();
  if (report.problem || report.checked !== events) throw new Error(`verification failed: ${JSON.stringify(report)}`);
}
const full = median(fulls);
console.log(`open check (counter + newest 1,000): median ${median(opens).toFixed(0)} ms (runs: ${opens.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`full chain: median ${(full / 1000).toFixed(1)} s, ${Math.round(events / (full / 1000)).toLocaleString()} events/s (runs: ${fulls.map((x) => (x / 1000).toFixed(1)).join(', ')} s)`);
