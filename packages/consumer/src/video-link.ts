/**
 * The receiving side of the frame link (CONTRACT.md, "Video"): frames of one camera's stream as
 * they arrive, each with the capture time stamped inside it, and the events that name them.
 * What a platform runs to hold a result until the player's video shows its frame.
 */

/** One frame as received: its stamp (capture time, epoch µs) and when it arrived here (ms, monotonic). */
export interface ReceivedFrame {
  readonly captureUs: number;
  readonly frameNo: number;
  readonly receivedAt: number;
}

export type FrameLink =
  /** The named frame has arrived: `offsetFrames` from the stamp named (0 exact, ±1 a neighbour). */
  | { readonly kind: 'in-video'; readonly frame: ReceivedFrame; readonly offsetFrames: number; readonly behindLiveMs: number }
  /** Not in the video yet: the result is ahead of the picture by `aheadMs` (hold it). */
  | { readonly kind: 'ahead'; readonly aheadMs: number }
  /** Captured before this receiver's first frame: it joined the stream after that moment. */
  | { readonly kind: 'before-join'; readonly beforeMs: number }
  /** Older than anything kept, or in a gap of the stream (the frame never arrived). */
  | { readonly kind: 'missing'; readonly reason: string };

const KEEP_MS = 120_000;

/**
 * The frames received in the last two minutes, by stamp. `link` finds the frame an event names:
 * the received stamp nearest to the one named, within half a frame period for an exact match
 * and within one and a half for a neighbour (a frame dropped before the encoder).
 */
export class ReceivedFrames {
  private readonly frames: ReceivedFrame[] = [];
  private firstEver: number | null = null;

  constructor(private readonly periodUs: number) {}

  add(frame: ReceivedFrame): void {
    const last = this.frames.at(-1);
    if (last && frame.captureUs <= last.captureUs) return; // a repeat after a reconnect
    this.firstEver ??= frame.captureUs;
    this.frames.push(frame);
    const horizon = frame.captureUs - KEEP_MS * 1000;
    while ((this.frames[0]?.captureUs ?? Infinity) < horizon) this.frames.shift();
  }

  /** The newest frame received: the live edge of this stream. */
  get liveEdge(): ReceivedFrame | null {
    return this.frames.at(-1) ?? null;
  }

  link(namedUs: number): FrameLink {
    const edge = this.liveEdge;
    if (!edge) return { kind: 'ahead', aheadMs: NaN };
    if (namedUs > edge.captureUs + this.periodUs / 2) return { kind: 'ahead', aheadMs: (namedUs - edge.captureUs) / 1000 };
    const first = this.frames[0] as ReceivedFrame;
    if (this.firstEver !== null && namedUs < this.firstEver - this.periodUs / 2) return { kind: 'before-join', beforeMs: (this.firstEver - namedUs) / 1000 };
    if (namedUs < first.captureUs - this.periodUs / 2) return { kind: 'missing', reason: 'older than the frames kept' };
    let lo = 0;
    let hi = this.frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.frames[mid] as ReceivedFrame).captureUs < namedUs) lo = mid + 1;
      else hi = mid;
    }
    const candidates = [this.frames[lo - 1], this.frames[lo]].filter((f): f is ReceivedFrame => f !== undefined);
    const nearest = candidates.reduce((a, b) => (Math.abs(a.captureUs - namedUs) <= Math.abs(b.captureUs - namedUs) ? a : b));
    const offsetFrames = Math.round((nearest.captureUs - namedUs) / this.periodUs);
    if (Math.abs(nearest.captureUs - namedUs) > 1.5 * this.periodUs) return { kind: 'missing', reason: `no frame within a frame of it (nearest ${((nearest.captureUs - namedUs) / 1000).toFixed(1)} ms away: a gap in the stream)` };
    return { kind: 'in-video', frame: nearest, offsetFrames, behindLiveMs: (edge.captureUs - nearest.captureUs) / 1000 };
  }
}
