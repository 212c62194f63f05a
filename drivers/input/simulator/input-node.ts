import { execFileSync } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * A FIFO standing in for /dev/input/eventN, written as the kernel would (24-byte input_event
 * records); read by the grab helper's stand-in (`cat`, see scripts/sim-bin/intercept). For
 * simulation and tests: this VM has no uinput.
 */
export class SimulatedInputNode {
  private writer: FileHandle | null = null;
  private lastStampUs = 0;

  constructor(readonly path: string) {}

  plug(): void {
    execFileSync('mkfifo', [this.path]);
  }

  /**
   * A record time as the kernel stamps it (CLOCK_REALTIME, µs), rising: the gate measures
   * bounce and the re-arm gap between these, so made-up times would make made-up gaps.
   */
  stamp(): number {
    this.lastStampUs = Math.max(this.lastStampUs + 1, Date.now() * 1000);
    return this.lastStampUs;
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
