import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import t from 'tap';

/**
 * The layers of pitbox, lowest first (README, "What runs where"). A file may import from a
 * lower layer or from its own folder group, never from a higher layer nor from a sibling group
 * in its own layer (one game never reaches into another; the wheel driver never into the
 * camera's). Tests may use anything to set a scene; the rule is for what ships.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['drivers/serial'],
  ['drivers/wheel', 'drivers/input', 'drivers/camera'],
  ['appliance/log.ts', 'appliance/net', 'appliance/ops'],
  // @pitbox/consumer: the reference verifier and the contract's code, which the appliance re-exports.
  ['packages/consumer'],
  ['appliance/contract'],
  // The reference receiver's GStreamer side (frame stamps on the video).
  ['appliance/consumer'],
  // What every game stands on: events and incident codes, the lifecycle, the dealer's actions.
  ['appliance/kernel'],
  // The card machinery every card game shares: cards, confirmation, shoe matching, the engine.
  ['appliance/cards'],
  // Each game on its own (appliance/games/<game>), and recognition: a sensor, like the wheel.
  ['appliance/games/*', 'appliance/recognition'],
  ['appliance/config', 'appliance/identity.ts'],
  ['appliance/journal'],
  ['appliance/signing'],
  ['appliance/uplink'],
  ['appliance/http'],
  // The assembly: the dealer's station, then the running table of each kind; the doctor between
  // them (it reads the station's scan records, and a running table's status page runs its checks).
  ['appliance/dealer'],
  ['appliance/doctor'],
  ['appliance/table'],
  ['appliance/commands'],
  ['appliance/cli.ts'],
  ['appliance/test-support'],
  // A platform's reference ingester: a package of its own, on top of @pitbox/consumer.
  ['packages/ingest'],
  ['scripts'],
];

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..'));

/** The layer and group (the entry of LAYERS it falls under, with `*` filled in) of a file. */
export function placeOf(file: string): { layer: number; group: string } | null {
  let best: { layer: number; group: string } | null = null;
  LAYERS.forEach((entries, layer) => {
    for (const entry of entries) {
      const group = entry.endsWith('/*') ? matchStar(entry, file) : file === entry || file.startsWith(`${entry}/`) ? entry : null;
      if (group !== null && (best === null || group.length > best.group.length)) best = { layer, group };
    }
  });
  return best;
}

function matchStar(entry: string, file: string): string | null {
  const base = entry.slice(0, -2);
  if (!file.startsWith(`${base}/`)) return null;
  const next = file.slice(base.length + 1).split('/')[0]!;
  return `${base}/${next}`;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.m?ts$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The repository's files each file imports (relative specifiers only; type imports count). */
export function importGraph(roots: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap((r) => { try { return sources(r); } catch { return []; } })) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      targets.push(relative(ROOT, join(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every import that runs back up, or sideways into a sibling group. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    if (file.endsWith('.test.ts')) continue;
    const from = placeOf(file);
    if (!from) {
      bad.push(`${file}: in no layer (add its folder to LAYERS in appliance/layers.test.ts)`);
      continue;
    }
    for (const target of targets) {
      const to = placeOf(target);
      if (!to || to.group === from.group || to.layer < from.layer) continue;
      bad.push(`${file} -> ${target} (${from.group} may not import ${to.group})`);
    }
  }
  return bad;
}

/** Groups of files that import one another, directly or round a longer loop (Tarjan). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const graph = importGraph(['appliance', 'drivers', 'packages', 'scripts']);

t.test('no import runs back up a layer or across to a sibling', async (t) => {
  t.ok(graph.size > 100, `read ${graph.size} files`);
  t.same(upwardImports(graph), []);
});

t.test('no two files import each other', async (t) => {
  t.same(importCycles(graph), []);
});

t.test('a file over 400 lines says at its top why it is one file', async (t) => {
  const long = [...graph.keys()].filter((f) => !f.endsWith('.test.ts') && !f.startsWith('scripts/') && !f.includes('/test-support/')).filter((f) => {
    const lines = readFileSync(join(ROOT, f), 'utf8').split('\n');
    return lines.length > 400 && !lines.slice(0, 30).some((l) => /over 400 lines/i.test(l));
  });
  t.same(long, []);
});

t.test('the checks themselves catch what they are for', async (t) => {
  const bad = new Map<string, string[]>([
    ['appliance/kernel/events.ts', ['appliance/table/table-runtime.ts']],
    ['appliance/games/baccarat/baccarat.ts', ['appliance/games/blackjack/blackjack.ts']],
    ['appliance/games/blackjack/blackjack.ts', ['appliance/cards/card.ts']],
    ['appliance/table/table-runtime.ts', ['appliance/kernel/events.ts']],
    ['drivers/camera/outputs.ts', ['drivers/camera/whip/whip-url.ts']],
    ['drivers/camera/whip/whip-url.ts', ['drivers/camera/outputs.ts']],
    ['appliance/somewhere-new/x.ts', []],
  ]);
  t.same(upwardImports(bad), [
    'appliance/kernel/events.ts -> appliance/table/table-runtime.ts (appliance/kernel may not import appliance/table)',
    'appliance/games/baccarat/baccarat.ts -> appliance/games/blackjack/blackjack.ts (appliance/games/baccarat may not import appliance/games/blackjack)',
    'appliance/somewhere-new/x.ts: in no layer (add its folder to LAYERS in appliance/layers.test.ts)',
  ]);
  t.same(importCycles(bad), [
    ['appliance/kernel/events.ts', 'appliance/table/table-runtime.ts'],
    ['drivers/camera/outputs.ts', 'drivers/camera/whip/whip-url.ts'],
  ]);
  t.equal(placeOf('appliance/games/dragon-tiger/dragon-tiger.ts')?.group, 'appliance/games/dragon-tiger');
});
