import { z } from 'zod';
import { camerasConfig } from '../../drivers/camera/config.js';
import { numberLineConfig } from '../../drivers/wheel/generic/config.js';
import { cammeghSs2Config } from '../../drivers/wheel/ss2/config.js';
import { TOPIC_LEVEL } from '../uplink/topics.js';

const topicLevel = z.string().regex(TOPIC_LEVEL, 'letters, digits, "_", "." and "-" only (it becomes an MQTT topic level)');
const filePath = z.string().min(1);

const uplink = z.strictObject({
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s/]+/, 'must be mqtt://host[:port], mqtts://host[:port], ws:// or wss://'),
  clientId: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  passwordFile: filePath.optional().describe('File holding the password; relative paths resolve in $CREDENTIALS_DIRECTORY'),
  caFile: filePath.optional(),
  certFile: filePath.optional(),
  keyFile: filePath.optional(),
});

const broker = z.strictObject({
  enabled: z.boolean().default(true).describe('Serve local consumers; when no uplink is set it is the uplink and always runs'),
  host: z.string().default('127.0.0.1').describe('Bind address; anything but loopback requires username and passwordFile'),
  port: z.number().int().min(0).max(65535).default(1883),
  username: z.string().min(1).optional(),
  passwordFile: filePath.optional(),
});

const mib = z.number().positive();

const journal = z.strictObject({
  path: filePath,
  retention: z
    .strictObject({
      maxAgeDays: z.number().positive().default(30).describe('Delivered events older than this are pruned'),
      maxMiB: mib.default(1024).describe('Delivered events are pruned, oldest first, above this size'),
    })
    .default({ maxAgeDays: 30, maxMiB: 1024 }),
  minFreeMiB: mib.default(64).describe('Below this much free disk the table is suspended and an alarm raised'),
  maxMiB: mib.optional().describe('A hard cap on the journal; reached with nothing left to prune, the table is suspended'),
});

const delivery = z.strictObject({
  backlogRate: z.number().int().min(0).default(500).describe('Backlog events per second after an outage (0: unlimited)'),
  backlogWindow: z.number().int().min(1).max(1024).default(64),
  liveWindow: z.number().int().min(1).max(1024).default(64),
});

const signing = z.strictObject({
  keyDir: filePath.describe('Directory of Ed25519 private keys (mode 0600), made by `pitbox keys generate`'),
});

/** One table, one YAML file. Unknown keys are errors: a typo must not silently fall back to a default. */
export const tableConfig = z.strictObject({
  studio: topicLevel,
  table: topicLevel,
  game: z.literal('roulette'),
  openOnStart: z.boolean().default(false).describe('Open the table as soon as the wheel is connected (simulation, unattended tables)'),
  wheel: z.discriminatedUnion('driver', [cammeghSs2Config, numberLineConfig]),
  cameras: camerasConfig.describe('Camera feeds: encoded and sent to the platform, and frames for card recognition'),
  journal,
  signing,
  delivery: delivery.default({ backlogRate: 500, backlogWindow: 64, liveWindow: 64 }),
  topicPrefix: z.string().regex(/^[^#+\s]+$/, 'no wildcards or spaces').default('pitbox/v1'),
  uplink: uplink.optional().describe('The central broker; absent: publish to the embedded broker'),
  broker: broker.default({ enabled: true, host: '127.0.0.1', port: 1883 }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).default({ level: 'info' }),
});

export type TableConfig = z.infer<typeof tableConfig>;
