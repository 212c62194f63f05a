/**
 * Length-prefixed records over a byte stream (a pipe between processes): a JSON header and a
 * binary payload, so frames cross without base64 or structured-clone copies.
 *
 *   u32 BE  header length H
 *   u32 BE  payload length P
 *   H bytes header (UTF-8 JSON)
 *   P bytes payload
 */
export interface Record<H> {
  readonly header: H;
  readonly payload: Buffer;
}

const PREFIX = 8;
/** Larger than any frame we make (8K BGR is 100 MB): a bigger length means a corrupt stream. */
export const MAX_PAYLOAD = 128 * 2 ** 20;
const MAX_HEADER = 64 * 1024;

export class ChannelError extends Error {
  override name = 'ChannelError';
}

/** The payload may be given in parts (written one after the other, never joined: no copy). */
export function encodeRecord(header: unknown, payload: Buffer | readonly Buffer[]): Buffer[] {
  const parts = Buffer.isBuffer(payload) ? [payload] : payload;
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.allocUnsafe(PREFIX);
  prefix.writeUInt32BE(head.length, 0);
  prefix.writeUInt32BE(parts.reduce((n, p) => n + p.length, 0), 4);
  return [prefix, head, ...parts];
}

/** Reassembles records from chunks cut anywhere. Throws ChannelError on a corrupt stream. */
export class RecordReader<H> {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Record<H>[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Record<H>[] = [];
    for (;;) {
      if (this.buffered < PREFIX) return out;
      const prefix = this.peek(PREFIX);
      const headLen = prefix.readUInt32BE(0);
      const payloadLen = prefix.readUInt32BE(4);
      if (headLen === 0 || headLen > MAX_HEADER || payloadLen > MAX_PAYLOAD) {
        throw new ChannelError(`corrupt record prefix (header ${headLen} bytes, payload ${payloadLen} bytes)`);
      }
      const total = PREFIX + headLen + payloadLen;
      if (this.buffered < total) return out;
      const whole = this.take(total);
      let header: H;
      try {
        header = JSON.parse(whole.subarray(PREFIX, PREFIX + headLen).toString('utf8')) as H;
      } catch {
        throw new ChannelError('corrupt record header (not JSON)');
      }
      out.push({ header, payload: whole.subarray(PREFIX + headLen) });
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0] && this.chunks[0].length >= n) return this.chunks[0];
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    // Slices, not copies: `joined` is never written again (new chunks go into a new concat).
    const record = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return record;
  }
}
