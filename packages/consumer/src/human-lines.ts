import type { EventEnvelope } from './envelope.js';
import type { StreamItem } from './stream.js';

/**
 * `pitbox tail` for people: one line per event in the words a pit boss uses, and the retained
 * `state` and `status` only when what they say changes (each connect replays them, and status
 * is republished every few seconds with fresh gauges). `--json` keeps the machine form.
 */
export class HumanLines {
  private readonly lastState = new Map<string, string>();
  private readonly lastStatus = new Map<string, string>();

  /** The line for an item, or null when it says nothing new. */
  line(item: StreamItem): string | null {
    switch (item.kind) {
      case 'event':
        return `${time(item.event.ts)} ${item.table} #${item.event.seq} ${describeEvent(item.event)}${item.duplicate ? ' (again: already seen)' : ''}`;
      case 'violation':
        return `${item.table} VIOLATION ${item.violation.code}${item.violation.seq === undefined ? '' : ` at #${item.violation.seq}`}: ${item.violation.detail}`;
      case 'birth': {
        const b = parse(item.text);
        const keys = Array.isArray(b.keys) ? b.keys.length : 0;
        return `${time(str(b.ts))} ${item.table} connected: ${str(b.software)}, signing key ${str(b.activeKid).slice(0, 8)}…, ${keys} key${keys === 1 ? '' : 's'} announced, backlog up to #${val(b.lastSeq)}`;
      }
      case 'state': {
        const s = parse(item.text);
        const text = describeState(obj(s.state));
        return this.changed(this.lastState, item.table, text) ? `${time(str(s.ts))} ${item.table} state: ${text}` : null;
      }
      case 'status': {
        const s = parse(item.text);
        const text = describeStatus(s);
        return this.changed(this.lastStatus, item.table, text) ? `${time(str(s.ts))} ${item.table} status: ${text}` : null;
      }
    }
  }

  private changed(seen: Map<string, string>, table: string, text: string): boolean {
    if (seen.get(table) === text) return false;
    seen.set(table, text);
    return true;
  }
}

export function describeEvent(e: EventEnvelope): string {
  const d = e.data as Record<string, unknown>;
  const round = e.round === undefined ? '' : `round ${e.round} `;
  switch (e.type) {
    case 'table.opened':
      return `table opened by ${str(d.by)}`;
    case 'table.closed':
      return `table closed by ${str(d.by)}`;
    case 'table.suspended':
      return `TABLE SUSPENDED (${str(d.code)}): ${str(d.reason)}`;
    case 'table.resumed':
      return `table resumed: ${str(d.reason)}`;
    case 'round.opened':
      return `${round}opened by ${str(d.by)}, bets open`;
    case 'round.closed':
      return `${round}no more bets${d.spin === undefined ? '' : ` (spin ${val(d.spin)})`}`;
    case 'round.voided':
      return `${round}VOID (${str(d.code)}): ${str(d.reason)}`;
    case 'round.result':
      return `${round}RESULT ${describeResult(d)}`;
    case 'card.drawn':
      return `${round}the shoe drew ${str(d.card ?? `an unreadable card (${str(d.code)})`)}`;
    case 'card.dealt':
      return `${round}${str(d.card)} dealt to ${str(d.position)}`;
    case 'card.conflict':
      // The shoe against the camera (cards.source both), or a confirmed card that changed.
      if (d.code !== undefined) return `${round}CARD CONFLICT (${str(d.code)})${d.position === undefined ? '' : ` at ${str(d.position)}`}: the shoe ${d.shoeCard === undefined ? 'read nothing' : `read ${str(d.shoeCard)}`}, the camera ${d.cameraCard === undefined ? 'saw nothing' : `saw ${str(d.cameraCard)}`}`;
      return `${round}CARD CONFLICT at ${str(d.position)}: dealt ${str(d.confirmed)}, now reads ${str(d.read)}`;
    case 'camera.down':
      return `camera ${str(d.camera)} DOWN: ${str(d.reason)}`;
    case 'camera.up':
      return `camera ${str(d.camera)} up (${str(d.encoder)})${typeof d.downMs === 'number' ? ` after ${(d.downMs / 1000).toFixed(1)} s without video` : ''}`;
    default:
      return `${e.type} ${JSON.stringify(d)}`;
  }
}

function describeResult(d: Record<string, unknown>): string {
  if (d.game === 'baccarat') {
    const cards = (k: string) => (Array.isArray(d[k]) ? (d[k] as string[]).join(' ') : '');
    const winner = d.winner === 'tie' ? 'tie' : `${str(d.winner)} wins`;
    const sides = [d.natural ? 'natural' : '', d.playerPair ? 'player pair' : '', d.bankerPair ? 'banker pair' : ''].filter(Boolean);
    return `${winner} ${val(d.playerTotal)}-${val(d.bankerTotal)} (player ${cards('player')}; banker ${cards('banker')})${sides.length ? `, ${sides.join(', ')}` : ''}`;
  }
  if (d.game === 'dragon-tiger') {
    const winner = d.winner === 'tie' ? (d.suitedTie ? 'suited tie' : 'tie') : `${str(d.winner)} wins`;
    return `${winner} (dragon ${str(d.dragon)}, tiger ${str(d.tiger)})`;
  }
  if (d.game === 'blackjack') {
    const dealer = obj(d.dealer);
    const boxes = Object.entries(obj(d.boxes)).map(([box, b]) => `${box} ${str(obj(b).outcome)}`);
    return `dealer ${dealer.bust ? 'bust' : val(dealer.total)}; ${boxes.join(', ')}`;
  }
  return `${val(d.number)} ${str(d.colour)}${d.spin === undefined ? '' : ` (spin ${val(d.spin)}, ${val(d.rotorRpm)} rpm ${str(d.direction)})`}`;
}

function describeState(s: Record<string, unknown>): string {
  const parts: string[] = [];
  const suspended = s.suspended ? obj(s.suspended) : null;
  parts.push(suspended ? `suspended (${str(suspended.code)})` : s.open ? 'open' : 'closed');
  const round = s.round ? obj(s.round) : null;
  if (round) parts.push(`round ${val(round.no)}${round.phase ? ` ${str(round.phase)}` : ''}`);
  const cams = s.cameras ? Object.entries(obj(s.cameras)).filter(([, v]) => v !== 'up') : [];
  if (cams.length) parts.push(`cameras down: ${cams.map(([k]) => k).join(', ')}`);
  return parts.join(', ');
}

function describeStatus(s: Record<string, unknown>): string {
  if (s.online === false) return 'OFFLINE';
  const alarms = Array.isArray(s.alarms) ? (s.alarms as Record<string, unknown>[]).map((a) => `${str(a.code)}: ${str(a.reason)}`) : [];
  return alarms.length ? `online, ALARMS: ${alarms.join('; ')}` : 'online, no alarms';
}

/** hh:mm:ss.mmm in UTC (what every box's logs use). */
function time(ts: string): string {
  return /T(\d\d:\d\d:\d\d\.\d{3})/.exec(ts)?.[1] ?? '--:--:--.---';
}

function parse(text: string): Record<string, unknown> {
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A number or a string as it is; anything else as JSON. */
function val(v: unknown): string {
  return typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v) ?? '?';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '?' : JSON.stringify(v);
}
