import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, parseConfig } from '../config/load.js';
import { checkPositions } from '../table/card-table.js';
import type { CardTableConfig } from '../config/schema.js';

const base = `studio: s
table: t
journal: { path: /tmp/j.db }
signing: { keyDir: /tmp/k }
`;

function problems(yaml: string): string[] {
  try {
    const c = parseConfig(yaml);
    if (c.game !== 'roulette') checkPositions(c, 'table.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

t.test('inputs: every bad key named, with what would be right', async (t) => {
  const found = problems(`${base}game: roulette
wheel: { driver: cammegh-ss2, port: /dev/w }
inputs:
  - { name: keypad, driver: evdev, keys: { KEY_F1: start, KEY_NOPE: void, KEY_F2: spin } }
  - { name: keypad, driver: gpio, lines: { "17": start, pin4: void } }
  - { name: panel, driver: serial, port: /dev/p, pattern: "(?<key", keys: { "1": start } }
  - { name: pedal, driver: evdev, path: /dev/input/a, deviceName: Pedal, keys: {} }
`);
  const all = found.join('\n');
  t.match(all, /inputs\[keypad\]: give exactly one of path or deviceName/);
  t.match(all, /inputs\[keypad\]\.keys\.KEY_NOPE: unknown key "KEY_NOPE"/);
  t.match(all, /inputs\[keypad\]\.keys\.KEY_F2: "spin" is not an action: one of open, close, start, close-bets/, 'an action that does not exist names the ones that do');
  t.match(all, /inputs\[keypad\]\.lines\.pin4: "pin4" is not a line offset/);
  t.match(all, /two inputs named "keypad"/);
  t.match(all, /inputs\[panel\]\.pattern: pattern: not a regular expression/);
  t.match(all, /inputs\[pedal\]: give exactly one of path or deviceName/);
});

t.test('card sources: what each needs, and blackjack cannot deal from the shoe alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-cfg-'));
  writeFileSync(join(dir, 'x'), '');
  t.match(problems(`${base}game: baccarat\ncards: { source: both, camera: overhead, positions: { player1: [[0,0],[1,0],[1,1]] } }\ncameras: [{ name: overhead, source: { kind: test, width: 320, height: 240, framerate: 10 }, analysis: { enabled: true } }]\n`), [/cards\.shoe: required when cards\.source is both/]);
  t.match(problems(`${base}game: baccarat\ncards: { source: camera }\n`).join('\n'), /cards\.camera: required when cards\.source is camera[\s\S]*cards\.positions: required/);
  t.same(problems(`${base}game: baccarat\ncards: { source: shoe, shoe: { driver: serial, port: /dev/shoe } }\n`), [], 'a baccarat table can deal from the shoe alone, without a camera');
  t.match(problems(`${base}game: blackjack\ncards: { source: shoe, shoe: { driver: serial, port: /dev/shoe } }\n`), [/blackjack cannot deal from the shoe alone/]);
  t.match(problems(`${base}game: baccarat\ncards: { source: shoe, shoe: { driver: serial } }\n`).join('\n'), /cards\.shoe\.port.*a serial shoe needs port/);
  const c = parseConfig(`${base}game: baccarat\nbetting: { seconds: 12.5 }\ncards: { source: shoe, shoe: { driver: evdev, path: /dev/input/pitbox-shoe } }\n`) as CardTableConfig;
  t.match(c, { betting: { seconds: 12.5 }, cards: { shoe: { code: 'rank-suit', matchWindowMs: 20_000 } }, inputs: [] });
});

t.test('keys given as a number or in any case are the names the drivers report, so what validates also matches', async (t) => {
  const c = parseConfig(`${base}game: roulette
wheel: { driver: cammegh-ss2, port: /dev/w }
inputs:
  - { name: keypad, driver: evdev, path: /dev/input/k, keys: { "59": start, key_f2: close-bets, Btn_0: void, "700": settle } }
  - { name: pedals, driver: gpio, lines: { "017": start } }
`);
  t.same(c.inputs[0]?.driver === 'evdev' && c.inputs[0].keys, { KEY_F1: 'start', KEY_F2: 'close-bets', BTN_0: 'void', '700': 'settle' }, 'KEY_F1 as the evdev driver names code 59; an unnamed code stays its number');
  t.same(c.inputs[1]?.driver === 'gpio' && c.inputs[1].lines, { '17': 'start' }, 'line 017 is line 17, as gpiomon prints it');
  t.match(problems(`${base}game: roulette
wheel: { driver: cammegh-ss2, port: /dev/w }
inputs:
  - { name: keypad, driver: evdev, path: /dev/input/k, keys: { KEY_F1: start, "59": void } }
`).join('\n'), /inputs\[keypad\]\.keys\.(59|KEY_F1): "(59|KEY_F1)" is the same key as "(59|KEY_F1)" \(KEY_F1\)/, 'two spellings of one key: named, not one silently lost');
});
