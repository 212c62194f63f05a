import { z } from 'zod';
import { reconnectConfig } from '../../serial/config.js';

/** `wheel:` section for a wheel that only prints winning numbers. */
export const numberLineConfig = z.strictObject({
  driver: z.literal('number-line'),
  port: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  pattern: z
    .string()
    .default('^\\s*(\\d{1,2})\\s*$')
    .refine(hasOneGroup, { message: 'must be a regular expression with exactly one capture group (the number)' })
    .describe('Regular expression matching a result line; its capture group is the number'),
  maxNumber: z.number().int().min(1).max(99).default(36),
  reconnect: reconnectConfig,
});
export type NumberLineConfig = z.infer<typeof numberLineConfig>;

function hasOneGroup(source: string): boolean {
  try {
    return new RegExp(`${source}|`).exec('')!.length === 2;
  } catch {
    return false;
  }
}
