import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { JsonObject } from '../contract/envelope.js';
import type { Decision } from './events.js';

/** What dealers' buttons and technicians can ask of a table (roulette and card tables alike). */
export interface TableControl {
  openTable(by: string): Decision;
  closeTable(by: string): Decision;
  startRound(by: string): Decision;
  closeBets(by: string): Decision;
  voidRound(incident: { code: 'dealer' | 'technician'; reason: string }): Decision;
  resume(by: string): Decision;
  suspendTable(by: string, reason: string): Decision;
  /** Card tables: end the round before the rules do (blackjack, every box bust or blackjack). */
  settle?(by: string): Decision;
}

export const ACTIONS = ['open', 'close', 'start', 'close-bets', 'void', 'resume', 'suspend', 'settle'] as const;
/** Asks, never acts: the table's status (what `pitbox doctor` reads from a running table). */
export const QUERIES = ['status'] as const;
export type Action = (typeof ACTIONS)[number];

export interface ControlRequest {
  readonly action: Action;
  /** Who pressed: a button name, a technician's login. */
  readonly by?: string;
  readonly reason?: string;
}

/** A technician's key request (`pitbox keys revoke`): never a dealer action, so never on a button. */
export const REVOKE_KEY = 'revoke-key';
export interface RevokeKeyRequest {
  readonly action: typeof REVOKE_KEY;
  readonly kid: string;
  readonly reason: string;
  readonly by?: string;
}

export function defaultSocketPath(table: string): string {
  return `/run/pitbox/${table}/control.sock`;
}

/** Carries out one request; the table's own rules decide, the answer says why not. */
export function perform(control: TableControl, req: ControlRequest): Decision {
  const by = req.by ?? 'dealer';
  switch (req.action) {
    case 'open':
      return control.openTable(by);
    case 'close':
      return control.closeTable(by);
    case 'start':
      return control.startRound(by);
    case 'close-bets':
      return control.closeBets(by);
    case 'void':
      return control.voidRound({ code: by === 'technician' ? 'technician' : 'dealer', reason: req.reason ?? `voided by ${by}` });
    case 'resume':
      return control.resume(by);
    case 'suspend':
      return control.suspendTable(by, req.reason ?? 'no reason given');
    case 'settle':
      return control.settle ? control.settle(by) : { ok: false, reason: 'this game has no settle action' };
  }
}

/**
 * A Unix socket on which buttons (a GPIO daemon, a USB keypad reader) and `pitbox table ACTION`
 * send one JSON line per request and get one JSON line back: {"ok":true} or
 * {"ok":false,"reason":...}. A socket, not a network port: only processes on the box with the
 * file's permission can deal, so a client can never drive the game.
 */
export class ControlSocket {
  private server: Server | null = null;

  constructor(
    private readonly path: string,
    private readonly control: TableControl,
    private readonly log: Logger,
    private readonly opts: {
      /** Group allowed to use the socket (mode 0660); the owner only (0600) without. */
      readonly group?: string | undefined;
      /** What the `status` query answers. */
      readonly report?: () => JsonObject;
      /** Revokes a signing key (the runtime journals `key.revoked`). */
      readonly revokeKey?: (request: { kid: string; reason: string; by: string }) => Decision;
      /** Told of every action and whether the table accepted it (metrics). */
      readonly onAction?: (action: string, accepted: boolean) => void;
    } = {},
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    rmSync(this.path, { force: true }); // a stale socket from a crash
    const server = (this.server = createServer((socket) => this.serve(socket)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    const group = this.opts.group;
    chmodSync(this.path, group ? 0o660 : 0o600);
    if (group) execFileSync('chgrp', [group, this.path]);
    this.log.info({ socket: this.path }, 'control socket listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private serve(socket: Socket): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > 4096) return socket.end(`${JSON.stringify({ ok: false, reason: 'request too long' })}\n`);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        socket.write(`${JSON.stringify(this.answer(line))}\n`);
      }
    });
  }

  private answer(line: string): Decision | { ok: true; status: JsonObject } {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
    } catch {
      return { ok: false, reason: 'not JSON: send {"action": "start", "by": "button-1"}' };
    }
    if ((req?.action as string) === 'status') return this.opts.report ? { ok: true, status: this.opts.report() } : { ok: false, reason: 'this table has no status report' };
    if ((req?.action as string) === REVOKE_KEY) return this.revoke(req as unknown as Partial<RevokeKeyRequest>);
    if (!(ACTIONS as readonly string[]).includes(req?.action)) return { ok: false, reason: `unknown action; one of ${[...ACTIONS, ...QUERIES].join(', ')}` };
    const decision = perform(this.control, req);
    this.opts.onAction?.(req.action, decision.ok);
    this.log.info({ action: req.action, by: req.by ?? 'dealer', ...(decision.ok ? {} : { refused: decision.reason }) }, 'control');
    return decision;
  }

  private revoke(req: Partial<RevokeKeyRequest>): Decision {
    if (!this.opts.revokeKey) return { ok: false, reason: 'this table cannot revoke keys' };
    if (typeof req.kid !== 'string' || typeof req.reason !== 'string') return { ok: false, reason: 'send {"action": "revoke-key", "kid": KID, "reason": TEXT}' };
    const by = typeof req.by === 'string' ? req.by : 'technician';
    const decision = this.opts.revokeKey({ kid: req.kid, reason: req.reason, by });
    this.log.warn({ action: REVOKE_KEY, kid: req.kid, by, ...(decision.ok ? {} : { refused: decision.reason }) }, 'control');
    return decision;
  }
}
