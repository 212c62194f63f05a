/**
 * The stream side of the reference receiver, in a process of its own (GStreamer pipelines live
 * in workers): receives one camera's outgoing stream, reads the frame stamp (frame-stamp.ts) of
 * every access unit without decoding, and prints one JSON line per frame:
 *   {"captureUs": ..., "frameNo": ..., "pts": ns, "at": ms (monotonic, this host)}
 * With --qr WIDTHxHEIGHT it also decodes the frames and reads a debugqroverlay code from the
 * top-left corner (tests and benchmarks: it proves a stamp belongs to its own frame):
 *   {"qr": {"count": BUFFERCOUNT, "timestamp": sender running time ns}, "pts": ns}
 *
 *   node stamp-receiver-worker.js URL [--qr WxH]
 */
import { readStamps } from '../../drivers/camera/frame-stamp.js';
import { gst, type AppSink } from '../../drivers/camera/gst.js';
import { dieWithParent } from '../../drivers/camera/tied-worker.js';

dieWithParent();

const [url = '', flag, size] = process.argv.slice(2);
const qr = flag === '--qr' && size ? size.split('x').map(Number) : null;

/** The pipeline that turns the stream at `url` into H.264 access units. */
function demux(u: string): string {
  const parsed = new URL(u);
  switch (parsed.protocol) {
    case 'srt:':
      return `srtsrc uri="${u.replace(/"/g, '')}" ! tsdemux`;
    case 'rtmp:':
    case 'rtmps:':
      return `rtmpsrc location="${u.replace(/"/g, '')} live=1" ! flvdemux`;
    case 'rtp:':
      return `udpsrc address=${parsed.hostname} port=${parsed.port} caps="application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000" ! rtpjitterbuffer latency=200 ! rtph264depay`;
    default:
      throw new Error(`cannot receive ${parsed.protocol} (srt, rtmp, rtp)`);
  }
}

const au = 'h264parse ! video/x-h264,stream-format=byte-stream,alignment=au';
const launch = qr
  ? `${demux(url)} ! ${au} ! tee name=t t. ! queue ! appsink name=au sync=false t. ! queue leaky=downstream max-size-buffers=5 ! avdec_h264 ! videocrop right=${Math.max(0, (qr[0] ?? 0) - 200)} bottom=${Math.max(0, (qr[1] ?? 0) - 200)} ! videoconvert ! zbar name=qr ! fakesink sync=false`
  : `${demux(url)} ! ${au} ! appsink name=au sync=false`;
const pipeline = new (gst().Pipeline)(launch);
const sink = pipeline.findChild<AppSink>('au');
if (!sink) throw new Error('no appsink');
const onAu: Parameters<AppSink['pull']>[0] = (buf, _caps, timing) => {
  if (!buf) return void setTimeout(() => sink.pull(onAu), 20);
  const at = performance.now();
  for (const s of readStamps(buf)) process.stdout.write(`${JSON.stringify({ captureUs: Number(s.captureUs), frameNo: s.frameNo, pts: timing.pts ?? null, at })}\n`);
  sink.pull(onAu);
};
pipeline.pollBus((msg) => {
  if (msg._src_element_name === 'qr' && typeof msg['symbol'] === 'string') {
    try {
      const code = JSON.parse(msg['symbol']) as { TIMESTAMP: number; BUFFERCOUNT: number };
      // zbar's GstClockTime fields arrive as strings (64-bit): made numbers here.
      const pts = msg['timestamp'] === undefined ? null : Number(msg['timestamp']);
      process.stdout.write(`${JSON.stringify({ qr: { count: code.BUFFERCOUNT, timestamp: code.TIMESTAMP }, pts })}\n`);
    } catch {
      // a misread code
    }
  } else if (msg.type === 'error') {
    process.stderr.write(`receiver: ${msg.message ?? 'error'}\n`);
    process.exit(1);
  } else if (msg.type === 'eos') {
    process.exit(0);
  }
});
pipeline.play();
sink.pull(onAu);
process.on('SIGTERM', () => {
  pipeline.stop();
  process.exit(0);
});
