import { readFileSync } from 'node:fs';
import { OutputUrlError } from '../output-url-error.js';

/** A WHIP output as configured: whip+https://host/path?tokenFile=/etc/pitbox/whip-token&turn=turn://u:p@host:3478 */
export interface WhipTarget {
  /** The endpoint (https://..., or http:// for loopback tests), without pitbox's parameters. */
  readonly endpoint: string;
  readonly tokenFile: string | null;
  readonly turn: string | null;
}

export function whipTarget(raw: string): WhipTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutputUrlError('not a URL (expected whip+https://host/path?tokenFile=/etc/pitbox/whip-token)');
  }
  if (url.protocol !== 'whip+https:' && url.protocol !== 'whip+http:') throw new OutputUrlError('a WHIP output is whip+https://host/path');
  const tokenFile = url.searchParams.get('tokenFile');
  const turn = url.searchParams.get('turn');
  if (turn !== null && !/^turns?:/.test(turn)) throw new OutputUrlError('turn must be turn://user:password@host:port or turns://...');
  url.searchParams.delete('tokenFile');
  url.searchParams.delete('turn');
  if (url.protocol === 'whip+http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new OutputUrlError('WHIP over plain http only to loopback (tests): use whip+https://');
  return { endpoint: url.href.replace(/^whip\+/, ''), tokenFile, turn };
}

/** The bearer token from the target's file (none without one), or why it cannot be read. */
export function readWhipToken(target: WhipTarget): { token: string | null } | { error: string } {
  if (!target.tokenFile) return { token: null };
  try {
    return { token: readFileSync(target.tokenFile, 'utf8').trim() };
  } catch (err) {
    return { error: `cannot read the token file ${target.tokenFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}
