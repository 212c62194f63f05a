import { LinuxBinding } from '@serialport/bindings-cpp';
import type { Logger } from 'pino';
import { NumberLineWheel } from '../../drivers/wheel/generic/number-line-wheel.js';
import { CammeghSs2Wheel } from '../../drivers/wheel/ss2/cammegh-ss2-wheel.js';
import { hasMode, Ss2Mode } from '../../drivers/wheel/ss2/protocol.js';
import type { WheelDriver, WheelLink } from '../../drivers/wheel/wheel.js';
import type { RouletteConfig } from '../config/schema.js';
import type { JsonObject } from '../contract/envelope.js';
import { RouletteEngine, type RouletteRules } from '../games/roulette/roulette-engine.js';
import type { RouletteSnapshot, TableState } from '../games/roulette/table-state.js';
import { tableStation, type DealerStation } from '../dealer/station.js';
import { ControlSocket, defaultSocketPath } from '../kernel/control-socket.js';
import { stopInOrder } from './stop-in-order.js';
import { describeDown, TableCameras } from './table-cameras.js';
import { TableRuntime } from './table-runtime.js';

/**
 * One roulette table: the runtime (journal, keys, brokers, delivery) first, then the engine,
 * then the wheel that feeds it. `stop()` undoes it in reverse. Each start step checks the abort
 * signal, so a SIGTERM during start-up leaves nothing half-open.
 */
export class RouletteTable {
  private readonly runtime: TableRuntime;
  private engine: RouletteEngine | null = null;
  private wheel: WheelDriver | null = null;
  private cameras: TableCameras | null = null;
  private control: ControlSocket | null = null;
  private station: DealerStation | null = null;
  private lastStateKey = '';

  constructor(
    private readonly config: RouletteConfig,
    configFile: string,
    private readonly log: Logger,
  ) {
    this.runtime = new TableRuntime(config, configFile, log);
  }

  private link: WheelLink | null = null;

  get state(): TableState | null {
    return this.engine?.state() ?? null;
  }

  /** Null while the table can work (systemd's watchdog), else why not; and one line for `systemctl status`. */
  health(): { problem: string | null; summary: string } {
    return this.runtime.health(this.engine?.state() ?? null);
  }

  async start(signal: AbortSignal): Promise<void> {
    const { config, log, runtime } = this;
    const journal = await runtime.start(signal, {
      onStorage: (problem) => this.engine?.onStorage(problem),
      onIntegrity: (problem) => this.engine?.onIntegrity(problem),
      status: () => ({ cameras: (this.cameras?.health() ?? []) as unknown as JsonObject[], dealer: this.station?.report() ?? null, wheel: this.link ? { ...this.link } as unknown as JsonObject : { up: false, reason: 'not connected yet' } }),
    });

    const wheel = (this.wheel = this.createWheel());
    const engine = (this.engine = new RouletteEngine(
      this.rules(wheel),
      (draft) => {
        runtime.append(draft, engine.snapshot());
        this.publishState(true);
      },
      wheel,
      log.child({ module: 'roulette' }),
      journal.snapshot<RouletteSnapshot>(),
    ));
    engine.begin();
    runtime.tellStanding(engine);

    wheel.on('link', (link) => {
      this.link = link;
      engine.onLink(link);
      if (link.up && this.config.openOnStart && !engine.state().open) {
        const d = engine.openTable('openOnStart');
        if (!d.ok) log.warn({ reason: d.reason }, 'could not open the table');
      }
      this.publishState(true);
    });
    wheel.on('status', (s) => {
      runtime.metrics?.onWheelFrame(Date.now());
      engine.onStatus(s);
      this.publishState(false);
    });
    wheel.on('winningNumber', (n) => engine.onWinningNumber(n));
    wheel.on('garbage', () => runtime.metrics?.onWheelGarbage());
    this.publishState(true);
    this.startCameras(engine);
    // The dealer's and technician's way in (open, suspend, resume, manual starts) and the status
    // `pitbox doctor` asks a running table for.
    this.control = new ControlSocket(config.control.socket ?? defaultSocketPath(config.table), engine, log.child({ module: 'control' }), {
      group: config.control.group,
      report: () => runtime.statusObject(),
      revokeKey: (request) => runtime.revokeKey(request, engine.snapshot()),
      onAction: (action, ok) => runtime.metrics?.onPress(action, ok),
    });
    await this.control.start();
    this.station = tableStation({ runtime, engine, publishState: () => this.publishState(true) }, config.inputs, null, log);
    this.station.start();
    await wheel.start(signal);
    log.info({ studio: config.studio, table: config.table, wheel: config.wheel.driver }, 'table running');
  }

