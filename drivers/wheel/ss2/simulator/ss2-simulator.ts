import { PtyPair } from '../../../serial/pty-pair.js';
import { LineFramer, type FramedLine } from '../../../serial/line-framer.js';
import { Ss2WheelModel, type WheelModelOptions } from './wheel-model.js';

export type SimulatorOptions = Omit<WheelModelOptions, 'write'> & {
  /** Where the tty appears for the host, e.g. /tmp/pitbox-wheel. */
  readonly linkPath: string;
};

/**
 * A simulated SS2 wheel on a real pseudo-terminal: the appliance opens `linkPath` with the same
 * serialport code it uses for a wheel on /dev/ttyUSB0.
 */
export class Ss2Simulator {
  readonly pty: PtyPair;
  readonly wheel: Ss2WheelModel;
  private readonly framer = new LineFramer();

  constructor(opts: SimulatorOptions) {
    this.pty = new PtyPair(opts.linkPath);
    this.wheel = new Ss2WheelModel({ ...opts, write: (text) => this.pty.write(Buffer.from(text, 'latin1')) });
    this.pty.on('data', (chunk) => this.framer.write(chunk));
    this.framer.on('data', (line: FramedLine) => this.wheel.onHostLine(line.text));
  }

  get linkPath(): string {
    return this.pty.linkPath;
  }

  async start(): Promise<void> {
    await this.pty.plug();
    this.wheel.start();
  }

  async stop(): Promise<void> {
    this.wheel.stop();
    await this.pty.unplug();
  }

  /** Pulls the cable: the tty disappears. The wheel itself keeps playing. */
  unplug(): Promise<void> {
    return this.pty.unplug();
  }

  replug(): Promise<void> {
    return this.pty.plug();
  }
}
