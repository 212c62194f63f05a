import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { silentLogger } from '../../../appliance/log.js';
import { childPids, freePort, until } from '../../../appliance/test-support/harness.js';
import { Camera } from '../camera.js';
import { cameraConfig } from '../config.js';
import { workerEntry } from '../worker-protocol.js';

interface ServerLine {
  listening?: number;
  request?: { method: string; path: string; contentType: string | null; auth: string | null };
  frame?: { captureUs: number; frameNo: number; session: number; idr?: true };
  pli?: number;
  connected?: number;
  answered?: { session: number; atUs: number };
  rtp?: { session: number; seq: number; ts: number; marker: boolean };
  deleted?: number;
}

/** The test WHIP server (webrtcbin behind HTTP) on `port`, in a process of its own. */
async function whipServer(port: number, env: Record<string, string>): Promise<{ proc: ChildProcess; lines: ServerLine[] }> {
  const entry = workerEntry(new URL('../../../appliance/test-support/harness.ts', import.meta.url).href, 'whip-receiver');
  const proc = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, WHIP_PORT: String(port), ...env } });
  const lines: ServerLine[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as ServerLine));
  await until('the WHIP server listening', () => lines.some((l) => l.listening === port), 20_000);
  return { proc, lines };
}

function camera(outputs: string[], keyframeIntervalS = 1, source: Record<string, unknown> = { framerate: 10 }): Camera {
  return new Camera(
    cameraConfig.parse({ name: 'overhead', source: { kind: 'test', width: 320, height: 240, ...source }, encoder: { keyframeIntervalS }, outputs, preview: { enabled: false }, restart: { initialMs: 200, maxMs: 1000, budget: 50, windowS: 60, cooldownS: 5 } }),
    silentLogger,
  );
}

function tokenFile(token: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pitbox-whip-')), 'token');
  writeFileSync(file, `${token}\n`);
  chmodSync(file, 0o600);
  return file;
}

const whipHealth = (c: Camera) => c.health().outputs.find((o) => o.url.startsWith('whip'));

t.test('WHIP to a webrtcbin server: the protocol on the wire, the stamped video, a server that vanishes, DELETE on stop', async (t) => {
  const port = await freePort();
  let server = await whipServer(port, { WHIP_TOKEN: 'studio-secret' });
  t.teardown(() => server.proc.kill('SIGKILL'));
  const cam = camera([`whip+http://127.0.0.1:${port}/whip?tokenFile=${tokenFile('studio-secret')}`]);
  cam.start();
  t.teardown(() => cam.stop());
  await until('stamped frames over WebRTC', () => server.lines.filter((l) => l.frame).length >= 20, 60_000);
  const requests = server.lines.filter((l) => l.request).map((l) => l.request);
  t.match(requests.find((r) => r?.method === 'POST'), { path: '/whip', contentType: 'application/sdp', auth: 'Bearer studio-secret' }, 'the offer as application/sdp with the bearer token');
  const frames = server.lines.filter((l) => l.frame).map((l) => l.frame!);
  t.ok(frames.every((f, i) => i === 0 || f.frameNo === frames[i - 1]!.frameNo + 1), 'every frame arrives stamped, in order: the camera\'s own H.264, not encoded again');
  await until('the output says up', () => whipHealth(cam)?.state === 'up', 10_000);

  // The server vanishes mid-stream: only this output restarts, and comes back to a new server.
  server.proc.kill('SIGKILL');
  await until('the output notices (no RTCP receiver report for 12 s)', () => whipHealth(cam)?.state !== 'up', 45_000);
  server = await whipServer(port, { WHIP_TOKEN: 'studio-secret' });
  await until('video again after the server came back', () => server.lines.filter((l) => l.frame).length >= 10, 60_000);
  t.ok((whipHealth(cam)?.restarts ?? 0) >= 1, 'the output process was restarted');
  t.equal(cam.health().restarts, 0, 'the camera itself never restarted');

  const session = server.lines.find((l) => l.connected)?.connected;
  await cam.stop();
  await until('DELETE of the session', () => server.lines.some((l) => l.deleted !== undefined), 20_000);
  t.equal(server.lines.find((l) => l.deleted !== undefined)?.deleted, session, 'the session it made is the one it ended');
  t.match(server.lines.filter((l) => l.request).at(-1)?.request, { method: 'DELETE', path: `/whip/session/${session}`, auth: 'Bearer studio-secret' });
});

t.test('WHIP refusals are errors with the reason: a wrong token, not a WHIP endpoint, an inactive answer, busy', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ WHIP_TOKEN: 'another-token' }, /refused the token/],
    [{ WHIP_MODE: 'html' }, /does not take application\/sdp/],
    [{ WHIP_MODE: 'inactive' }, /inactive, not recvonly/],
    [{ WHIP_MODE: 'busy' }, /busy \(503\)/],
  ];
  for (const [env, expected] of cases) {
    const port = await freePort();
    const server = await whipServer(port, env);
    const cam = camera([`whip+http://127.0.0.1:${port}/whip?tokenFile=${tokenFile('studio-secret')}`]);
    cam.start();
    await until(`the error for ${JSON.stringify(env)}`, () => expected.test(whipHealth(cam)?.error ?? ''), 30_000);
    t.notOk(server.lines.some((l) => l.frame), `${JSON.stringify(env)}: no video was taken as sent`);
    t.not(whipHealth(cam)?.state, 'up');
    await cam.stop();
    server.proc.kill('SIGKILL');
  }
});

