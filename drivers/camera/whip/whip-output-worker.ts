/**
 * A WHIP output (RFC 9725) of one camera, in a process of its own like every output: encoded
 * frames in on stdin (the camera's H.264, never encoded again: the frame stamps ride along),
 * GStreamer's webrtcbin sending them. Debian 12 has webrtcbin but no whipsink (gst-plugins-rs is
 * not packaged), and gstreamer-superficial cannot emit action signals, so webrtcbin is driven
 * through GObject introspection (node-gtk). The session: ICE servers from OPTIONS (and TURN from
 * the URL), a send-only offer with every candidate gathered, POST, a 201 whose answer must be
 * recvonly, DELETE on stop. Anything that ends the session ends this process; the camera worker
 * restarts it with backoff (at least as long as a 503's Retry-After). A keyframe request from
 * the server (PLI/FIR, arriving here as an upstream force-key-unit event) goes to the camera
 * worker, whose encoder makes one.
 *
 * A session starts clean (issue 21): frames that arrive before the connection is up (OPTIONS,
 * offer/answer, ICE and DTLS take a second or more) are dropped, not queued, and the stream
 * starts at the first keyframe after it, which is asked for the moment the connection is up. Each
 * frame's PTS, and so its RTP timestamp, is its capture time relative to that first frame, never
 * the time it reached this process: timestamps keep the camera's own spacing and never go back.
 *
 * env PITBOX_OUTPUT: whip+https://host/path (whip+http:// on loopback) with optional
 * `tokenFile=/path` (the bearer token, read here, never logged) and `turn=turn://user:pass@host:port`.
 */
import { createRequire } from 'node:module';
import { exitWith, isExiting } from '../exit-with.js';
import { RecordReader } from '../frame-channel.js';
import { dieWithParent } from '../tied-worker.js';
import type { EncodedHeader, OutputMessage } from '../worker-protocol.js';
import { iceServersOf, publish, unpublish, WhipError, type IceServer } from './whip-client.js';
import { readWhipToken, whipTarget } from './whip-url.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   GObject introspection objects are typed at run time only. */
const gi: any = createRequire(import.meta.url)('node-gtk');

/** How long the DELETE that ends a session may take on stop (a loaded box, a slow server). */
const DELETE_MS = 5000;

function send(msg: OutputMessage): void {
  process.send?.(msg);
}

function fatal(reason: string, retryAfterMs?: number): void {
  exitWith({ type: 'fatal', reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } satisfies OutputMessage);
}

