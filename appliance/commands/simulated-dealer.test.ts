import t from 'tap';
import { SimulatedDealer, type DealerKey } from './simulated-dealer.js';

/** The dealer's hands recorded: the keys it pressed, the cards the shoe read, what it said. */
function dealer(deal = ['2C', '5H', '3D', 'KS', '4S', '6H']) {
  const did: string[] = [];
  const said: string[] = [];
  const d = new SimulatedDealer(
    {
      press: async (action: DealerKey) => void did.push(action),
      shoe: async (card: string) => void did.push(card),
      say: (line) => void said.push(line),
    },
    { deal, betsMs: 20, retryMs: 1000 },
  );
  return { d, did, said };
}

const open = { open: true, suspended: null, round: null, occupied: [] as string[], blocked: null };
const dealing = (no: number, occupied: string[]) => ({ ...open, round: { no, phase: 'dealing' as const, bettingClosesAt: null }, occupied });

t.test('round after round from the state alone: start on a clear layout, close bets, one shoe card per card landed', async (t) => {
  const { d, did, said } = dealer();
  d.onState({ open: false }, 0);
  t.same(did, [], 'a closed table: nothing pressed');
  t.match(said.at(-1), /table is closed/);
  d.onState({ ...open, occupied: ['banker1'], blocked: { action: 'start', reason: 'cards are still on the table at banker1: clear it first' } }, 0);
  t.same(did, [], 'cards still lie there: no start');
  t.equal(said.at(-1), 'waiting for the layout to clear: cards are still on the table at banker1: clear it first');
  d.onState(open, 1000);
  d.onState(open, 1500);
  t.same(did, ['start'], 'one start press for a clear layout');
  d.onState(open, 2100);
  t.same(did, ['start', 'start'], 'a press the table did not act on is tried again');
  const betting = { ...open, round: { no: 1, phase: 'betting' as const, bettingClosesAt: null } };
  d.onState(betting, 2200);
  d.onState(betting, 2210);
  await new Promise((r) => setTimeout(r, 60));
  t.same(did, ['start', 'start', 'close-bets'], 'bets closed once, after the betting time');
  d.onState(betting);
  await new Promise((r) => setTimeout(r, 60));
  t.same(did, ['start', 'start', 'close-bets'], 'not again while the state has yet to tell of it');
  d.onState(betting, Date.now() + 1000);
  await new Promise((r) => setTimeout(r, 10));
  t.same(did, ['start', 'start', 'close-bets', 'close-bets'], 'again when the table did not act on it');
  t.equal(said.filter((l) => /bets open/.test(l)).length, 1, 'bets open said once');
  d.onState(dealing(1, []));
  d.onState(dealing(1, ['player1']));
  d.onState(dealing(1, ['player1']));
  d.onState(dealing(1, ['banker1', 'player1', 'player2']));
  t.same(did.slice(4), ['2C', '5H', '3D'], 'the shoe keeps pace with the camera');
  d.misread('9H');
  d.onState(dealing(1, ['banker1', 'player1', 'player2', 'banker2']));
  t.same(did.slice(7), ['9H'], 'a misread replaces the next card once');
  t.match(said.at(-1), 'round 1: the shoe reads 9H (card 4 of 6): a misread, the card is KS');
  d.onState(dealing(1, ['banker1', 'banker2', 'banker3', 'player1', 'player2', 'player3', 'elsewhere']));
  t.same(did.slice(8), ['4S', '6H'], 'never more cards than the shoe holds');
  d.onState({ ...open, round: { no: 2, phase: 'betting', bettingClosesAt: '2026-12-03T16:00:05.000Z' } });
  await new Promise((r) => setTimeout(r, 60));
  t.equal(did.at(-1), '6H', 'a betting timer closes bets by itself: the dealer waits');
  t.match(said.at(-1), /round 2: bets close by themselves at 16:00:05/);
  d.stop();
});

t.test('a suspended table: said once with what lifts it; auto off stops the dealer', async (t) => {
  const { d, did, said } = dealer();
  const suspended = { ...open, suspended: { code: 'shoe-mismatch', reason: 'player1: the shoe read 9H, the camera 2C' } };
  d.onState(suspended);
  d.onState(suspended);
  t.same(said, ['the table is suspended (shoe-mismatch): player1: the shoe read 9H, the camera 2C; a technician looks at the table, then types `resume`']);
  d.onState({ ...open, suspended: { code: 'shoe-down', reason: 'shoe: unplugged' } });
  t.equal(said.at(-1), 'the table is suspended (shoe-down): shoe: unplugged; lifts by itself when the shoe is back');
  d.auto = false;
  d.onState(open);
  t.same(did, [], 'auto off: nothing pressed');
});
