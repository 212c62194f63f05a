/**
 * The receiving end of the glass-to-glass benchmark, in its own process: an SRT listener that
 * decodes H.264, reads the debugqroverlay QR code from a crop around it (zbar on a whole 720p
 * frame would starve two cores) and prints one JSON line per decoded frame:
 *   {"count": BUFFERCOUNT, "timestamp": sender running time ns, "recv": CLOCK_MONOTONIC ns}
 *
 *   node --import tsx scripts/bench/qr-receiver.ts PORT LATENCY_MS WIDTH HEIGHT
 */
import { gst, monotonicNs } from '../../drivers/camera/gst.js';

const [port, latency, width, height] = process.argv.slice(2).map(Number) as [number, number, number, number];
const crop = 240;
const pipeline = new (gst().Pipeline)(
  [
    `srtsrc uri="srt://:${port}?mode=listener&latency=${latency}"`,
    'tsdemux',
    'h264parse',
    'avdec_h264',
    `videocrop right=${width - crop} bottom=${height - crop}`,
    'videoconvert',
    'zbar name=qr',
    'fakesink sync=false',
  ].join(' ! '),
);
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
process.on('SIGTERM', () => process.exit(0));