  async stop(): Promise<void> {
    await stopInOrder(
      [
        ['control', () => this.control?.stop()],
        ['dealer inputs', () => this.station?.stop()],
        ['cameras', () => this.cameras?.stop()],
        ['wheel', () => this.wheel?.stop()],
        ['runtime', () => this.runtime.stop()],
      ],
      this.log,
    );
  }

  /**
   * Cameras at a roulette table are video only: the wheel decides, so a camera that is down
   * raises an alarm and is journaled, but the table keeps running.
   */
  private startCameras(engine: RouletteEngine): void {
    if (this.config.cameras.length === 0) return;
    const { runtime } = this;
    const cameras = (this.cameras = new TableCameras(
      this.config.cameras,
      {
        append: (draft) => runtime.append(draft, engine.snapshot()),
        onChange: (down) => {
          runtime.setAlarm('camera-down', describeDown(down));
          runtime.refreshStatus();
          this.publishState(true);
        },
      },
      this.log,
    ));
    runtime.attachCameras(cameras, null);
    cameras.start();
  }

  /** Publishes the state when it changed in a way a subscriber cares about (not every rpm tick). */
  private publishState(force: boolean): void {
    const state = this.engine?.state();
    if (!state) return;
    const { wheel, ...rest } = state;
    const cameras = this.cameras?.summary();
    const key = JSON.stringify([rest, wheel.link, wheel.state, wheel.spin, wheel.warnings, cameras]);
    if (!force && key === this.lastStateKey) return;
    this.lastStateKey = key;
    this.runtime.publishState({ ...(state as unknown as JsonObject), ...(cameras ? { cameras } : {}) });
  }

  private createWheel(): WheelDriver {
    const w = this.config.wheel;
    const log = this.log.child({ module: 'wheel' });
    switch (w.driver) {
      case 'cammegh-ss2':
        return new CammeghSs2Wheel({
          port: w.port,
          baudRate: w.baudRate,
          mode: w.mode,
          binding: LinuxBinding,
          statusPeriodMs: w.statusPeriodMs,
          silenceFactor: w.silenceFactor,
          commandTimeoutMs: w.commandTimeoutMs,
          reconnect: w.reconnect,
          log,
        });
      case 'number-line':
        return new NumberLineWheel({
          port: w.port,
          baudRate: w.baudRate,
          binding: LinuxBinding,
          pattern: new RegExp(w.pattern),
          maxNumber: w.maxNumber,
          reconnect: w.reconnect,
          log,
        });
    }
  }

  private rules(wheel: WheelDriver): RouletteRules {
    const w = this.config.wheel;
    if (w.driver === 'number-line') {
      return { statusFrames: false, manualStart: true, directionAlternates: false, numberLine: true, rotorWindow: null, timeScale: 1 };
    }
    return {
      statusFrames: wheel.capabilities.statusFrames,
      manualStart: hasMode(w.mode, Ss2Mode.waitForStart),
      directionAlternates: w.checkDirection ?? hasMode(w.mode, Ss2Mode.reverseEachGame),
      numberLine: !hasMode(w.mode, Ss2Mode.noNumberLine),
      rotorWindow: w.rotorRpm ? { minRpm: w.rotorRpm.min, maxRpm: w.rotorRpm.max } : null,
      timeScale: w.timeScale,
    };
  }
}
