import { z } from 'zod';

/** `reconnect:` of any serial driver: backoff between attempts to reopen the port. */
export const reconnectConfig = z
  .strictObject({ initialMs: z.number().int().min(10).default(500), maxMs: z.number().int().min(100).default(10_000) })
  .default({ initialMs: 500, maxMs: 10_000 });
