import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import t from 'tap';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import { freePort, simulatedTable, startAppliance, startBroker, stopAppliance, stopMosquitto, Subscriber, until, verifyReceived } from '../test-support/harness.js';
import { ReceivedFrames, type ReceivedFrame } from '../../packages/consumer/src/video-link.js';

interface QrLine {
  qr: { count: number; timestamp: number };
  pts: number | null;
  /** Which receiver decoded it: each one's timestamps start again, so a PTS pairs only within one. */
  rx?: number;
}
type Frame = ReceivedFrame & { pts: number | null; rx: number };
let receivers = 0;

/** The reference receiver's stream side on `url` (SRT listening for the appliance's output, or RTP), decoding the QR codes too. */
function receiver(url: string, frames: Frame[], codes: QrLine[] | null): ChildProcess {
  const rx = ++receivers;
  const entry = workerEntry(new URL('./video-link.ts', import.meta.url).href, 'stamp-receiver-worker');
  const child = fork(entry.path, codes ? [url, '--qr', '320x240'] : [url], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as (ReceivedFrame & { pts: number | null; at: number }) | QrLine;
    if ('qr' in m) codes?.push({ ...m, rx });
    else frames.push({ captureUs: m.captureUs, frameNo: m.frameNo, receivedAt: m.at, pts: m.pts, rx });
  });
  return child;
}

/** The test WHIP server (webrtcbin), printing the stamp of every frame it receives. */
async function whipReceiver(port: number, frames: ReceivedFrame[]): Promise<ChildProcess> {
  const entry = workerEntry(new URL('../test-support/harness.ts', import.meta.url).href, 'whip-receiver');
  const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, WHIP_PORT: String(port) } });
  let listening = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { listening?: number; frame?: { captureUs: number; frameNo: number } };
    if (m.listening) listening = true;
    if (m.frame) frames.push({ captureUs: m.frame.captureUs, frameNo: m.frame.frameNo, receivedAt: performance.now() });
  });
  await until('the WHIP server listening', () => listening, 60_000);
  return child;
}

/**
 * The frame link end to end: a roulette table on a simulated wheel with a test camera whose
 * capture times wander by up to 4 ms either side of the frame period, as a V4L2 camera's do
 * (jitterMs), and whose every frame carries a QR code of its own count and time
 * (debugqroverlay), sent at once over SRT, RTP and WHIP to three receivers. Every result names
 * a frame, and that frame's stamp is in each received stream, by equality (CONTRACT.md, "Video"):
 * before and after the camera worker is killed, and after the SRT receiver is cut. The QR code
 * in each frame says its stamp is its own capture time.
 */
