import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { Camera } from '../../drivers/camera/camera.js';
import { cameraConfig } from '../../drivers/camera/config.js';
import { workerEntry } from '../../drivers/camera/worker-protocol.js';
import { silentLogger } from '../log.js';
import { freePort, until } from '../test-support/harness.js';

/** Debian's nginx with its RTMP module, on a loopback port: the third-party ingest a studio's platform runs. */
async function nginxRtmp(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'pitbox-nginx-'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
      'daemon off; master_process off; worker_processes 1;',
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log info;`,
      'events { worker_connections 64; }',
      `rtmp { server { listen 127.0.0.1:${port}; application live { live on; } } }`,
      '',
    ].join('\n'),
  );
  const nginx = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  await until('nginx listening', () => nginx.exitCode === null && requireListening(port), 10_000);
  return nginx;
}

function requireListening(port: number): boolean {
  const out = spawnText('ss', ['-ltn', `sport = :${port}`]);
  return out.includes(`:${port}`);
}

function spawnText(cmd: string, args: string[]): string {
  return spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';
}

function receiver(url: string, stamps: { captureUs: number; frameNo: number }[]): ChildProcess {
  const entry = workerEntry(new URL('./video-link.ts', import.meta.url).href, 'stamp-receiver-worker');
  const child = fork(entry.path, [url], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  createInterface({ input: child.stdout! }).on('line', (line) => stamps.push(JSON.parse(line) as { captureUs: number; frameNo: number }));
  return child;
}

t.test('the frame stamps travel inside the stream: RTMP through nginx, and RTP', async (t) => {
  const rtmpPort = await freePort();
  const rtpPort = await freePort();
  const nginx = await nginxRtmp(rtmpPort);
  t.teardown(() => nginx.kill('SIGKILL'));
  const camera = new Camera(
    cameraConfig.parse({
      name: 'overhead',
      source: { kind: 'test', width: 320, height: 240, framerate: 10 },
      outputs: [`rtmp://127.0.0.1:${rtmpPort}/live/overhead`, `rtp://127.0.0.1:${rtpPort}`],
      preview: { enabled: false },
    }),
    silentLogger,
  );
  const viaRtp: { captureUs: number; frameNo: number }[] = [];
  const viaRtmp: { captureUs: number; frameNo: number }[] = [];
  const rtp = receiver(`rtp://127.0.0.1:${rtpPort}`, viaRtp);
  t.teardown(() => rtp.kill('SIGKILL'));
  camera.start();
  t.teardown(() => camera.stop());
  await until('nginx has the stream', () => viaRtp.length > 10, 30_000);
  const rtmp = receiver(`rtmp://127.0.0.1:${rtmpPort}/live/overhead`, viaRtmp);
  t.teardown(() => rtmp.kill('SIGKILL'));
  await until('frames over RTMP and RTP', () => viaRtmp.length > 30 && viaRtp.length > 50, 60_000);
  for (const [name, got] of [['RTMP', viaRtmp], ['RTP', viaRtp]] as const) {
    const ordered = got.every((s, i) => i === 0 || (s.captureUs > got[i - 1]!.captureUs && s.frameNo === got[i - 1]!.frameNo + 1));
    t.ok(ordered, `${name}: every frame stamped, numbers consecutive, times rising`);
    const gaps = got.slice(1).map((s, i) => s.captureUs - got[i]!.captureUs);
    t.ok(gaps.every((g) => Math.abs(g - 100_000) < 5000), `${name}: stamps 100 ms apart, as captured at 10 fps`);
  }
  const rtpByNo = new Map(viaRtp.map((s) => [s.frameNo, s.captureUs]));
  const common = viaRtmp.filter((s) => rtpByNo.has(s.frameNo));
  t.ok(common.length > 20 && common.every((s) => rtpByNo.get(s.frameNo) === s.captureUs), `the same frame carries the same stamp on both outputs (${common.length} compared)`);
});
