/**
 * One output of one camera, in a process of its own: encoded frames in on stdin, a GStreamer
 * pipeline that muxes and sends them. A receiver that is down makes the sink fail (srtsink
 * caller, rtmp2sink); here that ends only this process, which the camera worker restarts.
 * The capture pipeline never sees it.
 *
 * env PITBOX_OUTPUT: the output URL.
 */
import { exitWith, isExiting } from './exit-with.js';
import { gst, type AppSrc, type GstPipeline } from './gst.js';
import { RecordReader } from './frame-channel.js';
import { parseStructure } from './gst-structure.js';
import { monotonicNs } from './gst.js';
import { LatencyHistogram } from './latency-histogram.js';
import { stageTrace } from './stage-trace.js';
import { parseOutput } from './outputs.js';
import { outputPipelineLaunch, OUTPUT_SRC } from './pipeline.js';
import { dieWithParent } from './tied-worker.js';
import type { EncodedHeader, OutputMessage } from './worker-protocol.js';

function send(msg: OutputMessage): void {
  process.send?.(msg);
}

function fatal(reason: string): void {
  exitWith({ type: 'fatal', reason } satisfies OutputMessage);
}

function main(): void {
  dieWithParent();
  const raw = process.env.PITBOX_OUTPUT;
  if (!raw) return fatal('PITBOX_OUTPUT is not set');
  const spec = parseOutput(raw);
  let pipeline: GstPipeline;
  try {
    pipeline = new (gst().Pipeline)(outputPipelineLaunch(spec));
  } catch (err) {
    return fatal(`cannot build the output pipeline: ${(err as Error).message}`);
  }
  const src = pipeline.findChild<AppSrc>(OUTPUT_SRC);
  if (!src) return fatal('the output pipeline has no appsrc');

  pipeline.pollBus((msg) => {
    if (msg.type === 'error') fatal(`${msg._src_element_name}: ${msg.message ?? 'error'}`);
    if (msg.type === 'eos') fatal('end of stream');
  });
  pipeline.play();
  // From now on this process reads its pipe as frames come: the camera worker starts writing
  // (at the next keyframe), so nothing piles up while Node and the pipeline start.
  send({ type: 'ready' });

  let frames = 0;
  let bytes = 0;
  let firstPts: number | null = null;
  const ptsBuf = Buffer.alloc(8);
  const reader = new RecordReader<EncodedHeader>();
  const captureToSend = new LatencyHistogram();
  const trace = stageTrace('output');
  process.stdin.on('data', (chunk: Buffer) => {
    if (isExiting()) return;
    const readNs = monotonicNs();
    for (const { header, payload } of reader.push(chunk)) {
      if (header.captureClockNs !== null) captureToSend.add((monotonicNs() - header.captureClockNs) / 1e6);
      if (header.pts !== null) {
        // Rebased so that this pipeline's stream starts at zero whenever the output (re)starts.
        firstPts ??= header.pts;
        ptsBuf.writeBigUInt64BE(BigInt(Math.max(0, header.pts - firstPts)));
        src.push(payload, ptsBuf);
      } else {
        src.push(payload);
      }
      // Benchmark only: capture, read from the pipe, pushed into the pipeline.
      trace?.(header.captureClockNs, readNs, monotonicNs());
      frames++;
      bytes += payload.length;
    }
  });
  // The camera worker went away: so do we, at once. Not process.exit(): its teardown can block
  // on GStreamer's threads and leave an orphan.
  const vanish = (): void => void process.kill(process.pid, 'SIGKILL');
  process.stdin.on('end', vanish);
  process.on('disconnect', vanish);
  const sink = pipeline.findChild('sink');
  let lastAcks = 0;
  let lastFrames = 0;
  setInterval(() => {
    // srtsink knows whether anyone is listening: acknowledgements come only from a live
    // receiver (bytes-sent grows while a caller is still trying to connect). Other sinks
    // cannot tell: for them, frames going out is all there is.
    const stats = typeof sink?.stats === 'string' ? parseStructure(sink.stats) : {};
    const acks = stats['packet-ack-received'] ?? 0;
    const delivering = spec.protocol === 'srt' ? acks > lastAcks : frames > lastFrames;
    lastAcks = acks;
    lastFrames = frames;
    const latency = captureToSend.summary();
    send({ type: 'stats', frames, bytes, delivering, sink: stats, ...(latency ? { captureToSendMs: latency } : {}) });
  }, 1000).unref();
  process.on('SIGTERM', vanish);
}

main();
