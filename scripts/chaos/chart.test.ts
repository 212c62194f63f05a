import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chartSvg, writeChart } from './chart.js';

const opts = {
  title: 'RSS <appliance>',
  unit: 'MB',
  lines: [{ name: 'appliance', points: [{ t: 0, v: 100 }, { t: 60_000, v: 110 }, { t: 120_000, v: 105 }] }],
  faults: [{ atMs: 30_000, durationMs: 10_000, kind: 'uplink-cut' }],
};

t.test('the SVG draws the line, the fault window and escapes names', async (t) => {
  const svg = chartSvg(opts);
  t.match(svg, /<path d="M70\.0,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+"/, 'three points, one path');
  t.match(svg, /RSS &#60;appliance&#62;/, 'title escaped');
  t.match(svg, /uplink-cut/, 'fault kind in the legend');
  t.equal((svg.match(/opacity="0.6"/g) ?? []).length, 1, 'one shaded window');
});

t.test('a new pid starts a new stroke', async (t) => {
  const svg = chartSvg({ ...opts, lines: [{ name: 'w', points: [{ t: 0, v: 1, pid: 1 }, { t: 1, v: 2, pid: 1 }, { t: 2, v: 1, pid: 2 }] }] });
  t.equal((/<path d="([^"]+)"/.exec(svg)![1]!.match(/M/g) ?? []).length, 2);
});

t.test('rsvg-convert turns it into a PNG', async (t) => {
  const base = join(mkdtempSync(join(tmpdir(), 'pitbox-chart-')), 'rss');
  writeChart(base, opts);
  const png = readFileSync(`${base}.png`);
  t.same([...png.subarray(1, 4)], [...Buffer.from('PNG')], 'a PNG file');
  t.equal(png.readUInt32BE(16), 1000, 'width as asked');
});
