/**
 * Camera benchmarks on real GStreamer, on loopback (figures in README "Figures" with the command):
 *
 *   node --import tsx scripts/bench-camera.ts glass [seconds=120] [reps=2]
 *   node --import tsx scripts/bench-camera.ts cpu [seconds=30]
 *   node --import tsx scripts/bench-camera.ts memory [seconds=600]
 *   node --import tsx scripts/bench-camera.ts transports [seconds=60]
 *
 * glass: glass-to-glass latency and lost frames at 720p30. Every frame is stamped at the source
 *   with debugqroverlay (frame count + running time), encoded with x264 zerolatency, sent over
 *   SRT (latency 40 ms) to a receiver process that decodes it and reads the QR code back with
 *   zbar. Latency = receive time - (sender's base time + the frame's running time), both on
 *   CLOCK_MONOTONIC. Two senders, alternating `reps` times: the same pipeline in gst-launch-1.0
 *   (baseline) and a pitbox camera worker with its analysis branch at full load (30 fps of 720p
 *   BGR into a consumer that reads every pixel).
 * cpu: CPU per camera (worker + output processes) at 720p30 and 1080p30 with an SRT receiver,
 *   next to gst-launch-1.0 running the same capture + encode + SRT pipeline.
 * memory: a 720p30 camera with analysis and an SRT output for `seconds`; the worker's and the
 *   output process's resident memory every 10 s.
 * cpu and memory run plain colour bars: debugqroverlay itself leaks about 1 MiB/s (GStreamer 1.22).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Camera, type CameraFrame } from '../drivers/camera/camera.js';
import { cameraConfig, type CameraConfig } from '../drivers/camera/config.js';
import { pickEncoder } from '../drivers/camera/encoders.js';
import { outputLaunch, parseOutput } from '../drivers/camera/outputs.js';
import { percentile } from '../drivers/camera/stream-stats.js';
import type { LatencySummary } from '../drivers/camera/worker-protocol.js';
import { silentLogger } from '../appliance/log.js';
import { childPids, freePort } from '../appliance/test-support/harness.js';
import { stageLines } from './bench/stages.js';

const SRT_LATENCY_MS = 40;
const WARMUP_S = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/**
 * A test camera. The QR overlay only for the latency runs: debugqroverlay leaks about 1 MiB/s in
 * GStreamer 1.22 (measured with gst-launch-1.0 alone), so CPU and memory use plain colour bars.
 */
function camera(width: number, height: number, outputs: string[], extra: Partial<CameraConfig> = {}, overlay: 'qr' | 'none' = 'none'): CameraConfig {
  return cameraConfig.parse({ name: 'bench', source: { kind: 'test', width, height, framerate: 30, overlay }, outputs, ...extra });
}

/** gst-launch-1.0 running exactly the capture + encode + output that a pitbox worker builds (no analysis branch). */
function gstLaunchSender(config: CameraConfig, url: string): { proc: ChildProcess; baseNs: Promise<number> } {
  const enc = pickEncoder(config);
  const s = config.source;
  const launch = [
    `videotestsrc is-live=true ! video/x-raw,width=${s.width},height=${s.height},framerate=30/1`,
    ...(s.kind === 'test' && s.overlay === 'qr' ? ['debugqroverlay x=2 y=2 pixel-size=2'] : []),
    'videoconvert',
    `video/x-raw,format=${enc.format}`,
    enc.launch,
    'h264parse config-interval=-1',
    outputLaunch(parseOutput(url)),
  ].join(' ! ');
  const proc = spawn('sh', ['-c', `exec gst-launch-1.0 -q ${launch}`], { env: { ...process.env, GST_DEBUG: 'GST_CLOCK:5', GST_DEBUG_NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const baseNs = new Promise<number>((resolve) => {
    const lines = createInterface({ input: proc.stderr as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const m = /<pipeline0> set base_time=(\d+):(\d+):(\d+)\.(\d{9})/.exec(line);
      if (m) resolve(((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1e9 + Number(m[4]));
    });
  });
  return { proc, baseNs };
}

interface Arrival {
  count: number;
  timestamp: number;
  recv: number;
}

interface Receiver {
  proc: ChildProcess;
  arrivals: Arrival[];
  /** Frame numbers (pitbox's stamps) of the access units that arrived, decoded or not, and when (ns). */
  aus?: Map<number, number>;
  /** The receiving srtsrc's counters at the end. */
  srt?: Record<string, number>;
}

function startReceiver(port: number, width: number, height: number, latencyMs: number): Receiver {
  const entry = new URL('./bench/qr-receiver.ts', import.meta.url).pathname;
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, String(port), String(latencyMs), String(width), String(height)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rx: Receiver = { proc, arrivals: [], aus: new Map() };
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const m = JSON.parse(line) as Arrival | { au: number; recv: number } | { srt: Record<string, number> };
    if ('au' in m) {
      if (!rx.aus?.has(m.au)) rx.aus?.set(m.au, m.recv);
    }
    else if ('srt' in m) rx.srt = m.srt;
    else rx.arrivals.push(m);
  });
  return rx;
}

/** The test WHIP server (webrtcbin) decoding the QR codes: the WHIP receiver of the benchmark. */
function startWhipReceiver(port: number, width: number, height: number): Receiver {
  const entry = new URL('../appliance/test-support/whip-receiver.ts', import.meta.url).pathname;
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WHIP_PORT: String(port), WHIP_QR: `${width}x${height}` } });
  const arrivals: Arrival[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const m = JSON.parse(line) as { qr?: Arrival };
    if (m.qr) arrivals.push(m.qr);
  });
  return { proc, arrivals };
}

