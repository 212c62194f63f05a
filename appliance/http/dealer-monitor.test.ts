import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import t from 'tap';
import { keyRecords } from '../../drivers/input/input-event.js';
import { cardTable, controlRequest, startAppliance, stopAppliance, until } from '../test-support/harness.js';
import { dealerHardware, standInBin } from '../test-support/input-stand-ins.js';
import { clipCameraLines, clipCardLines, renderedClip } from '../test-support/rendered-clip.js';

const SHOTS = new URL('../../.tap/screenshots/', import.meta.url).pathname;

/**
 * The dealer monitor in Debian's Chromium against `pitbox run`: a baccarat table dealing from a
 * serial shoe (a pty), a keypad on a grabbed node (a FIFO), a betting window. Every assertion
 * reads what the page shows; screenshots go to .tap/screenshots/.
 */
t.test('the dealer monitor: phase and countdown, cards, results, refused presses, suspension and what lifts it, devices; live', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const table = cardTable('baccarat-03', [
    'game: baccarat',
    'openOnStart: true',
    'betting: { seconds: 20 }',
    'cards:',
    '  source: shoe',
    '  shoe: { driver: serial, port: DIR/shoe, reconnect: { initialMs: 100, maxMs: 300 } }',
    'inputs:',
    '  - { name: keypad, driver: evdev, path: DIR/keypad, keys: { KEY_F1: start, KEY_F2: close-bets }, minGapMs: 50 }',
    'control:',
    '  socket: DIR/control.sock',
    'broker:',
    '  port: 0',
  ]);
  const { keypad, shoe } = await dealerHardware(table);
  t.teardown(() => shoe.unplug());
  startAppliance(table, { PATH: `${standInBin()}:${process.env['PATH']}` });
  t.teardown(() => stopAppliance(table, 'SIGKILL'));
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-6000));
  });
  await until('the HTTP server', () => /local HTTP server listening/.test(table.output.join('')), 30_000);
  const httpPort = Number(/"port":(\d+),"auth":false,"msg":"local HTTP server listening"/.exec(table.output.join(''))?.[1]);
  await keypad.open();

  const browser: Browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  const text = (sel: string) => page.evaluate(`document.querySelector(${JSON.stringify(sel)})?.textContent ?? ''`) as Promise<string>;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `dealer-${name}.png`) });
  const waitText = (sel: string, re: RegExp, ms = 10_000) => page.waitForFunction(`${re.toString()}.test(document.querySelector(${JSON.stringify(sel)})?.textContent ?? '')`, { timeout: ms });
  /** Event (as the box stamped its state) to the page's render, in ms. */
  const lags: number[] = [];
  const lag = async () => lags.push((await page.evaluate('window.__rendered.at - Date.parse(state.ts)')) as number);
  const press = (code: number) => keypad.write(Buffer.concat([keyRecords(code, 1, keypad.stamp()), keyRecords(code, 0, keypad.stamp())])).then(() => new Promise((r) => setTimeout(r, 100)));

  await page.goto(`http://127.0.0.1:${httpPort}/dealer`, { waitUntil: 'domcontentloaded' });
  await waitText('#phase', /WAITING TO START/, 20_000);
  t.match(await text('#devices'), /keypad: up/);
  t.match(await text('#devices'), /shoe: up/);
  await shot('waiting');

  await press(59);
  await waitText('#phase', /PLACE YOUR BETS/);
  await lag();
  const left = Number(await text('#countdown'));
  t.ok(left > 15 && left <= 20, `the countdown runs from the round's deadline (${left} s left)`);
  await shot('betting');

  await press(60);
  await waitText('#phase', /NO MORE BETS/);
  await lag();
  t.equal(await text('#countdown'), '', 'no countdown once bets are closed');
  await press(60);
  await waitText('#press', /refused, no round is taking bets/);
  t.match(await page.evaluate("document.querySelector('#press').className"), /refused/);
  t.match(await text('#press'), /keypad KEY_F2 → close-bets/);
  await shot('refused');

  await shoe.write('2C\r\n5H\r\n3D\r\n');
  await waitText('#cards', /3♦/);
  await lag();
  t.match(await text('#cards'), /^PLAYER2♣ 3♦BANKER5♥$/, 'hands in table order, cards in the order of their slots');
  await shot('dealing');
  await shoe.write('KS\r\n4S\r\n6H\r\n');
  await waitText('#results', /#1 PLAYER 9-1/);
  await shot('result');

  await shoe.unplug();
  await waitText('#phase', /SUSPENDED/);
  await lag();
  t.match(await text('#why'), /shoe/);
  t.equal(await text('#lifts'), 'Lifts by itself when the shoe is back');
  await waitText('#devices', /shoe: down/);
  await shot('suspended');
  await shoe.plug();
  await waitText('#phase', /WAITING TO START/, 20_000);
  await lag();

  lags.sort((a, b) => a - b);
  const median = lags[Math.floor(lags.length / 2)] as number;
  t.comment(`state published -> page rendered, ms: ${lags.join(', ')}`);
  t.ok(median < 100, `the page renders a new state within 100 ms of its publication (median ${median} ms)`);
});

