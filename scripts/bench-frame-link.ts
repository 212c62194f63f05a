/**
 * The frame link, measured. (1) What stamping costs per frame in the camera worker (one SEI NAL
 * built and inserted into the access unit, a copy of the frame) and what reading it costs a
 * receiver, on access units of the sizes a 1080p30 camera makes. (2) Its exactness: a roulette
 * table on a simulated wheel with a 320x240 15 fps test camera whose capture times wander by up
 * to 4 ms (jitterMs, as a V4L2 camera's), sent at once over SRT, RTP and WHIP to three receivers,
 * for `seconds` from the first result that names a frame; for every result and every transport,
 * whether a received frame carries the very stamp it names (exact), only a neighbour does (with
 * its distance), or none.
 *
 *   node --import tsx scripts/bench-frame-link.ts [seconds=60] [speed=20]    (seconds 0: the cost only)
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { insertBeforeFirstSlice, readStamps, stampNal } from '../drivers/camera/frame-stamp.js';
import { workerEntry } from '../drivers/camera/worker-protocol.js';
import { ReceivedFrames } from '../packages/consumer/src/video-link.js';
import { freePort, simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until } from '../appliance/test-support/harness.js';

const wanted = Number(process.argv[2] ?? 60);
const speed = Number(process.argv[3] ?? 20);
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

// (1) cost: an IDR-sized and a P-sized access unit (AUD, SPS, PPS, slice of random bytes without start codes)
function accessUnit(sliceBytes: number): Buffer {
  const slice = Buffer.alloc(sliceBytes, 0x5a);
  for (let i = 0; i < sliceBytes; i += 97) slice[i] = (i * 31) & 0xff || 1;
  return Buffer.concat([Buffer.from('000000010910', 'hex'), Buffer.from('00000001674d401fe8802802dd8088', 'hex'), Buffer.from('0000000168ebef20', 'hex'), Buffer.from('0000000165', 'hex'), slice]);
}
for (const [name, size] of [['keyframe 120 KB', 120_000], ['delta 15 KB', 15_000]] as const) {
  const au = accessUnit(size);
  const stamp: number[] = [];
  const read: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t0 = performance.now();
    const stamped = insertBeforeFirstSlice(au, stampNal({ captureUs: 1_795_857_481_285_576n + BigInt(i), frameNo: i }));
    const t1 = performance.now();
    readStamps(stamped);
    const t2 = performance.now();
    stamp.push((t1 - t0) * 1000);
    read.push((t2 - t1) * 1000);
  }
  console.log(`stamp ${name}: p50 ${q(stamp, 0.5).toFixed(1)} µs  p99 ${q(stamp, 0.99).toFixed(1)} µs (${((q(stamp, 0.5) / 33_333) * 100).toFixed(3)} % of a 30 fps frame's time);  read: p50 ${q(read, 0.5).toFixed(1)} µs  p99 ${q(read, 0.99).toFixed(1)} µs`);
}

// (2) exactness, end to end over SRT, RTP and WHIP
const seconds = wanted;
if (seconds === 0) process.exit(0);
const { port, proc } = await startBroker();
const [srtPort, rtpPort, whipPort] = [await freePort(), await freePort(), await freePort()];
const table = await simulatedTable({
  brokerPort: port,
  speed,
  seed: 41,
  faults: {},
  extraConfig: [
    'cameras:',
    '  - name: overhead',
    '    source: { kind: test, width: 320, height: 240, framerate: 15, jitterMs: 4 }',
    `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120", "rtp://127.0.0.1:${rtpPort}", "whip+http://127.0.0.1:${whipPort}/whip"]`,
    '    analysis: { enabled: false }',
    '    preview: { enabled: false }',
  ],
});
const received: Record<'SRT' | 'RTP' | 'WHIP', { captureUs: number; frameNo: number; receivedAt: number }[]> = { SRT: [], RTP: [], WHIP: [] };
const stampReceiver = workerEntry(new URL('../appliance/consumer/video-link.ts', import.meta.url).href, 'stamp-receiver-worker');
const whipEntry = workerEntry(new URL('../appliance/test-support/harness.ts', import.meta.url).href, 'whip-receiver');
const receivers = [
  fork(stampReceiver.path, [`srt://127.0.0.1:${srtPort}?mode=listener&latency=120`], { execArgv: stampReceiver.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }),
  fork(stampReceiver.path, [`rtp://127.0.0.1:${rtpPort}`], { execArgv: stampReceiver.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }),
  fork(whipEntry.path, [], { execArgv: whipEntry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, WHIP_PORT: String(whipPort) } }),
];
for (const [i, transport] of (['SRT', 'RTP', 'WHIP'] as const).entries()) {
  createInterface({ input: receivers[i]!.stdout! }).on('line', (l) => {
    const m = JSON.parse(l) as { captureUs?: number; frameNo?: number; at?: number; frame?: { captureUs: number; frameNo: number } };
    const f = m.frame ?? (m.captureUs !== undefined ? { captureUs: m.captureUs, frameNo: m.frameNo ?? 0 } : null);
    if (f) received[transport].push({ captureUs: f.captureUs, frameNo: f.frameNo, receivedAt: m.at ?? performance.now() });
  });
}
const sub = await Subscriber.connect(port);
await new Promise((r) => setTimeout(r, 2000)); // the WHIP server up
startAppliance(table);
const results = () => sub.unique().filter((e) => e.type === 'round.result');
// From the first result that names a frame: the camera is up and sending.
const names = (e: { data: Record<string, unknown> }): boolean => (e.data['video'] as Record<string, number> | undefined)?.['overhead'] !== undefined;
await until('the first result naming a frame', () => results().some(names), 300_000).catch((err: Error) => {
  console.log(`${err.message}; the appliance said:\n${table.output.join('').slice(-4000)}`);
  process.exit(1);
});
const from = results().length;
await new Promise((r) => setTimeout(r, seconds * 1000));
const to = results().length;
await new Promise((r) => setTimeout(r, 1500)); // the last result's frame reaches the receivers
console.log(`${to - from} results in ${seconds} s (wheel at ${speed}x; 320x240 15 fps camera with capture times wandering by up to 4 ms; load: ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
for (const transport of ['SRT', 'RTP', 'WHIP'] as const) {
  const got = received[transport].sort((a, b) => a.captureUs - b.captureUs);
  const index = new ReceivedFrames(1e6 / 15);
  for (const f of got) index.add(f);
  let exact = 0;
  let outside = 0;
  const other: string[] = [];
  for (const e of results().slice(from, to)) {
    const named = (e.data['video'] as Record<string, number> | undefined)?.['overhead'];
    if (named === undefined) {
      other.push(`#${e.seq} names no frame`);
      continue;
    }
    // In range: the receiver had frames within a second either side of it.
    if (!got.some((f) => f.captureUs <= named && f.captureUs > named - 1e6) || !got.some((f) => f.captureUs >= named && f.captureUs < named + 1e6)) {
      outside++;
      continue;
    }
    const link = index.link(named);
    if (link.kind === 'in-video') exact++;
    else other.push(`#${e.seq} ${link.kind === 'neighbour' ? `a neighbour ${link.distanceUs} µs away` : link.kind === 'missing' ? link.reason : link.kind}`);
  }
  const inRange = exact + other.length;
  console.log(`  ${transport.padEnd(4)} ${exact} of ${inRange} results in range name a received frame by equal stamp (${inRange ? ((100 * exact) / inRange).toFixed(1) : '-'} %; ${outside} outside what it received; ${got.length} frames)${other.length ? `; not: ${other.join(', ')}` : ''}`);
}
for (const r of receivers) r.kill('SIGKILL');
await stopAppliance(table);
await table.sim.stop();
await sub.close();
proc.kill();
process.exit(0);
