import t from 'tap';
import { parseShoeCode, codePattern } from '../../appliance/cards/shoe-code.js';
import { keyCode } from './key-codes.js';
import { ScanDecoder, type Scan, type ScannerLayoutName, type Terminator } from './scan-decoder.js';

/** Types `keys` (`+` joins keys held together: `LEFTSHIFT+A`) and returns the scans completed. */
function scan(layout: ScannerLayoutName, terminator: Terminator, ...keys: string[]): Scan[] {
  const d = new ScanDecoder(layout, terminator);
  const out: Scan[] = [];
  const c = (k: string) => {
    const code = keyCode(`KEY_${k}`);
    if (code === null) throw new Error(k);
    return code;
  };
  for (const chord of keys) {
    const parts = chord.split('+').map(c);
    for (const p of parts) {
      const s = d.key(p, 'down');
      if (s) out.push(s);
    }
    for (const p of parts.reverse()) d.key(p, 'up');
  }
  const rest = d.flush();
  return rest ? [...out, rest] : out;
}
const texts = (scans: Scan[]) => scans.map((s) => s.text);

t.test('an AZERTY scanner typing QS: the layout decides, so a queen is never read as an ace', async (t) => {
  // On AZERTY, Q is the key US calls A; the scanner holds Shift for capitals.
  const typed = ['LEFTSHIFT+A', 'LEFTSHIFT+S', 'ENTER'];
  t.same(texts(scan('fr', 'enter', ...typed)), ['QS']);
  t.same(texts(scan('us', 'enter', ...typed)), ['AS'], 'the same keys on a US layout: why the layout must be set');
  t.same(parseShoeCode('QS', codePattern({ order: 'rank-suit' })), { card: 'QS' });
  t.same(texts(scan('fr', 'enter', 'A', 'S', 'ENTER')), ['qs'], 'without Shift: lower case (the code pattern is case-blind)');
  t.same(texts(scan('de', 'enter', 'LEFTSHIFT+Y', 'LEFTSHIFT+H', 'ENTER')), ['ZH'], 'QWERTZ: Y and Z swap');
  t.same(texts(scan('gb', 'enter', 'LEFTSHIFT+3', 'ENTER')), ['£'], 'UK: Shift+3 is a pound sign');
  t.same(texts(scan('fr', 'enter', 'LEFTSHIFT+1', 'LEFTSHIFT+0', 'LEFTSHIFT+H', 'ENTER')), ['10H'], 'AZERTY digits need Shift');
  t.same(texts(scan('fr', 'enter', '1', '0', 'LEFTSHIFT+H', 'ENTER')), ['&àH'], 'without it they are & and à');
  t.match(parseShoeCode('&àH', codePattern({ order: 'rank-suit' })), { error: /does not match/ }, 'which is no card: shoe-unreadable, not a guess');
});

t.test('AltGr picks the third level where the layout has one; a US right Alt is an Alt', async (t) => {
  t.same(texts(scan('fr', 'enter', 'RIGHTALT+0', 'ENTER')), ['@']);
  t.same(texts(scan('de', 'enter', 'RIGHTALT+Q', 'ENTER')), ['@']);
  const us = scan('us', 'enter', 'RIGHTALT+Q', 'ENTER');
  t.same(texts(us), [null]);
  t.match(us[0], { shown: '<Alt+Q><CR>', keys: 'Alt+Q ENTER' });
});

t.test('terminators: CR+LF with LF as Ctrl+J, Tab, keypad Enter; a mismatch makes no code, never a wrong one', async (t) => {
  const crlf = ['9', 'LEFTSHIFT+H', 'ENTER', 'LEFTCTRL+J', 'LEFTSHIFT+J', 'LEFTSHIFT+S', 'ENTER', 'LEFTCTRL+J'];
  t.same(texts(scan('us', 'cr-lf', ...crlf)), ['9H', 'JS']);
  const wrong = scan('us', 'enter', ...crlf);
  t.same(texts(wrong), ['9H', null, null], 'set to Enter, the LF starts the next code: unreadable, shown as it came');
  t.match(wrong[1], { shown: '<LF>JS<CR>', problem: /no character/ });
  t.same(texts(scan('us', 'tab', 'LEFTSHIFT+K', 'LEFTSHIFT+D', 'TAB', 'LEFTSHIFT+A', 'LEFTSHIFT+C', 'TAB')), ['KD', 'AC']);
  t.same(texts(scan('us', 'enter', 'LEFTSHIFT+K', 'LEFTSHIFT+D', 'KPENTER', 'LEFTSHIFT+A', 'LEFTSHIFT+C', 'LEFTCTRL+M')), ['KD', 'AC'], 'keypad Enter and Ctrl+M are a CR too');
  t.same(texts(scan('us', 'lf', 'LEFTSHIFT+K', 'LEFTSHIFT+D', 'LEFTCTRL+J')), ['KD']);
  const noEnd = scan('us', 'enter', 'LEFTSHIFT+K', 'LEFTSHIFT+D', 'TAB');
  t.same(texts(noEnd), [null], 'a Tab scanner read as Enter: the code comes out as no code, not never');
  t.match(noEnd[0], { problem: /no enter terminator/ });
  t.same(texts(scan('us', 'enter', 'ENTER', 'ENTER')), [], 'a terminator alone is no scan');
});

t.test('characters typed with Ctrl or Alt held are no characters: Alt+keypad mode is refused', async (t) => {
  const altNumpad = scan('us', 'enter', 'LEFTALT+KP0', 'LEFTALT+KP5', 'LEFTALT+KP7', 'ENTER');
  t.same(texts(altNumpad), [null]);
  t.match(altNumpad[0], { shown: '<Alt+KP0><Alt+KP5><Alt+KP7><CR>' });
  t.same(texts(scan('us', 'enter', 'LEFTCTRL+A', 'LEFTSHIFT+S', 'ENTER')), [null]);
  t.same(texts(scan('us', 'enter', 'KP1', 'KP0', 'LEFTSHIFT+H', 'ENTER')), ['10H'], 'keypad digits with NumLock on are digits');
  t.same(texts(scan('us', 'enter', 'F1', 'ENTER')), [null], 'a key that types nothing');
});
