/**
 * A WHIP server for tests (RFC 9725), built on GStreamer's webrtcbin (driven through node-gtk)
 * behind a small HTTP endpoint: it checks what a client sends (content type, bearer token),
 * answers recvonly, receives the video, and prints one JSON line per event on stdout:
 *   {"listening": port} once; {"request": {method, path, contentType, auth}} per request;
 *   {"frame": {captureUs, frameNo}} per access unit received (the frame stamp);
 *   {"connected": id}, {"deleted": id};
 *   with WHIP_QR=WxH also {"qr": {count, timestamp, recv}} per decoded frame (benchmarks: the
 *   debugqroverlay code read back with zbar; recv is CLOCK_MONOTONIC ns).
 * {"pli": ms} each time it asks for a keyframe (WHIP_PLI=1: every 2 s).
 * {"answered": {session, atUs}} when it answers an offer (epoch µs); with WHIP_RTP=1 also
 * {"rtp": {session, seq, ts, marker}} per RTP packet received, read from its own bytes (RFC 3550
 * section 5.1) as webrtcbin hands it on, before depayloading.
 * env WHIP_TOKEN (required bearer token, none: any), WHIP_MODE: ok | inactive | busy | html, WHIP_PORT.
 *
 *   node whip-receiver.js
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { nalUnits, readStamps } from '../../drivers/camera/frame-stamp.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   GObject introspection objects are typed at run time only. */
const gi: any = createRequire(import.meta.url)('node-gtk');
const out = (o: unknown): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);

