/**
 * Which game of the wheel each result or void belongs to. The SS2 spin number wraps (1-256), so in
 * a long run one spin number names many games: an event is matched to the game with its spin
 * number nearest to it in time (a wrap is 256 games apart: minutes at the soak's speeds), not to
 * any game with that number. Matching by number alone made every game after the first wrap look
 * accounted for as soon as any game with its number was. Nearest, not "latest before": a void can
 * come before the wheel reports its game (a launch failure voids at once; the wheel retries the
 * launch and still finishes the game with a number).
 */
export interface TimedGame {
  readonly spin: number;
  /** When the wheel reported the game, ms from the run's start. */
  readonly atMs: number;
}

export interface SpinEvent {
  readonly spin: number;
  /** When the box journaled it (its `ts`, in real time), ms from the run's start. */
  readonly atMs: number;
}

/** For each event, the index of its game in `games`, or -1 when no game with its number is within `withinMs`. */
export function matchToGames(games: readonly TimedGame[], events: readonly SpinEvent[], withinMs = 15_000): number[] {
  const bySpin = new Map<number, number[]>();
  games.forEach((g, i) => bySpin.set(g.spin, [...(bySpin.get(g.spin) ?? []), i]));
  return events.map((e) => {
    let found = -1;
    let best = withinMs;
    for (const i of bySpin.get(e.spin) ?? []) {
      const d = Math.abs(games[i]!.atMs - e.atMs);
      if (d <= best) [found, best] = [i, d];
    }
    return found;
  });
}
