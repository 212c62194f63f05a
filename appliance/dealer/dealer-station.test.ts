import t from 'tap';
import { keyRecords } from '../../drivers/input/input-event.js';
import { cardTable, startAppliance, startBroker, stopAppliance, stopMosquitto, Subscriber, until, verifyReceived } from '../test-support/harness.js';
import { dealerHardware, standInBin } from '../test-support/input-stand-ins.js';
import { clipCameraLines, clipCardLines, renderedClip, shoeLines } from '../test-support/rendered-clip.js';

const clip = renderedClip('baccarat-round');
const KEY = { F1: 59, F2: 60, F3: 61 };

/** A whole baccarat table from the dealer's side: keypad on a grabbed node, shoe on a pty, the dealt clip, real mosquitto. */
t.test('baccarat with cards.source both: keypad presses, the shoe and the camera agree; a wrong shoe card suspends; the keypad unplugged mid-round', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = cardTable('baccarat-02', [
    'game: baccarat',
    'openOnStart: true',
    ...clipCameraLines(clip),
    ...clipCardLines(clip, { source: 'both', confirmFrames: 3 }),
    '  shoe: { driver: serial, port: DIR/shoe, code: rank-suit, matchWindowMs: 30000, reconnect: { initialMs: 100, maxMs: 500 } }',
    'inputs:',
    '  - name: keypad',
    '    driver: evdev',
    '    path: DIR/pitbox-keypad',
    '    keys: { KEY_F1: start, KEY_F2: close-bets, KEY_F3: void }',
    '    minGapMs: 50',
    '    reconnect: { initialMs: 100, maxMs: 500 }',
    'control:',
    '  socket: DIR/control.sock',
    'uplink:',
    `  url: mqtt://127.0.0.1:${port}`,
    'broker:',
    '  enabled: false',
  ]);
  const { keypad, shoe } = await dealerHardware(table, { keypad: 'pitbox-keypad', shoe: 'shoe' });
  t.teardown(() => shoe.unplug());
  const sub = await Subscriber.connect(port, 'pitbox/v1/e2e/baccarat-02');
  t.teardown(() => sub.close());
  startAppliance(table, { PATH: `${standInBin()}:${process.env['PATH']}` });
  t.teardown(() => stopAppliance(table));
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-8000));
  });
  let pressed = 0;
  const press = async (code: number): Promise<void> => {
    pressed += 1;
    await keypad.write(Buffer.concat([keyRecords(code, 1, keypad.stamp()), keyRecords(code, 0, keypad.stamp())]));
    await new Promise((r) => setTimeout(r, 120));
  };
  const state = (): Record<string, unknown> | undefined => sub.states.at(-1)?.state;
  const events = () => sub.unique();
  await keypad.open();
  await until('camera and shoe up, not suspended', () => state()?.['suspended'] === null && (state()?.['cameras'] as Record<string, string>)?.['overhead'] === 'up', 60_000);

  /** Presses start until the layout is clear (the clip loops), then closes bets. */
  const startRound = async (): Promise<number> => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const before = events().filter((e) => e.type === 'round.opened').length;
      await press(KEY.F1);
      await new Promise((r) => setTimeout(r, 100));
      const opened = events().filter((e) => e.type === 'round.opened');
      if (opened.length > before) return opened.at(-1)!.round as number;
    }
    throw new Error('never started');
  };

  const round1 = await startRound();
  t.match(events().find((e) => e.type === 'round.opened' && e.round === round1)?.data, { by: 'keypad:KEY_F1' }, 'the press names the device and key');
  await press(KEY.F2);
  await until('bets closed', () => events().some((e) => e.type === 'round.closed' && e.round === round1), 10_000);
  await shoe.write(shoeLines(clip));
  await until('round 1 result', () => events().some((e) => (e.type === 'round.result' || e.type === 'round.voided') && e.round === round1), 60_000);
  const r1 = events().filter((e) => e.round === round1);
  t.ok(r1.some((e) => e.type === 'round.result'), `a result, not a void: ${JSON.stringify(r1.filter((e) => e.type === 'round.voided').map((e) => e.data))}`);
  t.same(r1.filter((e) => e.type === 'card.drawn').map((e) => e.data['card']), clip.expected.dealt.map((d) => d.card), 'every shoe read journaled');
  t.same(
    r1.filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['card'], e.data['shoeIndex']]),
    clip.expected.dealt.map((d, i) => [d.position, d.card, i + 1]),
    'each card dealt once shoe and camera agreed',
  );
  t.match(r1.find((e) => e.type === 'round.result')?.data, clip.expected.result);

  // Round 2: the keypad is pulled mid-round and comes back; the close-bets press after it counts once.
  const round2 = await startRound();
  const seen = events().length;
  await keypad.write(keyRecords(KEY.F2, 1, keypad.stamp()).subarray(0, 30)); // half a press in flight
  await keypad.unplug();
  await until('device.down', () => events().slice(seen).some((e) => e.type === 'device.down'), 10_000);
  t.match(events().slice(seen).find((e) => e.type === 'device.down')?.data, { device: 'keypad', driver: 'evdev', reason: /disconnected|not-found/ });
  await until('the input alarm in status', () => sub.statuses.at(-1)?.alarms?.some((a) => a.code === 'input-device') === true, 10_000);
  keypad.plug();
  await until('device.up', () => events().slice(seen).some((e) => e.type === 'device.up'), 10_000);
  await keypad.open();
  await press(KEY.F2);
  await until('round 2 bets closed', () => events().some((e) => e.type === 'round.closed' && e.round === round2), 10_000);
  t.equal(events().filter((e) => e.type === 'round.closed' && e.round === round2).length, 1, 'closed once: the half press was not a press, the new one counted once');
  // The shoe says 9H where the camera will see the clip's 2C.
  await shoe.write('9H\r\n5H\r\n');
  await until('round 2 voided', () => events().some((e) => e.type === 'round.voided' && e.round === round2), 60_000);
  t.match(events().find((e) => e.type === 'card.conflict' && e.round === round2)?.data, { code: 'shoe-mismatch', position: 'player1', shoeCard: '9H', cameraCard: '2C', camera: 'overhead' }, 'both readings in the event');
  t.match(events().find((e) => e.type === 'round.voided' && e.round === round2)?.data, { code: 'shoe-mismatch' });
  t.ok(events().some((e) => e.type === 'table.suspended' && (e.data as { code: string }).code === 'shoe-mismatch'), 'the table is suspended');
  await press(KEY.F1);
  await until('the refused press in status', () => sub.raw.filter((m) => m.kind === 'status').some((m) => /"lastPress":\{[^}]*"ok":false[^}]*suspended/.test(m.text)), 10_000);
  const log = table.output.join('');
  t.equal((log.match(/"msg":"press"/g) ?? []).length, pressed, 'every press the keypad made was acted on once: none lost, none doubled');
  t.same(verifyReceived(sub.raw, 'baccarat-02').violations, [], 'every event verifies');
});
