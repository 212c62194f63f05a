import type { TableConfig } from '../config/schema.js';

/** What the checks share: the config (if it loads) and what a running appliance says of itself. */
export interface DoctorContext {
  readonly configFile: string;
  config: TableConfig | null;
  /** The running appliance's status (from its control socket), or null when it is not running. */
  running: Record<string, unknown> | null;
  readonly socketPath: (config: TableConfig) => string;
}
