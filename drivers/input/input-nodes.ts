import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One evdev node as sysfs describes it. */
export interface InputNode {
  /** `event5` */
  readonly event: string;
  readonly devPath: string;
  /** The kernel's name for it (`device/name`). */
  readonly name: string;
  /** Where it hangs: `usb-0000:00:14.0-2/input0`; nodes of one USB device share all but the interface. */
  readonly phys: string;
  /** The EV_KEY codes it can send. */
  readonly keys: ReadonlySet<number>;
  /** udev's ID_INPUT_KEYBOARD test: Esc, the digits and Q to D (key codes 1-31) all present. */
  readonly keyboard: boolean;
}

export interface SysInput {
  /** /sys/class/input (tests point it elsewhere). */
  readonly sysClassInput?: string;
  readonly devInput?: string;
  /** Bits per word of the capability bitmaps: a kernel long. */
  readonly longBits?: 32 | 64;
}

/** The codes a sysfs capability bitmap sets: hex words, most significant first, one kernel long each. */
export function capabilityBits(text: string, longBits: 32 | 64 = 64): Set<number> {
  const words = text.trim().split(/\s+/).filter(Boolean).reverse();
  const out = new Set<number>();
  words.forEach((w, i) => {
    let v = BigInt(`0x${w}`);
    for (let bit = 0; v > 0n; bit++, v >>= 1n) if (v & 1n) out.add(i * longBits + bit);
  });
  return out;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every event node, in number order (directory order is not an order). */
export function listInputNodes(opts: SysInput = {}): InputNode[] {
  const sys = opts.sysClassInput ?? '/sys/class/input';
  let entries: string[];
  try {
    entries = readdirSync(sys).filter((e) => /^event\d+$/.test(e));
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((event) => {
      const dev = join(sys, event, 'device');
      const keys = capabilityBits(read(join(dev, 'capabilities', 'key')) || '0', opts.longBits ?? 64);
      const keyboard = Array.from({ length: 31 }, (_, i) => i + 1).every((c) => keys.has(c));
      return { event, devPath: join(opts.devInput ?? '/dev/input', event), name: read(join(dev, 'name')), phys: read(join(dev, 'phys')), keys, keyboard };
    });
}

const physDevice = (phys: string) => phys.replace(/\/input\d+$/, '');

/**
 * The node to read among those that share a name or a USB device: a keypad or scanner often
 * shows several (Keyboard, Consumer Control, System Control, Mouse), and only one sends the
 * keys. Prefers the node that can send every key wanted, then a full keyboard, then the one
 * with the most keys, then the lowest number.
 */
export function pickNode(candidates: readonly InputNode[], wanted: readonly number[]): InputNode | null {
  const score = (n: InputNode) => [wanted.every((k) => n.keys.has(k)) ? 1 : 0, n.keyboard ? 1 : 0, n.keys.size] as const;
  let best: InputNode | null = null;
  for (const n of candidates) {
    if (!best) best = n;
    else {
      const [a, b] = [score(n), score(best)];
      const i = a.findIndex((v, j) => v !== b[j]);
      if (i >= 0 && (a[i] as number) > (b[i] as number)) best = n;
    }
  }
  return best;
}

/** The nodes named `name`, and the others on the same USB devices. */
export function nodesNamed(name: string, nodes: readonly InputNode[]): InputNode[] {
  const devices = new Set(nodes.filter((n) => n.name === name && n.phys).map((n) => physDevice(n.phys)));
  return nodes.filter((n) => n.name === name || (n.phys && devices.has(physDevice(n.phys))));
}

/** The node `path` (a udev link or the node itself) resolves to, and the others on its USB device. */
export function nodesOfPath(path: string, nodes: readonly InputNode[]): { used: InputNode | null; all: InputNode[] } {
  let event: string;
  try {
    event = basename(realpathSync(path));
  } catch {
    return { used: null, all: [] };
  }
  const used = nodes.find((n) => n.event === event) ?? null;
  if (!used) return { used: null, all: [] };
  return { used, all: used.phys ? nodes.filter((n) => n.phys && physDevice(n.phys) === physDevice(used.phys)) : [used] };
}
