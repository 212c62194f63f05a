import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileLayouts, render } from '../../scripts/gen-scanner-layouts.js';

t.test('the committed layouts are what the XKB data compiles to (xkb-data, libxkbcommon-tools, x11proto-dev)', async (t) => {
  const { layouts, xkbData } = compileLayouts();
  t.equal(render(layouts, xkbData), readFileSync(new URL('./scanner-layouts.ts', import.meta.url), 'utf8'), 'run: node --import tsx scripts/gen-scanner-layouts.ts');
  t.same(Object.keys(layouts), ['us', 'gb', 'de', 'fr', 'es', 'it']);
  t.same(layouts['fr']?.keys[30], ['q', 'Q', '@', 'Ω'], 'AZERTY: the key US calls A types q');
});
