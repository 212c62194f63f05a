/**
 * One camera, in a process of its own: the capture pipeline (source, encoder, analysis branch),
 * its outputs (each a child process, see output-worker.ts), and its health. The appliance
 * supervises this process and restarts it; nothing here is ever retried in-process, because
 * gstreamer-superficial never frees a pipeline.
 *
 * env PITBOX_CAMERA: the camera's config (JSON, validated again here)
 * env PITBOX_FAILED_ENCODERS: hardware encoders that would not start before (comma-separated)
 * fd 4: analysis frames out (frame-channel records), when analysis is enabled
 */
import { Socket } from 'node:net';
import { AnalysisPairs, type Pulled } from './analysis-pair.js';
import { explain, preflight } from './camera-errors.js';
import { cameraConfig, type CameraConfig } from './config.js';
import { pickEncoder, type EncoderKind, type EncoderPick } from './encoders.js';
import { exitWith, isExiting } from './exit-with.js';
import { encodeRecord } from './frame-channel.js';
import { insertBeforeFirstSlice, stampNal } from './frame-stamp.js';
import { gst, monotonicNs, monotonicToEpochUs, type AppSink, type AppSrc, type GstPipeline } from './gst.js';
import { OutputLink } from './output-link.js';
import { parseOutput } from './outputs.js';
import { feedJittered, patternLaunch } from './jittered-source.js';
import { ANALYSIS_SINK, CAPTURED_SINK, captureLaunch, ENCODED_SINK, ENCODER_NEXT, PREVIEW_SINK, SCALED_SINK, scaledSize } from './pipeline.js';
import { stageTrace } from './stage-trace.js';
import { StreamCounter } from './stream-stats.js';
import { lowerThreads } from './thread-priority.js';
import { dieWithParent } from './tied-worker.js';
import { EXIT, type FrameHeader, type WorkerMessage } from './worker-protocol.js';

const FRAME_FD = 4;
const STATS_MS = 1000;
/**
 * The analysis branch's thread (its queue, named in pipeline.ts) runs at this nice value: on a
 * busy box its scaling and colour conversion wait for the video's capture and encoding rather
 * than delay it (issue 21: SRT's tail against gst-launch). The branch is leaky, so what it
 * loses is analysis frames, never video.
 */
const SIDE_BRANCH_NICE = Number(process.env.PITBOX_SIDE_NICE ?? 10);
/** `aq`, and `fq`/`sq` after it when the branch also gives a scaled copy (pipeline.ts). */
const SIDE_BRANCH_THREADS = ['aq:', 'fq:', 'sq:'];
/** How long a stop waits for the outputs to end (a WHIP DELETE); the appliance SIGKILLs after 3 s. */
const OUTPUTS_STOP_MS = 2500;


function send(msg: WorkerMessage): void {
  if (process.connected) process.send?.(msg);
}

function fatal(reason: string, element: string | null = null, encoderFailed: EncoderKind | null = null): void {
  exitWith({ type: 'fatal', reason, element, encoderFailed } satisfies WorkerMessage);
}

