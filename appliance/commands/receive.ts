import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { forkTiedWorker } from '../../drivers/camera/tied-worker.js';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import { FrameHold, namedFrame, type Released } from '../../packages/consumer/src/frame-hold.js';
import { VerifiedStream } from '../../packages/consumer/src/stream.js';
import { ReceivedFrames, type FrameLink, type ReceivedFrame } from '../../packages/consumer/src/video-link.js';
import { connectTarget, OPTIONS, resolveTarget } from './tail.js';

/** What the receiver says about one event: the frame it names, and when the picture shows it. */
export interface LinkReport {
  readonly seq: number;
  readonly type: string;
  readonly round: number | null;
  readonly camera: string;
  /** The stamp the event names (capture time, epoch µs). */
  readonly namedUs: number;
  readonly link: FrameLink['kind'];
  /** A neighbour's stamp minus the one named (µs); absent for the frame itself. */
  readonly distanceUs?: number;
  readonly frameNo?: number;
  /** How far the live edge of the video was past that frame when both were here (ms). */
  readonly behindLiveMs?: number;
  /** How long the result had to be held for its frame to arrive (0: the frame was already here). */
  readonly heldMs: number;
}

/**
 * `pitbox receive`: the reference receiver of the frame link. Subscribes to a table's events
 * (verified like `pitbox tail`), receives one camera's outgoing stream (srt://, rtmp://,
 * rtp://), reads the stamp inside every frame, and for each event that names a frame of that
 * camera prints the frame and how far behind the live edge it is; a result whose frame has not
 * arrived yet is held until it does (what a platform does so that no player learns a result
 * before the ball lands in their video).
 *
 *   pitbox receive --config FILE --camera NAME --stream URL [--types round.result] [--json] [--count N]
 */
export async function receiveCommand(args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { ...OPTIONS, camera: { type: 'string' }, stream: { type: 'string' }, types: { type: 'string' }, fps: { type: 'string' } } });
  const target = resolveTarget(v);
  if (typeof target === 'string' || !v.camera || !v.stream) {
    process.stderr.write(`pitbox receive: ${typeof target === 'string' ? target : '--camera NAME and --stream URL are required'}\n`);
    return 2;
  }
  const camera = v.camera;
  const types = v.types ? new Set(v.types.split(',')) : null;
  const count = v.count ? Number(v.count) : Infinity;
  let frames: ReceivedFrames | null = v.fps ? new ReceivedFrames(1e6 / Number(v.fps)) : null;
  const firstStamps: ReceivedFrame[] = [];
  const hold = new FrameHold();
  let reported = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const report = (r: LinkReport): void => {
    // An event from before the stream joined (the broker's history) is told, but is not one of
    // the --count: those are the events this receiver could hold against its video.
    if (r.link !== 'before-join') reported += 1;
    process.stdout.write(`${v.json ? JSON.stringify(r) : describe(r)}\n`);
    if (reported >= count) finish();
  };
  const release = (out: readonly Released[]): void => {
    for (const { event, namedUs, link, heldMs } of out) {
      const base = { seq: event.seq, type: event.type, round: event.round ?? null, camera, namedUs, link: link.kind, heldMs };
      if (link.kind === 'in-video') report({ ...base, frameNo: link.frame.frameNo, behindLiveMs: link.behindLiveMs });
      else if (link.kind === 'neighbour') report({ ...base, distanceUs: link.distanceUs, frameNo: link.frame.frameNo, behindLiveMs: link.behindLiveMs });
      else report(base);
    }
  };

  const entry = workerEntry(new URL('../consumer/stamp-receiver-worker.js', import.meta.url).href, 'stamp-receiver-worker');
  const worker = forkTiedWorker(entry, [v.stream], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  createInterface({ input: worker.stdout! }).on('line', (line) => {
    const f = JSON.parse(line) as { captureUs?: number; frameNo?: number; at?: number };
    if (f.captureUs === undefined || f.frameNo === undefined) return;
    if (!frames) {
      // The frame period from the stamps themselves (the median of the first gaps).
      firstStamps.push({ captureUs: f.captureUs, frameNo: f.frameNo, receivedAt: f.at ?? performance.now() });
      if (firstStamps.length < 12) return;
      const gaps = firstStamps.slice(1).map((s, i) => s.captureUs - firstStamps[i]!.captureUs).sort((a, b) => a - b);
      frames = new ReceivedFrames(gaps[gaps.length >> 1]!);
      for (const early of firstStamps) frames.add(early); // the frames that measured the period count too
    } else frames.add({ captureUs: f.captureUs, frameNo: f.frameNo, receivedAt: f.at ?? performance.now() });
    release(hold.settle(frames));
  });
  worker.once('exit', (code) => {
    process.stderr.write(`pitbox receive: the stream receiver exited (${code})\n`);
    finish();
  });

  const link = await connectTarget('pitbox receive', target, v['broker-timeout']);
  if (typeof link === 'string') {
    worker.kill('SIGTERM');
    return 1;
  }
  const { client } = link;
  let gaveUp = null as string | null; // set in a callback
  void link.gaveUp.then((why) => {
    gaveUp = why;
    process.stderr.write(`pitbox receive: ${why}\n`);
    finish();
  });
  const stream = new VerifiedStream(client, { prefix: target.prefix, ...(target.studio ? { studio: target.studio } : {}), ...(target.table ? { table: target.table } : {}) }, (item) => {
    if (item.kind === 'violation') {
      process.stderr.write(`pitbox receive: VIOLATION ${item.table}: ${item.violation.code}: ${item.violation.detail}\n`);
      return;
    }
    if (item.kind !== 'event' || item.duplicate || (types && !types.has(item.event.type))) return;
    const named = namedFrame(item.event, camera);
    if (named !== null) release(hold.hold(item.event, named, frames));
  });
  await stream.start();
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  await done;
  worker.kill('SIGTERM');
  await client.endAsync();
  return gaveUp === null ? 0 : 1;
}

function describe(r: LinkReport): string {
  const when = new Date(r.namedUs / 1000).toISOString().replace('Z', `${String(r.namedUs % 1000).padStart(3, '0')}Z`);
  const head = `#${r.seq} ${r.type}${r.round === null ? '' : ` round ${r.round}`}: ${r.camera} frame ${when}`;
  if (r.link === 'before-join') return `${head}: before this receiver joined the stream`;
  if (r.link !== 'in-video' && r.link !== 'neighbour') return `${head}: NOT IN THE VIDEO (${r.link})`;
  const off = r.distanceUs === undefined ? 'exact' : `NOT THE FRAME NAMED: the nearest is ${(r.distanceUs / 1000).toFixed(3)} ms from it`;
  const held = r.heldMs > 0 ? `; held ${r.heldMs} ms until the video reached it` : '';
  return `${head} (#${r.frameNo}, ${off}); the live edge is ${((r.behindLiveMs ?? 0) / 1000).toFixed(3)} s past it${held}`;
}
