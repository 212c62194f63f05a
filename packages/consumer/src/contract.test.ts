import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import t from 'tap';

const contract = new URL('../contract/', import.meta.url).pathname;
const repo = new URL('../../../', import.meta.url).pathname;

interface Recorded {
  topic: string;
  retain: boolean;
  text: string;
}
/** Messages the appliance published in the e2e tests (scripts/record-contract.sh), one JSON line each. */
const recorded: Recorded[] = readdirSync(join(contract, 'recorded'))
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(join(contract, 'recorded', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded));

/** The event types the appliance can emit, read from its own union type. */
const eventTypes = [...readFileSync(join(repo, 'appliance/kernel/events.ts'), 'utf8').matchAll(/^\s+\| '([a-z]+\.[a-z]+)'$/gm)].map((m) => m[1]!);

async function validators(): Promise<Record<'birth' | 'event' | 'state' | 'status', ValidateFunction>> {
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, join(contract, 'asyncapi.yaml')).parse();
  const errors = diagnostics.filter((d) => Number(d.severity) === 0);
  if (!document || errors.length) throw new Error(`AsyncAPI: ${errors.map((d) => `${d.message} at ${d.path.join('.')}`).join('; ')}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The payloads as the AsyncAPI document carries them (its $refs resolved by the parser).
  const payload = (id: string) => ajv.compile(document.messages().all().find((m) => m.id() === id)!.payload()!.json<object>());
  return { birth: payload('birth'), event: payload('event'), state: payload('state'), status: payload('status') };
}

t.test('the AsyncAPI 3.0 document is valid to the AsyncAPI parser, with every channel and message', async (t) => {
  const parser = new Parser();
  const { document, diagnostics } = await fromFile(parser, join(contract, 'asyncapi.yaml')).parse();
  t.same(diagnostics.filter((d) => Number(d.severity) === 0).map((d) => d.message), [], 'no errors');
  t.equal(document?.version(), '3.0.0');
  t.same(document?.channels().all().map((c) => c.address()).sort(), ['{prefix}/{studio}/{table}/birth', '{prefix}/{studio}/{table}/events', '{prefix}/{studio}/{table}/state', '{prefix}/{studio}/{table}/status']);
  t.same(document?.messages().all().map((m) => m.id()).sort(), ['birth', 'event', 'lastWill', 'state', 'status']);
});

t.test('every message the appliance really published passes its schema', async (t) => {
  const v = await validators();
  t.ok(recorded.length > 100, `${recorded.length} recorded messages`);
  const failures: string[] = [];
  for (const m of recorded) {
    const kind = m.topic.slice(m.topic.lastIndexOf('/') + 1) as 'birth' | 'events' | 'state' | 'status';
    const validate = kind === 'events' ? v.event : v[kind];
    if (!validate(JSON.parse(m.text))) failures.push(`${kind} ${m.text.slice(0, 200)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
  t.same(failures, [], 'no message fails');
  const events = recorded.filter((m) => m.topic.endsWith('/events')).map((m) => JSON.parse(m.text) as { type: string; data: { game?: string; video?: unknown } });
  const seen = new Set(events.map((e) => e.type));
  t.same(eventTypes.filter((type) => !seen.has(type)), [], `every event type was recorded (${eventTypes.length})`);
  const games = new Set(events.filter((e) => e.type === 'round.result').map((e) => e.data.game ?? 'roulette'));
  t.same([...games].sort(), ['baccarat', 'blackjack', 'roulette'], 'a result of every game');
  t.ok(events.some((e) => e.data.video), 'events naming video frames');
  t.ok(recorded.some((m) => m.topic.endsWith('/status') && m.text === '{"online":false,"v":1}'), 'the last will');
  for (const k of ['birth', 'status']) t.ok(recorded.some((m) => m.topic.endsWith(`/${k}`) && m.retain), `a retained ${k}`);
});

t.test('and a payload that breaks the contract fails it, saying where', async (t) => {
  const v = await validators();
  const result = recorded.map((m) => JSON.parse(m.text) as Record<string, unknown>).find((e) => e['type'] === 'round.result' && !(e['data'] as Record<string, unknown>)['game'])!;
  t.ok(v.event(result));
  t.notOk(v.event({ ...result, data: { ...(result['data'] as object), number: 37 } }), 'roulette has no 37');
  t.match(JSON.stringify(v.event.errors), /\/data\/number/);
  t.notOk(v.event({ ...result, seq: 0 }), 'seq from 1');
  t.notOk(v.event({ ...result, extra: 1 }), 'no unknown envelope members');
  t.notOk(v.event({ ...result, type: 'round.resulted' }), 'no unknown type');
  t.notOk(v.status({ online: false }), 'the last will has v');
});
