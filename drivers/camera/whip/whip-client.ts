/**
 * The HTTP side of WHIP (RFC 9725, WebRTC-HTTP Ingestion Protocol) for one session: the offer
 * POSTed as application/sdp with the bearer token, the answer taken only from a 201 that names
 * the session's resource in Location, and that resource DELETEd when the output stops. ICE
 * servers come from `Link: <...>; rel="ice-server"` headers (RFC 9725 section 4.6), asked for
 * with OPTIONS before the offer is made. Pure protocol: no GStreamer here.
 */

export interface IceServer {
  /** stun:host:port or turn(s):host:port?transport=... */
  readonly url: string;
  readonly username?: string;
  readonly credential?: string;
}

export class WhipError extends Error {
  override name = 'WhipError';
  constructor(
    message: string,
    /** The server asked us to wait this long (503 Retry-After). */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface WhipSession {
  /** The session's resource URL (absolute): DELETE ends it. */
  readonly resource: string;
  readonly answer: string;
  readonly iceServers: readonly IceServer[];
}

function headers(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** ICE servers the endpoint offers before a session (OPTIONS); none if it offers none or refuses. */
export async function iceServersOf(endpoint: string, token: string | null, signal?: AbortSignal): Promise<IceServer[]> {
  try {
    const res = await fetch(endpoint, { method: 'OPTIONS', headers: headers(token), redirect: 'follow', ...(signal ? { signal } : {}) });
    return res.ok ? parseIceLinks(res.headers.get('link')) : [];
  } catch {
    return [];
  }
}

/** POSTs the offer; the session, or a WhipError a technician can act on. 307/308 are followed (fetch keeps the method and body). */
export async function publish(endpoint: string, offer: string, token: string | null, signal?: AbortSignal): Promise<WhipSession> {
  let res: Response;
  try {
    res = await fetch(endpoint, { method: 'POST', headers: headers(token, { 'content-type': 'application/sdp' }), body: offer, redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new WhipError(`cannot reach the WHIP endpoint: ${(err as Error).message}`);
  }
  const body = await res.text();
  switch (res.status) {
    case 201:
      break;
    case 401:
    case 403:
      throw new WhipError(`the WHIP endpoint refused the token (${res.status}): check the token file`);
    case 415:
      throw new WhipError('the WHIP endpoint does not take application/sdp (415): is this a WHIP endpoint?');
    case 503:
      throw new WhipError('the WHIP endpoint is busy (503)', retryAfter(res.headers.get('retry-after')));
    default:
      throw new WhipError(`the WHIP endpoint answered ${res.status} instead of 201 Created${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
  const location = res.headers.get('location');
  if (!location) throw new WhipError('201 without a Location header: the session cannot be ended (RFC 9725 section 4.2)');
  if (!/^application\/sdp\b/i.test(res.headers.get('content-type') ?? '')) throw new WhipError(`the answer is ${res.headers.get('content-type') ?? 'untyped'}, not application/sdp`);
  const problem = answerProblem(body);
  if (problem) throw new WhipError(problem);
  return { resource: new URL(location, res.url || endpoint).href, answer: body, iceServers: parseIceLinks(res.headers.get('link')) };
}

/** Ends the session; best effort (the server times it out anyway), bounded by `signal`. */
export async function unpublish(resource: string, token: string | null, signal?: AbortSignal): Promise<number | null> {
  try {
    const res = await fetch(resource, { method: 'DELETE', headers: headers(token), ...(signal ? { signal } : {}) });
    return res.status;
  } catch {
    return null;
  }
}

/**
 * We only send: every media section of the answer must be `recvonly`. An `inactive` or
 * `sendrecv` answer (or none, which means sendrecv) is a server that will not take our video:
 * an error, never a silent success.
 */
export function answerProblem(sdp: string): string | null {
  if (!/^v=0/m.test(sdp)) return 'the answer is not SDP';
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  if (sections.length === 0) return 'the answer has no media section';
  for (const section of sections) {
    const kind = /^m=(\w+)/.exec(section)?.[1] ?? '?';
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv';
    if (/^m=\w+ 0 /.test(section)) return `the answer rejected the ${kind} section (port 0)`;
    if (direction !== 'recvonly') return `the answer's ${kind} section is ${direction}, not recvonly: the server will not receive our video`;
  }
  return null;
}

/** `Link` header values with rel="ice-server" (RFC 8288 syntax; RFC 9725 section 4.6). */
export function parseIceLinks(link: string | null): IceServer[] {
  if (!link) return [];
  const servers: IceServer[] = [];
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]+)>(.*)$/.exec(part);
    if (!m) continue;
    const params = new Map([...(m[2] ?? '').matchAll(/;\s*([\w-]+)\s*=\s*(?:"([^"]*)"|([^;\s]+))/g)].map((p) => [p[1]!.toLowerCase(), p[2] ?? p[3] ?? '']));
    if (params.get('rel') !== 'ice-server') continue;
    const username = params.get('username');
    const credential = params.get('credential');
    servers.push({ url: m[1]!, ...(username ? { username } : {}), ...(credential ? { credential } : {}) });
  }
  return servers;
}

function retryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