function main(): void {
  const Gst = gi.require('Gst', '1.0');
  const GstWebRTC = gi.require('GstWebRTC', '1.0');
  const GstSdp = gi.require('GstSdp', '1.0');
  const GstVideo = gi.require('GstVideo', '1.0');
  const GLib = gi.require('GLib', '2.0');
  Gst.init(null);
  const token = process.env['WHIP_TOKEN'] ?? null;
  const mode = process.env['WHIP_MODE'] ?? 'ok';
  const sessions = new Map<number, any>();
  let next = 1;

  const answerFor = (offer: string, reply: (answer: string | null, id: number) => void): void => {
    const id = next++;
    // parse_launch of a single element gives the element, not a pipeline: build the pipeline.
    const pipeline = Gst.Pipeline.new(null);
    const webrtc = Gst.ElementFactory.make('webrtcbin', 'webrtc');
    webrtc.bundlePolicy = GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE;
    pipeline.add(webrtc);
    sessions.set(id, pipeline);
    webrtc.on('pad-added', (pad: any) => {
      const make = (factory: string): any => Gst.ElementFactory.make(factory, null);
      const depay = make('rtph264depay');
      const parse = make('h264parse');
      const caps = make('capsfilter');
      caps.caps = Gst.Caps.fromString('video/x-h264,stream-format=byte-stream,alignment=au');
      const appsink = make('appsink');
      appsink.emitSignals = true;
      appsink.sync = false;
      const chain = [depay, parse, caps, appsink];
      const qr = process.env['WHIP_QR']?.split('x').map(Number);
      if (qr) {
        // Benchmarks: decode and read the debugqroverlay code from the top-left corner (no
        // stamps: one branch, so the decoder never waits on JavaScript).
        const bin = Gst.parseBinFromDescription(`avdec_h264 ! videocrop right=${Math.max(0, (qr[0] ?? 0) - 240)} bottom=${Math.max(0, (qr[1] ?? 0) - 240)} ! videoconvert ! zbar name=qr ! fakesink sync=false`, true);
        for (const e of [depay, parse, bin]) pipeline.add(e);
        depay.link(parse);
        parse.link(bin);
        for (const e of [depay, parse, bin]) e.syncStateWithParent();
      } else {
        for (const e of chain) pipeline.add(e);
        depay.link(parse);
        parse.link(caps);
        caps.link(appsink);
        for (const e of chain) e.syncStateWithParent();
      }
      if (process.env['WHIP_RTP']) {
        pad.addProbe(Gst.PadProbeType.BUFFER, (_pad: any, info: any) => {
          const buffer = info.getBuffer();
          const head = Buffer.from(buffer.extractDup(0, 12));
          if (head.length === 12) out({ rtp: { session: id, seq: head.readUInt16BE(2), ts: head.readUInt32BE(4), marker: (head[1]! & 0x80) !== 0 } });
          return Gst.PadProbeReturn.OK;
        });
      }
      pad.link(depay.getStaticPad('sink'));
      if (process.env['WHIP_PLI']) {
        // Ask for a keyframe every 2 s, as a receiver does after loss: an upstream force-key-unit
        // event, which webrtcbin turns into RTCP PLI to the sender.
        setInterval(() => {
          depay.sendEvent(GstVideo.videoEventNewUpstreamForceKeyUnit(Gst.CLOCK_TIME_NONE, true, 0));
          out({ pli: Date.now() });
        }, 2000);
      }
      appsink.on('new-sample', () => {
        const buffer = appsink.emit('pull-sample').getBuffer();
        const bytes = Buffer.from(buffer.extractDup(0, buffer.getSize()));
        const idr = nalUnits(bytes).some((u) => ((bytes[u.payload] ?? 0) & 0x1f) === 5);
        for (const s of readStamps(bytes)) out({ frame: { captureUs: Number(s.captureUs), frameNo: s.frameNo, session: id, ...(idr ? { idr: true } : {}) } });
        return Gst.FlowReturn.OK;
      });
    });
    const bus = pipeline.getBus();
    bus.addSignalWatch();
    bus.on('message', (msg: any) => {
      if (msg.type !== Gst.MessageType.ELEMENT) return;
      const st = msg.getStructure();
      if (st?.getName() !== 'barcode') return;
      const recv = Number(process.hrtime.bigint());
      try {
        const code = JSON.parse(st.getString('symbol')) as { TIMESTAMP: number; BUFFERCOUNT: number };
        out({ qr: { count: code.BUFFERCOUNT, timestamp: code.TIMESTAMP, recv } });
      } catch {
        // a misread code: counted as lost by the benchmark
      }
    });
    webrtc.on('notify::connection-state', () => {
      if (webrtc.connectionState === GstWebRTC.WebRTCPeerConnectionState.CONNECTED) out({ connected: id });
    });
    let answered = false;
    webrtc.on('notify::ice-gathering-state', () => {
      if (answered || webrtc.iceGatheringState !== GstWebRTC.WebRTCICEGatheringState.COMPLETE || !webrtc.localDescription) return;
      answered = true;
      reply(webrtc.localDescription.sdp.asText(), id);
    });
    pipeline.setState(Gst.State.PLAYING);
    const [, sdp] = GstSdp.SDPMessage.newFromText(offer);
    webrtc.emit('set-remote-description', GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp), Gst.Promise.new());
    const promise = Gst.Promise.newWithChangeFunc((p: any) => {
      const answer = p.getReply()?.getValue('answer')?.getBoxed();
      if (!answer) return reply(null, id);
      webrtc.emit('set-local-description', answer, Gst.Promise.new());
    });
    webrtc.emit('create-answer', Gst.Structure.newEmpty('options'), promise);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      out({ request: { method: req.method, path: req.url, contentType: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null } });
      if (token && req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      const del = /^\/whip\/session\/(\d+)$/.exec(req.url ?? '');
      if (req.method === 'DELETE' && del) {
        const id = Number(del[1]);
        const pipeline = sessions.get(id);
        sessions.delete(id);
        out({ deleted: id });
        res.writeHead(200).end();
        // Answered first: taking webrtcbin to NULL while it streams can block for a while.
        setTimeout(() => pipeline?.setState(Gst.State.NULL), 100);
        return;
      }
      if (req.method !== 'POST' || req.url !== '/whip') return void res.writeHead(404).end();
      if (mode === 'html') return void res.writeHead(415).end();
      if (mode === 'busy') return void res.writeHead(503, { 'retry-after': '3' }).end();
      if (!/^application\/sdp/.test(req.headers['content-type'] ?? '')) return void res.writeHead(415).end();
      answerFor(body, (answer, id) => {
        if (!answer) return void res.writeHead(500).end();
        const sent = mode === 'inactive' ? answer.replace(/a=recvonly/g, 'a=inactive') : answer;
        out({ answered: { session: id, atUs: Math.round((performance.timeOrigin + performance.now()) * 1000) } });
        res.writeHead(201, { 'content-type': 'application/sdp', location: `/whip/session/${id}` }).end(sent);
      });
    });
  });
  server.listen(Number(process.env['WHIP_PORT'] ?? 0), '127.0.0.1', () => out({ listening: (server.address() as AddressInfo).port }));
  GLib.MainLoop.new(null, false).run();
}

setTimeout(main, 0);
