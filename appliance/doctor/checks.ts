// Over 400 lines on purpose: the list of every check `pitbox doctor` runs, in the order it prints
// them; each check is short and stands alone, and the list reads as the one report a technician gets.
import { spawnSync } from 'node:child_process';
import { randomUUID, verify as edVerify, createPublicKey } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { connect as tcpConnect } from 'node:net';
import { LinuxBinding } from '@serialport/bindings-cpp';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { SerialPortStream } from '@serialport/stream';
import { readWhipToken, whipTarget } from '../../drivers/camera/whip/whip-url.js';
import { parseOutput } from '../../drivers/camera/outputs.js';
import { LineFramer, type FramedLine } from '../../drivers/serial/line-framer.js';
import { decodeLine } from '../../drivers/wheel/ss2/messages.js';
import { ModelError } from '../recognition/classifier.js';
import { modelSpecOption } from '../recognition/deck.js';
import { CardRecognizer } from '../recognition/recognizer.js';
import { measureCamera } from './measure-camera.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { TableConfig } from '../config/schema.js';
import { verifyChain } from '../journal/integrity.js';
import { silentLogger } from '../log.js';
import { KeyError, loadKeys } from '../signing/keyring.js';
import { defaultSocketPath } from '../kernel/control-socket.js';
import { uplinkClientOptions, uplinkUrl } from '../uplink/client-options.js';
import { fail, pass, skip, warn, type Check, type CheckResult } from './doctor.js';
import type { DoctorContext } from './doctor-context.js';
import { httpTlsCheck, packageFilesCheck } from './security-checks.js';
import { inputsCheck } from './input-checks.js';

export type { DoctorContext };

const MIB = 2 ** 20;

const needConfig =
  <C extends DoctorContext>(fn: (config: TableConfig, ctx: C) => Promise<CheckResult | CheckResult[]> | CheckResult | CheckResult[]) =>
  (ctx: C) =>
    ctx.config ? fn(ctx.config, ctx) : skip('no usable config');

