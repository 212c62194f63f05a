// Over 400 lines on purpose: the camera supervisor's restarts, watchdog, health and frame hand-off
// share one worker process's state; the worker, pipeline, outputs and encoders are their own files.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { CameraConfig } from './config.js';
import type { EncoderKind } from './encoders.js';
import { ChannelError, RecordReader } from './frame-channel.js';
import { monotonicToEpochMs } from './gst.js';
import { RestartPolicy } from './restart-policy.js';
import type { StreamStats } from './stream-stats.js';
import { forkTiedWorker } from './tied-worker.js';
import { EXIT, workerEntry, type FrameHeader, type OutputHealth, type WorkerMessage } from './worker-protocol.js';

/** A frame for recognition, with the time its light hit the sensor. */
export interface CameraFrame {
  readonly camera: string;
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'BGR';
  /** width * height * 3 bytes, rows top to bottom. */
  readonly data: Buffer;
  /** The same frame scaled for a detector, when the camera has analysis.scaledWidth: planes of B, G, R bytes. */
  readonly scaled?: { readonly data: Buffer; readonly width: number; readonly height: number; readonly format: 'BGRP' };
  /** Capture time, epoch ms (fractional); null when the source gave no timestamp. */
  readonly captureTime: number | null;
  /** The same instant on CLOCK_MONOTONIC, ns (what GStreamer's clock reads). */
  readonly captureClockNs: number | null;
  /** Running time of the frame in the camera's pipeline, ns: the video's own timeline. */
  readonly streamTimeNs: number | null;
}

/** Takes one frame at a time; frames that arrive meanwhile replace each other (the newest wins). */
export type FrameConsumer = (frame: CameraFrame) => Promise<void> | void;

export type CameraState = 'starting' | 'up' | 'down' | 'failed' | 'stopped';

export interface CameraHealth {
  readonly name: string;
  readonly state: CameraState;
  /** Why it is not up (null while up). */
  readonly reason: string | null;
  readonly since: string;
  readonly encoder: string | null;
  readonly fps: number;
  readonly framesOut: number;
  readonly framesDropped: number;
  readonly bitrateKbps: number;
  readonly encodeLatencyMs: { readonly p50: number; readonly max: number } | null;
  readonly restarts: number;
  /** When the last encoded frame was counted (ISO 8601; within a stats period), null before the first. */
  readonly lastFrameAt: string | null;
  readonly analysis: { readonly produced: number; readonly dropped: number; readonly delivered: number };
  readonly outputs: readonly OutputHealth[];
}

/** A still for people: JPEG, scaled down, with when it arrived. */
export interface Preview {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  readonly at: number;
}

export interface CameraEvents {
  /** The camera stopped delivering frames (worker died, went silent, or cannot start). */
  down: [{ reason: string; at: number; failed: boolean }];
  /** Frames flow again; `downMs` is the gap (null on the first start). */
  up: [{ at: number; downMs: number | null; encoder: string }];
  /** A new preview still (a few a second at most). */
  preview: [Preview];
}

const WATCHDOG_MS = 200;
/** The worker must be up this long before a later failure restarts the backoff from the start. */
const HEALTHY_AFTER_MS = 10_000;
const STDERR_LINES_PER_MIN = 20;
/** How often the worker reports its stats (camera-worker.ts). */
const STATS_PERIOD_MS = 1000;
/** Frames captured this long ago are forgotten: an event is named at the moment it is decided. */
const CAPTURED_KEEP_NS = 2e9;
/** A health line in the log this often while up, so journald shows how a camera was doing. */
const HEALTH_LOG_MS = 60_000;

/**
 * One camera as the appliance sees it: a supervised worker process (camera-worker.ts), its
 * health, and its analysis frames. The worker is restarted on error, end of stream or silence,
 * with backoff and a restart budget; past the budget the camera is `failed` and retried after a
 * cooldown. It never gives up and never blocks its caller.
 */
