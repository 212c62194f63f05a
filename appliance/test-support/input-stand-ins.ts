import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Stand-ins on PATH for the tools that touch hardware this VM has none of. `intercept` behaves
 * as Debian's `intercept -g DEV` does as seen from its stdout: the device's raw records, exit
 * when the device goes (here: the FIFO's writer closes), exit 1 without a word when another
 * process holds the grab (here: a `DEV.held` file). `gpioget`/`gpiomon` check the flags pitbox
 * passes (the 1.6 ones) and replay recorded output lines.
 */
export function standInBin(): string {
  const bin = mkdtempSync(join(tmpdir(), 'pitbox-bin-'));
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script('intercept', '[ "$1" = "-g" ] && [ -n "$2" ] || { echo "usage: intercept [-h | [-g] devnode]" >&2; exit 1; }\n[ -e "$2.held" ] && exit 1\nexec cat "$2"');
  // gpioget -B BIAS CHIP OFFSETS...: the levels in $GPIO_DIR/levels ("1 0")
  script('gpioget', '[ "$1" = "-B" ] || { echo "gpioget: bad args $*" >&2; exit 1; }\ncat "$GPIO_DIR/levels"');
  // gpiomon -b -B BIAS -F FORMAT CHIP OFFSETS...: lines from the FIFO $GPIO_DIR/events
  script('gpiomon', '[ "$1" = "-b" ] && [ "$2" = "-B" ] && [ "$4" = "-F" ] && [ "$5" = "%o %e %s %n" ] || { echo "gpiomon: unexpected args $*" >&2; exit 2; }\nexec cat "$GPIO_DIR/events"');
  return bin;
}

/** A FIFO standing in for /dev/input/eventN, written as the kernel would. */
export class FakeInputNode {
  private writer: FileHandle | null = null;

  constructor(readonly path: string) {}

  plug(): void {
    execFileSync('mkfifo', [this.path]);
  }

  /** Opens the writing end (waits for the helper to open the reading end). */
  async open(): Promise<void> {
    this.writer = await open(this.path, 'w');
  }

  /** Writes `bytes` in random-sized pieces with pauses, as reads on a pipe may end anywhere. */
  async write(bytes: Buffer, random: () => number = Math.random): Promise<void> {
    if (!this.writer) throw new Error('not open');
    for (let off = 0; off < bytes.length; ) {
      const n = 1 + Math.floor(random() * 40);
      await this.writer.write(bytes.subarray(off, off + n));
      off += n;
      if (random() < 0.3) await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Pulled out: the node disappears, the helper's read ends. */
  async unplug(): Promise<void> {
    execFileSync('rm', ['-f', this.path]);
    await this.writer?.close();
    this.writer = null;
  }
}