export const CHECKS: Check<DoctorContext>[] = [
  {
    name: 'config',
    run: async (ctx) => {
      try {
        const c = (ctx.config = loadConfig(ctx.configFile));
        ctx.running = await askRunning(ctx.socketPath(c));
        const what = c.game === 'roulette' ? `roulette (${c.wheel.driver} on ${c.wheel.port})` : `${c.game} (cards from camera ${c.cards.camera})`;
        return pass(`${c.studio}/${c.table}: ${what}, ${c.cameras.length} camera(s), uplink ${c.uplink ? c.uplink.url : 'embedded broker'}`);
      } catch (err) {
        if (err instanceof ConfigError) return fail(err.message.replace(/\n\s*/g, '; '), `edit the keys named, then \`pitbox config check ${ctx.configFile}\``);
        throw err;
      }
    },
  },
  {
    name: 'service',
    run: needConfig((c, ctx) => {
      const unit = `pitbox@${c.table}`;
      const systemd = existsSync('/run/systemd/system');
      const running = ctx.running ? 'the appliance is running (its control socket answers)' : 'the appliance is not running';
      if (!systemd) return ctx.running ? pass(`${running}; not under systemd on this machine`) : warn(`${running}; no systemd on this machine`, `start it: pitbox run --config ${ctx.configFile}`);
      const show = spawnSync('systemctl', ['show', unit, '-p', 'ActiveState,SubState,WatchdogUSec,NRestarts', '--value'], { encoding: 'utf8' });
      const [active, sub, watchdog, restarts] = show.stdout.trim().split('\n');
      if (active !== 'active') return fail(`${unit} is ${active ?? 'unknown'} (${sub ?? '?'})`, `systemctl enable --now ${unit}; journalctl -u ${unit} -n 50`);
      const armed = watchdog !== undefined && watchdog !== '0' && watchdog !== 'infinity';
      return armed ? pass(`${unit} ${active}/${sub}, watchdog ${watchdog}, ${restarts ?? 0} restarts`) : warn(`${unit} ${active} but its watchdog is not armed`, 'install the packaged unit (WatchdogSec=30s)');
    }),
  },
  {
    name: 'user',
    run: needConfig((c) => {
      const passwd = readFileSync('/etc/passwd', 'utf8');
      if (!/^pitbox:/m.test(passwd)) return fail('no `pitbox` user: the service runs as it', 'install the pitbox package (its sysusers.d entry creates it), or: systemd-sysusers');
      const groups = readFileSync('/etc/group', 'utf8')
        .split('\n')
        .filter((l) => l.split(':')[3]?.split(',').includes('pitbox'))
        .map((l) => l.split(':')[0]);
      const wanted = [...(c.game === 'roulette' ? ['dialout'] : []), ...(c.cameras.some((cam) => cam.source.kind === 'v4l2') ? ['video'] : [])];
      const missing = wanted.filter((g) => !groups.includes(g));
      return missing.length ? fail(`pitbox is not in ${missing.join(', ')}`, `usermod -aG ${missing.join(',')} pitbox`) : pass(`pitbox in ${groups.join(', ') || 'no extra groups'}`);
    }),
  },
  {
    name: 'wheel-port',
    timeoutS: 15,
    run: needConfig(async (c, ctx) => {
      if (c.game !== 'roulette') return skip('not a roulette table');
      const port = c.wheel.port;
      // Never open a port the appliance holds: a second reader would steal its bytes.
      if (ctx.running) {
        const wheel = (ctx.running.wheel ?? {}) as { up?: boolean; reason?: string; detail?: string };
        return wheel.up ? pass(`${port}: held by the running appliance, link up`) : fail(`${port}: the running appliance has no link (${wheel.reason ?? '?'}${wheel.detail ? `: ${wheel.detail}` : ''})`, 'check the cable and the wheel; `journalctl -u pitbox@...` shows each reconnect');
      }
      if (!existsSync(port)) return fail(`${port} does not exist`, 'plug in the wheel\'s USB serial adapter; the udev rule systemd/99-pitbox-wheel.rules names it');
      const st = statSync(port);
      if (!st.isCharacterDevice()) return fail(`${port} is not a character device`, 'point wheel.port at the serial device (/dev/ttyUSB0, /dev/pitbox-wheel)');
      try {
        accessSync(port, constants.R_OK | constants.W_OK);
      } catch {
        return fail(`${port}: no read/write permission for this user`, 'add the service user to the port\'s group (dialout): usermod -aG dialout pitbox');
      }
      const window = c.wheel.driver === 'cammegh-ss2' ? c.wheel.statusPeriodMs * c.wheel.silenceFactor : 2000;
      const heard = await listen(port, c.wheel.baudRate, Math.max(2000, window));
      if (heard.error) return fail(`${port}: cannot open: ${heard.error}`, 'is another program using it? (fuser -v ' + port + ')');
      if (c.wheel.driver === 'cammegh-ss2') {
        return heard.statusFrames > 0
          ? pass(`${port}: ${heard.statusFrames} status frame(s) in ${heard.ms} ms${heard.garbage ? `, ${heard.garbage} garbled line(s)` : ''}`)
          : fail(`${port}: opens, but no status frame in ${heard.ms} ms (${heard.lines} line(s), ${heard.bytes} bytes)`, 'check the baud rate (9600 8N1), the cable and that the wheel\'s host port is enabled; with auto-status off the appliance polls *X');
      }
      return pass(`${port}: opens at ${c.wheel.baudRate} baud, ${heard.lines} line(s) heard in ${heard.ms} ms (a number-line wheel is quiet between games)`);
    }),
  },
  {
    name: 'cameras',
    timeoutS: 60,
    run: needConfig(async (c, ctx) => {
      if (c.cameras.length === 0) return skip('no cameras configured');
      const out: CheckResult[] = [];
      for (const cam of c.cameras) {
        const want = 'width' in cam.source && 'framerate' in cam.source ? `${String(cam.source.width)}x${String(cam.source.height)} at ${String(cam.source.framerate)} fps` : 'as its source gives';
        if (ctx.running) {
          const h = ((ctx.running.cameras ?? []) as { name: string; state: string; fps: number; reason: string | null }[]).find((x) => x.name === cam.name);
          const testIt = `pitbox camera test --config FILE --camera ${cam.name}`;
          out.push(
            !h ? warn(`${cam.name}: the running appliance does not report it`, 'restart the appliance after changing cameras')
            : h.state === 'up' ? pass(`${cam.name}: up in the running appliance, ${h.fps} fps (configured ${want})`)
            : h.state === 'starting' ? warn(`${cam.name}: starting, no frame yet`, `look again in a few seconds; if it stays so: ${testIt}`)
            : fail(`${cam.name}: ${h.state}: ${h.reason ?? '?'}`, testIt),
          );
          continue;
        }
        const r = await measureCamera(cam, 2, silentLogger, 5);
        if (!r.ok) out.push(fail(`${cam.name}: no frame within 5 s: ${r.problem ?? '?'}`, `pitbox camera test --config FILE --camera ${cam.name} (check the device, the cable, the mode)`));
        else {
          const rate = 'framerate' in cam.source ? Number(cam.source.framerate) : 0;
          const slow = rate > 0 && r.framesOut / 2 < rate * 0.8;
          out.push(slow ? warn(`${cam.name}: ${r.framesOut} frames in 2 s, configured ${want}`, 'the camera or the encoder cannot keep up: lower the mode or use a hardware encoder') : pass(`${cam.name}: ${r.framesOut} frames in 2 s (${want}), encoder ${r.encoder ?? '?'}`));
        }
      }
      return out;
    }),
  },
  {
    name: 'outputs',
    timeoutS: 15,
    run: needConfig(async (c) => {
      const urls = c.cameras.flatMap((cam) => cam.outputs.map((u) => ({ cam: cam.name, url: u })));
      if (urls.length === 0) return skip('no video outputs configured');
      const out: CheckResult[] = [];
      for (const { cam, url } of urls) out.push(await outputReachable(cam, url));
      return out;
    }),
  },
  {
    name: 'model',
    timeoutS: 30,
    run: needConfig(async (c) => {
      if (c.game === 'roulette') return skip('not a card table');
      const t0 = performance.now();
      let r: CardRecognizer;
      try {
        // an enrolled deck's reader (cards.deck) when the table names one; its hashes checked as it loads
        r = await CardRecognizer.load({ ...modelSpecOption(c), threads: c.cards.threads });
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        const fix = c.cards.deck ? `enrol the deck again (pitbox cards enrol --config FILE --deck ${c.cards.deck} STILL...), or remove cards.deck to read with the generic reader` : 'reinstall the package (its models/ are the described ones)';
        return fail(err.message, fix);
      }
      const loadMs = performance.now() - t0;
      try {
        const warm = await r.warmUp();
        const budget = 50;
        const found = `corner detector and reader (${r.classifier.spec.sha256.slice(0, 12)}…) hashes match, loaded in ${Math.round(loadMs)} ms, a 1080p frame with 8 corners in ${warm.toFixed(1)} ms`;
        return warm <= budget ? pass(found) : warn(`${found} (budget ${budget} ms)`, 'the box is slow or busy: check `top`; set cards.threads');
      } finally {
        void r.close();
      }
    }),
  },
  {
    name: 'journal',
    timeoutS: 300,
    run: needConfig((c) => {
      const path = c.journal.path;
      if (!existsSync(path)) return fail(`${path} does not exist`, `a new table: pitbox journal init --config FILE; a table that ran before: restore its journal`);
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const t0 = performance.now();
        const report = verifyChain(db, path);
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        if (report.problem) return fail(`chain broken at seq ${report.problem.seq}: ${report.problem.reason}`, 'do not delete it (it is the evidence): restore the journal from a backup and tell the platform');
        const undelivered = (db.prepare('SELECT COUNT(*) AS n FROM events WHERE delivered_at IS NULL').get() as { n: number }).n;
        const fs = statfs(path);
        const free = fs === null ? 'free space unknown' : `${Math.round(fs / MIB)} MiB free`;
        if (fs !== null && fs < c.journal.minFreeMiB * MIB) return fail(`${free}, under journal.minFreeMiB ${c.journal.minFreeMiB}: the table would suspend`, 'free space on that filesystem or move the journal');
        const found = `events ${report.fromSeq}-${report.toSeq} verified in ${s} s, ${undelivered} undelivered, ${free}`;
        return undelivered > 1000 ? warn(found, 'the uplink has not taken events for a while: see the uplink check') : pass(found);
      } finally {
        db.close();
      }
    }),
  },
  {
    name: 'signing-key',
    run: needConfig((c) => {
      let keys;
      try {
        keys = loadKeys(c.signing.keyDir);
      } catch (err) {
        if (err instanceof KeyError) return fail(err.message, `keys live in ${c.signing.keyDir}, mode 0600, owned by pitbox: chmod 600 the file, or pitbox keys generate --dir ${c.signing.keyDir}`);
        throw err;
      }
      const key = keys.at(-1);
      if (!key) return fail(`no key in ${c.signing.keyDir}`, `pitbox keys generate --dir ${c.signing.keyDir}`);
      const probe = Buffer.from(`pitbox doctor ${randomUUID()}`);
      const ok = edVerify(null, probe, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.jwk.x }, format: 'jwk' }), key.signer.sign(probe));
      if (!ok) return fail('the key does not verify its own signature', 'generate a new key (pitbox keys generate) and rotate');
      const found = `${keys.length} key(s), newest ${key.jwk.kid.slice(0, 12)}…, signs and verifies`;
      const plain = keys.filter((k) => k.storage === 'plain');
      if (plain.length === 0) return pass(`${found}, sealed for this machine`);
      return warn(
        `${found}; plain key file(s) ${plain.map((k) => k.file).join(', ')}: anyone who copies this disk or a backup of it can sign as this table`,
        `pitbox keys seal --dir ${c.signing.keyDir}, then restart the table (boxes without systemd-creds: keep them 0600 and the disk encrypted)`,
      );
    }),
  },
  httpTlsCheck,
  {
    name: 'uplink',
    timeoutS: 20,
    run: needConfig(async (c, ctx) => {
      if (!c.uplink && !ctx.running) return skip('no uplink: the embedded broker is the uplink, and the appliance is not running');
      const url = uplinkUrl(c);
      const options = secretsOr(() => uplinkClientOptions(c, ctx.configFile, { clientId: `pitbox-doctor-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0, connectTimeout: 8000 }));
      if (isResult(options)) return options;
      const client = await mqtt.connectAsync(url, options).catch((err: Error) => err);
      if (client instanceof Error) return fail(`${url}: cannot connect: ${client.message}`, 'check the URL, the CA/certificates, the username and password file, and the network path');
      try {
        const topic = `${c.topicPrefix}/${c.studio}/${c.table}/doctor/${randomUUID()}`;
        const t0 = performance.now();
        const got = new Promise<boolean>((resolve) => {
          client.on('message', (t) => t === topic && resolve(true));
          setTimeout(() => resolve(false), 5000);
        });
        const sub = await client.subscribeAsync(topic, { qos: 1 }).catch(() => null);
        await client.publishAsync(topic, 'doctor', { qos: 1 });
        if (!sub || sub.some((g) => g.qos === 128)) return warn(`${url}: connected and a publish acknowledged; subscribing is not allowed here`, 'fine for a table; a backend subscribes with its own account');
        return (await got) ? pass(`${url}: connected, publish/subscribe round trip in ${Math.round(performance.now() - t0)} ms`) : fail(`${url}: connected, but a published message never came back`, 'the broker\'s ACL may drop the table\'s topics');
      } finally {
        await client.endAsync(true);
      }
    }),
  },
  {
    name: 'local-broker',
    timeoutS: 15,
    run: needConfig(async (c, ctx) => {
      if (c.uplink && !c.broker.enabled) return skip('disabled (broker.enabled: false)');
      if (!ctx.running) return skip('the appliance is not running (it serves the local broker)');
      const url = `mqtt://${c.broker.host === '0.0.0.0' ? '127.0.0.1' : c.broker.host}:${c.broker.port}`;
      const password = c.broker.passwordFile ? secretsOr(() => ({ password: uplinkClientOptions(c, ctx.configFile).password })) : { password: undefined };
      if (isResult(password)) return password;
      const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...(c.broker.username ? { username: c.broker.username } : {}), ...(password.password === undefined ? {} : { password: password.password }) }).catch((err: Error) => err);
      if (client instanceof Error) return fail(`${url}: ${client.message}`, 'the appliance serves it: see its log');
      try {
        const birth = `${c.topicPrefix}/${c.studio}/${c.table}/birth`;
        const got = new Promise<boolean>((resolve) => {
          client.on('message', (t) => t === birth && resolve(true));
          setTimeout(() => resolve(false), 3000);
        });
        await client.subscribeAsync(birth, { qos: 1 });
        return (await got) ? pass(`${url}: serves the table's retained birth`) : warn(`${url}: answers, but holds no birth for this table`, 'the appliance publishes it at start: restart it');
      } finally {
        await client.endAsync(true);
      }
    }),
  },
  inputsCheck,
  {
    name: 'clock',
    run: () => {
      const td = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8' });
      if (td.status === 0 && td.stdout.trim() !== '') {
        return td.stdout.trim() === 'yes' ? pass('synchronised (timedatectl)') : fail('not synchronised (timedatectl): event times and frame times would drift', 'enable systemd-timesyncd or chrony and point it at the studio\'s NTP server');
      }
      const chrony = spawnSync('chronyc', ['-n', 'tracking'], { encoding: 'utf8' });
      if (chrony.status === 0) return /Leap status\s*:\s*Normal/.test(chrony.stdout) ? pass('synchronised (chrony)') : fail('chrony is not synchronised', 'chronyc sources -v');
      return warn('cannot tell: neither timedatectl nor chronyc answers', 'install chrony or enable systemd-timesyncd');
    },
  },
  {
    name: 'temperature',
    run: () => {
      const zones = existsSync('/sys/class/thermal') ? readdirSync('/sys/class/thermal').filter((z) => z.startsWith('thermal_zone')) : [];
      const temps = zones.flatMap((z) => {
        try {
          return [Number(readFileSync(`/sys/class/thermal/${z}/temp`, 'utf8')) / 1000];
        } catch {
          return [];
        }
      });
      if (temps.length === 0) return skip('no temperature sensor readable');
      const max = Math.max(...temps);
      if (max >= 95) return fail(`${max.toFixed(0)} °C`, 'the box is overheating: check its fan and airflow now');
      return max >= 80 ? warn(`${max.toFixed(0)} °C`, 'check the fan and the airflow') : pass(`${max.toFixed(0)} °C`);
    },
  },
  packageFilesCheck,
];

