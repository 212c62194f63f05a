import t from 'tap';
import type { EventEnvelope } from './envelope.js';
import { describeEvent, HumanLines } from './human-lines.js';

const event = (type: string, data: Record<string, unknown>, round?: number): EventEnvelope =>
  ({ v: 1, studio: 's', table: 't', seq: 7, id: 'x', ts: '2026-11-28T12:34:56.789Z', type, ...(round === undefined ? {} : { round }), data, prev: null, kid: 'k', sig: 's' }) as EventEnvelope;

t.test('events read as a pit boss says them', async (t) => {
  t.equal(describeEvent(event('round.result', { number: 32, colour: 'red', spin: 201, rotorRpm: 17.3, direction: 'clockwise' }, 12)), 'round 12 RESULT 32 red (spin 201, 17.3 rpm clockwise)');
  t.equal(
    describeEvent(event('round.result', { game: 'baccarat', player: ['5H', '2C'], banker: ['KD', '7S'], winner: 'banker', playerTotal: 7, bankerTotal: 7, natural: false, playerPair: false, bankerPair: false }, 3)),
    'round 3 RESULT banker wins 7-7 (player 5H 2C; banker KD 7S)',
  );
  t.equal(describeEvent(event('round.result', { game: 'blackjack', dealer: { cards: ['TS', '7H'], total: 17, blackjack: false, bust: false }, boxes: { box1: { cards: [], total: 20, outcome: 'win' }, box2: { cards: [], total: 23, outcome: 'bust' } } }, 4)), 'round 4 RESULT dealer 17; box1 win, box2 bust');
  t.equal(describeEvent(event('round.result', { game: 'dragon-tiger', dragon: 'KH', tiger: 'TS', winner: 'dragon', dragonRank: 13, tigerRank: 10, suitedTie: false }, 6)), 'round 6 RESULT dragon wins (dragon KH, tiger TS)');
  t.equal(describeEvent(event('round.result', { game: 'dragon-tiger', dragon: '4C', tiger: '4C', winner: 'tie', dragonRank: 4, tigerRank: 4, suitedTie: true }, 7)), 'round 7 RESULT suited tie (dragon 4C, tiger 4C)');
  t.equal(describeEvent(event('round.voided', { code: 'miss-spin', reason: 'ball travelled with the rotor' }, 5)), 'round 5 VOID (miss-spin): ball travelled with the rotor');
  t.equal(describeEvent(event('table.suspended', { code: 'journal-integrity', reason: 'chain broken at seq 12' })), 'TABLE SUSPENDED (journal-integrity): chain broken at seq 12');
  t.equal(describeEvent(event('card.dealt', { position: 'player1', card: '7H' }, 2)), 'round 2 7H dealt to player1');
  t.equal(describeEvent(event('card.conflict', { code: 'shoe-mismatch', position: 'player1', shoeCard: '9H', cameraCard: '2C' }, 2)), 'round 2 CARD CONFLICT (shoe-mismatch) at player1: the shoe read 9H, the camera saw 2C');
  t.equal(describeEvent(event('card.conflict', { code: 'shoe-unconfirmed', shoeCard: '9H', shoeIndex: 1 }, 2)), 'round 2 CARD CONFLICT (shoe-unconfirmed): the shoe read 9H, the camera saw nothing');
  t.equal(describeEvent(event('card.drawn', { card: '2C', code: '2C', by: 'shoe:shoe' }, 2)), 'round 2 the shoe drew 2C');
  t.equal(describeEvent(event('card.drawn', { card: null, code: 'ZZ', by: 'shoe:shoe' })), 'the shoe drew an unreadable card (ZZ)');
  t.equal(describeEvent(event('camera.up', { camera: 'overhead', encoder: 'x264enc', downMs: 2500 })), 'camera overhead up (x264enc) after 2.5 s without video');
  t.equal(describeEvent(event('some.future', { a: 1 })), 'some.future {"a":1}', 'an unknown type still shows, as data');
});

t.test('state and status only when what they say changes; every event; a time on each line', async (t) => {
  const h = new HumanLines();
  const state = (open: boolean, ts: string) => ({ kind: 'state' as const, table: 's/t', text: JSON.stringify({ ts, seq: 1, state: { open, suspended: null, round: null } }) });
  const status = (alarms: unknown[], ts: string) => ({ kind: 'status' as const, table: 's/t', text: JSON.stringify({ online: true, ts, alarms, journal: { usedBytes: Math.random() } }) });
  t.equal(h.line(state(true, '2026-11-28T12:00:00.000Z')), '12:00:00.000 s/t state: open');
  t.equal(h.line(state(true, '2026-11-28T12:00:05.000Z')), null, 'the same state again: nothing');
  t.equal(h.line(state(false, '2026-11-28T12:00:09.000Z')), '12:00:09.000 s/t state: closed');
  t.equal(h.line(status([], '2026-11-28T12:00:00.000Z')), '12:00:00.000 s/t status: online, no alarms');
  t.equal(h.line(status([], '2026-11-28T12:00:05.000Z')), null, 'fresh gauges, same alarms: nothing');
  t.equal(h.line(status([{ code: 'camera-down', reason: 'overhead: no frames' }], '2026-11-28T12:00:06.000Z')), '12:00:06.000 s/t status: online, ALARMS: camera-down: overhead: no frames');
  t.equal(h.line({ kind: 'event', table: 's/t', event: event('table.opened', { by: 'dealer' }), duplicate: false }), '12:34:56.789 s/t #7 table opened by dealer');
  t.match(h.line({ kind: 'event', table: 's/t', event: event('table.opened', { by: 'dealer' }), duplicate: true }), /\(again: already seen\)$/);
  t.equal(h.line({ kind: 'violation', table: 's/t', violation: { code: 'bad-signature', seq: 9, detail: 'x' } }), 's/t VIOLATION bad-signature at #9: x');
});
