/**
 * The rendered dealt clips in test-fixtures/cards/ (models/make-fixtures.sh): what each shows,
 * and the YAML of an overhead camera playing one with its card positions, as the card-table
 * tests configure it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = new URL('../../test-fixtures/cards/', import.meta.url).pathname;

export interface RenderedClip {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly positions: Record<string, [number, number][]>;
  readonly expected: { readonly dealt: { position: string; card: string }[]; readonly result: Record<string, unknown> };
}

export function renderedClip(name: 'baccarat-round' | 'dragon-tiger-round'): RenderedClip {
  const described = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Omit<RenderedClip, 'file'>;
  return { ...described, file: join(FIXTURES, `${name}.mkv`) };
}

/** `cameras:` with one camera `overhead` playing the clip, analysed at its frame rate. */
export function clipCameraLines(clip: RenderedClip): string[] {
  return [
    'cameras:',
    '  - name: overhead',
    `    source: { kind: file, path: ${clip.file}, width: ${clip.width}, height: ${clip.height}, framerate: ${clip.fps} }`,
    `    analysis: { enabled: true, maxFps: ${clip.fps} }`,
  ];
}

/** `  positions:` under `cards:`, the clip's positions as drawn on it. */
export function clipPositionLines(clip: RenderedClip): string[] {
  return ['  positions:', ...Object.entries(clip.positions).map(([name, corners]) => `    ${name}: ${JSON.stringify(corners)}`)];
}

/**
 * The `cards:` block for a table reading the clip: its overhead camera, its positions, and a
 * threshold for its size. The clip is 960x540: its cards have a quarter of the pixels of the
 * 1080p camera the model's thresholds were chosen for; a table's own threshold is how a studio
 * with a smaller picture adjusts. A wrong read would still fail the tests that use it.
 */
export function clipCardLines(clip: RenderedClip, opts: { source?: 'camera' | 'both'; confirmFrames?: number } = {}): string[] {
  return [
    'cards:',
    ...(opts.source ? [`  source: ${opts.source}`] : []),
    '  camera: overhead',
    ...(opts.confirmFrames ? [`  confirmFrames: ${opts.confirmFrames}`] : []),
    '  threshold: 0.85',
    ...clipPositionLines(clip),
  ];
}

/** The clip's dealt cards as a serial shoe types them (`10H`, not `TH`), one line each. */
export function shoeLines(clip: RenderedClip): string {
  return clip.expected.dealt.map((d) => `${d.card[0] === 'T' ? '10' : d.card[0]}${d.card[1]}\r\n`).join('');
}
