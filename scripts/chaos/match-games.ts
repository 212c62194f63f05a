/**
 * Which game of the wheel each result or void belongs to. The SS2 spin number wraps (1-256), so in
 * a long run one spin number names many games: an event is matched to the latest game with its spin
 * number that ended before it was journaled (plus a little slack for the two clocks' reads), not to
 * any game with that number. Matching by number alone made every game after the first wrap look
 * accounted for as soon as any game with its number was.
 */
export interface TimedGame {
  readonly spin: number;
  /** When the wheel reported the game, ms from the run's start. */
  readonly atMs: number;
}

export interface SpinEvent {
  readonly spin: number;
  /** When the box journaled it (its `ts`), ms from the run's start. */
  readonly atMs: number;
}

/** For each event, the index of its game in `games` (ordered by time), or -1 when none precedes it. */
export function matchToGames(games: readonly TimedGame[], events: readonly SpinEvent[], slackMs = 1_000): number[] {
  const bySpin = new Map<number, number[]>();
  games.forEach((g, i) => bySpin.set(g.spin, [...(bySpin.get(g.spin) ?? []), i]));
  return events.map((e) => {
    const candidates = bySpin.get(e.spin) ?? [];
    let found = -1;
    for (const i of candidates) if (games[i]!.atMs <= e.atMs + slackMs) found = i;
    return found;
  });
}
