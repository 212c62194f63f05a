import mqtt from 'mqtt';
import type { Subscriber } from '../../appliance/test-support/harness.js';

export interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? NaN };
}

/** The broker alone, QoS 1, from this process to `sub`: the baseline every latency figure is divided by. */
export async function brokerBaseline(port: number, sub: Subscriber, n = 1000): Promise<Stats> {
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
  await sub.client.subscribeAsync('pitbox/v1/bench', { qos: 1 });
  const base: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const got = new Promise<void>((resolve) => sub.client.once('message', () => resolve()));
    await pub.publishAsync('pitbox/v1/bench', 'x', { qos: 1 });
    await got;
    base.push(performance.now() - t0);
  }
  await pub.endAsync();
  return stats(base);
}
