import t from 'tap';
import { codePattern, parseShoeCode } from './shoe-code.js';

t.test('the layouts shoes write in the field', async (t) => {
  const rs = codePattern({ order: 'rank-suit' });
  const sr = codePattern({ order: 'suit-rank' });
  t.same(parseShoeCode('AS', rs), { card: 'AS' });
  t.same(parseShoeCode('10H', rs), { card: 'TH' });
  t.same(parseShoeCode('th', rs), { card: 'TH' }, 'case does not matter');
  t.same(parseShoeCode('0D', rs), { card: 'TD' }, 'ten as 0');
  t.same(parseShoeCode('SA', sr), { card: 'AS' });
  t.same(parseShoeCode('H10', sr), { card: 'TH' });
  t.same(parseShoeCode('\u2663K', sr), { card: 'KC' }, 'suit symbols');
  t.match(parseShoeCode('SA', rs), { error: /does not match/ }, 'the other layout is not guessed');
  t.match(parseShoeCode('1S', rs), { error: /does not match/ });
  t.match(parseShoeCode('', rs), { error: /does not match/ });
  const custom = codePattern({ pattern: /^CARD:(?<suit>[SHDC])-(?<rank>\w+)$/ });
  t.same(parseShoeCode('CARD:D-Q', custom), { card: 'QD' });
  t.match(parseShoeCode('CARD:D-X', custom), { error: /not a card/ });
  const loose = codePattern({ pattern: /(?<rank>[2-9TJQKA])(?<suit>[SHDC])/ });
  t.same(parseShoeCode('QS', loose), { card: 'QS' });
  t.match(parseShoeCode('QSKD', loose), { error: /does not match .* as a whole/ }, 'two cards run together are no card, not the first of them');
  t.match(parseShoeCode('xQS', loose), { error: /as a whole/ });
});