export class Camera extends EventEmitter<CameraEvents> {
  private child: ChildProcess | null = null;
  private state: CameraState = 'starting';
  private reason: string | null = 'starting';
  private since = Date.now();
  private downAt: number | null = null;
  private everUp = false;
  private encoder: string | null = null;
  private readonly failedEncoders = new Set<EncoderKind>();
  private readonly policy: RestartPolicy;
  private restarts = 0;
  // startedAt, lastProgressAt, lastFrameMono, downAt, healthLoggedAt: monotonic ms
  // (performance.now()), so a step of the wall clock neither kills a healthy worker as silent
  // nor hides a silent one for as long as the step (README "Clock steps").
  private startedAt = 0;
  private lastProgressAt = 0;
  /** Wall time of the last stats that counted a new encoded frame (null before the first), for people. */
  private lastFrameAt: number | null = null;
  private lastFrameMono: number | null = null;
  /** The newest preview still, or null before the first (or with previews off). */
  latestPreview: Preview | null = null;
  /** The frames captured in the last CAPTURED_KEEP_NS, oldest first: their stamps and capture clock times. */
  private captured: { captureUs: number; clockNs: number }[] = [];
  private lastFramesOut = -1;
  private stats: StreamStats | null = null;
  private totals = { framesOut: 0, dropped: 0, analysisProduced: 0, analysisDropped: 0 };
  private workerAnalysis = { produced: 0, dropped: 0 };
  private outputs: readonly OutputHealth[] = [];
  private delivered = 0;
  private consumerDropped = 0;
  private pending: CameraFrame | null = null;
  private consuming = false;
  private consumer: FrameConsumer | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private stderrBudget = { count: 0, minute: 0 };
  private stopping = false;
  private healthLoggedAt = -Infinity;

  constructor(
    readonly config: CameraConfig,
    private readonly log: Logger,
  ) {
    super();
    this.policy = new RestartPolicy(config.restart);
  }

  get name(): string {
    return this.config.name;
  }

  /**
   * The stamp (capture time, epoch µs) of the newest frame captured at or before `clockNs`
   * (CLOCK_MONOTONIC, what monotonicNs() reads): the stamp the worker reported for that frame as
   * it was captured, the very number the frame carries once encoded (CONTRACT.md, "Video").
   * Nothing is predicted, so a camera whose capture times jitter is named exactly. Null when no
   * frame was captured in the second before, or none encoded lately: an event then names no
   * frame of this camera.
   */
  frameAt(clockNs: number): number | null {
    if (this.state !== 'up' || this.lastFrameMono === null || performance.now() - this.lastFrameMono > 2 * STATS_PERIOD_MS) return null;
    for (let i = this.captured.length - 1; i >= 0; i--) {
      const f = this.captured[i] as { captureUs: number; clockNs: number };
      if (f.clockNs <= clockNs) return clockNs - f.clockNs > 1e9 ? null : f.captureUs;
    }
    return null;
  }

  /** Where analysis frames go. Set before start or at any time; null stops delivery. */
  setConsumer(consumer: FrameConsumer | null): void {
    this.consumer = consumer;
  }

  start(): void {
    this.stopping = false;
    this.spawn();
    this.watchdog = setInterval(() => this.checkSilence(), WATCHDOG_MS);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.setState('stopped', 'stopped');
  }

  health(): CameraHealth {
    const s = this.stats;
    const up = this.state === 'up';
    return {
      name: this.config.name,
      state: this.state,
      reason: up ? null : this.reason,
      since: new Date(this.since).toISOString(),
      encoder: this.encoder,
      fps: up ? (s?.fps ?? 0) : 0,
      framesOut: this.totals.framesOut + (s?.framesOut ?? 0),
      framesDropped: this.totals.dropped + (s?.dropped ?? 0),
      bitrateKbps: up ? (s?.bitrateKbps ?? 0) : 0,
      encodeLatencyMs: up ? (s?.encodeLatencyMs ?? null) : null,
      restarts: this.restarts,
      lastFrameAt: this.lastFrameAt === null ? null : new Date(this.lastFrameAt).toISOString(),
      analysis: {
        produced: this.totals.analysisProduced + this.workerAnalysis.produced,
        dropped: this.totals.analysisDropped + this.workerAnalysis.dropped + this.consumerDropped,
        delivered: this.delivered,
      },
      outputs: this.outputs,
    };
  }

