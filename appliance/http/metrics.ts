import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JournaledEvent } from '../journal/journal.js';

/** What the metrics read from the table at scrape time (the same object `status` publishes). */
export interface MetricsSource {
  status(): Record<string, unknown>;
}

interface CameraHealthLike {
  name: string;
  state: string;
  fps: number;
  framesOut: number;
  framesDropped: number;
  restarts: number;
  lastFrameAt: string | null;
  encodeLatencyMs: { p50: number; max: number } | null;
  outputs: { url: string; state: string }[];
}

/**
 * Prometheus metrics for one table (`/metrics`), named by the Prometheus conventions: units in
 * the name, `_total` for counters. Labels carry event types, reason codes, camera names and
 * masked output URLs; never a card, a number or a secret. Gauges are read from the table's
 * status at scrape time; counters count events as they become durable.
 */
export class TableMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'type'>;
  private readonly voids: Counter<'code'>;
  private readonly suspensions: Counter<'code'>;
  private readonly results: Counter;
  private readonly presses: Counter<'action' | 'outcome'>;
  private readonly recognition: Histogram;
  private readonly readings: Counter<'outcome'>;
  private readonly wheelGarbage: Counter;
  private readonly wheelLastFrame: Gauge;
  private readonly cameraCounters = new Map<string, number>();
  private readonly doctor: Gauge<'check'>;

  constructor(source: MetricsSource, info: { version: string; studio: string; table: string; game: string }) {
    const registers = [this.registry];
    const cameras = (s: Record<string, unknown>) => (Array.isArray(s.cameras) ? (s.cameras as CameraHealthLike[]) : []);
    collectDefaultMetrics({ register: this.registry, prefix: 'pitbox_' });
    new Gauge({ name: 'pitbox_build_info', help: 'The software and the table it runs (always 1)', labelNames: ['version', 'studio', 'table', 'game'], registers }).set(info, 1);
    this.events = new Counter({ name: 'pitbox_events_total', help: 'Events journaled, by type', labelNames: ['type'], registers });
    this.results = new Counter({ name: 'pitbox_results_total', help: 'Round results', registers });
    this.voids = new Counter({ name: 'pitbox_voids_total', help: 'Rounds voided, by reason code', labelNames: ['code'], registers });
    this.suspensions = new Counter({ name: 'pitbox_suspensions_total', help: 'Table suspensions, by reason code', labelNames: ['code'], registers });
    this.presses = new Counter({ name: 'pitbox_input_presses_total', help: 'Dealer and technician actions, by action and outcome', labelNames: ['action', 'outcome'], registers });
    this.recognition = new Histogram({ name: 'pitbox_recognition_duration_seconds', help: 'Card recognition time per analysis frame', buckets: [0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5], registers });
    this.readings = new Counter({ name: 'pitbox_card_readings_total', help: 'Cards seen in analysis frames, by outcome (read, unknown, face_down)', labelNames: ['outcome'], registers });
    this.doctor = new Gauge({ name: 'pitbox_doctor_check_status', help: 'The last doctor run, per check: 0 pass, 1 warn, 2 fail, 3 crashed (skipped checks absent)', labelNames: ['check'], registers });
    this.wheelGarbage = new Counter({ name: 'pitbox_wheel_garbage_lines_total', help: 'Lines from the wheel that were not packets (serial errors)', registers });
    this.wheelLastFrame = new Gauge({ name: 'pitbox_wheel_last_frame_timestamp_seconds', help: 'When the last status frame arrived (Unix time)', registers });
    // Camera counts arrive as totals in the camera's health: counted by their increase at
    // scrape time (a new worker starts again from 0).
    const cameraCounter = (name: string, help: string, pick: (c: CameraHealthLike) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['camera'],
        registers,
        collect: () => {
          for (const c of cameras(source.status())) this.mirror(counters.get(name) as Counter<'camera'>, c.name, name, pick(c));
        },
      });
    const counters = new Map<string, Counter<'camera'>>();
    for (const [name, help, pick] of [
      ['pitbox_camera_frames_encoded_total', 'Frames encoded, per camera', (c: CameraHealthLike) => c.framesOut],
      ['pitbox_camera_frames_dropped_total', 'Frames lost before the encoder (capture timestamp gaps), per camera', (c: CameraHealthLike) => c.framesDropped],
      ['pitbox_camera_restarts_total', 'Camera worker restarts', (c: CameraHealthLike) => c.restarts],
    ] as const) {
      counters.set(name, cameraCounter(name, help, pick));
    }

    const gauge = (name: string, help: string, read: (s: Record<string, unknown>, g: Gauge) => void, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect(this: Gauge) {
          this.reset();
          read(source.status(), this);
        },
      });
    const journal = (s: Record<string, unknown>) => (s.journal ?? {}) as Record<string, number>;
    gauge('pitbox_uplink_connected', 'The uplink broker connection is up (1) or not (0)', (s, g) => g.set(((s.uplink ?? {}) as { connected?: boolean }).connected ? 1 : 0));
    gauge('pitbox_journal_last_seq', 'Last seq committed to the journal', (s, g) => g.set(journal(s).lastSeq ?? 0));
    gauge('pitbox_journal_undelivered_events', 'Committed events the uplink has not acknowledged', (s, g) => g.set(journal(s).undelivered ?? 0));
    gauge('pitbox_journal_used_bytes', 'Bytes the journal uses', (s, g) => g.set(journal(s).usedBytes ?? 0));
    gauge('pitbox_journal_free_bytes', 'Free bytes on the journal filesystem', (s, g) => g.set(journal(s).freeBytes ?? 0));
    gauge('pitbox_alarm_active', 'Alarms raised now, by code', (s, g) => {
      for (const a of (s.alarms ?? []) as { code: string }[]) g.set({ code: a.code }, 1);
    }, ['code']);
    gauge('pitbox_wheel_link_up', 'The wheel link is up (1) or not (0); absent at card tables', (s, g) => {
      if (s.wheel) g.set(((s.wheel as { up?: boolean }).up ?? false) ? 1 : 0);
    });
    gauge('pitbox_camera_up', 'The camera delivers frames (1) or not (0)', (s, g) => {
      for (const c of cameras(s)) g.set({ camera: c.name }, c.state === 'up' ? 1 : 0);
    }, ['camera']);
    gauge('pitbox_camera_fps', 'Encoded frames per second, last second', (s, g) => {
      for (const c of cameras(s)) g.set({ camera: c.name }, c.fps);
    }, ['camera']);
    gauge('pitbox_camera_last_frame_timestamp_seconds', 'When the camera last delivered an encoded frame (Unix time, within a second)', (s, g) => {
      for (const c of cameras(s)) if (c.lastFrameAt) g.set({ camera: c.name }, Date.parse(c.lastFrameAt) / 1000);
    }, ['camera']);
    gauge('pitbox_camera_encode_latency_seconds', 'Capture to encoded, median of the last second', (s, g) => {
      for (const c of cameras(s)) if (c.encodeLatencyMs) g.set({ camera: c.name }, c.encodeLatencyMs.p50 / 1000);
    }, ['camera']);
    gauge('pitbox_camera_output_up', 'A video output is sending (1) or not (0); URLs with secrets masked', (s, g) => {
      for (const c of cameras(s)) for (const o of c.outputs) g.set({ camera: c.name, output: o.url }, o.state === 'up' || o.state === 'sending' ? 1 : 0);
    }, ['camera', 'output']);
  }

  /** Counts events once they are durable (the only ones that exist). */
  onDurable(batch: readonly JournaledEvent[]): void {
    for (const e of batch) {
      const { type, data } = JSON.parse(e.body) as { type: string; data: { code?: string } };
      this.events.inc({ type });
      if (type === 'round.result') this.results.inc();
      else if (type === 'round.voided') this.voids.inc({ code: data.code ?? 'unknown' });
      else if (type === 'table.suspended') this.suspensions.inc({ code: data.code ?? 'unknown' });
    }
  }

  /** The doctor's last run (the status page runs it). */
  onDoctor(lines: readonly { check: string; status: string }[]): void {
    this.doctor.reset();
    const worst = new Map<string, number>();
    const level: Record<string, number> = { pass: 0, warn: 1, fail: 2, crashed: 3 };
    for (const l of lines) {
      const v = level[l.status];
      if (v !== undefined) worst.set(l.check, Math.max(v, worst.get(l.check) ?? 0));
    }
    for (const [check, v] of worst) this.doctor.set({ check }, v);
  }

  onPress(action: string, accepted: boolean): void {
    this.presses.inc({ action, outcome: accepted ? 'accepted' : 'refused' });
  }

  onRecognition(seconds: number, readings: readonly { card: string | null }[]): void {
    this.recognition.observe(seconds);
    for (const r of readings) this.readings.inc({ outcome: r.card === null ? 'unknown' : r.card === 'XX' ? 'face_down' : 'read' });
  }

  onWheelFrame(atUnixMs: number): void {
    this.wheelLastFrame.set(atUnixMs / 1000);
  }

  onWheelGarbage(): void {
    this.wheelGarbage.inc();
  }

  private mirror(counter: Counter<'camera'>, camera: string, what: string, total: number): void {
    const key = `${camera}\0${what}`;
    const last = this.cameraCounters.get(key) ?? 0;
    counter.inc({ camera }, total >= last ? total - last : total);
    this.cameraCounters.set(key, total);
  }
}
