import type { ServerResponse } from 'node:http';
import { DEALER_MONITOR_HTML } from './dealer-monitor-html.js';
import type { LocalHttpServer } from './local-server.js';
import { escapeHtml, parse, type PageFeed } from './status-page.js';

/** What lifts each suspension, in the words a dealer reads from 3 m. */
export const LIFTS: Record<string, string> = {
  'camera-down': 'Lifts by itself when the camera is back',
  'shoe-down': 'Lifts by itself when the shoe is back',
  'wheel-link': 'Lifts by itself when the wheel is back',
  'wheel-idle': 'Lifts by itself when the wheel reports again',
  'journal-space': 'Lifts by itself when the journal has room: call a technician',
  'journal-integrity': 'Call a technician: the journal must be restored and the box restarted',
};
export const LIFTS_BY_PERSON = 'Call a technician: they check the table, then resume it';

const RESULTS = 8;

/**
 * The screen that faces the dealer (`/dealer`, live feed `/dealer/live`): the phase in large
 * type with the betting countdown, the cards at each position, the last results, why the table
 * is suspended and what lifts it, what stands in the way of the dealer's next step (a standing
 * line from the state, until it clears), the last press the table refused and why, and each input
 * device. Fed by the same messages the table publishes (state, status, events) the moment they
 * are published, over one server-sent-event stream per page; it needs nothing but the box.
 */
export class DealerMonitor {
  private readonly clients = new Set<ServerResponse>();
  private readonly results: unknown[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly source: PageFeed,
    private readonly title: string,
  ) {
    source.feed.on('message', (m) => this.onMessage(m.kind, m.text));
    this.heartbeat = setInterval(() => this.broadcast(`event: clock\ndata: ${Date.now()}\n\n`), 10_000);
  }

  mount(server: LocalHttpServer): void {
    server.route('/dealer', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(DEALER_MONITOR_HTML.replaceAll('__TITLE__', escapeHtml(this.title)));
    });
    server.route('/dealer/live', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      // The box's clock with every snapshot: the monitor's PC may be seconds off, the countdown must not be.
      const snapshot = { title: this.title, now: Date.now(), state: parse(this.source.latest.get('state')), status: parse(this.source.latest.get('status')), results: this.results, lifts: LIFTS, liftsByPerson: LIFTS_BY_PERSON };
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private onMessage(kind: string, text: string): void {
    if (kind === 'birth') return;
    if (kind === 'events') {
      const e = parse(text) as { type?: string; round?: number; data?: unknown; ts?: string } | null;
      if (e?.type !== 'round.result' && e?.type !== 'round.voided') return;
      const item = { type: e.type, round: e.round, ts: e.ts, data: e.data };
      this.results.unshift(item);
      if (this.results.length > RESULTS) this.results.pop();
      this.broadcast(`event: result\ndata: ${JSON.stringify(item)}\n\n`);
      return;
    }
    if (this.clients.size > 0) this.broadcast(`event: ${kind}\ndata: ${JSON.stringify({ now: Date.now(), message: parse(text) })}\n\n`);
  }

  private broadcast(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
}
