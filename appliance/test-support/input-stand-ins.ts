import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The intercept stand-in the simulation uses too. */
const INTERCEPT = fileURLToPath(new URL('../../scripts/sim-bin/intercept', import.meta.url));

/**
 * Stand-ins on PATH for the tools that touch hardware this VM has none of. `intercept` is
 * scripts/sim-bin/intercept: as Debian's `intercept -g DEV` seen from its stdout, the device's
 * raw records, never a SYN_DROPPED (libevdev resyncs and intercept writes none of it), exit
 * when the device goes (here: the FIFO's writer closes), exit 1 without a word when another
 * process holds the grab (here: a `DEV.held` file). `gpioget`/`gpiomon` check the flags pitbox
 * passes (the 1.6 ones) and replay recorded output lines as gpiomon 1.6 prints them with
 * `-F "%o %e %s %n"`: offset, edge, and the kernel's timestamp of the edge in seconds and
 * nanoseconds (CLOCK_MONOTONIC on kernels since 5.7), so the lines a test writes carry the edge
 * times the gate debounces on.
 */
export function standInBin(): string {
  const bin = mkdtempSync(join(tmpdir(), 'pitbox-bin-'));
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script('intercept', `[ -e "$2.held" ] && exit 1\nexec ${JSON.stringify(INTERCEPT)} "$@"`);
  // gpioget -B BIAS CHIP OFFSETS...: the levels in $GPIO_DIR/levels ("1 0")
  script('gpioget', '[ "$1" = "-B" ] || { echo "gpioget: bad args $*" >&2; exit 1; }\ncat "$GPIO_DIR/levels"');
  // gpiomon -b -B BIAS -F FORMAT CHIP OFFSETS...: lines from the FIFO $GPIO_DIR/events
  script('gpiomon', '[ "$1" = "-b" ] && [ "$2" = "-B" ] && [ "$4" = "-F" ] && [ "$5" = "%o %e %s %n" ] || { echo "gpiomon: unexpected args $*" >&2; exit 2; }\nexec cat "$GPIO_DIR/events"');
  return bin;
}

import { SimulatedInputNode } from '../../drivers/input/simulator/input-node.js';
import { PtyPair } from '../../drivers/serial/pty-pair.js';

export { SimulatedInputNode as FakeInputNode };

/**
 * The dealer's hardware for a card table whose YAML says `DIR` for its own directory: a keypad
 * node (FIFO) at DIR/<keypad> and a shoe pty at DIR/<shoe>, both plugged in.
 */
export async function dealerHardware(table: { dir: string; configFile: string }, names = { keypad: 'keypad', shoe: 'shoe' }): Promise<{ keypad: SimulatedInputNode; shoe: PtyPair }> {
  writeFileSync(table.configFile, readFileSync(table.configFile, 'utf8').replaceAll('DIR', table.dir));
  const keypad = new SimulatedInputNode(join(table.dir, names.keypad));
  keypad.plug();
  const shoe = new PtyPair(join(table.dir, names.shoe));
  await shoe.plug();
  return { keypad, shoe };
}
