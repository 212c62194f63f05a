import type { Logger } from 'pino';
import type { CameraFrame } from '../../drivers/camera/camera.js';
import { CardEngine, type CardSnapshot } from '../cards/card-engine.js';
import { positionsFromConfig, readPositions, type Cascades, type Positions } from '../recognition/positions.js';
import { NET_W as DETECTOR_WIDTH } from '../recognition/corner-detector.js';
import { CardRecognizer } from '../recognition/recognizer.js';
import { modelSpecOption } from '../recognition/deck.js';
import { ConfigError } from '../config/load.js';
import type { CardTableConfig } from '../config/schema.js';
import type { JsonObject } from '../contract/envelope.js';
import { tableStation, type DealerStation } from '../dealer/station.js';
import { ControlSocket, defaultSocketPath } from '../kernel/control-socket.js';
import { gameOf } from './card-games.js';
import { stopInOrder } from './stop-in-order.js';
import { analysisSize } from '../../drivers/camera/pipeline.js';
import { describeDown, TableCameras } from './table-cameras.js';
import { TableRuntime } from './table-runtime.js';

/**
 * Positions in the config must be the game's (a misspelt one would silently never deal), and
 * the sources the table deals from must be there.
 */
export function checkPositions(config: CardTableConfig, configFile: string): Positions {
  const game = gameOf(config);
  const { source } = config.cards;
  const cascades = cascadesOf(config);
  const unknown = Object.keys(config.cards.positions).filter((p) => !game.positions.includes(p) && !cascades[p]);
  const problems = unknown.map((p) => `cards.positions.${p}: not a ${game.name} position (${game.positions.slice(0, 6).join(', ')}, ...)${game.wholeHands ? ' or a whole hand (box1, dealer, ...)' : ''}`);
  for (const [hand, slots] of Object.entries(cascades)) {
    const both = slots.filter((s) => config.cards.positions[s] !== undefined);
    if (both.length > 0) problems.push(`cards.positions.${hand}: the whole hand is drawn, and so is ${both.join(', ')}: draw one or the other`);
  }
  if (source !== 'shoe') {
    const camera = config.cameras.find((c) => c.name === config.cards.camera);
    if (config.cards.camera === undefined) problems.push(`cards.camera: required when cards.source is ${source}`);
    else if (!camera) problems.push(`cards.camera: no camera named "${config.cards.camera}" in cameras`);
    else if (!camera.analysis.enabled) problems.push(`cameras[${camera.name}].analysis.enabled: must be true, card recognition reads its frames`);
    if (Object.keys(config.cards.positions).length === 0) problems.push(`cards.positions: required when cards.source is ${source}`);
  }
  if (source !== 'camera' && !config.cards.shoe) problems.push(`cards.shoe: required when cards.source is ${source}`);
  if (source === 'shoe' && game.notFromShoeAlone) problems.push(`cards.source: ${game.name} cannot deal from the shoe alone (${game.notFromShoeAlone}): use both`);
  if (problems.length > 0) throw new ConfigError(configFile, problems);
  return positionsFromConfig(config.cards.positions);
}

/**
 * Positions drawn for a whole hand (a blackjack box where the cards are dealt in a cascade):
 * each with the hand's slots in deal order. A hand of one slot is an ordinary position.
 */
export function cascadesOf(config: CardTableConfig): Cascades {
  const game = gameOf(config);
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(config.cards.positions)) {
    if (game.positions.includes(name)) continue;
    const slots = game.positions.filter((p) => game.handOf(p) === name);
    if (slots.length > 1) out[name] = slots;
  }
  return out;
}

/**
 * One card table (any game of `card-games.ts`): the runtime (journal, keys, brokers, delivery), the card
 * engine, the cameras, the recogniser reading one camera's frames, and the control socket the
 * dealer's buttons talk to. The recognition camera being down (or not yet up) suspends the table.
 */
export class CardTable {
  private readonly runtime: TableRuntime;
  private engine: CardEngine | null = null;
  private cameras: TableCameras | null = null;
  private recognizer: CardRecognizer | null = null;
  private control: ControlSocket | null = null;
  private station: DealerStation | null = null;
  private lastStateKey = '';
  private readonly stats = { recognized: 0, lastMs: 0 };

  constructor(
    private readonly config: CardTableConfig,
    private readonly configFile: string,
    private readonly log: Logger,
  ) {
    this.runtime = new TableRuntime(config, configFile, log);
  }

  /** Null while the table can work (systemd's watchdog), else why not; and one line for `systemctl status`. */
  health(): { problem: string | null; summary: string } {
    return this.runtime.health(this.engine?.state() ?? null);
  }

