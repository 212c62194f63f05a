import { mkdtempSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CardEngine } from '../cards/card-engine.js';
import { baccarat } from '../games/baccarat/baccarat-game.js';
import { silentLogger } from '../log.js';
import { ControlSocket } from './control-socket.js';
import type { EventDraft } from './events.js';

function send(path: string, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let buf = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.write(lines.map((l) => `${l}\n`).join('')));
    c.on('data', (d: string) => {
      buf += d;
      const got = buf.split('\n').filter(Boolean);
      if (got.length >= lines.length) {
        c.end();
        resolve(got);
      }
    });
    c.on('error', reject);
  });
}

t.test('the control socket: one JSON line per request, the engine decides, only the owner may connect', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'pitbox-ctl-')), 'run', 'control.sock');
  const events: EventDraft[] = [];
  const engine = new CardEngine(baccarat, { frames: 2, threshold: 0.9 }, (e) => events.push(e), silentLogger, null);
  const socket = new ControlSocket(path, engine, silentLogger);
  await socket.start();
  t.teardown(() => socket.stop());
  t.equal(statSync(path).mode & 0o777, 0o600, 'no group or other access unless a group is configured');

  const answers = await send(path, [
    '{"action":"start","by":"button-1"}',
    '{"action":"open","by":"pit-boss"}',
    '{"action":"start","by":"button-1"}',
    '{"action":"close-bets"}',
    '{"action":"settle"}',
    '{"action":"deal"}',
    'start please',
  ]);
  const parsed = answers.map((a) => JSON.parse(a) as { ok: boolean; reason?: string });
  t.match(parsed, [
    { ok: false, reason: /the table is closed/ },
    { ok: true },
    { ok: true },
    { ok: true },
    { ok: false, reason: /baccarat rounds end by the tableau/ },
    { ok: false, reason: /unknown action; one of open, close, start/ },
    { ok: false, reason: /not JSON/ },
  ]);
  t.same(events.map((e) => e.type), ['table.opened', 'round.opened', 'round.closed']);
  t.match(events[1]!.data, { by: 'button-1', game: 'baccarat' });
  t.match(JSON.parse((await send(path, ['{"action":"void","by":"dealer","reason":"misdeal"}']))[0]!), { ok: true });
  t.match(events.at(-1), { type: 'round.voided', data: { code: 'dealer', reason: 'misdeal' } });
});
