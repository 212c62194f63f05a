/**
 * The receiving end of the glass-to-glass benchmark, in its own process: an SRT listener that
 * decodes H.264, reads the debugqroverlay QR code from a crop around it (zbar on a whole 720p
 * frame would starve two cores) and prints one JSON line per decoded frame:
 *   {"count": BUFFERCOUNT, "timestamp": sender running time ns, "recv": CLOCK_MONOTONIC ns}
 * and one per access unit that carries a pitbox frame stamp, as it arrives (before decoding):
 *   {"au": frame number, "recv": CLOCK_MONOTONIC ns}
 *
 *   node --import tsx scripts/bench/qr-receiver.ts PORT LATENCY_MS WIDTH HEIGHT
 */
import { readStamps } from '../../drivers/camera/frame-stamp.js';
import { gst, monotonicNs, type AppSink } from '../../drivers/camera/gst.js';
import { parseStructure } from '../../drivers/camera/gst-structure.js';

const [port, latency, width, height] = process.argv.slice(2).map(Number) as [number, number, number, number];
const crop = 240;
// Two branches after the parser: the access units themselves (their pitbox frame stamps say
// which frames arrived at all) and the decoder + zbar (which frames' codes were read). A frame
// that arrived but whose code was not read is the measurement's loss, not the transport's.
const pipeline = new (gst().Pipeline)(
  [
    `srtsrc name=src uri="srt://:${port}?mode=listener&latency=${latency}"`,
    'tsdemux',
    'h264parse',
    'video/x-h264,stream-format=byte-stream,alignment=au',
    'tee name=t',
    't. ! queue ! appsink name=au sync=false',
    `t. ! queue ! avdec_h264 ! videocrop right=${width - crop} bottom=${height - crop} ! videoconvert ! zbar name=qr ! fakesink sync=false`,
  ].join(' ! ').replace(/ ! t\. ! /g, ' t. ! '),
);
const au = pipeline.findChild<AppSink>('au');
const onAu: Parameters<AppSink['pull']>[0] = (buf) => {
  if (!buf) return void setTimeout(() => au?.pull(onAu), 20);
  // When it arrived (CLOCK_MONOTONIC, as the sender's stage times): the benchmark's last stage before decoding.
  const recv = monotonicNs();
  for (const s of readStamps(buf)) process.stdout.write(`${JSON.stringify({ au: s.frameNo, recv })}\n`);
  au?.pull(onAu);
};
au?.pull(onAu);
pipeline.pollBus((msg) => {
  // zbar's message structure has a field `type` (QR-Code) that hides the message type.
  if (msg._src_element_name === 'qr' && typeof msg.symbol === 'string') {
    const recv = monotonicNs();
    try {
      const qr = JSON.parse(msg.symbol) as { TIMESTAMP: number; BUFFERCOUNT: number };
      process.stdout.write(`${JSON.stringify({ count: qr.BUFFERCOUNT, timestamp: qr.TIMESTAMP, recv })}\n`);
    } catch {
      // a misread code: counted as a lost frame by the benchmark
    }
  } else if (msg.type === 'error') {
    process.stderr.write(`receiver: ${msg.message ?? 'error'}\n`);
    process.exit(1);
  }
});
pipeline.play();
process.on('SIGTERM', () => {
  const stats = pipeline.findChild('src')?.['stats'];
  // The listener's counters are nested per caller, escaped: flattened here.
  process.stdout.write(`${JSON.stringify({ srt: typeof stats === 'string' ? parseStructure(stats.replace(/\\/g, '')) : {}})}\n`);
  process.exit(0);
});