/** Waits until something has UDP `port` bound on this host (an SRT listener), from /proc/net. */
async function untilUdpBound(port: number, ms: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const bound = ['/proc/net/udp', '/proc/net/udp6'].some((f) => {
      try {
        return readFileSync(f, 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
      } catch {
        return false;
      }
    });
    if (bound) return;
    await sleep(100);
  }
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  await Promise.race([once(proc, 'exit'), sleep(3000).then(() => proc.kill('SIGKILL'))]);
}

interface GlassResult {
  sent: number;
  received: number;
  lost: number;
  latencies: number[];
  /** The measured frames: capture time on the sender's clock (ns) -> decoded at the receiver (ns). */
  decoded: Map<number, number>;
}

function summarise(arrivals: Arrival[], baseNs: number): GlassResult {
  const seen = new Map<number, Arrival>();
  for (const a of arrivals) if (!seen.has(a.count)) seen.set(a.count, a);
  // From the first frame after the warm-up (the SRT handshake) to the last one received.
  const counts = [...seen.keys()].sort((a, b) => a - b);
  const first = (counts[0] ?? 0) + WARMUP_S * 30;
  const last = counts.at(-1) ?? 0;
  const kept = counts.filter((c) => c >= first);
  const decoded = new Map<number, number>();
  const latencies = kept.map((c) => {
    const a = seen.get(c) as Arrival;
    decoded.set(baseNs + a.timestamp, a.recv);
    return (a.recv - (baseNs + a.timestamp)) / 1e6;
  });
  const sent = Math.max(0, last - first + 1);
  return { sent, received: kept.length, lost: sent - kept.length, latencies: latencies.sort((a, b) => a - b), decoded };
}

type Variant = 'gst-launch' | 'pitbox' | 'pitbox-whip';

