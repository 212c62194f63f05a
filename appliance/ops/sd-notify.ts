import type { Logger } from 'pino';
import { UnixDgramSocket } from './unix-dgram.js';

/**
 * systemd's notify protocol (sd_notify(3)): READY, STATUS, WATCHDOG, STOPPING as datagrams to
 * $NOTIFY_SOCKET. Node cannot send unix datagrams; `unix-dgram.ts` can (the prebuilt binary of
 * node-unix-socket, from npm: no compiler, no download). Sent from this process, so the unit keeps
 * `NotifyAccess=main` (spawning systemd-notify would need `all`). Every failure is soft: a
 * notifier that cannot send logs once and the appliance runs on (systemd then restarts it on
 * its own timers, which is the right outcome when the notify socket is broken).
 */
export class SystemdNotifier {
  private failed = false;

  private constructor(
    private readonly socket: UnixDgramSocket,
    private readonly path: string,
    private readonly log: Logger,
    /** Half of WATCHDOG_USEC, or null when systemd expects no watchdog from this process. */
    readonly watchdogEveryMs: number | null,
  ) {}

  /** The notifier systemd asked for, or null when not started by systemd with Type=notify. */
  static fromEnv(log: Logger, env: NodeJS.ProcessEnv = process.env): SystemdNotifier | null {
    const raw = env.NOTIFY_SOCKET;
    if (!raw) return null;
    // An abstract socket ("@name") is addressed with a leading NUL byte.
    const path = raw.startsWith('@') ? `\0${raw.slice(1)}` : raw;
    let socket: UnixDgramSocket;
    try {
      socket = new UnixDgramSocket();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'systemd notify socket set, but the datagram binding cannot load: no READY or WATCHDOG will be sent');
      return null;
    }
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
    return new SystemdNotifier(socket, path, log, Number.isFinite(usec) && usec > 0 && forUs ? Math.max(50, Math.floor(usec / 2000)) : null);
  }

  ready(status: string): void {
    this.send(`READY=1\nSTATUS=${oneLine(status)}\nMAINPID=${process.pid}`);
  }

  status(status: string): void {
    this.send(`STATUS=${oneLine(status)}`);
  }

  watchdog(): void {
    this.send('WATCHDOG=1');
  }

  /** Asks for more start-up time (a model loading, a big journal checked). */
  extendTimeout(ms: number): void {
    this.send(`EXTEND_TIMEOUT_USEC=${Math.round(ms * 1000)}`);
  }

  stopping(status: string): void {
    this.send(`STOPPING=1\nSTATUS=${oneLine(status)}`);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private send(text: string): void {
    const buf = Buffer.from(text);
    try {
      this.socket.send(buf, this.path, (err) => {
        if (err) this.fail(err);
      });
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.log.warn({ err: err.message, socket: this.path.replace('\0', '@') }, 'cannot notify systemd');
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