  /** The worker's process id (tests kill it). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private spawn(): void {
    if (this.stopping) return;
    const entry = workerEntry(import.meta.url, 'camera-worker');
    const child = forkTiedWorker(entry, [], {
      // fd 3: IPC; fd 4: analysis frames.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
      env: {
        ...process.env,
        PITBOX_CAMERA: JSON.stringify(this.config),
        PITBOX_FAILED_ENCODERS: [...this.failedEncoders].join(','),
        // One thread each for the bus poll and the appsink pulls (encoded, capture tap,
        // analysis, preview, a jittered test source's pattern), which block until data comes,
        // plus the usual four for fs and dns. Found by the chaos soak (issue 24): with analysis
        // on and any output, 10 threads gave no first frame at all (the camera restarted for
        // ever, a card table stayed suspended); headroom per output, measured with 1 and 2.
        UV_THREADPOOL_SIZE: String(12 + 2 * this.config.outputs.length),
        GST_DEBUG_NO_COLOR: '1',
      },
    });
    this.child = child;
    this.startedAt = performance.now();
    this.lastProgressAt = this.startedAt;
    this.lastFramesOut = -1;
    this.stats = null;
    this.workerAnalysis = { produced: 0, dropped: 0 };
    let lastFatal: string | null = null;

    child.on('message', (msg: WorkerMessage) => {
      if (this.child !== child) return;
      switch (msg.type) {
        case 'started':
          this.encoder = msg.encoder.element;
          this.log.info({ camera: this.name, encoder: msg.encoder.element, hardware: msg.encoder.hardware }, 'camera worker started');
          this.log.debug({ camera: this.name, launch: msg.launch }, 'camera pipeline');
          return;
        case 'stats':
          return this.onStats(msg.stream, msg.analysis, msg.outputs);
        case 'captured':
          return this.onCaptured(msg.captureUs, msg.clockNs);
        case 'preview':
          this.latestPreview = { jpeg: Buffer.from(msg.jpeg, 'base64'), width: msg.width, height: msg.height, at: Date.now() };
          this.emit('preview', this.latestPreview);
          return;
        case 'warning':
          this.log.warn({ camera: this.name, element: msg.element, warning: msg.message }, 'camera warning');
          return;
        case 'fatal':
          lastFatal = msg.reason;
          if (msg.encoderFailed) {
            this.failedEncoders.add(msg.encoderFailed);
            this.log.warn({ camera: this.name, encoder: msg.encoderFailed }, 'hardware encoder failed to start: falling back');
          }
          return;
      }
    });
    const stderr = child.stderr as Readable;
    stderr.setEncoding('utf8');
    stderr.on('data', (text: string) => this.onStderr(text));
    const frames = child.stdio[4] as Readable | null;
    if (frames) this.readFrames(frames);

    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.accumulate();
      if (this.stopping) return;
      const reason = lastFatal ?? (code === EXIT.ok ? 'worker exited' : `worker died (${signal ?? `exit ${code}`})`);
      this.restartAfter(reason);
    });
  }

  private onStats(stream: StreamStats, analysis: { produced: number; dropped: number }, outputs: readonly OutputHealth[]): void {
    this.stats = stream;
    this.workerAnalysis = analysis;
    this.outputs = outputs;
    if (stream.framesOut > this.lastFramesOut) {
      this.lastFramesOut = stream.framesOut;
      if (stream.framesOut > 0) {
        this.lastProgressAt = this.lastFrameMono = performance.now();
        this.lastFrameAt = Date.now();
        if (this.state !== 'up') this.markUp();
        else if (this.lastProgressAt - this.startedAt > HEALTHY_AFTER_MS) this.policy.onHealthy();
        if (this.lastProgressAt - this.healthLoggedAt > HEALTH_LOG_MS) {
          this.healthLoggedAt = this.lastProgressAt;
          const { fps, framesOut, framesDropped, bitrateKbps, encodeLatencyMs, restarts, analysis } = this.health();
          const outputs = outputsSummary(this.outputs);
          this.log.info({ camera: this.name, fps, framesOut, framesDropped, bitrateKbps, encodeLatencyMs, restarts, analysis, outputs }, 'camera health');
        }
      }
    }
  }

  private onCaptured(captureUs: number, clockNs: number): void {
    this.captured.push({ captureUs, clockNs });
    // Kept while an event could still be decided at their time (the IPC lags capture by a millisecond or so).
    const horizon = clockNs - CAPTURED_KEEP_NS;
    let old = 0;
    while (old < this.captured.length && (this.captured[old] as { clockNs: number }).clockNs < horizon) old++;
    if (old > 0) this.captured.splice(0, old);
  }

  private markUp(): void {
    const at = Date.now();
    const downMs = this.everUp && this.downAt !== null ? Math.round(performance.now() - this.downAt) : null;
    this.everUp = true;
    this.downAt = null;
    this.setState('up', null);
    this.log.info({ camera: this.name, encoder: this.encoder, downMs }, 'camera up');
    this.emit('up', { at, downMs, encoder: this.encoder ?? 'unknown' });
  }

  /** A worker that stops producing frames is killed; its exit restarts it. */
  private checkSilence(): void {
    const child = this.child;
    if (!child) return;
    const now = performance.now();
    const limit = this.state === 'up' ? this.config.silenceMs : Math.max(this.config.silenceMs, this.config.firstFrameMs);
    const silentMs = now - this.lastProgressAt;
    if (silentMs <= limit) return;
    const reason = this.state === 'up' ? `no frames for ${Math.round(silentMs)} ms` : `no first frame in ${Math.round(silentMs)} ms`;
    this.log.warn({ camera: this.name, silenceMs: limit }, 'camera silent: restarting its worker');
    child.removeAllListeners('message');
    child.once('exit', () => undefined);
    this.child = null;
    this.accumulate();
    child.kill('SIGKILL');
    this.restartAfter(reason);
  }

