import type { EventEnvelope } from './envelope.js';
import type { FrameLink, ReceivedFrames } from './video-link.js';

/** An event let go by the hold: the frame it names has arrived (or never will), and how long it waited. */
export interface Released {
  readonly event: EventEnvelope;
  readonly namedUs: number;
  readonly link: Exclude<FrameLink, { kind: 'ahead' }>;
  readonly heldMs: number;
}

/** The stamp an event names for one camera (`data.video[camera]`, CONTRACT.md "Video"), or null. */
export function namedFrame(event: EventEnvelope, camera: string): number | null {
  const video = event.data['video'];
  if (typeof video !== 'object' || video === null || Array.isArray(video)) return null;
  const named = (video as Record<string, unknown>)[camera];
  return typeof named === 'number' ? named : null;
}

/**
 * Holds events until the player's video shows the frame each names: what a platform does so that
 * nobody learns a result before the ball lands in their picture. Feed it events as they are
 * verified and `settle` each time frames arrive; both return what may go out now, in the order
 * the events were held. An event whose frame is missing or from before the receiver joined is
 * released too (with that link), never held for ever.
 */
export class FrameHold {
  private readonly pending: { event: EventEnvelope; namedUs: number; since: number }[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Holds an event naming `namedUs`; returns whatever the frames received so far release. */
  hold(event: EventEnvelope, namedUs: number, frames: ReceivedFrames | null): Released[] {
    this.pending.push({ event, namedUs, since: this.now() });
    return frames ? this.settle(frames) : [];
  }

  /** Everything no longer ahead of the video. */
  settle(frames: ReceivedFrames): Released[] {
    const out: Released[] = [];
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i]!;
      const link = frames.link(p.namedUs);
      if (link.kind === 'ahead') {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      out.push({ event: p.event, namedUs: p.namedUs, link, heldMs: Math.round(this.now() - p.since) });
    }
    return out;
  }

  /** Events still waiting for their frame. */
  get size(): number {
    return this.pending.length;
  }
}