/** Asks a running appliance for its status; null when nothing answers. Never acts. */
export function askRunning(socketPath: string, timeoutMs = 2000): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    if (!existsSync(socketPath)) return resolve(null);
    const s = tcpConnect(socketPath);
    let buf = '';
    const done = (v: Record<string, unknown> | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.on('error', () => done(null));
    s.on('connect', () => s.write('{"action":"status","by":"doctor"}\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (!buf.includes('\n')) return;
      try {
        const a = JSON.parse(buf) as { ok: boolean; status?: Record<string, unknown> };
        done(a.ok && a.status ? a.status : null);
      } catch {
        done(null);
      }
    });
  });
}

export const defaultContext = (configFile: string): DoctorContext => ({
  configFile,
  config: null,
  running: null,
  socketPath: (c) => c.control.socket ?? defaultSocketPath(c.table),
});

function statfs(path: string): number | null {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

function tcpReachable(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, ms);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** Opens the port and listens (never writes: the wheel is left as it is), then closes it. */
async function listen(path: string, baudRate: number, ms: number): Promise<{ statusFrames: number; lines: number; garbage: number; bytes: number; ms: number; error?: string }> {
  const port = new SerialPortStream({ binding: LinuxBinding, path, baudRate, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err ?? null)));
  if (opened) return { statusFrames: 0, lines: 0, garbage: 0, bytes: 0, ms: 0, error: opened.message };
  const framer = new LineFramer();
  const r = { statusFrames: 0, lines: 0, garbage: 0, bytes: 0, ms };
  framer.on('data', (line: FramedLine) => {
    r.lines += 1;
    for (const m of decodeLine(line)) {
      if (m.kind === 'status') r.statusFrames += 1;
      if (m.kind === 'garbage') r.garbage += 1;
    }
  });
  port.on('data', (b: Buffer) => {
    r.bytes += b.length;
    framer.write(b);
  });
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (r.statusFrames >= 2 || performance.now() - t0 > ms) {
        clearInterval(tick);
        resolve();
      }
    }, 20);
  });
  r.ms = Math.round(performance.now() - t0);
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return r;
}

