import t from 'tap';
import { matchToGames } from './match-games.js';

t.test('an event belongs to the game with its spin number nearest in time, across wraps', async (t) => {
  // Spin numbers wrap at 256: three games numbered 7, one wrap apart.
  const games = [
    { spin: 7, atMs: 1_000 },
    { spin: 8, atMs: 1_100 },
    { spin: 7, atMs: 40_000 },
    { spin: 7, atMs: 80_000 },
  ];
  const events = [
    { spin: 7, atMs: 40_050 }, // the second game 7, not the first
    { spin: 7, atMs: 78_700 }, // a void before the wheel reported its game (a launch failure)
    { spin: 8, atMs: 1_150 },
    { spin: 9, atMs: 2_000 }, // no such game
    { spin: 7, atMs: -20_000 }, // no game 7 anywhere near
  ];
  t.same(matchToGames(games, events), [2, 3, 1, -1, -1]);
});

t.test('a game nobody reported stays unmatched even when its number was reported in another wrap', async (t) => {
  const games = [
    { spin: 3, atMs: 0 },
    { spin: 3, atMs: 50_000 },
  ];
  const matched = new Set(matchToGames(games, [{ spin: 3, atMs: 100 }]));
  t.ok(matched.has(0));
  t.notOk(matched.has(1), 'the later game 3 is missing, not covered by the earlier one');
});