t.test('a keyframe request from the WHIP server (RTCP PLI) reaches the camera\'s encoder', async (t) => {
  const port = await freePort();
  const server = await whipServer(port, { WHIP_PLI: '1' });
  t.teardown(() => server.proc.kill('SIGKILL'));
  const cam = camera([`whip+http://127.0.0.1:${port}/whip`], 10); // a keyframe only every 10 s on its own
  cam.start();
  t.teardown(() => cam.stop());
  await until('video', () => server.lines.some((l) => l.frame), 60_000);
  const from = server.lines.length;
  await new Promise((r) => setTimeout(r, 9000));
  const window = server.lines.slice(from);
  const idrs = window.filter((l) => l.frame?.idr).length;
  const plis = window.filter((l) => l.pli !== undefined).length;
  t.ok(plis >= 3, `${plis} keyframe requests in 9 s`);
  t.ok(idrs >= 3, `${idrs} keyframes in 9 s with a 10 s keyframe interval: each request answered`);
});

/** RTP timestamps are 32 bits and wrap; differences are taken modulo 2^32 (RFC 3550 5.1). */
const tsDiff = (a: number, b: number): number => ((a - b + 2 ** 31) >>> 0) - 2 ** 31;

/**
 * Issue 21: at the start of every session the RTP timestamps went backwards (frames queued
 * before the pipeline played, then stamped and sent in one burst). Sessions are restarted by
 * killing the WHIP output process (a receiver that vanishes is noticed only after 12 s of
 * RTCP silence, webrtcbin 1.22 having no ICE consent checks), PITBOX_WHIP_SESSIONS of them
 * (20 for the README's figure).
 */
t.test('every WHIP session starts clean: RTP timestamps never go back from the first packet, a fresh keyframe first, spacing from the capture times', async (t) => {
  const sessions = Number(process.env['PITBOX_WHIP_SESSIONS'] ?? 4);
  const port = await freePort();
  const server = await whipServer(port, { WHIP_RTP: '1' });
  t.teardown(() => server.proc.kill('SIGKILL'));
  // A jittered 30 fps camera: the RTP timestamps must follow its capture times, not a grid.
  const cam = camera([`whip+http://127.0.0.1:${port}/whip`], 2, { framerate: 30, jitterMs: 4 });
  cam.start();
  t.teardown(() => cam.stop());
  const framesOf = (id: number) => server.lines.filter((l) => l.frame?.session === id).map((l) => l.frame!);
  const firstMs: number[] = [];
  for (let id = 1; id <= sessions; id++) {
    await until(`session ${id}: 30 frames`, () => framesOf(id).length >= 30, 60_000);
    await until(`session ${id}: its first frame's capture-to-send time reported`, () => whipHealth(cam)?.firstFrameMs != null, 10_000);
    firstMs.push(whipHealth(cam)?.firstFrameMs ?? NaN);
    if (id < sessions) for (const pid of childPids(cam.pid ?? 0)) process.kill(pid, 'SIGKILL');
  }
  await cam.stop();
  for (let id = 1; id <= sessions; id++) {
    const rtp = server.lines.filter((l) => l.rtp?.session === id).map((l) => l.rtp!);
    const frames = framesOf(id);
    const answeredUs = server.lines.find((l) => l.answered?.session === id)?.answered?.atUs ?? Infinity;
    const back = rtp.findIndex((p, i) => i > 0 && tsDiff(p.ts, rtp[i - 1]!.ts) < 0);
    t.equal(back, -1, `session ${id}: ${rtp.length} RTP packets, timestamps never go back from the first (${back >= 0 ? `packet ${back} goes back` : 'none does'})`);
    const frameTs = [...new Set(rtp.map((p) => p.ts))];
    t.ok(frames[0]?.idr, `session ${id}: the first frame is a keyframe`);
    t.ok((frames[0]?.captureUs ?? 0) > answeredUs, `session ${id}: the first frame was captured after the session was answered (${((frames[0]?.captureUs ?? 0) - answeredUs) / 1000} ms after): nothing stale`);
    // Each frame's RTP timestamp is its capture time (90 kHz) from the first frame's: a frame
    // sent late keeps its place, and the camera's jitter shows in the timestamps.
    const expected = frames.map((f) => Math.round(((f.captureUs - frames[0]!.captureUs) * 90) / 1000));
    const got = frameTs.map((ts) => tsDiff(ts, frameTs[0]!));
    const off = expected.filter((e) => !got.some((g) => Math.abs(g - e) <= 1));
    t.same(off, [], `session ${id}: every frame's RTP timestamp is its capture time, to the 90 kHz tick`);
  }
  t.ok(firstMs.every((ms) => Number.isFinite(ms) && ms >= 0), `first frame capture to send, per session: ${firstMs.join(', ')} ms`);
});
