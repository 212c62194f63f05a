/**
 * The frame link, measured. (1) What stamping costs per frame in the camera worker (one SEI NAL
 * built and inserted into the access unit, a copy of the frame) and what reading it costs a
 * receiver, on access units of the sizes a 1080p30 camera makes. (2) Its error: a roulette
 * table on a simulated wheel with a 25 fps test camera sent over SRT to a receiver; for every
 * result, how many frames the received frame nearest to the one named is away from it.
 *
 *   node --import tsx scripts/bench-frame-link.ts [results=100] [speed=20]    (results 0: the cost only)
 */
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { insertBeforeFirstSlice, readStamps, stampNal } from '../drivers/camera/frame-stamp.js';
import { workerEntry } from '../drivers/camera/worker-protocol.js';
import { ReceivedFrames } from '../packages/consumer/src/video-link.js';
import { freePort, simulatedTable, startAppliance, startBroker, stopAppliance, Subscriber, until } from '../appliance/test-support/harness.js';

const wanted = Number(process.argv[2] ?? 100);
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

// (2) error, end to end over SRT
if (wanted === 0) process.exit(0);
const { port, proc } = await startBroker();
const srtPort = await freePort();
const table = await simulatedTable({
  brokerPort: port,
  speed,
  seed: 41,
  faults: {},
  extraConfig: ['cameras:', '  - name: overhead', '    source: { kind: test, width: 640, height: 360, framerate: 25 }', `    outputs: ["srt://127.0.0.1:${srtPort}?mode=caller&latency=120"]`, '    analysis: { enabled: false }', '    preview: { enabled: false }'],
});
const index = new ReceivedFrames(40_000);
const entry = workerEntry(new URL('../appliance/consumer/video-link.ts', import.meta.url).href, 'stamp-receiver-worker');
const rx = fork(entry.path, [`srt://127.0.0.1:${srtPort}?mode=listener&latency=120`], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
createInterface({ input: rx.stdout! }).on('line', (l) => {
  const f = JSON.parse(l) as { captureUs: number; frameNo: number; at: number };
  index.add({ captureUs: f.captureUs, frameNo: f.frameNo, receivedAt: f.at });
});
const sub = await Subscriber.connect(port);
startAppliance(table);
const results = () => sub.unique().filter((e) => e.type === 'round.result');
await until(`${wanted} results`, () => results().length >= wanted + 1, 60 * 60_000);
await new Promise((r) => setTimeout(r, 1000));
const offsets: number[] = [];
let missing = 0;
const unlinked: string[] = [];
for (const [i, e] of results().slice(1).entries()) {
  const named = (e.data['video'] as Record<string, number> | undefined)?.['overhead'];
  const link = named === undefined ? null : index.link(named);
  if (link?.kind === 'in-video') offsets.push(link.offsetFrames);
  else {
    missing++;
    unlinked.push(`#${i + 1} ${link === null ? 'names no frame' : link.kind === 'ahead' ? `ahead by ${link.aheadMs} ms` : link.kind === 'before-join' ? `${link.beforeMs} ms before the receiver joined` : link.reason}`);
  }
}
if (unlinked.length) console.log(`not linked: ${unlinked.join('; ')} (live edge at the end: ${new Date((index.liveEdge?.captureUs ?? 0) / 1000).toISOString()})`);
const hist = new Map<number, number>();
for (const o of offsets) hist.set(o, (hist.get(o) ?? 0) + 1);
console.log(`results linked: ${offsets.length} of ${offsets.length + missing} (25 fps camera, SRT latency 120 ms, wheel at ${speed}x)`);
console.log(`frames off: ${[...hist].sort((a, b) => a[0] - b[0]).map(([o, n]) => `${o}: ${n}`).join(', ')};  more than one frame off: ${offsets.filter((o) => Math.abs(o) > 1).length} (target 0)`);
rx.kill('SIGKILL');
await stopAppliance(table);
await table.sim.stop();
await sub.close();
proc.kill();
process.exit(0);
