import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TableVerifier } from './verifier.js';

/** A conformance vector (conformance/README.md). */
interface Vector {
  name: string;
  studio: string;
  table: string;
  trusted: string[] | null;
  steps: { topic: 'birth' | 'state' | 'events'; message: string; expect: Record<string, unknown>; note?: string }[];
  final: { gaps: [number, number][]; verified: number; duplicates: number };
}

const here = new URL('../conformance/', import.meta.url).pathname;
const repo = new URL('../../../', import.meta.url).pathname;
const load = (dir: string): Vector[] => readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector);

/** What this package's verifier says at each step, in the vectors' terms. */
function run(v: Vector): { steps: Record<string, unknown>[]; final: Vector['final'] } {
  const verifier = new TableVerifier({ studio: v.studio, table: v.table, ...(v.trusted ? { trusted: v.trusted } : {}) });
  const steps = v.steps.map((s) => {
    if (s.topic === 'events') {
      const out = verifier.event(s.message);
      return out.kind === 'violation' ? { outcome: 'violation', code: out.violation.code } : { outcome: out.kind, seq: out.event.seq };
    }
    const violation = s.topic === 'birth' ? verifier.birth(s.message) : verifier.state(s.message);
    return violation ? { outcome: 'violation', code: violation.code } : { outcome: 'accepted' };
  });
  return { steps, final: { gaps: verifier.gaps().map((g) => [g.from, g.to]), verified: verifier.verified, duplicates: verifier.duplicates } };
}

function check(t: Test, vectors: Vector[]): void {
  for (const v of vectors) {
    const got = run(v);
    t.same(got.steps, v.steps.map((s) => s.expect), `${v.name}: every step`);
    t.same(got.final, v.final, `${v.name}: gaps and counts`);
  }
}

const python = (dir: string) => spawnSync('/usr/bin/python3', [join(here, 'python', 'pitbox_verify.py'), dir], { encoding: 'utf8' });

t.test('the committed vectors: this package passes every one', async (t) => {
  const vectors = load(join(here, 'vectors'));
  const violations = new Set(vectors.flatMap((v) => v.steps.map((s) => s.expect['code'])).filter((c): c is string => typeof c === 'string'));
  t.same([...violations].sort(), ['bad-signature', 'chain-broken', 'conflicting-duplicate', 'malformed', 'reordered', 'seq-reused', 'unknown-key', 'untrusted-key', 'wrong-table'], 'every violation the verifier knows but gap (a final state) is exercised');
  t.ok(vectors.some((v) => v.final.gaps.length > 0), 'and a gap');
  check(t, vectors);
});

t.test('the independent Python verifier passes every committed vector, and fails a wrong one', async (t) => {
  const ok = python(join(here, 'vectors'));
  t.equal(ok.status, 0, ok.stdout + ok.stderr);
  t.match(ok.stdout, /^(\d+)\/\1 vectors pass$/m);
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-vectors-'));
  const v = load(join(here, 'vectors')).find((x) => x.name === 'gap')!;
  writeFileSync(join(dir, 'gap.json'), JSON.stringify({ ...v, final: { ...v.final, gaps: [] } }));
  const wrong = python(dir);
  t.equal(wrong.status, 1, 'a vector expecting no gap where there is one fails');
  t.match(wrong.stdout, /FAIL gap/);
});

t.test('the generator, run now against the appliance\'s code, writes vectors both verifiers pass', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-vectors-'));
  const gen = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts', 'conformance-vectors.ts'), dir], { encoding: 'utf8' });
  t.equal(gen.status, 0, gen.stderr);
  const fresh = load(join(dir, 'vectors'));
  t.same(fresh.map((v) => v.name), load(join(here, 'vectors')).map((v) => v.name), 'the same vectors as committed');
  check(t, fresh);
  t.equal(python(join(dir, 'vectors')).status, 0);
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: Record<string, { public: { kid: string }; private: { d: string } }> };
  t.same(Object.keys(keys.keys), ['A', 'B', 'C'], 'with the test keys, private halves included');
});
