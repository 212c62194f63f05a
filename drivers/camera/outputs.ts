/**
 * Where a camera's encoded stream goes, given as a URL in the usual form:
 *   srt://host:port?mode=caller&latency=120[&passphrase=...&streamid=...]   (MPEG-TS over SRT)
 *   rtmp://host[:port]/app/key                                              (FLV over RTMP)
 *   rtp://host:port[?pt=96]                                                 (RTP/H.264 over UDP)
 *   whip+https://host/path[?tokenFile=/path&turn=turn://u:p@host:port]      (WebRTC, RFC 9725)
 */
import { OutputUrlError } from './output-url-error.js';
import { whipTarget } from './whip/whip-url.js';

export type OutputProtocol = 'srt' | 'rtmp' | 'rtp' | 'whip';

export interface OutputSpec {
  readonly protocol: OutputProtocol;
  readonly url: string;
  /** The URL with secrets (passphrase, stream key, user info) masked: the only form that is logged. */
  readonly display: string;
}

export { OutputUrlError };

const SRT_PARAMS = new Set(['mode', 'latency', 'passphrase', 'pbkeylen', 'streamid', 'localaddress', 'localport']);
const SRT_MODES = new Set(['caller', 'listener', 'rendezvous']);

/** Parses and checks one output URL; the message says what is wrong in words a technician can act on. */
export function parseOutput(raw: string): OutputSpec {
  let url: URL;
  try {
    // `srt://:9000` (listen on every address) is how GStreamer and ffmpeg write a listener;
    // WHATWG URLs want a host.
    url = new URL(raw.replace(/^srt:\/\/:/, 'srt://0.0.0.0:'));
  } catch {
    throw new OutputUrlError('not a URL (expected srt://host:port?mode=caller&latency=120, rtmp://host/app/key or rtp://host:port)');
  }
  const protocol = url.protocol.slice(0, -1);
  switch (protocol) {
    case 'srt':
      checkSrt(url);
      return { protocol, url: raw, display: mask(url, ['passphrase', 'streamid']) };
    case 'rtmp':
    case 'rtmps':
      if (!url.hostname) throw new OutputUrlError('rtmp needs a host');
      if (url.pathname.split('/').filter(Boolean).length < 1) throw new OutputUrlError('rtmp needs an application path, e.g. rtmp://host/live/KEY');
      return { protocol: 'rtmp', url: raw, display: maskRtmp(url) };
    case 'rtp': {
      if (!url.hostname || !url.port) throw new OutputUrlError('rtp needs a host and a port, e.g. rtp://10.0.0.5:5004');
      const pt = url.searchParams.get('pt');
      if (pt !== null && !(/^\d+$/.test(pt) && Number(pt) >= 96 && Number(pt) <= 127)) throw new OutputUrlError('rtp pt must be a dynamic payload type, 96-127');
      return { protocol, url: raw, display: raw };
    }
    case 'whip+https':
    case 'whip+http':
      whipTarget(raw); // checks it
      return { protocol: 'whip', url: raw, display: mask(url, ['turn']) };
    default:
      throw new OutputUrlError(`unsupported protocol "${protocol}:" (srt, rtmp, rtp or whip+https)`);
  }
}

function checkSrt(url: URL): void {
  if (!url.port) throw new OutputUrlError('srt needs a port, e.g. srt://host:9000?mode=caller');
  const mode = url.searchParams.get('mode') ?? 'caller';
  if (!SRT_MODES.has(mode)) throw new OutputUrlError(`srt mode "${mode}" is not caller, listener or rendezvous`);
  if (mode !== 'listener' && (!url.hostname || url.hostname === '0.0.0.0')) throw new OutputUrlError(`srt ${mode} needs the host to reach`);
  for (const key of url.searchParams.keys()) {
    if (!SRT_PARAMS.has(key)) throw new OutputUrlError(`srt parameter "${key}" is not one of ${[...SRT_PARAMS].join(', ')}`);
  }
  const latency = url.searchParams.get('latency');
  if (latency !== null && !(/^\d+$/.test(latency) && Number(latency) >= 20 && Number(latency) <= 8000)) {
    throw new OutputUrlError('srt latency is in milliseconds, 20-8000');
  }
  const passphrase = url.searchParams.get('passphrase');
  if (passphrase !== null && (passphrase.length < 10 || passphrase.length > 79)) throw new OutputUrlError('srt passphrase must be 10-79 characters');
}

function mask(url: URL, secrets: readonly string[]): string {
  const copy = new URL(url.href);
  for (const key of secrets) if (copy.searchParams.has(key)) copy.searchParams.set(key, '***');
  if (copy.password) copy.password = '***';
  return copy.href;
}

/** The last path segment of an RTMP URL is the stream key: a credential. */
function maskRtmp(url: URL): string {
  const copy = new URL(url.href);
  const parts = copy.pathname.split('/');
  if (parts.length > 2) parts[parts.length - 1] = '***';
  copy.pathname = parts.join('/');
  if (copy.password) copy.password = '***';
  return copy.href;
}

/**
 * The GStreamer elements after the H.264 parser for one output. Sinks never wait for a
 * receiver and never sync to the clock: a receiver that is down or slow must cost this output
 * frames, not the camera its frame rate.
 */
export function outputLaunch(spec: OutputSpec): string {
  switch (spec.protocol) {
    case 'srt':
      // alignment=7: one SRT packet carries 7 TS packets (1316 bytes), what receivers expect.
      return `mpegtsmux alignment=7 ! srtsink name=sink uri="${quote(spec.url)}" wait-for-connection=false sync=false async=false`;
    case 'rtmp':
      return `flvmux streamable=true ! rtmp2sink name=sink location="${quote(spec.url)}" sync=false async=false`;
    case 'rtp': {
      const url = new URL(spec.url);
      const pt = url.searchParams.get('pt') ?? '96';
      const host = url.hostname.replace(/^\[|\]$/g, '');
      return `rtph264pay config-interval=-1 pt=${pt} ! udpsink name=sink host=${host} port=${url.port} sync=false async=false`;
    }
    case 'whip':
      throw new OutputUrlError('a WHIP output has a worker of its own (whip/whip-output-worker.ts), not a launch line');
  }
}

/** Quotes a value for gst_parse_launch: it must not close the string or start a new element. */
function quote(value: string): string {
  if (/["\\\n]/.test(value)) throw new OutputUrlError('the URL may not contain quotes, backslashes or newlines');
  return value;
}
