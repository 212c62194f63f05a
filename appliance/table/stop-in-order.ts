import type { Logger } from 'pino';

/** Stops a table's parts in order; one that fails is logged and the rest still stop. */
export async function stopInOrder(steps: readonly [string, () => Promise<void> | void][], log: Logger): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      log.error({ part: name, err: (err as Error).message }, 'error while stopping');
    }
  }
}
