import { z } from 'zod';
import { reconnectConfig } from '../../serial/config.js';

/** `wheel:` section for a Cammegh SS2 (the driver owns its config; the table schema unions them). */
export const cammeghSs2Config = z.strictObject({
  driver: z.literal('cammegh-ss2'),
  port: z.string().min(1).describe('Serial device, e.g. /dev/pitbox-wheel (see systemd/99-pitbox-wheel.rules)'),
  baudRate: z.number().int().positive().default(9600),
  mode: z
    .number()
    .int()
    .min(0)
    .max(4095)
    .default(1159)
    .describe('Operating mode written with *o at connect: 1159 = host starts games; 1157 = fully automatic'),
  statusPeriodMs: z.number().int().min(5).max(5000).default(500),
  silenceFactor: z.number().min(2).max(20).default(4).describe('Silence longer than this many status periods means the link is lost'),
  commandTimeoutMs: z.number().int().min(20).max(10_000).default(1000),
  rotorRpm: z
    .strictObject({ min: z.number().positive(), max: z.number().positive() })
    .refine((w) => w.min < w.max, { message: 'min must be below max' })
    .optional()
    .describe('Rotor speed window at launch; absent: the window the wheel reports (*T s)'),
  checkDirection: z.boolean().optional().describe('Void a game whose rotor did not reverse; default: when mode bit 1 is set'),
  timeScale: z.number().min(1).max(1000).default(1).describe('Simulation only: how much faster than the field the wheel runs'),
  reconnect: reconnectConfig,
});
export type CammeghSs2Config = z.infer<typeof cammeghSs2Config>;