async function glassRun(
  variant: Variant,
  seconds: number,
  latencyMs = SRT_LATENCY_MS,
): Promise<GlassResult & { analysis?: { delivered: number; dropped: number; workerLost: number; outputDropped: number }; sink?: Readonly<Record<string, number>>; aus?: number; rxSrt?: Record<string, number>; captureToSend?: LatencySummary | null; stages?: string[] }> {
  const port = await freePort();
  const rx = variant === 'pitbox-whip' ? startWhipReceiver(port, 1280, 720) : startReceiver(port, 1280, 720, latencyMs);
  // The receiver listening before the sender starts: gst-launch's srtsink gives up at once when
  // its caller finds nobody, and a loaded box can take seconds to start a receiver.
  if (variant === 'pitbox-whip') await sleep(3000);
  else await untilUdpBound(port, 60_000);
  const url = variant === 'pitbox-whip' ? `whip+http://127.0.0.1:${port}/whip` : `srt://127.0.0.1:${port}?mode=caller&latency=${latencyMs}`;
  const config = camera(1280, 720, [url], { analysis: { enabled: true, maxFps: 30 } }, 'qr');
  let baseNs: number;
  let finish: () => Promise<void>;
  let analysis: { delivered: number; dropped: number; workerLost: number; outputDropped: number } | undefined;
  let sink: Readonly<Record<string, number>> | undefined;
  let captureToSend: LatencySummary | null = null;
  if (variant === 'gst-launch') {
    const sender = gstLaunchSender(config, url);
    baseNs = await sender.baseNs;
    finish = () => stop(sender.proc);
  } else {
    // Each stage's time per frame over SRT (drivers/camera/stage-trace.ts), read back after the run.
    if (variant === 'pitbox') process.env.PITBOX_STAGE_TRACE = join(mkdtempSync(join(tmpdir(), 'pitbox-stages-')), 'run');
    const cam = new Camera(config, silentLogger);
    let sum = 0;
    const base = new Promise<number>((resolve) => {
      cam.setConsumer((frame: CameraFrame) => {
        if (frame.captureClockNs !== null && frame.streamTimeNs !== null) resolve(frame.captureClockNs - frame.streamTimeNs);
        // Full load: touch every byte of every frame, as a recogniser would read them.
        for (let i = 0; i < frame.data.length; i += 1) sum += frame.data[i] as number;
      });
    });
    cam.start();
    baseNs = await base;
    finish = async () => {
      const h = cam.health();
      analysis = { delivered: h.analysis.delivered, dropped: h.analysis.dropped, workerLost: h.framesDropped, outputDropped: h.outputs[0]?.dropped ?? 0 };
      sink = h.outputs[0]?.sink;
      captureToSend = h.outputs[0]?.captureToSendMs ?? null;
      await cam.stop();
      if (sum < 0) console.log(sum);
    };
  }
  await sleep(seconds * 1000);
  await finish();
  await sleep(500);
  await stop(rx.proc);
  const result = summarise(rx.arrivals, baseNs);
  // Access units that arrived within the measured span (frame numbers of the QR span, shifted).
  const aus = rx.aus && rx.aus.size > 0 ? Math.min(rx.aus.size, result.sent) : undefined;
  const prefix = process.env.PITBOX_STAGE_TRACE;
  delete process.env.PITBOX_STAGE_TRACE;
  const stages = prefix ? stageLines({ prefix, decoded: result.decoded, arrived: rx.aus ?? new Map() }) : undefined;
  return { ...result, ...(analysis ? { analysis } : {}), ...(sink ? { sink } : {}), ...(aus !== undefined ? { aus } : {}), ...(rx.srt ? { rxSrt: rx.srt } : {}), captureToSend, ...(stages ? { stages } : {}) };
}

/**
 * Issue 14: glass to glass over WHIP next to SRT at latency 40 and 120 and the gst-launch
 * baseline, in one run; and frames lost against SRT latency (40, 80, 120 ms), with the SRT
 * sender's own counters to say where a lost frame went (retransmitted too late, dropped by the
 * sender as too late to send, or never acknowledged).
 */
