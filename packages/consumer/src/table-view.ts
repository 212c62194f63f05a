import type { EventEnvelope, JsonObject } from './envelope.js';

/** A table as a backend reconstructs it from events alone, applied in seq order. */
export interface TableView {
  seq: number;
  open: boolean;
  suspended: { code: string; reason: string } | null;
  round: { no: number; phase: 'betting' | 'closed' } | null;
  lastResult: { round: number; data: JsonObject } | null;
  results: number;
  voids: number;
}

export function emptyView(): TableView {
  return { seq: 0, open: false, suspended: null, round: null, lastResult: null, results: 0, voids: 0 };
}

/** Applies one event; events older than the view (a backlog after the present) change nothing. */
export function applyEvent(view: TableView, e: EventEnvelope): void {
  if (e.seq <= view.seq) return;
  view.seq = e.seq;
  const round = e.round ?? null;
  switch (e.type) {
    case 'table.opened':
      view.open = true;
      break;
    case 'table.closed':
      view.open = false;
      view.round = null;
      break;
    case 'table.suspended':
      view.suspended = { code: text(e.data.code), reason: text(e.data.reason) };
      break;
    case 'table.resumed':
      view.suspended = null;
      break;
    case 'round.opened':
      if (round !== null) view.round = { no: round, phase: 'betting' };
      break;
    case 'round.closed':
      if (round !== null) view.round = { no: round, phase: 'closed' };
      break;
    case 'round.result':
      if (round !== null) view.lastResult = { round, data: e.data };
      view.results += 1;
      view.round = null;
      break;
    case 'round.voided':
      view.voids += 1;
      if (view.round?.no === round) view.round = null;
      break;
  }
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
