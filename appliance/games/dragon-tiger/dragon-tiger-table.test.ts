import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import t, { type Test } from 'tap';
import { cardTable, controlRequest, startAppliance, startBroker, stopAppliance, stopMosquitto, Subscriber, until, verifyReceived } from '../../test-support/harness.js';
import { dealerHardware } from '../../test-support/input-stand-ins.js';
import { clipCameraLines, clipCardLines, renderedClip, shoeLines } from '../../test-support/rendered-clip.js';

const SHOTS = new URL('../../../.tap/screenshots/', import.meta.url).pathname;
const clip = renderedClip('dragon-tiger-round');

/**
 * `pitbox run` on a Dragon Tiger table with `lines` in its YAML (cameras, cards),
 * with a shoe on a pty, the control socket, and its uplink to a real mosquitto it is read from.
 */
async function runTable(t: Test, name: string, lines: readonly string[]) {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const table = cardTable(name, ['game: dragon-tiger', 'openOnStart: true', ...lines, 'control:', '  socket: DIR/control.sock', 'uplink:', `  url: mqtt://127.0.0.1:${port}`, 'broker:', '  enabled: false']);
  const { shoe } = await dealerHardware(table);
  t.teardown(() => shoe.unplug());
  const sub = await Subscriber.connect(port, `pitbox/v1/e2e/${name}`);
  t.teardown(() => sub.close());
  startAppliance(table);
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-6000));
  });
  return {
    table,
    shoe,
    sub,
    socket: join(table.dir, 'control.sock'),
    events: () => sub.unique(),
    state: (): Record<string, unknown> | undefined => sub.states.at(-1)?.state,
  };
}

/**
 * A Dragon Tiger table end to end: `pitbox run` dealing from a serial shoe (a pty), the dealer's
 * actions on the control socket, results signed and delivered to a real mosquitto, and the
 * dealer monitor in Debian's Chromium.
 */
t.test('dragon tiger from the shoe: burn card, a round, a suited tie, a card while bets are open; verified on mosquitto; on the monitor', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const { table, shoe, sub, socket, events, state } = await runTable(t, 'dragon-tiger-01', ['cards:', '  source: shoe', '  shoe: { driver: serial, port: DIR/shoe, code: rank-suit, reconnect: { initialMs: 100, maxMs: 300 } }']);
  await until('the shoe is up, the table open', () => state()?.['open'] === true && state()?.['suspended'] === null, 30_000);
  const httpPort = Number(/"port":(\d+),"auth":false,"msg":"local HTTP server listening"/.exec(table.output.join(''))?.[1]);

  const browser: Browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  const text = (sel: string) => page.evaluate(`document.querySelector(${JSON.stringify(sel)})?.textContent ?? ''`) as Promise<string>;
  const waitText = (sel: string, re: RegExp, ms = 10_000) => page.waitForFunction(`${re.toString()}.test(document.querySelector(${JSON.stringify(sel)})?.textContent ?? '')`, { timeout: ms });
  await page.goto(`http://127.0.0.1:${httpPort}/dealer`, { waitUntil: 'domcontentloaded' });
  await waitText('#phase', /WAITING TO START/, 20_000);

  // A burn card before the round: journaled, dealt nowhere.
  await shoe.write('9D\r\n');
  await until('the burn card', () => events().some((e) => e.type === 'card.drawn'), 10_000);
  t.match(events().find((e) => e.type === 'card.drawn'), { round: null, data: { card: '9D', by: 'shoe:shoe' } });

  t.match(await controlRequest(socket, 'start'), { ok: true });
  t.match(await controlRequest(socket, 'close-bets'), { ok: true });
  await waitText('#phase', /NO MORE BETS/);
  await shoe.write('KH\r\n');
  await waitText('#cards', /DRAGONK♥/);
  await page.screenshot({ path: join(SHOTS, 'dragon-tiger-dealing.png') });
  await shoe.write('10S\r\n');
  await until('round 1 result', () => events().some((e) => e.type === 'round.result'), 10_000);
  const r1 = events().filter((e) => e.round === 1);
  t.same(r1.filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['card'], e.data['source'], e.data['shoeIndex']]), [['dragon', 'KH', 'shoe', 1], ['tiger', 'TS', 'shoe', 2]]);
  t.same(r1.find((e) => e.type === 'round.result')?.data, { game: 'dragon-tiger', dragon: 'KH', tiger: 'TS', winner: 'dragon', dragonRank: 13, tigerRank: 10, suitedTie: false });
  await waitText('#results', /#1 DRAGON KH-TS/);

  t.match(await controlRequest(socket, 'start'), { ok: true });
  t.match(await controlRequest(socket, 'close-bets'), { ok: true });
  await shoe.write('4C\r\n4C\r\n');
  await until('round 2 result', () => events().some((e) => e.type === 'round.result' && e.round === 2), 10_000);
  t.match(events().find((e) => e.type === 'round.result' && e.round === 2)?.data, { winner: 'tie', suitedTie: true });
  await waitText('#results', /#2 SUITED TIE 4C-4C/);
  await page.screenshot({ path: join(SHOTS, 'dragon-tiger-result.png') });

  // The status page: the game's title and its latest events, each checked by the reference
  // verifier and worded for this game (the events it holds when a page opens).
  const status = await browser.newPage();
  await status.setViewport({ width: 1400, height: 1000 });
  await status.goto(`http://127.0.0.1:${httpPort}/`, { waitUntil: 'domcontentloaded' });
  await status.waitForFunction("[...document.querySelectorAll('#events li')].some((li) => li.textContent.includes('round 2 RESULT'))", { timeout: 20_000 });
  t.match(await status.evaluate("document.querySelector('#title')?.textContent ?? ''"), /dragon-tiger-01 \(dragon-tiger\)/);
  t.equal(await status.evaluate("document.querySelector('#round')?.textContent ?? ''"), 'last result: round 2, suited tie', 'the header says the last result in the game\'s words');
  const listed = (await status.evaluate("[...document.querySelectorAll('#events li')].map((e) => e.textContent)")) as string[];
  t.ok(listed.every((e) => e.startsWith('✓')), 'every event on the status page verified');
  t.ok(listed.some((e) => e.includes('round 1 RESULT dragon wins (dragon KH, tiger TS)')), 'round 1 in the game\'s words');
  t.ok(listed.some((e) => e.includes('round 2 RESULT suited tie (dragon 4C, tiger 4C)')), 'the suited tie said as such');
  await status.screenshot({ path: join(SHOTS, 'dragon-tiger-status.png') });
  await status.close();

  // A card while bets are open voids the round and suspends the table, as at baccarat.
  t.match(await controlRequest(socket, 'start'), { ok: true });
  await shoe.write('7D\r\n');
  await until('round 3 voided', () => events().some((e) => e.type === 'round.voided' && e.round === 3), 10_000);
  t.match(events().find((e) => e.type === 'round.voided' && e.round === 3)?.data, { code: 'card-before-close' });
  await waitText('#phase', /SUSPENDED/);
  t.match(await text('#why'), /bets were open/);
  t.match(await controlRequest(socket, 'settle'), { ok: false }, 'no settle at dragon tiger');
  t.same(verifyReceived(sub.raw, 'dragon-tiger-01').violations, [], 'every event verifies');
});

