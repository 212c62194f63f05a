/**
 * Line charts of the soak's series as SVG, with the fault windows shaded behind them, turned into
 * PNG by Debian's rsvg-convert: a person looks at a picture rather than reading ten thousand
 * samples. Written by hand (a few dozen lines) rather than pulling a charting library and its
 * dependency tree into the appliance's lockfile for a script.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface Line {
  readonly name: string;
  /** A change of `pid` starts a new stroke: two lifetimes of a process are not joined. */
  readonly points: readonly { t: number; v: number; pid?: number | undefined }[];
}

export interface ChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly Line[];
  readonly faults?: readonly { atMs: number; durationMs: number; kind: string }[];
  readonly width?: number;
  readonly height?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const FAULT_COLOURS: Record<string, string> = {};

function escape(s: string): string {
  return s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

export function chartSvg(opts: ChartOptions): string {
  const w = opts.width ?? 1000;
  const h = opts.height ?? 360;
  const pad = { l: 70, r: 180, t: 30, b: 40 };
  const all = opts.lines.flatMap((l) => l.points);
  const tMax = Math.max(1, ...all.map((p) => p.t), ...(opts.faults ?? []).map((f) => f.atMs + f.durationMs));
  const vMax = niceMax(Math.max(0, ...all.map((p) => p.v)));
  const x = (t: number) => pad.l + (t / tMax) * (w - pad.l - pad.r);
  const y = (v: number) => h - pad.b - (v / vMax) * (h - pad.t - pad.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="DejaVu Sans, sans-serif" font-size="12">`, `<rect width="${w}" height="${h}" fill="white"/>`];
  const kinds = [...new Set((opts.faults ?? []).map((f) => f.kind))];
  for (const f of opts.faults ?? []) {
    FAULT_COLOURS[f.kind] ??= `hsl(${(kinds.indexOf(f.kind) * 57) % 360}, 70%, 85%)`;
    parts.push(`<rect x="${x(f.atMs).toFixed(1)}" y="${pad.t}" width="${Math.max(1, x(f.atMs + f.durationMs) - x(f.atMs)).toFixed(1)}" height="${h - pad.t - pad.b}" fill="${FAULT_COLOURS[f.kind]}" opacity="0.6"/>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (vMax * i) / 4;
    parts.push(`<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toPrecision(3)}</text>`);
  }
  for (let i = 0; i <= 6; i++) {
    const t = (tMax * i) / 6;
    parts.push(`<text x="${x(t)}" y="${h - pad.b + 16}" text-anchor="middle">${(t / 60_000).toFixed(t / 60_000 < 10 ? 1 : 0)} min</text>`);
  }
  parts.push(`<text x="${pad.l}" y="18" font-size="14" font-weight="bold">${escape(opts.title)} (${escape(opts.unit)})</text>`);
  opts.lines.forEach((line, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = line.points.map((p, j) => `${j && p.pid === line.points[j - 1]!.pid ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    parts.push(`<rect x="${w - pad.r + 10}" y="${pad.t + i * 18}" width="12" height="3" fill="${colour}"/><text x="${w - pad.r + 28}" y="${pad.t + i * 18 + 5}">${escape(line.name)}</text>`);
  });
  kinds.forEach((k, i) => {
    const yy = pad.t + (opts.lines.length + 1 + i) * 18;
    parts.push(`<rect x="${w - pad.r + 10}" y="${yy - 6}" width="12" height="10" fill="${FAULT_COLOURS[k]}"/><text x="${w - pad.r + 28}" y="${yy + 3}">${escape(k)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes `base`.svg and `base`.png (rsvg-convert, from Debian's librsvg2-bin). */
export function writeChart(base: string, opts: ChartOptions): void {
  writeFileSync(`${base}.svg`, chartSvg(opts));
  execFileSync('rsvg-convert', ['-o', `${base}.png`, `${base}.svg`]);
}