async function transports(seconds: number): Promise<void> {
  console.log(`glass-to-glass, 720p30, x264 zerolatency 3 Mbit/s on loopback, ${seconds} s per run; the same QR-stamped source and receiver decode for every transport; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  const runs: [string, Variant, number][] = [
    ['gst-launch SRT 40', 'gst-launch', 40],
    ['pitbox SRT 40', 'pitbox', 40],
    ['pitbox SRT 80', 'pitbox', 80],
    ['pitbox SRT 120', 'pitbox', 120],
    ['pitbox WHIP', 'pitbox-whip', 0],
  ];
  for (const [name, variant, latency] of runs) {
    const res = await glassRun(variant, seconds, latency || SRT_LATENCY_MS);
    const l = res.latencies;
    const s = res.sink ?? {};
    const r = res.rxSrt ?? {};
    const srt = variant === 'pitbox' ? `  srt sender: sent ${s['packets-sent'] ?? '-'}, retransmitted ${s['packets-retransmitted'] ?? '-'}, lost (NAKed) ${s['packets-sent-lost'] ?? '-'}, dropped as too late ${s['packets-sent-dropped'] ?? '-'}; receiver: lost ${r['packets-received-lost'] ?? '-'} (of ${r['packets-received'] ?? '-'}); access units arrived ${res.aus ?? '-'} of ${res.sent} (the rest of the loss is the QR read)` : '';
    const c = res.captureToSend;
    // Where pitbox's share of the latency goes: capture to its output process handing the frame to the muxer.
    const handover = c ? `  capture to the output's pipeline p50 ${fmt(c.p50)} / p95 ${fmt(c.p95)} / p99 ${fmt(c.p99)} ms` : '';
    const worker = res.analysis ? `  lost before the encoder's output ${res.analysis.workerLost}, not sent ${res.analysis.outputDropped}${handover}` : '';
    console.log(`  ${name.padEnd(18)} frames ${res.received}/${res.sent} (lost ${res.lost})  p50 ${fmt(percentile(l, 0.5))} ms  p95 ${fmt(percentile(l, 0.95))} ms  p99 ${fmt(percentile(l, 0.99))} ms${worker}${srt}`);
    for (const line of res.stages ?? []) console.log(`      ${line}`);
  }
}

async function glass(seconds: number, reps: number): Promise<void> {
  console.log(`glass-to-glass, 720p30, x264 zerolatency 3 Mbit/s, SRT latency ${SRT_LATENCY_MS} ms on loopback, ${seconds} s per run, ${reps} run(s) per sender, alternating`);
  const all: Record<string, GlassResult> = {};
  for (let r = 0; r < reps; r++) {
    for (const variant of ['gst-launch', 'pitbox'] as const) {
      const res = await glassRun(variant, seconds);
      const l = res.latencies;
      console.log(
        `  run ${r + 1} ${variant.padEnd(10)} frames ${res.received}/${res.sent} (lost ${res.lost})  p50 ${fmt(percentile(l, 0.5))} ms  p95 ${fmt(percentile(l, 0.95))} ms  p99 ${fmt(percentile(l, 0.99))} ms` +
          (res.analysis
            ? `  analysis frames delivered ${res.analysis.delivered}, dropped ${res.analysis.dropped}; lost before the encoder's output ${res.analysis.workerLost}, not sent ${res.analysis.outputDropped}`
            : ''),
      );
      for (const line of res.stages ?? []) console.log(`      ${line}`);
      const acc = (all[variant] ??= { sent: 0, received: 0, lost: 0, latencies: [], decoded: new Map() });
      acc.sent += res.sent;
      acc.received += res.received;
      acc.lost += res.lost;
      acc.latencies.push(...res.latencies);
    }
  }
  const g = all['gst-launch'] as GlassResult;
  const p = all.pitbox as GlassResult;
  for (const [name, r] of [['gst-launch', g], ['pitbox', p]] as const) {
    r.latencies.sort((a, b) => a - b);
    console.log(`  all ${name.padEnd(10)} frames ${r.received}/${r.sent} (lost ${r.lost})  p50 ${fmt(percentile(r.latencies, 0.5))} ms  p95 ${fmt(percentile(r.latencies, 0.95))} ms  p99 ${fmt(percentile(r.latencies, 0.99))} ms`);
  }
  console.log(`  ratio pitbox / gst-launch: p50 ${fmt(percentile(p.latencies, 0.5) / percentile(g.latencies, 0.5), 2)}x  p95 ${fmt(percentile(p.latencies, 0.95) / percentile(g.latencies, 0.95), 2)}x`);
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A receiver that only takes the SRT stream (no decode), so its CPU is not the camera's. */
function sink(port: number): ChildProcess {
  return spawn('gst-launch-1.0', ['-q', 'srtsrc', `uri=srt://127.0.0.1:${port}?mode=listener`, '!', 'fakesink', 'sync=false'], { stdio: 'ignore' });
}

async function cpu(seconds: number): Promise<void> {
  console.log(`CPU per camera (cores = CPU seconds / wall seconds) over ${seconds} s after ${WARMUP_S} s warm-up; videotestsrc colour bars, x264 ultrafast zerolatency 3 Mbit/s, SRT to a local receiver`);
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    const measure = async (pids: () => number[]): Promise<number> => {
      await sleep(WARMUP_S * 1000);
      const ids = pids();
      const before = ids.map(cpuSeconds);
      await sleep(seconds * 1000);
      return ids.map(cpuSeconds).reduce((s, x, i) => s + x - (before[i] ?? 0), 0) / seconds;
    };
    const rows: [string, number][] = [];
    {
      const port = await freePort();
      const rx = sink(port);
      const url = `srt://127.0.0.1:${port}?mode=caller&latency=${SRT_LATENCY_MS}`;
      const sender = gstLaunchSender(camera(w, h, [url]), url);
      rows.push(['gst-launch-1.0 (capture, encode, SRT)', await measure(() => [sender.proc.pid as number])]);
      await stop(sender.proc);
      await stop(rx);
    }
    for (const analysis of [false, true]) {
      const port = await freePort();
      const rx = sink(port);
      const cam = new Camera(camera(w, h, [`srt://127.0.0.1:${port}?mode=caller&latency=${SRT_LATENCY_MS}`], { analysis: { enabled: analysis, maxFps: 15 } }), silentLogger);
      cam.setConsumer(() => undefined);
      cam.start();
      const label = analysis ? 'pitbox worker + output, analysis 15 fps BGR' : 'pitbox worker + output, no analysis';
      rows.push([label, await measure(() => [cam.pid as number, ...childPids(cam.pid as number)])]);
      await cam.stop();
      await stop(rx);
    }
    const base = rows[0]?.[1] ?? NaN;
    console.log(`  ${w}x${h}@30:`);
    for (const [label, cores] of rows) console.log(`    ${label.padEnd(46)} ${fmt(cores, 2)} cores  (${fmt(cores / base, 2)}x gst-launch)`);
  }
}