t.test('dragon tiger on video: the rendered dealt clip read by the camera, agreeing with the shoe card by card', async (t) => {
  const { sub, shoe, socket, events, state } = await runTable(t, 'dragon-tiger-02', [
    ...clipCameraLines(clip),
    ...clipCardLines(clip, { source: 'both', confirmFrames: 3 }),
    '  shoe: { driver: serial, port: DIR/shoe, code: rank-suit, matchWindowMs: 30000, reconnect: { initialMs: 100, maxMs: 300 } }',
  ]);
  await until('camera and shoe up, not suspended', () => state()?.['suspended'] === null && (state()?.['cameras'] as Record<string, string>)?.['overhead'] === 'up', 60_000);
  // The clip loops: start is refused while last loop's cards lie on the layout.
  const deadline = Date.now() + 60_000;
  while (!(await controlRequest(socket, 'start')).ok) {
    if (Date.now() > deadline) throw new Error('never started');
    await new Promise((r) => setTimeout(r, 200));
  }
  t.match(await controlRequest(socket, 'close-bets'), { ok: true });
  await shoe.write(shoeLines(clip));
  await until('the result', () => events().some((e) => e.type === 'round.result' || e.type === 'round.voided'), 60_000);
  t.same(events().filter((e) => e.type === 'round.voided').map((e) => e.data), [], 'no void');
  t.same(
    events().filter((e) => e.type === 'card.dealt').map((e) => [e.data['position'], e.data['card'], e.data['shoeIndex'], e.data['camera']]),
    clip.expected.dealt.map((d, i) => [d.position, d.card, i + 1, 'overhead']),
    'each card dealt once the shoe and the camera agreed',
  );
  const { video, ...result } = events().find((e) => e.type === 'round.result')?.data ?? {};
  t.same(result, { game: 'dragon-tiger', ...clip.expected.result });
  t.ok(video, 'the result names the frame being captured when it was decided');
  t.same(verifyReceived(sub.raw, 'dragon-tiger-02').violations, [], 'every event verifies');
});
