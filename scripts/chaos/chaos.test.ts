/**
 * The short chaos soak (issue 24): a roulette table on real parts (SS2 simulator on a pty,
 * `pitbox run`, mosquitto with persistence, the journal on its own tmpfs) under a fixed seed's
 * faults of every kind, several at once; and a deliberately leaking appliance that the growth
 * check must catch. The long run is `scripts/chaos.ts` (figures in the README).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FIELD_LIMITS, verdict, writeReport } from './report.js';
import { runChaos } from './run-chaos.js';
import { CARD_TABLE_KINDS, countByKind, FAULT_KINDS, planFaults, type FaultKind } from './schedule.js';

// The whole box (the wheel and the baccarat table with its camera, outputs, keypad, shoe and
// pitbox tail) with PITBOX_CHAOS_BOX=1; by default the wheel alone, as before. The whole box does
// not pass on the shared 2-core machine it was written on (load average about 20: the card table's
// camera never delivered a frame in the run, see README "Chaos soak"), so it is not in the
// default suite until it passes on a machine of its own.
const BOX = process.env.PITBOX_CHAOS_BOX === '1';
const SHORT = BOX ? { seed: 22, minutes: 2, speed: 20, perMinute: 14, maxFaultMs: 6_000, cardTable: true } : { seed: 15, minutes: 2, speed: 20, perMinute: 9, maxFaultMs: 6_000, cardTable: false };

t.test(`a short storm${BOX ? ' on the whole box' : ' on the wheel'}: nothing lost, duplicated, unverified or left running`, async (t) => {
  const kinds = (Object.keys(FAULT_KINDS) as FaultKind[]).filter((k) => BOX || !CARD_TABLE_KINDS.has(k));
  const planned = countByKind(planFaults({ seed: SHORT.seed, durationMs: SHORT.minutes * 60_000, perMinute: SHORT.perMinute, quietMs: 20_000, maxDurationMs: SHORT.maxFaultMs, kinds }));
  for (const k of kinds) t.ok(planned[k] > 0, `the seed plans ${k} (${planned[k]})`);
  const r = await runChaos({ ...SHORT, log: (m) => t.comment(m) });
  t.comment(JSON.stringify({ faults: r.faultCounts, wheel: r.wheel, subscriber: r.subscriber, cards: r.cards && { ...r.cards, finalStatus: undefined }, tail: r.tail }));
  if (!t.passing() || verdict(r).length) t.comment(`card appliance log (end):\n${(r.cardLog ?? '').slice(-6000)}`);
  t.ok(r.wheel.results >= 10, `the wheel played (${r.wheel.results} results)`);
  t.ok(r.subscriber.results >= 5, `results reached the subscriber (${r.subscriber.results})`);
  t.same(r.subscriber.lostResults, [], 'no wheel result lost outside a fault window');
  t.equal(r.notDelivered, 0, 'every journaled event delivered');
  t.same(r.violations, [], 'every event verified (signatures, chain, order, no gap)');
  t.same(r.audit, [], 'every result is a game the wheel played');
  t.same(r.leftovers, [], 'no process left behind');
  t.same(r.hung, [], 'no step of the run hung');
  t.ok((r.series['appliance.rss'] ?? []).length > 10, 'the appliance was sampled');
  t.ok(r.loopLagP99Ms.length > 5, '/metrics was scraped');
  t.equal(r.tail.exit, 0, `pitbox tail verified everything (${JSON.stringify(r.tail.events)}${r.tail.violation ? `; ${r.tail.violation}` : ''})`);
  t.same(verdict(r), [], 'the verdict passes');
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-chaos-report-'));
  writeReport(dir, r);
  t.match(readFileSync(join(dir, 'README.md'), 'utf8'), `Chaos soak, seed ${SHORT.seed}`);
  t.same([...readFileSync(join(dir, 'rss.png')).subarray(1, 4)], [...Buffer.from('PNG')], 'RSS chart written');
  if (!BOX) return;
  // The card table: its rounds, its faults seen while they lasted, and pitbox tail's verdict.
  const c = r.cards!;
  t.ok(c.rounds >= 2 && c.results >= 1, `the card table dealt (${c.rounds} rounds, ${c.results} results)`);
  t.same(c.problems, [], 'every round ended once: the clip\'s result, or voided while a card fault lasted; no unbound key acted');
  t.same(c.violations, [], 'every card table event verified');
  const unseen = c.visibility.filter((v) => !v.inStatus || !v.inMetrics || !v.cleared);
  t.same(unseen, [], `every fault with an alarm was seen in status and /metrics while it lasted, and cleared (${c.visibility.length} faults)`);
  t.match(c.finalStatus, /"alarms":\[\]/, 'no alarm left after the faults');
  t.ok(c.received.srt > 0 && c.received.whip > 0, `video reached the SRT and WHIP receivers (${JSON.stringify(c.received)})`);
  t.ok((r.tail.events['e2e/baccarat-01'] ?? 0) > 0, 'pitbox tail saw the card table');
});

t.test('a deliberately leaking appliance fails the growth check', async (t) => {
  const r = await runChaos({ seed: 3, minutes: 1.2, speed: 20, perMinute: 0.0001, leakKbPerSecond: 2048, cardTable: false, log: (m) => t.comment(m) });
  const rss = r.growth['appliance.rss'];
  t.ok(rss, 'growth fitted');
  t.ok(rss!.percentPerHour > FIELD_LIMITS.rssPercentPerHour, `appliance RSS grows ${rss!.percentPerHour.toFixed(0)} %/h`);
  t.ok(verdict(r).some((p) => /appliance\.rss grows/.test(p)), 'the verdict names it');
});
