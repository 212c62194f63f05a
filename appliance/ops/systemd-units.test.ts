import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

/**
 * The hardening gate: every unit we ship is rated by systemd itself (`systemd-analyze security
 * --offline=true`, no PID 1 needed) and must not be rated above 2.0. A unit that loses a
 * protection, or a new unit without them, fails the build.
 */
const UNITS = new URL('../../systemd/', import.meta.url).pathname;
const MAX_EXPOSURE = 2.0;

const units = readdirSync(UNITS).filter((f) => f.endsWith('.service'));

t.test('there are units to rate', async (t) => {
  t.ok(units.length > 0, units.join(', '));
});

for (const unit of units) {
  t.test(`${unit}: exposure at most ${MAX_EXPOSURE}`, async (t) => {
    const run = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(UNITS, unit)], { encoding: 'utf8' });
    t.equal(run.error, undefined, 'systemd-analyze runs');
    const rating = /Overall exposure level for .*: (\d+\.\d)/.exec(run.stdout);
    t.ok(rating, 'systemd-analyze printed an overall rating');
    const exposure = Number(rating?.[1]);
    const open = run.stdout.split('\n').filter((l) => l.startsWith('✗')).map((l) => l.split(/\s{2,}/)[0]);
    t.ok(exposure <= MAX_EXPOSURE, `rated ${exposure} (still open: ${open.join(', ')})`);
    t.notMatch(run.stderr, /Unknown key|Unknown section|Failed to parse/, 'systemd understands every line');
  });
}

t.test('the unit keeps what the appliance needs: notify with a watchdog, JIT allowed, devices by class', async (t) => {
  const text = readFileSync(join(UNITS, 'pitbox@.service'), 'utf8');
  t.match(text, /^Type=notify$/m);
  t.match(text, /^NotifyAccess=main$/m, 'never NotifyAccess=all');
  t.match(text, /^WatchdogSec=\d+/m);
  t.notMatch(text, /^MemoryDenyWriteExecute=yes/m, 'V8 needs writable executable memory');
  t.match(text, /^DevicePolicy=closed$/m);
});
