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
game: blackjack
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
  for (const key of ['studio:', 'game:', 'wheel.baudrate: unknown key', 'wheel.mode:', 'journal.path: missing', 'signing: missing', 'uplink.url:', 'delivery.backlogRate:']) t.match(text, key);
  t.match(err.message, /^table\.yaml: 8 problems/);
});

t.test('driver-specific keys are checked by the driver schema', async (t) => {
  const generic = minimal.replace('driver: cammegh-ss2', 'driver: number-line\n  pattern: "^(\\\\d+)$"');
  t.equal(parseConfig(generic).wheel.driver, 'number-line');
  t.throws(() => parseConfig(minimal.replace('driver: cammegh-ss2', 'driver: number-line\n  pattern: "^\\\\d+$"')), /exactly one capture group/);
  t.throws(() => parseConfig(minimal.replace('driver: cammegh-ss2', 'driver: nope')), /wheel\.driver/);
});

t.test('YAML syntax errors are reported, not thrown raw', async (t) => {
  t.throws(() => parseConfig('studio: [unclosed\n'), /YAML syntax/);
});
