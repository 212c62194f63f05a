import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyEvents {
  /** Bytes the host wrote to the tty. */
  data: [Buffer];
}

/**
 * A real pseudo-terminal whose slave side appears at `linkPath`, the device side driven from
 * this process. socat owns the pty (Node cannot open /dev/ptmx itself); we talk to it over its
 * stdin/stdout. `unplug()` kills socat, which removes the link and hangs up the tty exactly as
 * a USB adapter being pulled does; `plug()` brings it back at the same path.
 */
export class PtyPair extends EventEmitter<PtyEvents> {
  private socat: ChildProcessWithoutNullStreams | null = null;

  constructor(readonly linkPath: string) {
    super();
  }

  get plugged(): boolean {
    return this.socat !== null;
  }

  async plug(): Promise<void> {
    if (this.socat) return;
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.linkPath},mode=660`, 'STDIO'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    socat.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    socat.stdout.on('data', (d: Buffer) => this.emit('data', d));
    // The host side may hang up while we write; that is an unplug, not our error.
    socat.stdin.on('error', () => undefined);
    const exited = new Promise<number | null>((resolve) => socat.once('exit', resolve));
    socat.once('exit', () => {
      if (this.socat === socat) this.socat = null;
    });
    this.socat = socat;
    const deadline = Date.now() + 5000;
    while (!existsSync(this.linkPath)) {
      const code = await Promise.race([exited, sleep(10).then(() => undefined)]);
      if (code !== undefined) throw new Error(`socat exited (${code}) before creating ${this.linkPath}: ${stderr.trim()}`);
      if (Date.now() > deadline) {
        socat.kill('SIGKILL');
        throw new Error(`socat did not create ${this.linkPath} within 5 s: ${stderr.trim()}`);
      }
    }
  }

  write(data: string | Buffer): Promise<void> {
    const socat = this.socat;
    if (!socat) return Promise.resolve(); // unplugged: bytes go nowhere, as on a real cable
    return new Promise((resolve) => {
      socat.stdin.write(data, () => resolve());
    });
  }

  async unplug(): Promise<void> {
    const socat = this.socat;
    if (!socat) return;
    this.socat = null;
    const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
    socat.kill('SIGTERM');
    await exited;
  }
}
