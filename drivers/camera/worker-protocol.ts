import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EncoderKind } from './encoders.js';
import type { StreamStats } from './stream-stats.js';

/** One output as the camera worker sees it. */
export interface OutputHealth {
  /** The URL with its secrets masked. */
  readonly url: string;
  readonly state: 'starting' | 'up' | 'down';
  readonly frames: number;
  readonly bytes: number;
  /** Encoded frames not sent because the output was down or behind (it resumes at a keyframe). */
  readonly dropped: number;
  /** Frames not sent while the output started (before it was ready, then until a keyframe): by design. */
  readonly skippedAtStart?: number;
  readonly restarts: number;
  readonly error: string | null;
  /** The sink's own counters where it has them (srtsink: bytes-sent, rtt-ms, packets-sent-lost, ...). */
  readonly sink: Readonly<Record<string, number>>;
  /** WHIP: capture to send of the current session's first frame (ms); null before one was sent, or for other outputs. */
  readonly firstFrameMs: number | null;
  /**
   * Capture to the moment the output's process hands each frame to its pipeline, since it
   * started (ms): the encoder and the hand-over between processes, what pitbox adds before the
   * muxer and the network. Null before the first frame.
   */
  readonly captureToSendMs: LatencySummary | null;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly n: number;
}

export interface AnalysisCounts {
  /** Frames the analysis branch produced (after its rate limit). */
  readonly produced: number;
  /** Of those, not passed on because the consumer had not taken the previous one. */
  readonly dropped: number;
}

/** Camera worker -> appliance, over the IPC channel. Frames go over their own pipe. */
export type WorkerMessage =
  | { readonly type: 'started'; readonly encoder: { readonly kind: EncoderKind; readonly element: string; readonly hardware: boolean }; readonly launch: string }
  | { readonly type: 'stats'; readonly stream: StreamStats; readonly analysis: AnalysisCounts; readonly outputs: readonly OutputHealth[] }
  | { readonly type: 'warning'; readonly element: string; readonly message: string }
  /** A preview still (JPEG, base64): a few a second at most, for the status page. */
  | { readonly type: 'preview'; readonly jpeg: string; readonly width: number; readonly height: number }
  /**
   * A frame was captured (before encoding): the stamp it will carry (frame-stamp.ts, capture
   * time in epoch µs) and the same instant as the clock read it (CLOCK_MONOTONIC ns).
   */
  | { readonly type: 'captured'; readonly captureUs: number; readonly clockNs: number }
  | { readonly type: 'fatal'; readonly reason: string; readonly element: string | null; readonly encoderFailed: EncoderKind | null };

/** Output worker -> camera worker. */
export type OutputMessage =
  | { readonly type: 'stats'; readonly frames: number; readonly bytes: number; readonly delivering: boolean; readonly sink: Readonly<Record<string, number>>; readonly firstFrameMs?: number; readonly captureToSendMs?: LatencySummary }
  /**
   * The process is up, its pipeline playing, and it reads its pipe from now on: frames written
   * before this would wait in the pipe while it starts (seconds on a busy box) and go out stale.
   */
  | { readonly type: 'ready' }
  /** The receiver asked for a keyframe (a WHIP server's PLI/FIR): the camera's encoder makes one now. */
  | { readonly type: 'keyframe' }
  /** `retryAfterMs`: the server said when to try again (WHIP 503 Retry-After). */
  | { readonly type: 'fatal'; readonly reason: string; readonly retryAfterMs?: number };

/** Header of an analysis frame on the frame pipe; the payload is the BGR pixels, row after row (then the scaled copy's, if any). */
export interface FrameHeader {
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  readonly format: 'BGR';
  /** When the sensor captured it, CLOCK_MONOTONIC ns (null when the source gave no timestamp). */
  readonly captureClockNs: number | null;
  /** The same moment in epoch µs, converted in the worker exactly as the video's frame stamps are. */
  readonly captureUs: number | null;
  readonly pts: number | null;
  /**
   * The same frame scaled for a detector (analysis.scaledWidth): planar B, G, R, each
   * width x height bytes, after the BGR pixels in the payload.
   */
  readonly scaled?: { readonly width: number; readonly height: number; readonly format: 'BGRP' };
}

/** Header of an encoded frame sent to an output worker. */
export interface EncodedHeader {
  readonly pts: number | null;
  readonly keyframe: boolean;
  /** When it was captured, CLOCK_MONOTONIC ns (null when the source gave no timestamp). */
  readonly captureClockNs: number | null;
}

/** A worker that ends on its own says why in a `fatal` message first; this is its exit code when stopped. */
export const EXIT = { ok: 0 } as const;

/**
 * How to start a worker module beside `from`: the built `.js` when there is one, else the
 * TypeScript source through tsx (tests and `npm run` from a checkout).
 */
export function workerEntry(from: string, base: string): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL(`./${base}.js`, from));
  if (existsSync(js)) return { path: js, execArgv: [] };
  return { path: fileURLToPath(new URL(`./${base}.ts`, from)), execArgv: ['--import', 'tsx'] };
}
