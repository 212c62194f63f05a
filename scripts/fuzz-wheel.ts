/**
 * The long structure-aware fuzz of the SS2 stream (the suite runs 300 kB of it):
 *   node --import tsx scripts/fuzz-wheel.ts [BYTES=10000000] [SEED=1] [LIE_RATE=0.5]
 * Prints games, bytes, results, voids, suspensions, lies by kind and any false result; exits 1
 * on a false result (a crash throws).
 */
import { fuzzWheel } from '../appliance/games/roulette/wheel-fuzz.js';

const bytes = Number(process.argv[2] ?? 10_000_000);
const seed = Number(process.argv[3] ?? 1);
const lieRate = Number(process.argv[4] ?? 0.5);
const t0 = performance.now();
const r = fuzzWheel({ seed, targetBytes: bytes, lieRate });
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ ...r, falseResults: r.falseResults.slice(0, 20), falseResultCount: r.falseResults.length, seconds: Number(s.toFixed(1)), mbPerSecond: Number((r.bytes / 1e6 / s).toFixed(2)) }, null, 1));
process.exit(r.falseResults.length === 0 ? 0 : 1);