function main(): void {
  dieWithParent();
  const raw = process.env['PITBOX_OUTPUT'];
  if (!raw) return fatal('PITBOX_OUTPUT is not set');
  const target = whipTarget(raw);
  const read = readWhipToken(target);
  if ('error' in read) return fatal(read.error);
  const { token } = read;
  const Gst = gi.require('Gst', '1.0');
  const GstWebRTC = gi.require('GstWebRTC', '1.0');
  const GstSdp = gi.require('GstSdp', '1.0');
  const GstApp = gi.require('GstApp', '1.0');
  const GstVideo = gi.require('GstVideo', '1.0');
  const GLib = gi.require('GLib', '2.0');
  Gst.init(null);

  const pipeline = Gst.parseLaunch(
    [
      'appsrc name=src is-live=true format=time do-timestamp=false caps="video/x-h264,stream-format=byte-stream,alignment=au"',
      'h264parse',
      'rtph264pay name=pay config-interval=-1 aggregate-mode=zero-latency pt=96',
      'application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000',
      'webrtcbin name=webrtc bundle-policy=max-bundle',
    ].join(' ! '),
  );
  const webrtc = pipeline.getByName('webrtc');
  const src = pipeline.getByName('src');
  let session: { resource: string } | null = null;
  let connected = false;
  let frames = 0;
  let bytes = 0;
  /** Frames not sent because the session was not up yet, or came before its first keyframe. */
  let beforeSession = 0;
  /** The session's first frame: its PTS here and its capture time; null until it is sent. */
  let first: { ptsNs: number; captureNs: number | null } | null = null;
  let lastPtsNs = -1;
  let firstFrameMs: number | undefined;

  const stopSession = async (): Promise<void> => {
    const s = session;
    session = null;
    if (s) await unpublish(s.resource, token, AbortSignal.timeout(DELETE_MS));
  };
  const fail = (reason: string, retryAfterMs?: number): void => {
    void stopSession().finally(() => fatal(reason, retryAfterMs));
  };

  // The server asks for a keyframe (RTCP PLI/FIR): webrtcbin sends force-key-unit upstream.
  pipeline.getByName('pay').getStaticPad('sink').addProbe(Gst.PadProbeType.EVENT_UPSTREAM, (_pad: any, info: any) => {
    const event = info.getEvent();
    if (event && GstVideo.videoEventIsForceKeyUnit(event)) send({ type: 'keyframe' });
    return Gst.PadProbeReturn.OK;
  });

  const addIceServers = (servers: readonly IceServer[]): void => {
    for (const s of servers) {
      const u = new URL(s.url.replace(/^(stuns?|turns?):(?!\/\/)/, '$1://'));
      if (u.protocol.startsWith('stun')) webrtc.stunServer = `stun://${u.host}`;
      else if (u.protocol.startsWith('turn')) {
        const cred = s.username ? `${encodeURIComponent(s.username)}:${encodeURIComponent(s.credential ?? '')}@` : u.username ? `${u.username}:${u.password}@` : '';
        webrtc.emit('add-turn-server', `${u.protocol.replace(':', '')}://${cred}${u.host}${u.search}`);
      }
    }
  };

  webrtc.on('notify::connection-state', () => {
    const state = webrtc.connectionState;
    if (state === GstWebRTC.WebRTCPeerConnectionState.CONNECTED && !connected) {
      connected = true;
      // The stream starts at a keyframe: ask for one now rather than wait up to a GOP for it.
      send({ type: 'keyframe' });
    }
    if (state === GstWebRTC.WebRTCPeerConnectionState.FAILED) fail('the WebRTC connection failed (ICE or DTLS)');
    if (state === GstWebRTC.WebRTCPeerConnectionState.CLOSED && connected) fail('the WebRTC connection closed');
  });

  // Whole offer, no trickle: WHIP servers need not support PATCH, and on a studio LAN host
  // candidates are gathered in milliseconds.
  webrtc.on('notify::ice-gathering-state', () => {
    if (webrtc.iceGatheringState !== GstWebRTC.WebRTCICEGatheringState.COMPLETE || session) return;
    const offer: string = webrtc.localDescription.sdp.asText();
    publish(target.endpoint, offer, token).then(
      (s) => {
        session = { resource: s.resource };
        addIceServers(s.iceServers);
        const [, sdp] = GstSdp.SDPMessage.newFromText(s.answer);
        const answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp);
        webrtc.emit('set-remote-description', answer, Gst.Promise.new());
      },
      (err: unknown) => fail(err instanceof Error ? err.message : String(err), err instanceof WhipError ? (err.retryAfterMs ?? undefined) : undefined),
    );
  });

  webrtc.on('on-negotiation-needed', () => {
    // We only send.
    webrtc.emit('get-transceiver', 0).direction = GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY;
    const promise = Gst.Promise.newWithChangeFunc((p: any) => {
      const offer = p.getReply()?.getValue('offer')?.getBoxed();
      if (!offer) return fail('webrtcbin made no offer');
      webrtc.emit('set-local-description', offer, Gst.Promise.new());
    });
    webrtc.emit('create-offer', Gst.Structure.newEmpty('options'), promise);
  });

  const bus = pipeline.getBus();
  bus.addSignalWatch();
  bus.on('message', (msg: any) => {
    if (msg.type === Gst.MessageType.ERROR) {
      const [err] = msg.parseError();
      fail(`${msg.src?.name ?? 'pipeline'}: ${err?.message ?? 'error'}`);
    }
  });

  void iceServersOf(target.endpoint, token, AbortSignal.timeout(3000)).then((servers) => {
    addIceServers([...servers, ...(target.turn ? [{ url: target.turn }] : [])]);
    pipeline.setState(Gst.State.PLAYING);
  });

  /** The pipeline's running time now (ns), null before it runs. */
  const runningNs = (): number | null => {
    const clock = pipeline.getClock();
    return clock ? Number(clock.getTime()) - Number(pipeline.getBaseTime()) : null;
  };
  // webrtcbin makes its offer only once caps reach it, and h264parse has caps only after a
  // keyframe went through it: frames flow into the pipeline from the moment it plays, but none
  // reaches the payloader before the session's first frame (PTS at or past `sessionFromPts`).
  let sessionFromPts: number | null = null;
  pipeline.getByName('pay').getStaticPad('sink').addProbe(Gst.PadProbeType.BUFFER, (_pad: any, info: any) => {
    const pts = Number(info.getBuffer()?.pts ?? -1);
    return sessionFromPts !== null && pts >= sessionFromPts ? Gst.PadProbeReturn.OK : Gst.PadProbeReturn.DROP;
  });
  const reader = new RecordReader<EncodedHeader>();
  process.stdin.on('data', (chunk: Buffer) => {
    if (isExiting()) return;
    for (const { header, payload } of reader.push(chunk)) {
      const now = runningNs();
      if (now === null) {
        beforeSession++; // not playing yet: nothing to stamp it with
        continue;
      }
      const captureNs = header.captureClockNs;
      let pts = now;
      if (first) {
        // Capture spacing when the frame has a capture time, else the time it came.
        if (captureNs !== null && first.captureNs !== null) pts = first.ptsNs + (captureNs - first.captureNs);
      } else if (connected && header.keyframe) {
        first = { ptsNs: Math.max(now, lastPtsNs + 1), captureNs };
        sessionFromPts = first.ptsNs;
        if (captureNs !== null) firstFrameMs = Math.round((Number(process.hrtime.bigint()) - captureNs) / 1e4) / 100;
      } else {
        beforeSession++; // into the pipeline for its caps, dropped before the payloader
      }
      const buffer = Gst.Buffer.newWrapped(new Uint8Array(payload));
      // Never back: a frame captured out of order (it cannot be, but a PTS must not) goes 1 ns on.
      buffer.pts = Math.max(pts, lastPtsNs + 1);
      lastPtsNs = Number(buffer.pts);
      GstApp.AppSrc.prototype.pushBuffer.call(src, buffer);
      if (first) {
        frames++;
        bytes += payload.length;
      }
    }
  });
  // SIGTERM, stdin closing and the IPC channel closing all come at once when the camera worker
  // stops: one DELETE, then gone (bounded, a dead server must not hold us).
  let leaving = false;
  const leave = (): void => {
    if (leaving) return;
    leaving = true;
    void stopSession().finally(() => process.kill(process.pid, 'SIGKILL'));
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), DELETE_MS + 500);
  };
  process.stdin.on('end', leave);
  process.on('disconnect', leave);
  process.on('SIGTERM', leave);
  setInterval(() => send({ type: 'stats', frames, bytes, delivering: connected, sink: { 'frames-before-session': beforeSession }, ...(firstFrameMs === undefined ? {} : { firstFrameMs }) }), 1000);
  // A server that vanishes says nothing, and webrtcbin (1.22) does not check ICE consent: the
  // receiver's RTCP reports are the heartbeat. When the highest sequence number it reports
  // stops moving for RECEIVER_SILENT_MS while we keep sending, the session is dead.
  const RECEIVER_SILENT_MS = 12_000;
  let reported = { seq: -1, sent: -1, at: performance.now() };
  setInterval(() => {
    if (!connected) return;
    const pad = webrtc.getStaticPad('sink_0');
    if (!pad) return;
    const promise = Gst.Promise.newWithChangeFunc((p: any) => {
      const text: string = (p.getReply()?.toString() ?? '').replace(/\\/g, '');
      const seq = Math.max(-1, ...[...text.matchAll(/rb-exthighestseq=\(uint\)(\d+)/g)].map((m) => Number(m[1])));
      const sent = Math.max(-1, ...[...text.matchAll(/packets-sent=\(guint64\)(\d+)/g)].map((m) => Number(m[1])));
      if (seq !== reported.seq) reported = { seq, sent, at: performance.now() };
      else if (sent > reported.sent && performance.now() - reported.at > RECEIVER_SILENT_MS) fail(`the WHIP server stopped reporting (no RTCP receiver report for ${RECEIVER_SILENT_MS / 1000} s): gone`);
    });
    webrtc.emit('get-stats', pad, promise);
  }, 2000);

  // The GLib main loop runs webrtcbin's signals and Node's own loop inside it (node-gtk). It is
  // started from a macrotask: from an ES module's top level it would starve Node's callbacks.
  GLib.MainLoop.new(null, false).run();
}

setTimeout(main, 0);
