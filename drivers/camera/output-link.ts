import type { ChildProcess } from 'node:child_process';
import { encodeRecord } from './frame-channel.js';
import type { BufferTiming } from './gst.js';
import type { OutputSpec } from './outputs.js';
import { RestartPolicy } from './restart-policy.js';
import { forkTiedWorker } from './tied-worker.js';
import { workerEntry, type EncodedHeader, type LatencySummary, type OutputHealth, type OutputMessage } from './worker-protocol.js';

/** Bytes allowed to wait in the pipe to an output before frames are dropped (about 2.5 s at 3 Mbit/s). */
const MAX_PENDING = 1024 * 1024;
/**
 * An output that has said nothing about delivering for this long is reported down while it lasts
 * (issue 24's soak: a stopped output process, or an SRT receiver that stopped reading, kept
 * showing `up` because only a process exit made an output down).
 */
const SILENT_MS = 3_000;
const OUTPUT_RESTART = { initialMs: 500, maxMs: 10_000, budget: 1_000_000, windowS: 60, cooldownS: 10 };

/**
 * The camera worker's side of one output: starts its process, feeds it encoded frames without
 * ever waiting for it, restarts it with backoff when it dies (a receiver that is down makes
 * srtsink and rtmp2sink fail). After any gap the output resumes at a keyframe, so a receiver
 * never gets a stream it cannot decode.
 */
export class OutputLink {
  private child: ChildProcess | null = null;
  private state: OutputHealth['state'] = 'starting';
  private frames = 0;
  private bytes = 0;
  private dropped = 0;
  /**
   * Frames not sent while the output's process starts (before it is ready, then until the first
   * keyframe): by design, not a loss under load, so counted apart from `dropped`.
   */
  private skippedAtStart = 0;
  private starting = true;
  private restarts = 0;
  private error: string | null = null;
  private sink: Readonly<Record<string, number>> = {};
  private firstFrameMs: number | null = null;
  private captureToSendMs: LatencySummary | null = null;
  private needKeyframe = true;
  /** Whether the process reads its pipe yet (see the `ready` message). */
  private ready = false;
  private retryAfterMs: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** When the output last said it was delivering (its stats, every second). */
  private deliveringAt = 0;
  private readonly policy = new RestartPolicy(OUTPUT_RESTART);

  /** `onKeyframe`: the receiver asked for a keyframe (WHIP), the camera's encoder should make one. */
  constructor(
    private readonly spec: OutputSpec,
    private readonly onKeyframe: () => void = () => undefined,
  ) {}

  start(): void {
    if (this.stopped) return;
    const entry = this.spec.protocol === 'whip' ? workerEntry(import.meta.url, 'whip/whip-output-worker') : workerEntry(import.meta.url, 'output-worker');
    const child = forkTiedWorker(entry, [], {
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, PITBOX_OUTPUT: this.spec.url, UV_THREADPOOL_SIZE: '2' },
    });
    this.child = child;
    this.needKeyframe = true;
    // A WHIP worker drops what comes before its session itself (a pad probe, whip-output-worker.ts);
    // it needs frames from the start, since webrtcbin makes its offer only once caps reach it.
    this.ready = this.spec.protocol === 'whip';
    this.starting = true;
    this.firstFrameMs = null;
    this.captureToSendMs = null;
    child.stdin?.on('error', () => undefined); // EPIPE when it dies: the exit handler deals with it
    child.stderr?.on('data', () => undefined); // GStreamer's own chatter; the error comes over IPC
    child.on('message', (msg: OutputMessage) => {
      if (msg.type === 'stats') {
        this.sink = msg.sink;
        this.firstFrameMs = msg.firstFrameMs ?? null;
        this.captureToSendMs = msg.captureToSendMs ?? null;
        if (msg.delivering) this.deliveringAt = Date.now();
        if (msg.delivering && this.state !== 'up') {
          this.state = 'up';
          this.error = null;
          this.policy.onHealthy();
        }
      } else if (msg.type === 'ready') {
        this.ready = true;
      } else if (msg.type === 'keyframe') {
        this.onKeyframe();
      } else if (msg.type === 'fatal') {
        this.error = msg.reason;
        this.retryAfterMs = msg.retryAfterMs ?? null;
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.stopped) return;
      this.error ??= `exited (${signal ?? code})`;
      this.state = 'down';
      this.restarts++;
      // A server that said when to come back (503 Retry-After) is not asked sooner.
      const delay = Math.max(this.policy.onExit(performance.now()).delayMs, this.retryAfterMs ?? 0);
      this.retryAfterMs = null;
      this.timer = setTimeout(() => this.start(), delay);
    });
  }

  /**
   * One encoded frame; dropped (and counted) when the output is down, still starting, or its
   * pipe is full. It starts (and restarts) at the first keyframe after its process is ready, so
   * a receiver never gets the frames that piled up while it started.
   */
  write(frame: Buffer, timing: BufferTiming): void {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable || !this.ready || stdin.writableLength > MAX_PENDING) {
      if (this.starting && stdin?.writable) this.skippedAtStart++;
      else this.dropped++;
      this.needKeyframe = true;
      return;
    }
    if (this.needKeyframe) {
      if (!timing.keyframe) {
        if (this.starting) this.skippedAtStart++;
        else this.dropped++;
        return;
      }
      this.needKeyframe = false;
      this.starting = false;
    }
    const header: EncodedHeader = { pts: timing.runningTime ?? null, keyframe: timing.keyframe ?? false, captureClockNs: timing.clockTime ?? null };
    // One writev for the record's three parts: the output process wakes once per frame, with
    // the whole of it, rather than on a lone 8-byte prefix (each wakeup is a scheduling delay
    // on a busy box).
    stdin.cork();
    for (const part of encodeRecord(header, frame)) stdin.write(part);
    stdin.uncork();
    this.frames++;
    this.bytes += frame.length;
  }

  health(): OutputHealth {
    const silentMs = Date.now() - this.deliveringAt;
    const silent = this.state === 'up' && silentMs > SILENT_MS;
    const error = silent ? `not delivering for ${Math.round(silentMs / 1000)} s (the output process is stalled, or its receiver stopped reading)` : this.error;
    return { url: this.spec.display, state: silent ? 'down' : this.state, frames: this.frames, bytes: this.bytes, dropped: this.dropped, skippedAtStart: this.skippedAtStart, restarts: this.restarts, error, sink: this.sink, firstFrameMs: this.firstFrameMs, captureToSendMs: this.captureToSendMs };
  }

  /**
   * SIGKILL: an output holds nothing worth a graceful stop, and taking a pipeline to NULL can
   * block for good (srtsink still trying to reach its receiver), leaving an orphan behind.
   */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.spec.protocol !== 'whip') {
      child.kill('SIGKILL');
      return exited;
    }
    // A WHIP session is ended by a DELETE the worker sends on SIGTERM (bounded there at 5 s).
    // The camera worker waits for it: the worker dies with its parent (tied-worker.ts).
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 6000).unref();
    return exited;
  }
}
