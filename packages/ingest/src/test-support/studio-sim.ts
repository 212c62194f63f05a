import { generateKeyPairSync } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { chainHashOfText, ed25519Signer, publicJwk, seal, type BirthMessage, type Ed25519Jwk, type EventEnvelope, type JsonObject, type Signer, type StateMessage } from '../../../consumer/src/index.js';

export type Game = 'roulette' | 'baccarat';

/** A round every 40 s at a roulette table and every 25 s at a baccarat table (a busy studio). */
export const ROUND_MS: Record<Game, number> = { roulette: 40_000, baccarat: 25_000 };
const CARDS = ['AS', '2H', '3D', '4C', '5S', '6H', '7D', '8C', '9S', 'TH', 'JD', 'QC', 'KS'];

/**
 * One table as the load generator and the ingester's tests run it: real Ed25519 signing, the
 * contract's canonical form and hash chain, an in-memory journal (every event kept, so a replay
 * sends the same bytes), a real MQTT client with the appliance's birth, retained state and
 * status, and uplink cuts after which the backlog is replayed from the last acknowledged event.
 */
export class SimTable {
  readonly journal: string[] = [];
  /** When each event was sealed (performance.timeOrigin + now, ms): for seal-to-row latency. */
  readonly sealedAt: number[] = [];
  readonly results: number[] = [];
  private readonly signer: Signer;
  private readonly jwk: Ed25519Jwk;
  private prev: string | null = null;
  private client: MqttClient | null = null;
  private acked = 0;
  private round = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private cutUntil = 0;
  published = 0;

  constructor(
    readonly studio: string,
    readonly table: string,
    readonly game: Game,
    private readonly broker: string,
    private readonly prefix = 'pitbox/v1',
  ) {
    const { privateKey } = generateKeyPairSync('ed25519');
    this.jwk = publicJwk(privateKey);
    this.signer = ed25519Signer(this.jwk.kid, privateKey);
  }

  get kid(): string {
    return this.jwk.kid;
  }

  private topic(kind: string): string {
    return `${this.prefix}/${this.studio}/${this.table}/${kind}`;
  }

  /** Connects (birth first, then the backlog not yet acknowledged, then live). */
  async connect(): Promise<void> {
    const client = await mqtt.connectAsync(this.broker, {
      clientId: `sim-${this.studio}-${this.table}`,
      reconnectPeriod: 0,
      will: { topic: this.topic('status'), payload: Buffer.from('{"online":false,"v":1}'), qos: 1, retain: true },
    });
    this.client = client;
    const birth = seal<BirthMessage>(
      { v: 1, studio: this.studio, table: this.table, ts: new Date().toISOString(), software: 'pitbox-sim', config: 'c'.repeat(43), boot: 'sim', lastSeq: this.journal.length, activeKid: this.kid, keys: [this.jwk], kid: this.kid },
      this.signer,
    ).text;
    await client.publishAsync(this.topic('birth'), birth, { qos: 1, retain: true });
    await this.status(true);
    await this.replay();
  }

  /** Plays rounds on a timer, `speed` times faster than a studio. */
  play(speed: number): void {
    const period = ROUND_MS[this.game] / speed;
    const first = Math.random() * period; // tables are not in step
    const tick = () => {
      this.playRound();
      this.timer = setTimeout(tick, period);
    };
    this.timer = setTimeout(tick, first);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The uplink goes down for `ms`: events are journaled meanwhile and replayed after. */
  cut(ms: number): void {
    const client = this.client;
    this.client = null;
    this.cutUntil = Date.now() + ms;
    client?.end(true);
    setTimeout(() => void this.connect().catch(() => undefined), ms);
  }

  async close(): Promise<void> {
    this.stop();
    await this.sending;
    await this.replay();
    await this.client?.endAsync();
    this.client = null;
  }

  playRound(): void {
    this.round += 1;
    const r = this.round;
    this.append('round.opened', { by: 'sim', ...(this.game === 'baccarat' ? { game: 'baccarat' } : {}) }, r);
    this.append('round.closed', { by: 'sim' }, r);
    if (this.game === 'roulette') {
      const n = Math.floor(Math.random() * 37);
      this.append('round.result', { number: n, colour: n === 0 ? 'green' : n % 2 ? 'red' : 'black', spin: (r % 255) + 1, rotorRpm: 17.3, direction: 'clockwise' }, r);
    } else {
      const pick = () => CARDS[Math.floor(Math.random() * CARDS.length)]!;
      const player = [pick(), pick()];
      const banker = [pick(), pick()];
      ['player1', 'banker1', 'player2', 'banker2'].forEach((position, i) => this.append('card.dealt', { position, hand: position.slice(0, -1), card: (i % 2 ? banker : player)[i >> 1]!, camera: 'overhead', frameTimes: [Date.now()] }, r));
      this.append('round.result', { game: 'baccarat', player, banker, winner: 'banker', playerTotal: 3, bankerTotal: 7, natural: false, playerPair: false, bankerPair: false }, r);
    }
    this.results.push(this.journal.length);
    this.state();
  }

  private append(type: string, data: JsonObject, round: number): void {
    const seq = this.journal.length + 1;
    const { text } = seal<EventEnvelope>({ v: 1, studio: this.studio, table: this.table, seq, id: randomUUID(), ts: new Date().toISOString(), type, round, data, prev: this.prev, kid: this.kid }, this.signer);
    this.prev = chainHashOfText(text);
    this.journal.push(text);
    this.sealedAt.push(performance.timeOrigin + performance.now());
    this.send();
  }

  /** Publishes what is journaled and not acknowledged, in order, one at a time. */
  private send(): void {
    this.sending = this.sending.then(() => this.replay()).catch(() => undefined);
  }

  private async replay(): Promise<void> {
    while (this.client && this.acked < this.journal.length) {
      const client: MqttClient = this.client;
      const seq = this.acked + 1;
      try {
        await client.publishAsync(this.topic('events'), this.journal[seq - 1]!, { qos: 1 });
      } catch {
        return; // cut: replayed after the next connect
      }
      this.published += 1;
      this.acked = Math.max(this.acked, seq);
    }
  }

  private state(): void {
    const client = this.client;
    if (!client || Date.now() < this.cutUntil) return;
    const text = seal<StateMessage>({ v: 1, studio: this.studio, table: this.table, ts: new Date().toISOString(), seq: this.journal.length, state: { open: true, suspended: null, round: null }, kid: this.kid }, this.signer).text;
    client.publishAsync(this.topic('state'), text, { qos: 1, retain: true }).catch(() => undefined);
  }

  async status(online: boolean): Promise<void> {
    await this.client?.publishAsync(this.topic('status'), JSON.stringify({ v: 1, online, ts: new Date().toISOString(), alarms: [], journal: {}, backlog: { events: this.journal.length - this.acked } }), { qos: 1, retain: true });
  }
}