async function memory(seconds: number): Promise<void> {
  const port = await freePort();
  const rx = sink(port);
  const cam = new Camera(camera(1280, 720, [`srt://127.0.0.1:${port}?mode=caller&latency=${SRT_LATENCY_MS}`], { analysis: { enabled: true, maxFps: 15 } }), silentLogger);
  let frames = 0;
  cam.setConsumer(() => {
    frames++;
  });
  cam.start();
  await sleep(WARMUP_S * 1000);
  const worker = cam.pid as number;
  const output = childPids(worker)[0] ?? 0;
  console.log(`memory over ${seconds} s, 720p30 camera with analysis (15 fps) and an SRT output; RSS in MiB every 10 s`);
  const samples: { t: number; worker: number; output: number }[] = [];
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    samples.push({ t: Math.round((Date.now() - start) / 1000), worker: rssMiB(worker), output: rssMiB(output) });
    await sleep(10_000);
  }
  const h = cam.health();
  await cam.stop();
  await stop(rx);
  console.log(samples.map((s) => `  t=${String(s.t).padStart(4)} s  worker ${fmt(s.worker)}  output ${fmt(s.output)}`).join('\n'));
  const minute = Math.min(6, Math.floor(samples.length / 2));
  const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
  const firstW = med(samples.slice(0, minute).map((s) => s.worker));
  const lastW = med(samples.slice(-minute).map((s) => s.worker));
  const firstO = med(samples.slice(0, minute).map((s) => s.output));
  const lastO = med(samples.slice(-minute).map((s) => s.output));
  console.log(`  worker: first minute median ${fmt(firstW)} MiB, last minute ${fmt(lastW)} MiB (${fmt(lastW - firstW)} MiB)`);
  console.log(`  output: first minute median ${fmt(firstO)} MiB, last minute ${fmt(lastO)} MiB (${fmt(lastO - firstO)} MiB)`);
  console.log(`  frames encoded ${h.framesOut}, lost ${h.framesDropped}, restarts ${h.restarts}, analysis frames delivered ${frames}`);
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'glass') await glass(Number(a ?? 120), Number(b ?? 2));
else if (mode === 'cpu') await cpu(Number(a ?? 30));
else if (mode === 'memory') await memory(Number(a ?? 600));
else if (mode === 'transports') await transports(Number(a ?? 60));
else {
  console.error('usage: bench-camera.ts glass [seconds] [reps] | cpu [seconds] | memory [seconds] | transports [seconds]');
  process.exitCode = 2;
}
