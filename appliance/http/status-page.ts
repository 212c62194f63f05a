import type { ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import { describeEvent } from '../../packages/consumer/src/human-lines.js';
import { TableVerifier } from '../../packages/consumer/src/verifier.js';
import { STATUS_PAGE_HTML } from './status-page-html.js';
import type { LocalHttpServer } from './local-server.js';
import type { Preview } from '../../drivers/camera/camera.js';

/** The table's cameras as the page sees them: a name, and its preview stills. */
export interface PreviewSource {
  names(): string[];
  camera(name: string): { latestPreview: Preview | null; on(event: 'preview', cb: (p: Preview) => void): unknown; off(event: 'preview', cb: (p: Preview) => void): unknown } | undefined;
}

/** What the page draws over a camera: the configured positions, in the camera's analysis pixels. */
export interface Overlay {
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  readonly positions: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

export interface PageFeed {
  readonly feed: EventEmitter<{ message: [{ kind: 'birth' | 'events' | 'state' | 'status'; text: string }] }>;
  readonly latest: ReadonlyMap<string, string>;
}

/** One event as the page lists it: what happened, and whether it verified. */
interface PageEvent {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly text: string;
  readonly verified: boolean;
  readonly problem: string | null;
}

/** What each alarm means, and what the technician does about it. */
export const ALARM_HELP: Record<string, string> = {
  'journal-space': 'The journal is nearly out of room: the table is suspended until there is space. Free disk space on the journal\'s filesystem (or raise journal.maxMiB); nothing is lost meanwhile.',
  'journal-write': 'The journal cannot commit (a disk error): the table is suspended and events wait in memory. Check the disk (dmesg, smartctl).',
  'journal-integrity': 'The journal\'s hash chain is broken: what it records cannot be vouched for. Do not delete it; restore it from a backup, restart, and tell the platform.',
  'camera-down': 'A camera stopped delivering frames. Check its cable and power; `pitbox camera test` shows why. A card table stays suspended until its camera is back.',
  'input-device': 'A dealer input (keypad, pedal, button panel, card shoe) is unplugged, silent or held by another process. Check its cable; the reason names the device. A table dealing from the shoe stays suspended until the shoe is back.',
  'input-stuck': 'A button has been held down too long (a stuck key, something resting on a pedal). It does nothing until it is released.',
};

const KEEP = 50;

/**
 * The technicians' status page (`/`) and its live feed (`/live`, server-sent events: one stream
 * per page, since a browser opens at most six connections to a host). The page shows the
 * table's state and alarms with what each means, the doctor's checks (`/doctor.json`, run by the
 * caller), the latest events checked by the reference verifier in this process, and the journal
 * and uplink gauges. Nothing on it acts on the table.
 */
export class StatusPage {
  private readonly clients = new Set<ServerResponse>();
  /** The newest events as published, newest last: verified only when a page asks for them. */
  private readonly recent: string[] = [];
  /** The live verifier, made when a page opens (no page open: no verification on the hot path). */
  private verifier: TableVerifier | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly source: PageFeed,
    table: { studio: string; table: string; game: string },
    /** `fresh`: the technician pressed "run again" (not a page load): do not answer from the cache. */
    private readonly doctor: (fresh: boolean) => Promise<unknown>,
  ) {
    this.table = { studio: table.studio, table: table.table };
    source.feed.on('message', (m) => this.onMessage(m.kind, m.text));
    this.title = `${table.studio}/${table.table} (${table.game})`;
    // A comment every 15 s keeps proxies and idle timeouts from closing the stream.
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), 15_000);
  }

  private readonly title: string;
  private readonly table: { studio: string; table: string };
  private previews: PreviewSource | null = null;
  private overlay: Overlay | null = null;

  /** The cameras, once the table has started them; `overlay` for the recognition camera. */
  attachCameras(previews: PreviewSource, overlay: Overlay | null): void {
    this.previews = previews;
    this.overlay = overlay;
  }

  mount(server: LocalHttpServer): void {
    // Each camera as MJPEG (multipart/x-mixed-replace) at the preview's own rate: the newest
    // still at once, then each new one. One connection per camera image on the page.
    server.route('/camera.mjpeg', (req, res) => {
      const name = new URL(req.url ?? '/', 'http://box').searchParams.get('name') ?? '';
      const camera = this.previews?.camera(name);
      if (!camera) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no camera ${name}\n`);
        return;
      }
      const boundary = 'pitboxframe';
      res.writeHead(200, { 'content-type': `multipart/x-mixed-replace; boundary=${boundary}`, 'cache-control': 'no-store' });
      const send = (p: Preview): void => {
        // A slow client skips stills rather than queueing them.
        if (res.writableLength > 0) return;
        res.write(`--${boundary}\r\ncontent-type: image/jpeg\r\ncontent-length: ${p.jpeg.length}\r\n\r\n`);
        res.write(p.jpeg);
        res.write('\r\n');
      };
      if (camera.latestPreview) send(camera.latestPreview);
      camera.on('preview', send);
      req.on('close', () => camera.off('preview', send));
    });
    server.route('/', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(STATUS_PAGE_HTML.replaceAll('__TITLE__', escapeHtml(this.title)));
    });
    server.route('/live', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
      this.clients.add(res);
      req.on('close', () => {
        this.clients.delete(res);
        if (this.clients.size === 0) this.verifier = null;
      });
    });
    server.route('/doctor.json', async (req, res) => {
      const fresh = new URL(req.url ?? '/', 'http://x').searchParams.get('fresh') === '1';
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(await this.doctor(fresh)));
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  /**
   * What a page opening now gets. The recent events are verified here, in order, by a verifier
   * that then goes on checking live events for as long as a page is open: a table nobody is
   * looking at pays nothing for its page.
   */
  private snapshot(): Record<string, unknown> {
    const verifier = (this.verifier = new TableVerifier(this.table));
    const birth = this.source.latest.get('birth');
    if (birth) verifier.birth(birth);
    return {
      title: this.title,
      state: parse(this.source.latest.get('state')),
      status: parse(this.source.latest.get('status')),
      events: this.recent.map((text) => this.check(verifier, text)).reverse(),
      alarmHelp: ALARM_HELP,
      cameras: this.previews?.names() ?? [],
      overlay: this.overlay,
    };
  }

  private onMessage(kind: string, text: string): void {
    if (kind === 'birth') {
      this.verifier?.birth(text);
      return;
    }
    if (kind === 'events') {
      this.recent.push(text);
      if (this.recent.length > KEEP) this.recent.shift();
      if (this.verifier) this.broadcast(`event: event\ndata: ${JSON.stringify(this.check(this.verifier, text))}\n\n`);
      return;
    }
    if (this.clients.size > 0) this.broadcast(`event: ${kind}\ndata: ${JSON.stringify(parse(text))}\n\n`);
  }

  private check(verifier: TableVerifier, text: string): PageEvent {
    const out = verifier.event(text);
    const e = JSON.parse(text) as Parameters<typeof describeEvent>[0];
    return {
      seq: e.seq,
      ts: e.ts,
      type: e.type,
      text: describeEvent(e),
      verified: out.kind !== 'violation',
      problem: out.kind === 'violation' ? `${out.violation.code}: ${out.violation.detail}` : null,
    };
  }

  private broadcast(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
}

/** A published message as JSON, or null (none yet, or not JSON). */
export function parse(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