/**
 * The standing line: with the dealt clip looping on the camera, the cards of its round lie on
 * the layout for 11 s of every 14.6 s. While they do, the monitor says why the next round cannot
 * start, without anyone pressing; when the layout is clear the line is gone.
 */
t.test('the dealer monitor: what stands in the way of the next round stands on the screen until it clears', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const clip = renderedClip('baccarat-round');
  const table = cardTable('baccarat-04', [
    'game: baccarat',
    'openOnStart: true',
    ...clipCameraLines(clip),
    ...clipCardLines(clip, { source: 'camera' }),
    'control:',
    '  socket: DIR/control.sock',
    'broker:',
    '  port: 0',
  ]);
  writeFileSync(table.configFile, readFileSync(table.configFile, 'utf8').replaceAll('DIR', table.dir));
  startAppliance(table);
  t.teardown(() => stopAppliance(table)); // SIGTERM: the appliance stops its camera worker
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-6000));
  });
  await until('the HTTP server', () => /local HTTP server listening/.test(table.output.join('')), 60_000);
  const httpPort = Number(/"port":(\d+),"auth":false,"msg":"local HTTP server listening"/.exec(table.output.join(''))?.[1]);
  const browser: Browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  const text = (sel: string) => page.evaluate(`document.querySelector(${JSON.stringify(sel)})?.textContent ?? ''`) as Promise<string>;
  const waitText = (sel: string, re: RegExp, ms: number) => page.waitForFunction(`${re.toString()}.test(document.querySelector(${JSON.stringify(sel)})?.textContent ?? '')`, { timeout: ms });
  await page.goto(`http://127.0.0.1:${httpPort}/dealer`, { waitUntil: 'domcontentloaded' });

  await waitText('#blocked', /^Cannot start: cards are still on the table at (banker|player)\d.*: clear it first$/, 60_000);
  t.equal(await text('#phase'), 'WAITING TO START', 'a table that is open, waiting');
  t.equal(await text('#press'), 'none', 'nobody pressed anything: the line stands by itself');
  await page.screenshot({ path: join(SHOTS, 'dealer-blocked.png') });
  await waitText('#blocked', /banker3/, 20_000);
  t.match(await text('#blocked'), /player1.*player2.*player3/, 'every position still taken, named');
  await waitText('#blocked', /^$/, 20_000);
  t.equal(await text('#phase'), 'WAITING TO START', 'cleared with the cards, not by a press');
  t.ok(await controlRequest(table.dir + '/control.sock', 'start').then((a) => a.ok), 'and a round may start now');
  await waitText('#blocked', /^Do not deal yet: bets are still open: close bets before the first card$/, 10_000);
  await page.screenshot({ path: join(SHOTS, 'dealer-bets-open.png') });
});
