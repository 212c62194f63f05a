import { createRequire } from 'node:module';

/** What gstreamer-superficial gives per appsink pull, with pitbox's patch (scripts/patches/). */
export interface BufferTiming {
  /** Buffer PTS in ns, when the buffer has one. */
  readonly pts?: number;
  /** PTS as running time of the pipeline, ns. */
  readonly runningTime?: number;
  /** base time + running time: the pipeline clock (CLOCK_MONOTONIC) when the buffer was captured, ns. */
  readonly clockTime?: number;
  /** False for a delta frame of an encoded stream. */
  readonly keyframe?: boolean;
}

export interface Caps {
  readonly name?: string;
  readonly width?: number;
  readonly height?: number;
  readonly format?: string;
  readonly framerate?: string;
  readonly [field: string]: unknown;
}

export interface AppSink {
  pull(cb: (buf: Buffer | null, caps: Caps, timing: BufferTiming) => void): void;
}
export interface AppSrc {
  push(buf: Buffer, pts?: Buffer): void;
}

export interface BusMessage {
  readonly type: string;
  readonly _src_element_name: string;
  readonly name?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

export interface GstPipeline {
  play(): void;
  pause(): void;
  stop(): void;
  seek(position: number, flags: number): boolean;
  /** Pushes an upstream force-key-unit event from the named element's sink pad (to the element before it: the encoder). */
  forceKeyUnit(element: string, count: number): void;
  sendEOS(): void;
  findChild<T = Record<string, unknown>>(name: string): (T & Record<string, unknown>) | undefined;
  pollBus(cb: (msg: BusMessage) => void): void;
}

interface Superficial {
  Pipeline: new (launch: string) => GstPipeline;
}

let binding: Superficial | null = null;

/**
 * The native binding, loaded on first use and only in worker processes: it is the reason they
 * exist (it blocks libuv threads, never frees a pipeline, and an element's crash takes the
 * process with it).
 */
export function gst(): Superficial {
  binding ??= createRequire(import.meta.url)('gstreamer-superficial') as Superficial;
  return binding;
}

/** A monotonic clock in ns that reads the same as GStreamer's system clock (CLOCK_MONOTONIC). */
export function monotonicNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * The wall clock minus the monotonic clock, in µs, taken once per process: performance.timeOrigin
 * is the epoch at process start with sub-millisecond precision and performance.now() runs on the
 * same monotonic clock as hrtime, so the difference is constant (Date.now() would add up to 1 ms
 * of jitter to every conversion). A camera worker stamps frames with it; the card recogniser's
 * frame times come from the same worker, so both name a frame by the same number.
 */
let epochOffsetUs: number | null = null;
function offsetUs(): number {
  epochOffsetUs ??= Math.round((performance.timeOrigin + performance.now()) * 1000 - monotonicNs() / 1000);
  return epochOffsetUs;
}

/** A CLOCK_MONOTONIC time in ns as microseconds since the epoch (integer). */
export function monotonicToEpochUs(clockNs: number): number {
  return Math.round(clockNs / 1000) + offsetUs();
}

/** Converts a CLOCK_MONOTONIC time in ns to epoch milliseconds. */
export function monotonicToEpochMs(clockNs: number): number {
  return monotonicToEpochUs(clockNs) / 1000;
}
