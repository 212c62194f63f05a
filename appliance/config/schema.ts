import { z } from 'zod';
import { camerasConfig } from '../../drivers/camera/config.js';
import { inputConfig, shoeConfig } from '../../drivers/input/config.js';
import { numberLineConfig } from '../../drivers/wheel/generic/config.js';
import { cammeghSs2Config } from '../../drivers/wheel/ss2/config.js';
import { TOPIC_LEVEL } from '../contract/topics.js';
import { isLoopback } from '../net/listener.js';

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

/** A listener on the box: loopback by default; anything else needs credentials (checked where it starts). */
const listener = (what: string, port: number) =>
  z.strictObject({
    enabled: z.boolean().default(true).describe(what),
    host: z.string().default('127.0.0.1').describe('Bind address; anything but loopback requires username and passwordFile'),
    port: z.number().int().min(0).max(65535).default(port),
    username: z.string().min(1).optional(),
    passwordFile: filePath.optional(),
  });

const broker = listener('Serve local consumers; when no uplink is set it is the uplink and always runs', 1883);
const httpTls = z
  .union([z.enum(['auto', 'off']), z.strictObject({ certFile: filePath.describe('PEM certificate (the studio CA\'s)'), keyFile: filePath.describe('Its PEM key; relative paths resolve in $CREDENTIALS_DIRECTORY') })])
  .default('auto')
  .describe('auto: HTTPS whenever host is not loopback, with a self-signed certificate made on first start (fingerprint in the log and pitbox doctor); off: plain HTTP; certFile and keyFile: HTTPS with the studio\'s certificate');

