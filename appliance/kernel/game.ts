import type { TableControl } from './control-socket.js';
import type { Incident } from './events.js';
import type { LifecycleSnapshot } from './table-lifecycle.js';

/** What every game's `state` holds, whatever else the game adds (the wheel, the cards on the layout). */
export interface GameState {
  readonly open: boolean;
  readonly suspended: Incident | null;
  readonly round: { readonly no: number; readonly phase: string } | null;
}

/**
 * A running game as the rest of the table sees it, whatever the game: the actions a dealer's
 * button or the control socket may perform (`TableControl`), the journal's standing, the
 * snapshot it restarts from and the state it publishes. The runtime, the control socket, the
 * dealer's station, the status page, the dealer monitor and the metrics see only this (and the
 * published JSON); what differs between games (pockets or positions, what may happen now, the
 * result) stays behind it, in `appliance/games/<game>/` and the engine that runs it.
 */
export interface TableGame extends TableControl {
  /** As in the config's `game`: `roulette`, `baccarat`, `blackjack`, `dragon-tiger`. */
  readonly name: string;
  /** Once, before any input: settles what a restart left open. */
  begin(): void;
  /** Non-null while the journal cannot safely take events: the game suspends. */
  onStorage(problem: string | null): void;
  /** The journal's chain is broken: the game suspends until a person acts. */
  onIntegrity(problem: string): void;
  state(): GameState;
  /** What the journal keeps next to each event, for a restart. */
  snapshot(): LifecycleSnapshot;
}
