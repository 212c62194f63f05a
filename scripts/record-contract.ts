/**
 * Gathers the messages the contract's schemas are checked against (packages/consumer/contract/recorded/):
 *
 *   node --import tsx scripts/record-contract.ts collect DIR
 *     DIR holds what the e2e tests' subscribers received with PITBOX_RECORD_DIR=DIR
 *     (appliance/test-support/harness.ts), e.g.
 *       PITBOX_RECORD_DIR=DIR npx tap appliance/table/roulette-table.test.ts appliance/table/cameras.test.ts \
 *         appliance/table/card-table.test.ts appliance/dealer/dealer-station.test.ts
 *     Keeps up to 12 messages of each topic kind and event type (and game), into e2e.jsonl.
 *   node --import tsx scripts/record-contract.ts blackjack
 *     No e2e test runs a blackjack table over MQTT (its cards come from the camera, and the only
 *     dealt clip is baccarat): a round played through the appliance's card engine and blackjack
 *     rules, journaled and sealed by its journal, into blackjack-engine.jsonl.
 *   node --import tsx scripts/record-contract.ts close DIR
 *     A simulated roulette table run by the appliance, closed by the dealer (no e2e test closes
 *     a table), recorded into DIR for `collect`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardEngine } from '../appliance/cards/card-engine.js';
import type { SeenCard } from '../appliance/cards/card.js';
import { blackjack } from '../appliance/games/blackjack/blackjack-game.js';
import { Journal } from '../appliance/journal/journal.js';
import { silentLogger } from '../appliance/log.js';
import { generateKey } from '../appliance/signing/keyring.js';

const out = new URL('../packages/consumer/contract/recorded/', import.meta.url).pathname;
const [what, dir] = process.argv.slice(2);

if (what === 'collect' && dir) {
  const kept = new Map<string, string[]>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const m = JSON.parse(line) as { topic: string; text: string };
      const kind = m.topic.slice(m.topic.lastIndexOf('/') + 1);
      let key = kind;
      if (kind === 'events') {
        const e = JSON.parse(m.text) as { type: string; data: { game?: string; video?: unknown } };
        key = `${kind} ${e.type} ${e.data.game ?? ''} ${e.data.video ? 'video' : ''}`;
      } else if (kind === 'status') key = `${kind} ${m.text.includes('"online":false') ? 'will' : 'online'}`;
      const list = kived(kept, key);
      if (list.length < 12 && !list.includes(line)) list.push(line);
    }
  }
  const lines = [...kept.values()].flat();
  writeFileSync(join(out, 'e2e.jsonl'), `${lines.join('\n')}\n`);
  console.log(`${lines.length} messages of ${kept.size} kinds into ${join(out, 'e2e.jsonl')}`);
} else if (what === 'blackjack') {
  const work = mkdtempSync(join(tmpdir(), 'pitbox-record-'));
  const key = generateKey(join(work, 'keys'));
  const journal = Journal.create({ path: join(work, 'j.db'), studio: 'e2e', table: 'blackjack-01' });
  journal.activateKey(key.jwk, key.signer);
  const lines: string[] = [];
  const engine = new CardEngine(blackjack({ boxes: 2, maxCards: 5, hitSoft17: false }), { frames: 2, threshold: 0.9 }, (draft) => {
    const { body } = journal.append(draft, {});
    lines.push(JSON.stringify({ topic: 'pitbox/v1/e2e/blackjack-01/events', retain: false, text: body, source: 'card engine + journal' }));
  }, silentLogger, null);
  engine.begin();
  let at = 1_764_000_000_000;
  const onTable = new Map<string, SeenCard>();
  const lay = (position: string, card: SeenCard): void => {
    onTable.set(position, card);
    for (let i = 0; i < 2; i++) engine.onFrame({ readings: [...onTable].map(([p, c]) => ({ position: p, card: c, confidence: 0.99 })), frameTime: (at += 100), camera: 'overhead' });
  };
  engine.openTable('dealer-3');
  for (const round of [
    [['box1.1', 'TH'], ['box2.1', '9S'], ['dealer1', '7D'], ['box1.2', '9H'], ['box2.2', '8C'], ['dealer2', 'KS']],
    [['box1.1', 'AS'], ['box2.1', 'TD'], ['dealer1', '6C'], ['box1.2', 'KH'], ['box2.2', '5S'], ['box2.3', 'QC'], ['dealer2', 'TS'], ['dealer3', '4H']],
  ] as const) {
    onTable.clear();
    for (let i = 0; i < 3; i++) engine.onFrame({ readings: [], frameTime: (at += 100), camera: 'overhead' });
    engine.startRound('dealer-3');
    engine.closeBets('dealer-3');
    for (const [p, c] of round) lay(p, c);
  }
  journal.close();
  writeFileSync(join(out, 'blackjack-engine.jsonl'), `${lines.join('\n')}\n`);
  console.log(`${lines.length} blackjack events into ${join(out, 'blackjack-engine.jsonl')}`);
} else if (what === 'close' && dir) {
  // A roulette table that opens, plays and is closed by the dealer: no e2e test closes a table.
  process.env['PITBOX_RECORD_DIR'] = dir;
  const { controlRequest, simulatedTable, startAppliance, startBroker, stopAppliance, stopMosquitto, Subscriber, until } = await import('../appliance/test-support/harness.js');
  const { port, proc } = await startBroker();
  const table = await simulatedTable({ brokerPort: port, speed: 20, faults: {}, seed: 7 });
  const sub = await Subscriber.connect(port);
  startAppliance(table);
  await until('a result', () => sub.events.some((e) => e.type === 'round.result'), 120_000);
  // Closing is refused while a round runs: asked again until it is between rounds.
  let closed = await controlRequest(join(table.dir, 'control.sock'), 'close', 'dealer-7');
  for (let i = 0; !closed.ok && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    closed = await controlRequest(join(table.dir, 'control.sock'), 'close', 'dealer-7');
  }
  await until('table.closed', () => sub.events.some((e) => e.type === 'table.closed'), 60_000);
  console.log(`close: ${JSON.stringify(closed)}; ${sub.events.length} events recorded into ${dir}`);
  await sub.close();
  await stopAppliance(table);
  await table.sim.stop();
  await stopMosquitto(proc);
  process.exit(0);
} else {
  console.error('usage: record-contract.ts collect DIR | blackjack | close DIR');
  process.exit(2);
}

function kived(map: Map<string, string[]>, key: string): string[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