const http = listener('The local HTTP server: the status page, /metrics (Prometheus), /healthz, /status.json', 8180)
  .extend({ tls: httpTls })
  .superRefine((h, ctx) => {
    // Basic credentials are a password in every request: never in clear across the studio LAN.
    if (h.tls === 'off' && h.username !== undefined && !isLoopback(h.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `Basic credentials over plain HTTP on ${h.host} would cross the network in clear: remove "tls: off" (a self-signed certificate is made on first start) or set tls.certFile and tls.keyFile`,
      });
    }
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

const point = z.tuple([z.number().min(0), z.number().min(0)]);
const polygon = z.array(point).min(3, 'a position needs at least 3 corners').describe('Corners in the analysis frame\'s pixels ([x, y] each)');

/** Where cards are read: one camera's analysis frames (positions drawn in its pixels), a scanner shoe, or both. */
const cards = z.strictObject({
  source: z.enum(['camera', 'shoe', 'both']).default('camera').describe('camera; shoe (baccarat: the deal order decides positions); both (a card counts only when the two agree)'),
  camera: z.string().min(1).optional().describe('The camera (cameras[].name) whose analysis frames are read; required unless source is shoe'),
  positions: z.record(z.string(), polygon).default({}).describe('Table positions: player1..3/banker1..3; dealerN/boxK.N, or a whole blackjack hand (boxK, dealer) read as a cascade in deal order'),
  shoe: shoeConfig.optional().describe('The scanner shoe; required when source is shoe or both'),
  confirmFrames: z.number().int().min(2).max(30).default(3).describe('Consecutive frames a card must read the same before it counts'),
  threshold: z.number().gt(0).lt(1).optional().describe('Confidence below which a reading is "unknown" (default: the model\'s own)'),
  model: filePath.optional().describe('The model description (default: models/cards.json)'),
  deck: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only (it names a directory)')
    .optional()
    .describe('The studio\'s own deck, enrolled by `pitbox cards enrol`: its reader under the table\'s state directory (decks/NAME/cards.json beside the journal)'),
  threads: z.number().int().min(1).max(8).default(1).describe('ONNX Runtime threads for recognition'),
});

const common = {
  studio: topicLevel,
  table: topicLevel,
  cameras: camerasConfig.describe('Camera feeds: encoded and sent to the platform, and frames for card recognition'),
  journal,
  signing,
  delivery: delivery.default({ backlogRate: 500, backlogWindow: 64, liveWindow: 64 }),
  topicPrefix: z.string().regex(/^[^#+\s]+$/, 'no wildcards or spaces').default('pitbox/v1'),
  uplink: uplink.optional().describe('The central broker; absent: publish to the embedded broker'),
  broker: broker.default({ enabled: true, host: '127.0.0.1', port: 1883 }),
  http: http.default({ enabled: true, host: '127.0.0.1', port: 8180, tls: 'auto' }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).default({ level: 'info' }),
  control: z
    .strictObject({
      socket: filePath.optional().describe('Unix socket for dealer buttons and technician actions (default /run/pitbox/TABLE/control.sock)'),
      group: z.string().min(1).optional().describe('Group allowed to use the socket (mode 0660); default: the service user only (0600)'),
    })
    .default({}),
  inputs: z
    .array(inputConfig)
    .default([])
    .superRefine(
      (inputs, ctx) => {
        const seen = new Set<string>();
        inputs.forEach((i, n) => {
          // Checked even when an input is otherwise wrong (`when`), so read what is there with care.
          const name = (i as { name?: unknown } | null)?.name;
          if (typeof name !== 'string') return;
          if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [n, 'name'], message: `two inputs named "${name}"` });
          seen.add(name);
        });
      },
      { when: (payload) => Array.isArray(payload.value) },
    )
    .describe('The dealer\'s buttons: USB keypads and pedals (evdev), GPIO lines, serial panels, each key mapped to an action'),
};

/** Card tables: how long bets stay open after `start` before they close by themselves. */
const betting = z
  .strictObject({ seconds: z.number().min(0).max(600).default(0).describe('0: bets close only when the dealer closes them') })
  .default({ seconds: 0 });

const rouletteTable = z.strictObject({
  ...common,
  game: z.literal('roulette'),
  openOnStart: z.boolean().default(false).describe('Open the table as soon as the wheel is connected (simulation, unattended tables)'),
  wheel: z.discriminatedUnion('driver', [cammeghSs2Config, numberLineConfig]),
});

const baccaratTable = z.strictObject({
  ...common,
  game: z.literal('baccarat'),
  openOnStart: z.boolean().default(false).describe('Open the table as soon as it runs'),
  cards,
  betting,
});

const blackjackTable = z.strictObject({
  ...common,
  game: z.literal('blackjack'),
  openOnStart: z.boolean().default(false).describe('Open the table as soon as it runs'),
  cards,
  betting,
  rules: z
    .strictObject({
      boxes: z.number().int().min(1).max(9).default(7),
      maxCards: z.number().int().min(2).max(12).default(6).describe('Card positions per hand (dealerN, boxK.N)'),
      hitSoft17: z.boolean().default(false).describe('The dealer hits soft 17 (H17) instead of standing (S17)'),
    })
    .default({ boxes: 7, maxCards: 6, hitSoft17: false }),
});

const dragonTigerTable = z.strictObject({
  ...common,
  game: z.literal('dragon-tiger'),
  openOnStart: z.boolean().default(false).describe('Open the table as soon as it runs'),
  cards,
  betting,
});

/** One table, one YAML file. Unknown keys are errors: a typo must not silently fall back to a default. */
export const tableConfig = z.discriminatedUnion('game', [rouletteTable, baccaratTable, blackjackTable, dragonTigerTable]);

export const GAMES = ['roulette', 'baccarat', 'blackjack', 'dragon-tiger'] as const;
/** The fields every table has: checked on their own when `game` itself is wrong, so nothing else goes unreported. */
export const commonConfig = z.object(common);

export type TableConfig = z.infer<typeof tableConfig>;
export type RouletteConfig = z.infer<typeof rouletteTable>;
export type CardTableConfig = z.infer<typeof baccaratTable> | z.infer<typeof blackjackTable> | z.infer<typeof dragonTigerTable>;
export type CardsConfig = z.infer<typeof cards>;