  async start(signal: AbortSignal): Promise<void> {
    const { config, log, runtime } = this;
    const positions = checkPositions(config, this.configFile);
    const cascades = cascadesOf(config);
    const cameraName = config.cards.source === 'shoe' ? null : (config.cards.camera ?? null);
    const recognizer = cameraName === null ? null : (this.recognizer = await CardRecognizer.load({ ...modelSpecOption(config), ...(config.cards.threshold !== undefined ? { threshold: config.cards.threshold } : {}), threads: config.cards.threads }));
    signal.throwIfAborted();
    const threshold = config.cards.threshold ?? recognizer?.classifier.spec.threshold ?? 1;
    const journal = await runtime.start(signal, {
      onStorage: (problem) => this.engine?.onStorage(problem),
      onIntegrity: (problem) => this.engine?.onIntegrity(problem),
      status: () => ({
        cameras: (this.cameras?.health() ?? []) as unknown as JsonObject[],
        ...(recognizer ? { recognition: { ...this.stats, threshold } } : {}),
        dealer: this.station?.report() ?? null,
      }),
    });
    const engine = (this.engine = new CardEngine(
      gameOf(config),
      { frames: config.cards.confirmFrames, threshold },
      (draft) => {
        runtime.append(draft, engine.snapshot());
        this.publishState(true);
      },
      log.child({ module: config.game }),
      journal.snapshot<CardSnapshot>(),
      { source: config.cards.source, matchWindowMs: config.cards.shoe?.matchWindowMs ?? 20_000, bettingMs: Math.round(config.betting.seconds * 1000) },
    ));
    engine.begin();
    runtime.tellStanding(engine);
    if (cameraName !== null) engine.onCamera(`${cameraName}: starting, no frame yet`);
    if (config.cards.shoe) engine.onShoeLink(`${config.cards.shoe.name}: starting`);

    // The recognition camera scales each analysis frame for the detector itself (a GStreamer
    // branch), so recognition does not scale it on its own core; always the detector's width.
    const withDetector = config.cameras.map((c) => (c.name === cameraName && recognizer ? { ...c, analysis: { ...c.analysis, scaledWidth: DETECTOR_WIDTH } } : c));
    const cameras = (this.cameras = new TableCameras(
      withDetector,
      {
        append: (draft) => runtime.append(draft, engine.snapshot()),
        onChange: (down) => {
          runtime.setAlarm('camera-down', describeDown(down));
          if (cameraName !== null) {
            const mine = down.find((d) => d.camera === cameraName);
            const up = cameras.summary()[cameraName] === 'up';
            engine.onCamera(up ? null : `${cameraName}: ${mine?.reason ?? 'not delivering frames'}`);
          }
          runtime.refreshStatus();
          this.publishState(true);
        },
      },
      log,
    ));
    const recognitionCamera = config.cameras.find((c) => c.name === cameraName);
    runtime.attachCameras(cameras, recognitionCamera && cameraName ? { camera: cameraName, ...analysisSize(recognitionCamera), positions: config.cards.positions } : null);
    if (cameraName !== null && recognizer) cameras.setConsumer(cameraName, (frame) => this.onFrame(frame, positions, cascades, engine, recognizer));
    if (config.openOnStart) engine.openTable('openOnStart');
    this.station = tableStation(
      { runtime, engine, publishState: () => this.publishState(true), shoe: { read: (read, by) => engine.onShoe(read, by), link: (problem) => engine.onShoeLink(problem) } },
      config.inputs,
      config.cards.source === 'camera' ? null : (config.cards.shoe ?? null),
      log,
    );
    this.control = new ControlSocket(config.control.socket ?? defaultSocketPath(config.table), engine, log.child({ module: 'control' }), {
      group: config.control.group,
      report: () => runtime.statusObject(),
      revokeKey: (request) => runtime.revokeKey(request, engine.snapshot()),
      onAction: (action, ok) => runtime.metrics?.onPress(action, ok),
    });
    await this.control.start();
    cameras.start();
    this.station.start();
    this.publishState(true);
    log.info({ studio: config.studio, table: config.table, game: config.game, source: config.cards.source, camera: cameraName, positions: Object.keys(positions).length, inputs: config.inputs.length }, 'table running');
  }

  async stop(): Promise<void> {
    await stopInOrder(
      [
        ['control', () => this.control?.stop()],
        ['dealer inputs', () => this.station?.stop()],
        ['engine timers', () => this.engine?.stop()],
        ['cameras', () => this.cameras?.stop()],
        ['recognizer', () => this.recognizer?.close()],
        ['runtime', () => this.runtime.stop()],
      ],
      this.log,
    );
  }

  /**
   * One analysis frame: recognise, map to positions, let the engine confirm. The camera hands
   * over one frame at a time (newer ones replace a waiting one, counted as dropped in its
   * health) and logs a consumer that throws.
   */
  private async onFrame(frame: CameraFrame, positions: Positions, cascades: Cascades, engine: CardEngine, recognizer: CardRecognizer): Promise<void> {
    const t0 = performance.now();
    const found = await recognizer.recognizeFrame(frame);
    this.runtime.metrics?.onRecognition((performance.now() - t0) / 1000, found);
    // Capture time from the pipeline clock; a source without timestamps falls back to arrival.
    engine.onFrame({ readings: readPositions(found, positions, cascades), frameTime: frame.captureTime ?? Date.now(), camera: frame.camera });
    this.stats.recognized += 1;
    this.stats.lastMs = Math.round((performance.now() - t0) * 10) / 10;
    this.publishState(false);
  }

  private publishState(force: boolean): void {
    const state = this.engine?.state();
    if (!state) return;
    const cameras = this.cameras?.summary();
    const key = JSON.stringify([state, cameras]);
    if (!force && key === this.lastStateKey) return;
    this.lastStateKey = key;
    this.runtime.publishState({ ...(state as unknown as JsonObject), ...(cameras ? { cameras } : {}) });
  }
}
