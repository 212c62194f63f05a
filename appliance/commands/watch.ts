import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { loadConfig, readSecret } from '../config/load.js';
import { tableTopics } from '../uplink/topics.js';

/** `pitbox watch --config FILE`: prints what the table publishes, one line per message. */
export async function watchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, url: { type: 'string' } } });
  if (!values.config) {
    process.stderr.write('pitbox watch: --config FILE is required\n');
    return 2;
  }
  const config = loadConfig(values.config);
  const topics = tableTopics(config.topicPrefix, config.studio, config.table);
  const url = values.url ?? config.uplink?.url ?? `mqtt://${config.broker.host}:${config.broker.port}`;
  const username = config.uplink ? config.uplink.username : config.broker.username;
  const passwordFile = config.uplink ? config.uplink.passwordFile : config.broker.passwordFile;
  const client = mqtt.connect(url, {
    ...(username ? { username } : {}),
    ...(passwordFile ? { password: readSecret(passwordFile, values.config) } : {}),
    reconnectPeriod: 1000,
  });
  client.on('connect', () => {
    process.stdout.write(`watching ${topics.events.replace(/\/events$/, '/#')} on ${url}\n`);
    client.subscribe([topics.events, topics.state, topics.status], { qos: 1 });
  });
  client.on('error', (err) => process.stderr.write(`pitbox watch: ${err.message}\n`));
  client.on('message', (topic, payload) => process.stdout.write(`${describe(topic, payload.toString())}\n`));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await client.endAsync();
  return 0;
}

function describe(topic: string, text: string): string {
  const kind = topic.slice(topic.lastIndexOf('/') + 1);
  if (kind !== 'events') return `${kind.padEnd(8)} ${text}`;
  try {
    const e = JSON.parse(text) as { seq: number; type: string; round?: number; data: Record<string, unknown> };
    const round = e.round === undefined ? '' : ` round ${e.round}`;
    return `#${String(e.seq).padStart(5)} ${e.type.padEnd(16)}${round} ${JSON.stringify(e.data)}`;
  } catch {
    return `events   ${text}`;
  }
}
