import { isCard, type Card } from './card.js';

/**
 * How a scanner shoe writes a card. Shoes in the field write the rank first (`AS`, `10H`,
 * `TH`) or the suit first (`SA`, `H10`), with ten as `10`, `T` or `0`, and sometimes suit
 * symbols or words; `order` picks the two common layouts, `pattern` (named groups `rank` and
 * `suit`) covers the rest.
 */
export type ShoeCodeFormat = { readonly order: 'rank-suit' | 'suit-rank' } | { readonly pattern: RegExp };

const RANK = '(?<rank>10|[2-9TJQKA0])';
const SUIT = '(?<suit>[SHDC\u2660\u2665\u2666\u2663])';
const SUIT_OF: Record<string, string> = { '\u2660': 'S', '\u2665': 'H', '\u2666': 'D', '\u2663': 'C', SPADES: 'S', HEARTS: 'H', DIAMONDS: 'D', CLUBS: 'C' };

export function codePattern(format: ShoeCodeFormat): RegExp {
  if ('pattern' in format) return format.pattern;
  return new RegExp(format.order === 'rank-suit' ? `^${RANK}${SUIT}$` : `^${SUIT}${RANK}$`, 'i');
}

/** The card a code names, or why it names none (the engine treats that as a read it cannot vouch for). */
export function parseShoeCode(code: string, pattern: RegExp): { card: Card } | { error: string } {
  const whole = code.trim();
  const found = pattern.exec(whole);
  // A code is one card: a pattern written without ^ and $ must not pick a card out of a longer
  // code (two cards run together when a terminator was lost, a prefix the scanner adds).
  const m = found && found[0] === whole ? found : null;
  const rankText = m?.groups?.['rank']?.toUpperCase();
  const suitText = m?.groups?.['suit']?.toUpperCase();
  if (!rankText || !suitText) return { error: `shoe code ${JSON.stringify(code.slice(0, 40))} does not match ${pattern.source}${found ? ' as a whole' : ''}` };
  const rank = rankText === '10' || rankText === '0' ? 'T' : rankText === '1' ? 'A' : rankText;
  const suit = SUIT_OF[suitText] ?? suitText[0];
  const card = `${rank}${suit}`;
  return isCard(card) ? { card } : { error: `shoe code ${JSON.stringify(code)} is not a card (read as ${card})` };
}
