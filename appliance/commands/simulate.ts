import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { GAME_FAULTS, LINE_FAULTS, type FaultRates, type GameFault } from '../../drivers/wheel/ss2/simulator/wheel-model.js';
import { Ss2Simulator } from '../../drivers/wheel/ss2/simulator/ss2-simulator.js';

/** `pitbox simulate wheel`: prints the pty path, then one JSON line per game the wheel plays. */
export async function simulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      link: { type: 'string', default: '/tmp/pitbox-wheel' },
      speed: { type: 'string', default: '1' },
      mode: { type: 'string', default: '1157' },
      seed: { type: 'string' },
      faults: { type: 'string', default: '' },
      lfcr: { type: 'boolean', default: false },
    },
  });
  const speed = Number(values.speed);
  const mode = Number(values.mode);
  if (!(speed >= 1 && speed <= 1000)) throw new Error(`--speed must be between 1 and 1000, not ${values.speed}`);
  if (!Number.isInteger(mode) || mode < 0 || mode > 4095) throw new Error(`--mode must be an integer 0-4095, not ${values.mode}`);
  const sim = new Ss2Simulator({
    linkPath: values.link,
    mode,
    speed,
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed),
    faultRates: parseFaults(values.faults),
    rotorWindow: { minRpm: 16, maxRpm: 18 },
    lineEnding: values.lfcr ? 'lfcr' : 'crlf',
    firstSpin: 1 + Math.floor(Math.random() * 256),
  });
  sim.wheel.on('game', (game) => process.stdout.write(`${JSON.stringify({ game })}\n`));
  await sim.start();
  process.stdout.write(`pty: ${sim.linkPath}\n`);

  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => void control(sim, line.trim()));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    commands.once('close', () => {
      // stdin closed (e.g. started with </dev/null): keep running until a signal.
    });
  });
  commands.close();
  await sim.stop();
  return 0;
}

async function control(sim: Ss2Simulator, line: string): Promise<void> {
  const [verb, arg] = line.split(/\s+/);
  switch (verb) {
    case 'unplug':
      return sim.unplug();
    case 'replug':
      return sim.replug();
    case 'silence':
      return sim.wheel.silence(Number(arg ?? '5000'));
    case 'recover':
      return sim.wheel.recover();
    case 'fault':
      if ((GAME_FAULTS as readonly string[]).includes(arg ?? '')) return sim.wheel.inject(arg as GameFault);
      process.stderr.write(`unknown fault ${arg}; one of ${GAME_FAULTS.join(', ')}\n`);
      return;
    case '':
    case undefined:
      return;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(line)}: unplug, replug, silence MS, fault NAME, recover\n`);
  }
}

export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = {};
  const known: readonly string[] = [...GAME_FAULTS, ...LINE_FAULTS];
  for (const part of spec.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const rate = Number(value);
    if (!name || !known.includes(name)) throw new Error(`unknown fault ${JSON.stringify(name)}; known: ${known.join(', ')}`);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`fault rate for ${name} must be between 0 and 1`);
    rates[name as keyof FaultRates] = rate;
  }
  return rates;
}
