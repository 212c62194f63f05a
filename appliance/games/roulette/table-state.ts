import type { RotorDirection, WheelState } from '../../../drivers/wheel/wheel.js';
import type { Incident } from '../../kernel/events.js';
import type { LifecycleSnapshot } from '../../kernel/table-lifecycle.js';

/** The table as it is now: published retained on `.../state` so a late subscriber sees the present. */
export interface TableState {
  readonly open: boolean;
  readonly suspended: Incident | null;
  readonly round: { readonly no: number; readonly phase: 'betting' | 'closed'; readonly spin: number | null } | null;
  readonly lastResult: { readonly round: number; readonly number: number; readonly spin: number | null } | null;
  readonly wheel: {
    readonly link: 'up' | 'down';
    readonly state?: WheelState;
    readonly spin?: number;
    readonly rotorRpm?: number;
    readonly direction?: RotorDirection;
    readonly warnings?: number;
  };
}

/** What the engine needs to carry over a restart; kept in the journal next to the events. */
export interface RouletteSnapshot extends LifecycleSnapshot {
  readonly lastResult: TableState['lastResult'];
}
