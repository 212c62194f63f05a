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

/** The reference receiver's stream side, listening for the appliance's SRT output, decoding the QR codes too. */
function receiver(port: number, frames: Frame[], codes: QrLine[]): ChildProcess {
  const rx = ++receivers;
  const entry = workerEntry(new URL('./video-link.ts', import.meta.url).href, 'stamp-receiver-worker');
  const child = fork(entry.path, [`srt://127.0.0.1:${port}?mode=listener&latency=120`, '--qr', '320x240'], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as (ReceivedFrame & { pts: number | null; at: number }) | QrLine;
    if ('qr' in m) codes.push({ ...m, rx });
    else frames.push({ captureUs: m.captureUs, frameNo: m.frameNo, receivedAt: m.at, pts: m.pts, rx });
  });
  return child;
}

/**
 * The frame link end to end: a roulette table on a simulated wheel with a test camera whose
 * every frame carries a QR code of its own count and time (debugqroverlay), sent over SRT to a
 * receiver. Every result names a frame; that frame is in the received stream, and the QR code
 * in it says its stamp is its own capture time. Again after the camera worker is killed and
 * after the receiver is cut.
 */
t.test('every result names its frame in the SRT stream, to the frame, across a worker restart and a receiver cut', async (t) => {
  const { port, proc } = await startBroker();
  t.teardown(() => stopMosquitto(proc));
  const srtPort = await freePort();
  const table = await simulatedTable({
    brokerPort: port,
    speed: 5,
    seed: 31,
    faults: {},
    extraConfig: [
      'cameras:',
      '  - name: overhead',
      '    source: { kind: test, width: 320, height: 240, framerate: 10, overlay: qr }',
      `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120"]`,
      '    analysis: { enabled: false }',
      '    preview: { enabled: false }',
    ],
  });
  t.teardown(() => table.sim.stop());
  const frames: Frame[] = [];
  const codes: QrLine[] = [];
  let rx = receiver(srtPort, frames, codes);
  t.teardown(() => rx.kill('SIGKILL'));
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
  const before = results().length;
  await until('camera back and 2 more results', () => sub.unique().some((e) => e.type === 'camera.up' && (e.data as { downMs?: number }).downMs !== undefined) && results().length >= before + 2, 120_000);

  // The receiver is cut and comes back: the output reconnects.
  rx.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  rx = receiver(srtPort, frames, codes);
  const cut = results().length;
  await until('2 results after the receiver came back', () => results().length >= cut + 2, 120_000);
  await new Promise((r) => setTimeout(r, 2000)); // the last result's frame reaches the receiver

  const index = new ReceivedFrames(100_000);
  for (const f of [...frames].sort((a, b) => a.captureUs - b.captureUs)) index.add(f);
  const linked = results().map((e) => ({ seq: e.seq, named: (e.data as { video?: { overhead?: number } }).video?.overhead }));
  t.ok(linked.every((l) => typeof l.named === 'number'), 'every result names a frame of the camera');
  const received = linked.filter((l) => frames.some((f) => Math.abs(f.captureUs - (l.named ?? 0)) < 150_000));
  t.ok(received.length >= linked.length - 2, `${received.length} of ${linked.length} results fell in stretches the receiver was listening`);
  for (const l of received) {
    const link = index.link(l.named ?? 0);
    t.match(link, { kind: 'in-video' }, `result seq ${l.seq}: its frame is in the stream`);
    if (link.kind === 'in-video') t.ok(Math.abs(link.offsetFrames) <= 1, `result seq ${l.seq}: ${link.offsetFrames} frames off`);
  }

  // Each stamp is its own frame's time: against the QR code drawn into the same frame, the
  // difference is one constant per worker (its pipeline's base time), never a frame off.
  const byPts = new Map(codes.filter((c) => c.pts !== null).map((c) => [`${c.rx}:${c.pts}`, c.qr]));
  const pairs = frames.filter((f) => f.pts !== null && byPts.has(`${f.rx}:${f.pts}`)).map((f) => ({ f, q: byPts.get(`${f.rx}:${f.pts}`)! }));
  t.ok(pairs.length > 50, `${pairs.length} frames with both a stamp and a QR code`);
  // One segment per worker life: frame numbers start again at 1 when the worker restarts.
  const segments: { f: ReceivedFrame; q: QrLine['qr'] }[][] = [];
  for (const pair of pairs.sort((a, b) => a.f.captureUs - b.f.captureUs)) {
    const current = segments.at(-1);
    if (!current || pair.f.frameNo < (current.at(-1)?.f.frameNo ?? 0)) segments.push([pair]);
    else current.push(pair);
  }
  t.equal(segments.length, 2, 'two camera workers seen: before and after the kill');
  for (const [i, segment] of segments.entries()) {
    const offsets = segment.map(({ f, q }) => f.captureUs - q.timestamp / 1000);
    const spread = Math.max(...offsets) - Math.min(...offsets);
    t.ok(spread < 2000, `worker ${i + 1}: stamp - QR time spread ${spread.toFixed(0)} µs over ${offsets.length} frames (under 2 ms; a frame is 100 ms)`);
    t.ok(segment.every(({ f, q }) => f.frameNo - q.count === segment[0]!.f.frameNo - segment[0]!.q.count), `worker ${i + 1}: each stamp's frame number is its QR code's count`);
  }
  t.same(verifyReceived(sub.raw).violations, [], 'and every event verifies');

  // The reference receiver as a platform runs it, in place of the test's.
  rx.kill('SIGKILL');
  const cli = new URL('../cli.ts', import.meta.url).pathname;
  const receive = spawn(process.execPath, ['--import', 'tsx', cli, 'receive', '--url', `mqtt://127.0.0.1:${port}`, '--studio', 'e2e', '--table', 'roulette-01', '--camera', 'overhead', '--stream', `srt://127.0.0.1:${srtPort}?mode=listener&latency=120`, '--types', 'round.result', '--json', '--count', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => receive.kill('SIGKILL'));
  const reports: { link: string; offsetFrames?: number; behindLiveMs?: number; type: string }[] = [];
  createInterface({ input: receive.stdout }).on('line', (line) => reports.push(JSON.parse(line) as (typeof reports)[number]));
  // Results from before it joined the stream (the broker's history) are told as such, not counted.
  const joined = () => reports.filter((r) => r.link !== 'before-join');
  await until('pitbox receive: two results linked', () => joined().length >= 2, 120_000);
  t.ok(reports.filter((r) => r.link === 'before-join').every((r) => r.type === 'round.result'), `${reports.length - joined().length} result(s) from before it joined, told as such`);
  for (const r of joined()) {
    t.match(r, { type: 'round.result', link: 'in-video' }, 'pitbox receive finds the result\'s frame');
    t.ok(Math.abs(r.offsetFrames ?? 99) <= 1, `${r.offsetFrames} frames off; the live edge ${r.behindLiveMs} ms past it`);
  }
});
