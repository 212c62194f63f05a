import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * Unix datagram sockets, which Node's `net` cannot open (EPROTOTYPE) and sd_notify needs.
 * The native part is `node-unix-socket-linux-x64-gnu` (MIT, the prebuilt N-API binary of
 * node-unix-socket 0.2.7, inside the npm package: no compiler, no download). Its JS wrapper is
 * not used because it lists optional packages for other platforms that the registry here does
 * not serve, which breaks `npm ci`; this is the part of that wrapper pitbox needs.
 */
interface NativeWrap {
  init(self: NativeWrap): void;
  startRecv(): void;
  bind(path: string): void;
  sendTo(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  close(): void;
}

type NativeCtor = new (emitter: { emit(event: string, ...args: unknown[]): boolean }) => NativeWrap;

let native: NativeCtor | null = null;
function load(): NativeCtor {
  native ??= (createRequire(import.meta.url)('node-unix-socket-linux-x64-gnu') as { DgramSocketWrap: NativeCtor }).DgramSocketWrap;
  return native;
}

export class UnixDgramSocket extends EventEmitter<{ data: [Buffer]; error: [Error] }> {
  private readonly wrap: NativeWrap;
  private closed = false;

  constructor() {
    super();
    // The native side reports through an emitter it is given: `_data` and `_error`.
    const bridge = {
      emit: (event: string, ...args: unknown[]): boolean => {
        if (event === '_data') process.nextTick(() => this.emit('data', args[0] as Buffer));
        else if (event === '_error') {
          this.close();
          this.emit('error', args[0] as Error);
        }
        return true;
      },
    };
    this.wrap = new (load())(bridge);
    this.wrap.init(this.wrap);
    // As upstream does: the receive loop also owns the handle that close() releases.
    this.wrap.startRecv();
  }

  bind(path: string): void {
    this.wrap.bind(path);
  }

  send(buf: Buffer, path: string, cb?: (err?: Error) => void): void {
    if (this.closed) throw new Error('the socket is closed');
    this.wrap.sendTo(buf, 0, buf.length, path, cb);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wrap.close();
  }
}
