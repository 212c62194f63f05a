import type { Logger } from 'pino';
import { Camera, type CameraHealth, type FrameConsumer } from '../../drivers/camera/camera.js';
import type { CameraConfig } from '../../drivers/camera/config.js';
import type { JsonObject } from '../contract/envelope.js';
import type { EventDraft } from '../kernel/events.js';

export interface CameraWatch {
  /** Journals an event (the table supplies its engine's snapshot). */
  append(draft: EventDraft): void;
  /** The set of cameras that are not delivering changed: names and reasons, empty when all are up. */
  onChange(down: readonly { camera: string; reason: string }[]): void;
}

/** The `camera-down` alarm's reason for a list of cameras that are down; null when none is. */
export function describeDown(down: readonly { camera: string; reason: string }[]): string | null {
  return down.length === 0 ? null : down.map((d) => `${d.camera}: ${d.reason}`).join('; ');
}

/**
 * A table's cameras: one supervised worker each. A camera that stops delivering frames is
 * journaled (`camera.down`, then `camera.up` with the length of the gap, so the platform can
 * prove which stretch of video is missing) and reported to the table, which decides what it
 * means: a card table suspends, a roulette table keeps running on its wheel.
 */
export class TableCameras {
  private readonly cameras: Camera[];
  /** Cameras that have not delivered a first frame yet: not usable, but nothing has gone wrong. */
  private readonly starting = new Set<string>();
  /** Cameras that stopped (or never started) delivering, with why: journaled and alarmed. */
  private readonly down = new Map<string, string>();

  constructor(
    configs: readonly CameraConfig[],
    private readonly watch: CameraWatch,
    log: Logger,
  ) {
    this.cameras = configs.map((c) => new Camera(c, log.child({ module: 'camera' })));
    for (const camera of this.cameras) {
      // Not up until its first frame: a card table must not deal blind at start-up.
      this.starting.add(camera.name);
      camera.on('down', ({ reason }) => this.onDown(camera.name, reason));
      camera.on('up', ({ downMs, encoder }) => this.onUp(camera.name, downMs, encoder));
    }
  }

  start(): void {
    for (const camera of this.cameras) camera.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.cameras.map((c) => c.stop()));
  }

  /** Routes a camera's analysis frames (card recognition). */
  setConsumer(camera: string, consumer: FrameConsumer | null): void {
    this.cameras.find((c) => c.name === camera)?.setConsumer(consumer);
  }

  /** One camera, for its preview stills (the status page). */
  camera(name: string): Camera | undefined {
    return this.cameras.find((c) => c.name === name);
  }

  /** Per camera delivering video, the stamp of its newest frame captured at or before `atClockNs` (CLOCK_MONOTONIC; frame-stamp.ts). */
  framesAt(atClockNs: number): Record<string, number> {
    const frames: Record<string, number> = {};
    for (const c of this.cameras) {
      const at = c.frameAt(atClockNs);
      if (at !== null) frames[c.name] = at;
    }
    return frames;
  }

  names(): string[] {
    return this.cameras.map((c) => c.name);
  }

  health(): CameraHealth[] {
    return this.cameras.map((c) => c.health());
  }

  /** Name -> up/down, for the signed table state. */
  summary(): Record<string, 'up' | 'down'> {
    return Object.fromEntries(this.cameras.map((c) => [c.name, this.down.has(c.name) || this.starting.has(c.name) ? 'down' : 'up']));
  }

  /** Cameras that are down for a reason (not merely still starting). */
  downList(): { camera: string; reason: string }[] {
    return [...this.down].map(([camera, reason]) => ({ camera, reason }));
  }

  private onDown(camera: string, reason: string): void {
    const fresh = !this.down.has(camera);
    this.starting.delete(camera);
    this.down.set(camera, reason);
    // One event per outage, not one per restart attempt.
    if (fresh) this.watch.append({ type: 'camera.down', round: null, data: { camera, reason } });
    this.watch.onChange(this.downList());
  }

  private onUp(camera: string, downMs: number | null, encoder: string): void {
    const wasDown = this.down.delete(camera);
    if (!this.starting.delete(camera) && !wasDown) return;
    const data: JsonObject = downMs === null ? { camera, encoder } : { camera, encoder, downMs: Math.round(downMs) };
    this.watch.append({ type: 'camera.up', round: null, data });
    this.watch.onChange(this.downList());
  }
}
