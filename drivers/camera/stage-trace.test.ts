import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseStageLine, stageTrace } from './stage-trace.js';

t.test('off unless PITBOX_STAGE_TRACE is set', async (t) => {
  const saved = process.env.PITBOX_STAGE_TRACE;
  delete process.env.PITBOX_STAGE_TRACE;
  t.teardown(() => void (saved === undefined ? delete process.env.PITBOX_STAGE_TRACE : (process.env.PITBOX_STAGE_TRACE = saved)));
  t.equal(stageTrace('worker'), null);
});

t.test('one line per call, a missing field as "-", read back as numbers and null', async (t) => {
  const prefix = join(mkdtempSync(join(tmpdir(), 'stage-trace-')), 'run');
  process.env.PITBOX_STAGE_TRACE = prefix;
  t.teardown(() => void delete process.env.PITBOX_STAGE_TRACE);
  const worker = stageTrace('worker');
  const output = stageTrace('output');
  t.ok(worker && output, 'both roles trace');
  worker?.(1, 1_000_000_123, 1_020_000_000, 1_020_100_000);
  worker?.(2, undefined, 1_053_000_000, null);
  output?.(1_000_000_123, 1_021_000_000, 1_021_050_000);
  const lines = readFileSync(`${prefix}.worker`, 'utf8').trim().split('\n');
  t.same(lines.map(parseStageLine), [
    [1, 1_000_000_123, 1_020_000_000, 1_020_100_000],
    [2, null, 1_053_000_000, null],
  ]);
  // Each output process writes a file of its own: several outputs never interleave.
  t.same(parseStageLine(readFileSync(`${prefix}.output.${process.pid}`, 'utf8')), [1_000_000_123, 1_021_000_000, 1_021_050_000]);
});

t.test('a prefix that cannot be opened turns tracing off instead of failing', async (t) => {
  process.env.PITBOX_STAGE_TRACE = '/nonexistent-dir/run';
  t.teardown(() => void delete process.env.PITBOX_STAGE_TRACE);
  t.equal(stageTrace('output'), null);
});