t.test('every result names a frame whose stamp is in the SRT, RTP and WHIP streams, exactly, with a jittered camera, across a worker restart and a receiver cut', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const [srtPort, rtpPort, whipPort] = [await freePort(), await freePort(), await freePort()];
  const table = await simulatedTable({
    brokerPort: port,
    speed: 5,
    seed: 31,
    faults: {},
    extraConfig: [
      'cameras:',
      '  - name: overhead',
      '    source: { kind: test, width: 320, height: 240, framerate: 10, overlay: qr, jitterMs: 4 }',
      `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120", "rtp://127.0.0.1:${rtpPort}", "whip+http://127.0.0.1:${whipPort}/whip"]`,
      '    analysis: { enabled: false }',
      '    preview: { enabled: false }',
    ],
  });
  t.teardown(() => table.sim.stop());
  const frames: Frame[] = [];
  const codes: QrLine[] = [];
  const rtpFrames: Frame[] = [];
  const whipFrames: ReceivedFrame[] = [];
  let rx = receiver(`srt://127.0.0.1:${srtPort}?mode=listener&latency=120`, frames, codes);
  t.teardown(() => rx.kill('SIGKILL'));
  const rtpRx = receiver(`rtp://127.0.0.1:${rtpPort}`, rtpFrames, null);
  t.teardown(() => rtpRx.kill('SIGKILL'));
  const whipRx = await whipReceiver(whipPort, whipFrames);
  t.teardown(() => whipRx.kill('SIGKILL'));
  const sub = await Subscriber.connect(port);
  t.teardown(() => sub.close());
  startAppliance(table);
  t.teardown(() => stopAppliance(table));
  t.teardown(() => {
    if (!t.passing()) t.comment(table.output.join('').slice(-5000));
  });
  const results = () => sub.unique().filter((e) => e.type === 'round.result');
  await until('3 results', () => results().length >= 3, 120_000);

  // The camera worker dies: a new one, frame numbers from 1 again, the same clock.
  const worker = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(table.appliance?.pid)], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.includes('camera-worker'));
  process.kill(Number(worker?.trim().split(/\s+/)[0]), 'SIGKILL');
  const killedUs = Date.now() * 1000;
  const before = results().length;
  await until('camera back and 2 more results', () => sub.unique().some((e) => e.type === 'camera.up' && (e.data as { downMs?: number }).downMs !== undefined) && results().length >= before + 2, 120_000);

  // The SRT receiver is cut and comes back: the output reconnects.
  rx.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  rx = receiver(`srt://127.0.0.1:${srtPort}?mode=listener&latency=120`, frames, codes);
  const cut = results().length;
  await until('2 results after the receiver came back', () => results().length >= cut + 2, 120_000);
  await new Promise((r) => setTimeout(r, 2000)); // the last result's frame reaches the receivers

  const linked = results().map((e) => ({ seq: e.seq, named: (e.data as { video?: { overhead?: number } }).video?.overhead }));
  t.ok(linked.every((l) => typeof l.named === 'number'), 'every result names a frame of the camera');
  const gaps = frames.slice(1).map((f, i) => f.captureUs - frames[i]!.captureUs).filter((g) => g > 0 && g < 200_000);
  t.ok(Math.max(...gaps) - Math.min(...gaps) > 2000, `the camera's capture times wander: frame gaps ${Math.min(...gaps)}-${Math.max(...gaps)} µs (a 100,000 µs period)`);
  for (const [transport, got] of [['SRT', frames], ['RTP', rtpFrames], ['WHIP', whipFrames]] as const) {
    const index = new ReceivedFrames(100_000);
    for (const f of [...got].sort((a, b) => a.captureUs - b.captureUs)) index.add(f);
    // In range: the receiver was getting frames within a second either side of the one named.
    const inRange = linked.filter((l) => got.some((f) => f.captureUs <= (l.named ?? 0) && f.captureUs > (l.named ?? 0) - 1e6) && got.some((f) => f.captureUs >= (l.named ?? 0) && f.captureUs < (l.named ?? 0) + 1e6));
    t.ok(inRange.length >= linked.length - 2, `${transport}: ${inRange.length} of ${linked.length} results fell in stretches the receiver was listening`);
    const notExact = inRange.map((l) => ({ seq: l.seq, link: index.link(l.named ?? 0) })).filter((l) => l.link.kind !== 'in-video');
    t.same(notExact, [], `${transport}: each of ${inRange.length} results names a stamp a received frame carries, byte for byte`);
  }

  // Each stamp is its own frame's time: against the QR code drawn into the same frame, the
  // difference is one constant per worker (its pipeline's base time), never a frame off.
  // Paired by the receiver's PTS, only where a PTS is unambiguous: an output that reconnects
  // starts its stream's timestamps again, so a receiver can see one PTS on two frames.
  const once = <T,>(keys: T[]): Set<T> => {
    const n = new Map<T, number>();
    for (const k of keys) n.set(k, (n.get(k) ?? 0) + 1);
    return new Set([...n].filter(([, c]) => c === 1).map(([k]) => k));
  };
  const key = (x: { rx: number; pts: number | null }): string => `${x.rx}:${x.pts}`;
  const withPts = frames.filter((f) => f.pts !== null);
  const codesWithPts = codes.filter((c) => c.pts !== null).map((c) => ({ ...c, rx: c.rx ?? 0 }));
  const unambiguous = once(withPts.map(key));
  const codeOnce = once(codesWithPts.map(key));
  const byPts = new Map(codesWithPts.filter((c) => codeOnce.has(key(c))).map((c) => [key(c), c.qr]));
  const pairs = withPts.filter((f) => unambiguous.has(key(f)) && byPts.has(key(f))).map((f) => ({ f, q: byPts.get(key(f))! }));
  t.ok(pairs.length > 50, `${pairs.length} frames with both a stamp and a QR code`);
  // One segment per worker life: captured before the kill, or after.
  const segments: { f: Frame; q: QrLine['qr'] }[][] = [[], []];
  for (const pair of pairs.sort((a, b) => a.f.captureUs - b.f.captureUs)) segments[pair.f.captureUs < killedUs ? 0 : 1]!.push(pair);
  t.ok(segments.every((s) => s.length > 0), `two camera workers seen: ${segments.map((s) => s.length).join(' and ')} pairs before and after the kill`);
  for (const [i, segment] of segments.entries()) {
    const offsets = segment.map(({ f, q }) => f.captureUs - q.timestamp / 1000);
    const spread = Math.max(...offsets) - Math.min(...offsets);
    t.ok(spread < 2000, `worker ${i + 1}: stamp - QR time spread ${spread.toFixed(0)} µs over ${offsets.length} frames (under 2 ms; a frame is 100 ms)`);
    if (spread >= 2000) t.comment(segment.slice(0, 40).map(({ f, q }) => `${f.rx} #${f.frameNo} ${f.captureUs} pts ${f.pts} qr #${q.count} ${q.timestamp}`).join('\n'));
    t.ok(segment.every(({ f, q }) => f.frameNo - q.count === segment[0]!.f.frameNo - segment[0]!.q.count), `worker ${i + 1}: each stamp's frame number is its QR code's count`);
  }
  t.same(verifyReceived(sub.raw).violations, [], 'and every event verifies');

  // The reference receiver as a platform runs it, in place of the test's.
  rx.kill('SIGKILL');
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  const receive = spawn(process.execPath, ['--import', 'tsx', cli, 'receive', '--url', `mqtt://127.0.0.1:${port}`, '--studio', 'e2e', '--table', 'roulette-01', '--camera', 'overhead', '--stream', `srt://127.0.0.1:${srtPort}?mode=listener&latency=120`, '--types', 'round.result', '--json', '--count', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => receive.kill('SIGKILL'));
  const reports: { link: string; behindLiveMs?: number; type: string }[] = [];
  createInterface({ input: receive.stdout }).on('line', (line) => reports.push(JSON.parse(line) as (typeof reports)[number]));
  // Results from before it joined the stream (the broker's history) are told as such, not counted.
  const joined = () => reports.filter((r) => r.link !== 'before-join');
  await until('pitbox receive: two results linked', () => joined().length >= 2, 120_000);
  t.ok(reports.filter((r) => r.link === 'before-join').every((r) => r.type === 'round.result'), `${reports.length - joined().length} result(s) from before it joined, told as such`);
  for (const r of joined()) t.match(r, { type: 'round.result', link: 'in-video' }, `pitbox receive finds the result's own frame (not a neighbour); the live edge ${r.behindLiveMs} ms past it`);
});