/** A WHIP endpoint answers HTTP, and takes our token (OPTIONS: no session is made). */
async function whipReachable(shown: string, url: string): Promise<CheckResult> {
  const target = whipTarget(url);
  const read = readWhipToken(target);
  if ('error' in read) return fail(`${shown}: ${read.error}`, 'create it (mode 0600, owner pitbox) with the bearer token the platform gave');
  const { token } = read;
  try {
    const res = await fetch(target.endpoint, { method: 'OPTIONS', headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(5000) });
    if (res.status === 401 || res.status === 403) return fail(`${shown}: the endpoint refuses the token (${res.status})`, 'check the token file against what the platform issued');
    return pass(`${shown}: the WHIP endpoint answers (${res.status})`);
  } catch (err) {
    return fail(`${shown}: no answer from the WHIP endpoint: ${(err as Error).message}`, 'is the ingest server up? is a firewall in the way?');
  }
}

/**
 * One output URL as the schema accepts it: resolved and, where TCP shows it, reached. Any URL
 * gets an answer, never an exception: an SRT listener (`srt://:9000?mode=listener`) has no host
 * to reach, receivers connect to this box.
 */
export async function outputReachable(cam: string, url: string): Promise<CheckResult> {
  let spec: ReturnType<typeof parseOutput>;
  try {
    spec = parseOutput(url);
  } catch (err) {
    return fail(`${cam} ${url}: ${(err as Error).message}`, 'fix the output URL in the config (`pitbox config check` says what is wrong)');
  }
  const u = new URL(url.replace(/^srt:\/\/:/, 'srt://0.0.0.0:'));
  const shown = `${cam} ${u.protocol}//${u.host}`;
  if (spec.protocol === 'srt' && (u.searchParams.get('mode') ?? 'caller') === 'listener') {
    return pass(`${cam} srt listener on port ${u.port}: receivers connect to this box (\`pitbox camera test\` shows frames sent)`);
  }
  try {
    await lookup(u.hostname);
  } catch (err) {
    return fail(`${shown}: cannot resolve ${u.hostname}: ${(err as NodeJS.ErrnoException).code ?? ''}`, 'fix the host name or the box\'s DNS');
  }
  if (spec.protocol === 'whip') return whipReachable(shown, url);
  if (spec.protocol === 'rtmp') {
    const ok = await tcpReachable(u.hostname, Number(u.port || 1935), 3000);
    return ok ? pass(`${shown}: reachable`) : fail(`${shown}: nothing answers on TCP ${u.port || 1935}`, 'is the ingest server up? is a firewall in the way?');
  }
  // SRT callers and RTP run over UDP: only sending video shows whether they get through.
  return pass(`${shown}: resolves (UDP: \`pitbox camera test\` shows frames sent and the sink's counters)`);
}

/** What needs the secret and certificate files the config names, or a failing line saying which is missing. */
function secretsOr<T extends object>(build: () => T): T | CheckResult {
  try {
    return build();
  } catch (err) {
    return fail((err as Error).message, 'put the file where the config says (a secret comes from $CREDENTIALS_DIRECTORY under systemd: LoadCredential= in the unit)');
  }
}

function isResult(x: object): x is CheckResult {
  return 'status' in x && 'found' in x;
}
