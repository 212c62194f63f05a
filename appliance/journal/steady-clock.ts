/**
 * Epoch milliseconds that never step: the wall clock read once, then carried on by the monotonic
 * clock. An NTP step of the wall clock (either way, seconds or hours) leaves it alone, which is
 * what an age needs: retention measured on the plain wall clock prunes events delivered a minute
 * ago after a step forward, and prunes nothing for as long as a step back was (README "Clock
 * steps"). It re-reads the wall clock only when a new one is made (at each start), so a step
 * taken while the appliance was down does shift ages by that step.
 */
export function steadyClock(wall: () => number = Date.now, monotonic: () => number = () => performance.now()): () => number {
  const anchor = wall() - monotonic();
  return () => Math.round(anchor + monotonic());
}
