import { readFileSync } from 'node:fs';
import t from 'tap';
import { ConfigError, parseConfig } from './load.js';

const minimal = `studio: studio-a
table: roulette-01
game: roulette
wheel:
  driver: cammegh-ss2
  port: /dev/pitbox-wheel
journal:
  path: /var/lib/pitbox/j.db
signing:
  keyDir: /etc/pitbox/keys
`;

t.test('a minimal config gets the documented defaults', async (t) => {
  const c = parseConfig(minimal);
  t.match(c, { wheel: { baudRate: 9600, mode: 1159, statusPeriodMs: 500, silenceFactor: 4 }, topicPrefix: 'pitbox/v1', broker: { host: '127.0.0.1', port: 1883 }, openOnStart: false });
  t.equal(c.uplink, undefined, 'no uplink: the embedded broker is the default');
  t.match(c.journal, { minFreeMiB: 64, retention: { maxAgeDays: 30, maxMiB: 1024 } });
  t.equal(c.journal.maxMiB, undefined, 'no cap unless one is set');
  t.match(c.delivery, { backlogRate: 500, backlogWindow: 64, liveWindow: 64 });
});

t.test('every problem is reported at once, each with its key', async (t) => {
  const bad = `studio: studio a
table: roulette-01
game: roulette
wheel:
  driver: cammegh-ss2
  port: /dev/ttyUSB0
  baudrate: 9600
  mode: 99999
journal: {}
uplink:
  url: http://example
delivery:
  backlogRate: -1
`;
  const err = t.throws(() => parseConfig(bad, 'table.yaml')) as ConfigError;
  t.type(err, ConfigError);
  const text = err.problems.join('\n');
  for (const key of ['studio:', 'wheel.baudrate: unknown key', 'wheel.mode:', 'journal.path: missing', 'signing: missing', 'uplink.url:', 'delivery.backlogRate:']) t.match(text, key);
  t.match(err.message, /^table\.yaml: 7 problems/);
});

t.test('an unknown game is named, and the keys every table has are still checked', async (t) => {
  const err = t.throws(() => parseConfig(minimal.replace('game: roulette', 'game: craps').replace('studio: studio-a', 'studio: studio a'), 't.yaml')) as ConfigError;
  t.match(err.problems[0], /^game: "craps" is not one of roulette, baccarat, blackjack/);
  t.match(err.problems.join('\n'), /studio:/);
});

const baccaratYaml = `studio: studio-a
table: baccarat-01
game: baccarat
journal:
  path: /var/lib/pitbox/j.db
signing:
  keyDir: /etc/pitbox/keys
cameras:
  - name: overhead
    source: { kind: test, width: 640, height: 360, framerate: 10 }
cards:
  camera: overhead
  positions:
    player1: [[10, 10], [110, 10], [110, 150], [10, 150]]
`;

t.test('a card table: positions, confirmation defaults, and the wheel is not its key', async (t) => {
  const c = parseConfig(baccaratYaml);
  t.equal(c.game, 'baccarat');
  if (c.game === 'baccarat') t.match(c.cards, { camera: 'overhead', confirmFrames: 3, threads: 1, positions: { player1: [[10, 10], [110, 10], [110, 150], [10, 150]] } });
  t.throws(() => parseConfig(baccaratYaml + 'wheel: {}\n'), /wheel: unknown key/);
  t.throws(() => parseConfig(baccaratYaml.replace('[[10, 10], [110, 10], [110, 150], [10, 150]]', '[[10, 10]]')), /cards\.positions\.player1: a position needs at least 3 corners/);
  t.throws(() => parseConfig(baccaratYaml.replace(/cards:[\s\S]*$/, '')), /cards: missing/);
});

t.test('cards.deck: a directory name; a model or a deck, not both', async (t) => {
  const c = parseConfig(baccaratYaml + '  deck: studio-red\n');
  if (c.game === 'baccarat') t.equal(c.cards.deck, 'studio-red');
  t.throws(() => parseConfig(baccaratYaml + '  deck: studio-red\n  model: /opt/m/cards.json\n'), /cards: give model \(a model description\) or deck \(an enrolled deck\), not both/);
  t.throws(() => parseConfig(baccaratYaml + '  deck: ../etc\n'), /cards\.deck: letters, digits/);
});

t.test('driver-specific keys are checked by the driver schema', async (t) => {
  const generic = minimal.replace('driver: cammegh-ss2', 'driver: number-line\n  pattern: "^(\\\\d+)$"');
  const parsed = parseConfig(generic);
  t.equal(parsed.game === 'roulette' && parsed.wheel.driver, 'number-line');
  t.throws(() => parseConfig(minimal.replace('driver: cammegh-ss2', 'driver: number-line\n  pattern: "^\\\\d+$"')), /exactly one capture group/);
  t.throws(() => parseConfig(minimal.replace('driver: cammegh-ss2', 'driver: nope')), /wheel\.driver/);
});

t.test('YAML syntax errors are reported, not thrown raw', async (t) => {
  t.throws(() => parseConfig('studio: [unclosed\n'), /YAML syntax/);
});

t.test('camera problems name the camera, and the shipped configs parse', async (t) => {
  const cams = `${minimal}cameras:
  - name: overhead
    source: { kind: v4l2, device: /dev/video0, width: 1280, height: 720, framerate: 30, format: H264 }
    outputs: ["srt://central:9000?mode=caller&latencyy=120", "rtp://central"]
  - name: side
    source: { kind: test, width: 1280, height: 720, framrate: 30 }
`;
  const err = t.throws(() => parseConfig(cams, 't.yaml')) as ConfigError;
  const text = err.problems.join('\n');
  t.match(text, /cameras\[overhead\]\.source\.format: /, 'a bad format, by camera name');
  t.match(text, /cameras\[overhead\]\.outputs\.0: srt parameter "latencyy"/);
  t.match(text, /cameras\[overhead\]\.outputs\.1: rtp needs a host and a port/);
  t.match(text, /cameras\[side\]\.source\.framrate: unknown key/);
  t.match(text, /cameras\[side\]\.source\.framerate: missing/);
  const twice = `${minimal}cameras:\n  - name: a\n    source: { kind: test, width: 64, height: 64, framerate: 5 }\n  - name: a\n    source: { kind: test, width: 64, height: 64, framerate: 5 }\n`;
  t.throws(() => parseConfig(twice), { message: /cameras\[a\]\.name: camera name "a" is used twice/ });

  const ok = parseConfig(`${minimal}cameras:\n  - name: c1\n    source: { kind: test, width: 1280, height: 720, framerate: 30 }\n`);
  t.match(ok.cameras[0], { encoder: { kind: 'auto', bitrateKbps: 3000, keyframeIntervalS: 1 }, outputs: [], analysis: { enabled: true, maxFps: 15 }, silenceMs: 2000 });
  for (const file of ['table.example.yaml', 'simulation.yaml', 'dragon-tiger.example.yaml']) {
    const text = readFileSync(new URL(`../../config/${file}`, import.meta.url), 'utf8');
    t.ok(parseConfig(text, file).cameras.length > 0, `${file} parses, with a camera`);
  }
});
