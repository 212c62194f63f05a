import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { answerProblem, iceServersOf, parseIceLinks, publish, unpublish, type WhipError } from './whip-client.js';

const ANSWER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\na=recvonly\r\n';

async function server(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
}

t.test('RFC 9725 on the wire: offer, 201 + Location, bearer token, 307, Link ice servers, DELETE', async (t) => {
  const seen: string[] = [];
  const srv = await server((req, body, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${req.headers.authorization ?? '-'} ${body.length}`);
    if (req.url === '/whip/old') return void res.writeHead(307, { location: '/whip/endpoint' }).end();
    if (req.method === 'OPTIONS') return void res.writeHead(204, { link: '<stun:stun.example:3478>; rel="ice-server", <turn:turn.example:3478?transport=udp>; rel="ice-server"; username="u1"; credential="p1"' }).end();
    if (req.method === 'POST') return void res.writeHead(201, { 'content-type': 'application/sdp', location: '/whip/resource/abc', link: '<stun:stun2.example>; rel="ice-server"' }).end(ANSWER);
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    res.writeHead(405).end();
  });
  t.teardown(srv.close);
  t.same(await iceServersOf(`${srv.url}/whip/endpoint`, 'tok'), [{ url: 'stun:stun.example:3478' }, { url: 'turn:turn.example:3478?transport=udp', username: 'u1', credential: 'p1' }]);
  const session = await publish(`${srv.url}/whip/old`, 'v=0\r\noffer', 'tok');
  t.equal(session.resource, `${srv.url}/whip/resource/abc`, 'Location resolved against the URL the answer came from');
  t.equal(session.answer, ANSWER);
  t.same(session.iceServers, [{ url: 'stun:stun2.example' }]);
  t.equal(await unpublish(session.resource, 'tok'), 200);
  t.same(seen, [
    'OPTIONS /whip/endpoint - Bearer tok 0',
    'POST /whip/old application/sdp Bearer tok 10',
    'POST /whip/endpoint application/sdp Bearer tok 10',
    'DELETE /whip/resource/abc - Bearer tok 0',
  ], 'the 307 re-sent the same POST with its body and token');
});

t.test('every refusal is an error that says what to do; 503 carries its Retry-After', async (t) => {
  let reply: (res: ServerResponse) => void = () => undefined;
  const srv = await server((_req, _body, res) => reply(res));
  t.teardown(srv.close);
  const attempt = async (fn: (res: ServerResponse) => void) => {
    reply = fn;
    return publish(`${srv.url}/whip`, 'v=0', null).then(
      () => null,
      (err: unknown) => err as WhipError,
    );
  };
  t.match(await attempt((r) => r.writeHead(401).end()), { message: /refused the token.*token file/ });
  t.match(await attempt((r) => r.writeHead(415).end()), { message: /does not take application\/sdp/ });
  t.match(await attempt((r) => r.writeHead(503, { 'retry-after': '7' }).end()), { message: /busy/, retryAfterMs: 7000 });
  t.match(await attempt((r) => r.writeHead(200, { 'content-type': 'application/sdp' }).end(ANSWER)), { message: /200 instead of 201/ });
  t.match(await attempt((r) => r.writeHead(201, { 'content-type': 'application/sdp' }).end(ANSWER)), { message: /without a Location/ });
  t.match(await attempt((r) => r.writeHead(201, { 'content-type': 'application/sdp', location: '/r/1' }).end(ANSWER.replace('a=recvonly', 'a=inactive'))), { message: /video section is inactive, not recvonly/ });
  t.match(await attempt((r) => r.writeHead(201, { 'content-type': 'text/html', location: '/r/1' }).end('<html>')), { message: /not application\/sdp/ });
  t.equal(await attempt((r) => r.writeHead(201, { 'content-type': 'application/sdp', location: '/r/1' }).end(ANSWER)), null, 'and a proper answer is taken');
  srv.close();
  t.match(await publish('http://127.0.0.1:9/whip', 'v=0', null).catch((e: unknown) => e), { message: /cannot reach/ });
});

t.test('answer directions and Link parsing', async (t) => {
  t.equal(answerProblem(ANSWER), null);
  t.match(answerProblem(ANSWER.replace('a=recvonly\r\n', '')), /sendrecv, not recvonly/, 'no direction means sendrecv');
  t.match(answerProblem(ANSWER.replace('m=video 9', 'm=video 0')), /rejected the video section/);
  t.match(answerProblem('<html>'), /not SDP/);
  t.same(parseIceLinks('<https://example/next>; rel="next"'), []);
});
