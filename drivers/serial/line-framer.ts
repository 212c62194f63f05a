import { Transform, type TransformCallback } from 'node:stream';

/** Longest line the SS2 sends is a statistics row; anything past this is noise without a terminator. */
const MAX_LINE = 256;

export interface FramedLine {
  readonly text: string;
  /** performance.now() when the terminator arrived, i.e. the line's last byte. */
  readonly at: number;
  /** Set when MAX_LINE bytes came without a terminator; `text` is the start of what was dropped. */
  readonly overflow?: true;
}

/**
 * Splits the wheel's byte stream into lines (reference: "Link", "Winning-number line").
 *
 * The SS2 ends packets with CR LF, but LF CR has been seen in the field, so either byte ends a
 * line and empty lines are dropped. Bytes are read as latin1 so that noise never throws; the
 * parser rejects anything that is not printable ASCII. A line longer than MAX_LINE without a
 * terminator is discarded whole and reported as an overflow, and framing restarts at the next
 * terminator.
 */
export class LineFramer extends Transform {
  private buffer = '';
  private overflowing = false;

  constructor(private readonly now: () => number = () => performance.now()) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = chunk.toString('latin1');
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0d && c !== 0x0a) continue;
      this.absorb(text.slice(start, i), true);
      start = i + 1;
    }
    this.absorb(text.slice(start), false);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.buffer = '';
    this.overflowing = false;
    done();
  }

  private absorb(piece: string, terminated: boolean): void {
    if (this.overflowing) {
      if (terminated) this.overflowing = false;
      return;
    }
    this.buffer += piece;
    if (this.buffer.length > MAX_LINE) {
      this.push({ text: this.buffer.slice(0, 32), at: this.now(), overflow: true } satisfies FramedLine);
      this.buffer = '';
      this.overflowing = !terminated;
      return;
    }
    if (!terminated) return;
    const line = this.buffer;
    this.buffer = '';
    if (line.length > 0) this.push({ text: line, at: this.now() } satisfies FramedLine);
  }
}