function main(): void {
  dieWithParent();
  let config: CameraConfig;
  try {
    config = cameraConfig.parse(JSON.parse(process.env.PITBOX_CAMERA ?? 'null'));
  } catch (err) {
    return fatal(`bad camera config: ${(err as Error).message}`);
  }
  const problem = preflight(config);
  if (problem) return fatal(problem, 'source');

  const failed = new Set((process.env.PITBOX_FAILED_ENCODERS ?? '').split(',').filter(Boolean) as EncoderKind[]);
  let encoder: EncoderPick;
  let launch: string;
  let pipeline: GstPipeline;
  try {
    encoder = pickEncoder(config, undefined, failed);
    launch = captureLaunch(config, encoder);
    pipeline = new (gst().Pipeline)(launch);
  } catch (err) {
    return fatal(`cannot build the pipeline: ${(err as Error).message}`);
  }
  send({ type: 'started', encoder: { kind: encoder.kind, element: encoder.element, hardware: encoder.hardware }, launch });

  // A WHIP server's keyframe request (PLI/FIR) makes the encoder start a new GOP now:
  // gstreamer-superficial pushes the upstream force-key-unit event from the named element's
  // sink pad, so it names the parser after the encoder.
  const outputs = config.outputs.map((url) => new OutputLink(parseOutput(url), () => pipeline.forceKeyUnit(ENCODER_NEXT, 1)));
  const counter = new StreamCounter(1e9 / config.source.framerate, Date.now());
  let encodedSeen = false;

  pipeline.pollBus((msg) => {
    if (isExiting()) return;
    switch (msg.type) {
      case 'error': {
        const element = msg._src_element_name;
        // A hardware encoder that fails before its first frame is remembered, so `auto` uses
        // the next one (in the end x264) when the appliance restarts this worker.
        const encoderFailed = element === 'enc' && !encodedSeen && encoder.hardware ? encoder.kind : null;
        return fatal(explain(msg, config), element, encoderFailed);
      }
      case 'eos':
        if (config.source.kind === 'file' && config.source.loop) {
          // GST_SEEK_FLAG_FLUSH: back to the start of the clip.
          if (pipeline.seek(0, 1)) return;
        }
        return fatal('end of stream', msg._src_element_name);
      case 'warning':
        send({ type: 'warning', element: msg._src_element_name, message: msg.message ?? (typeof msg.debug === 'string' ? msg.debug : 'warning') });
        return;
    }
  });

  const encoded = pipeline.findChild<AppSink>(ENCODED_SINK);
  if (!encoded) return fatal('the pipeline has no encoded appsink');
  // A pull returns null while the sink is not yet (or no longer) running: ask again shortly.
  // End of stream and errors arrive on the bus.
  const retry = (sink: AppSink, cb: Parameters<AppSink['pull']>[0]): void => {
    if (!isExiting()) setTimeout(() => sink.pull(cb), 20);
  };
  let frameNo = 0;
  const trace = stageTrace('worker');
  const onEncoded: Parameters<AppSink['pull']>[0] = (buf, _caps, timing) => {
    if (isExiting()) return;
    if (!buf) return retry(encoded, onEncoded);
    const pulledNs = monotonicNs();
    encodedSeen = true;
    // Every frame carries its capture time inside the H.264 stream (an SEI), the same for every
    // output, so a receiver can find the frame an event names (frame-stamp.ts).
    let frame = buf;
    if (timing.clockTime !== undefined) {
      frameNo += 1;
      const captureUs = monotonicToEpochUs(timing.clockTime);
      frame = insertBeforeFirstSlice(buf, stampNal({ captureUs: BigInt(captureUs), frameNo }));
    }
    counter.onEncoded(frame.length, timing, pulledNs);
    for (const out of outputs) out.write(frame, timing);
    // Benchmark only: capture, the encoded frame in JavaScript, handed to every output's pipe.
    trace?.(frameNo, timing.clockTime, pulledNs, monotonicNs());
    encoded.pull(onEncoded);
  };

  const startPulls: (() => void)[] = [];
  // Each frame's stamp as it is captured (before the encoder), so an event names a frame that
  // exists rather than predicting one: the same conversion from the same clock reading as the
  // stamp that frame carries once encoded, so the two are equal to the microsecond.
  const capturedSink = pipeline.findChild<AppSink>(CAPTURED_SINK);
  if (!capturedSink) return fatal('the pipeline has no capture tap');
  const onCaptured: Parameters<AppSink['pull']>[0] = (buf, _caps, timing) => {
    if (isExiting()) return;
    if (!buf) return retry(capturedSink, onCaptured);
    if (timing.clockTime !== undefined) send({ type: 'captured', captureUs: monotonicToEpochUs(timing.clockTime), clockNs: timing.clockTime });
    capturedSink.pull(onCaptured);
  };
  startPulls.push(() => capturedSink.pull(onCaptured));

  const analysis = { produced: 0, dropped: 0 };
  const analysisSink = config.analysis.enabled ? pipeline.findChild<AppSink>(ANALYSIS_SINK) : undefined;
  if (analysisSink) {
    const frames = new Socket({ fd: FRAME_FD, readable: false, writable: true });
    frames.on('error', () => undefined); // the appliance closed its end: it is going away
    let seq = 0;
    const deliver = (full: Pulled, scaled: Pulled | null): void => {
      // Only one frame in flight: a consumer that has not taken the last one misses this one.
      if (frames.writableLength > 0) {
        analysis.dropped++;
        return;
      }
      const { caps, timing } = full;
      const header: FrameHeader = {
        seq,
        width: Number(caps.width),
        height: Number(caps.height),
        format: 'BGR',
        captureClockNs: timing.clockTime ?? null,
        captureUs: timing.clockTime === undefined ? null : monotonicToEpochUs(timing.clockTime),
        pts: timing.runningTime ?? null,
        ...(scaled ? { scaled: { width: Number(scaled.caps.width), height: Number(scaled.caps.height), format: 'BGRP' as const } } : {}),
      };
      for (const part of encodeRecord(header, scaled ? [full.buf, scaled.buf] : full.buf)) frames.write(part);
    };
    const scaledSink = scaledSize(config) ? pipeline.findChild<AppSink>(SCALED_SINK) : undefined;
    const pairs = new AnalysisPairs();
    // A copy offered to the pairing: a twin it gave up on is a dropped frame; a pair goes out.
    const offered = (offer: () => ReturnType<AnalysisPairs['offerFull']>): void => {
      const before = pairs.unpaired;
      const pair = offer();
      analysis.dropped += pairs.unpaired - before;
      if (pair) deliver(...pair);
    };
    const onFrame: Parameters<AppSink['pull']>[0] = (buf, caps, timing) => {
      if (isExiting()) return;
      if (!buf) return retry(analysisSink, onFrame);
      analysis.produced++;
      seq++;
      if (!scaledSink) deliver({ buf, caps, timing }, null);
      else {
        offered(() => pairs.offerFull({ buf, caps, timing }));
      }
      analysisSink.pull(onFrame);
    };
    startPulls.push(() => analysisSink.pull(onFrame));
    if (scaledSink) {
      const onScaled: Parameters<AppSink['pull']>[0] = (buf, caps, timing) => {
        if (isExiting()) return;
        if (!buf) return retry(scaledSink, onScaled);
        offered(() => pairs.offerScaled({ buf, caps, timing }));
        scaledSink.pull(onScaled);
      };
      startPulls.push(() => scaledSink.pull(onScaled));
    }
  }

  const previewSink = config.preview.enabled ? pipeline.findChild<AppSink>(PREVIEW_SINK) : undefined;
  if (previewSink) {
    const onStill: Parameters<AppSink['pull']>[0] = (buf, caps) => {
      if (isExiting()) return;
      if (!buf) return retry(previewSink, onStill);
      send({ type: 'preview', jpeg: buf.toString('base64'), width: Number(caps.width), height: Number(caps.height) });
      previewSink.pull(onStill);
    };
    startPulls.push(() => previewSink.pull(onStill));
  }

  if (config.source.kind === 'test' && config.source.jitterMs > 0) {
    const { pattern, width, height, framerate, jitterMs } = config.source;
    const source = pipeline.findChild<AppSrc>('source');
    const patterns = new (gst().Pipeline)(patternLaunch(pattern, width, height, framerate, 'pattern'));
    const patternSink = patterns.findChild<AppSink>('pattern');
    if (!source || !patternSink) return fatal('the jittered test source has no appsrc or pattern');
    feedJittered(patterns, patternSink, source, framerate, jitterMs);
  }

  pipeline.play();
  encoded.pull(onEncoded);
  for (const pull of startPulls) pull();
  for (const out of outputs) out.start();

  const lowered = new Set<number>();
  setInterval(() => {
    // Queue threads start with the pipeline and come back after a restart of the stream: looked for every time.
    if (SIDE_BRANCH_NICE > 0) lowerThreads(SIDE_BRANCH_THREADS, SIDE_BRANCH_NICE, lowered);
    send({ type: 'stats', stream: counter.take(Date.now()), analysis: { ...analysis }, outputs: outputs.map((o) => o.health()) });
  }, STATS_MS).unref();

  // Asked to stop: take the pipeline to NULL so the device is released cleanly (the appliance
  // follows up with SIGKILL if that blocks).
  // A WHIP output's DELETE is waited for (it dies with this process), within the appliance's 3 s.
  process.on('SIGTERM', () => {
    const outputsGone = Promise.all(outputs.map((out) => out.stop()));
    pipeline.stop();
    void Promise.race([outputsGone, new Promise((resolve) => setTimeout(resolve, OUTPUTS_STOP_MS))]).then(() => process.exit(EXIT.ok));
  });
  // The appliance died without stopping us: never outlive it holding the camera. At once, with
  // nothing that could block; the kernel releases the device.
  process.on('disconnect', () => {
    for (const out of outputs) void out.stop();
    process.kill(process.pid, 'SIGKILL');
  });
}

main();