  private restartAfter(reason: string): void {
    this.restarts++;
    const decision = this.policy.onExit(performance.now());
    const failed = decision.failed;
    const wasUp = this.state === 'up';
    this.downAt ??= performance.now();
    this.setState(failed ? 'failed' : 'down', reason);
    if (wasUp || failed || this.restarts === 1) {
      this.log.error({ camera: this.name, reason, retryMs: decision.delayMs, failed }, failed ? 'camera failed: retrying after the cooldown' : 'camera down: restarting');
    } else {
      this.log.warn({ camera: this.name, reason, retryMs: decision.delayMs }, 'camera still down: restarting');
    }
    this.emit('down', { reason, at: Date.now(), failed });
    this.restartTimer = setTimeout(() => this.spawn(), decision.delayMs);
  }

  private accumulate(): void {
    const s = this.stats;
    this.totals.framesOut += s?.framesOut ?? 0;
    this.totals.dropped += s?.dropped ?? 0;
    this.totals.analysisProduced += this.workerAnalysis.produced;
    this.totals.analysisDropped += this.workerAnalysis.dropped;
    this.stats = null;
    this.workerAnalysis = { produced: 0, dropped: 0 };
    this.outputs = this.outputs.map((o) => ({ ...o, state: 'down' as const }));
  }

  private setState(state: CameraState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.since = Date.now();
  }

  private readFrames(stream: Readable): void {
    const reader = new RecordReader<FrameHeader>();
    stream.on('data', (chunk: Buffer) => {
      let records;
      try {
        records = reader.push(chunk);
      } catch (err) {
        if (!(err instanceof ChannelError)) throw err;
        this.log.error({ camera: this.name, err: err.message }, 'corrupt frame stream: restarting the worker');
        this.child?.kill('SIGKILL');
        return;
      }
      for (const { header, payload } of records) {
        const bytes = header.width * header.height * 3;
        this.offer({
          camera: this.name,
          seq: header.seq,
          width: header.width,
          height: header.height,
          format: header.format,
          data: header.scaled ? payload.subarray(0, bytes) : payload,
          ...(header.scaled ? { scaled: { ...header.scaled, data: payload.subarray(bytes) } } : {}),
          captureTime: header.captureUs !== null ? header.captureUs / 1000 : header.captureClockNs === null ? null : monotonicToEpochMs(header.captureClockNs),
          captureClockNs: header.captureClockNs,
          streamTimeNs: header.pts,
        });
      }
    });
    stream.on('error', () => undefined);
  }

  private offer(frame: CameraFrame): void {
    if (!this.consumer) return;
    if (this.pending) this.consumerDropped++;
    this.pending = frame;
    if (!this.consuming) void this.drain();
  }

  private async drain(): Promise<void> {
    this.consuming = true;
    try {
      while (this.pending && this.consumer) {
        const frame = this.pending;
        this.pending = null;
        try {
          await this.consumer(frame);
          this.delivered++;
        } catch (err) {
          this.log.error({ camera: this.name, err: (err as Error).message }, 'frame consumer failed');
        }
      }
    } finally {
      this.consuming = false;
    }
  }

  private onStderr(text: string): void {
    const minute = Math.floor(performance.now() / 60_000);
    if (minute !== this.stderrBudget.minute) this.stderrBudget = { count: 0, minute };
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      if (++this.stderrBudget.count > STDERR_LINES_PER_MIN) return;
      this.log.warn({ camera: this.name, gstreamer: line.trim() }, 'camera worker stderr');
    }
  }
}

function outputsSummary(outputs: readonly OutputHealth[]): string[] {
  return outputs.map((o) => `${o.url} ${o.state}${o.dropped ? ` dropped=${o.dropped}` : ''}${o.error ? ` (${o.error})` : ''}`);
}
