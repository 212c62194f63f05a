import t from 'tap';
import { outputLaunch, parseOutput } from './outputs.js';

t.test('accepts the three transports and says which', async (t) => {
  t.equal(parseOutput('srt://video.central.example:9000?mode=caller&latency=120').protocol, 'srt');
  t.equal(parseOutput('srt://:9000?mode=listener').protocol, 'srt');
  t.equal(parseOutput('rtmp://ingest.example/live/abc123').protocol, 'rtmp');
  t.equal(parseOutput('rtp://239.1.1.1:5004?pt=97').protocol, 'rtp');
});

t.test('refuses bad URLs with a reason a technician can act on', async (t) => {
  const cases: [string, RegExp][] = [
    ['not a url', /not a URL/],
    ['http://x:1', /unsupported protocol "http:"/],
    ['srt://host', /srt needs a port/],
    ['srt://host:9000?mode=server', /mode "server"/],
    ['srt://:9000?mode=caller', /caller needs the host/],
    ['srt://h:9000?latancy=120', /parameter "latancy"/],
    ['srt://h:9000?latency=5', /latency is in milliseconds/],
    ['srt://h:9000?passphrase=short', /passphrase must be 10-79/],
    ['rtmp://host', /application path/],
    ['rtp://host', /host and a port/],
    ['rtp://h:5004?pt=33', /dynamic payload type/],
  ];
  for (const [url, why] of cases) t.throws(() => parseOutput(url), { name: 'OutputUrlError', message: why }, url);
});

t.test('never shows a secret in the form that is logged', async (t) => {
  const srt = parseOutput('srt://h:9000?mode=caller&passphrase=verysecretpass&streamid=table7');
  t.notMatch(srt.display, /verysecretpass|table7/);
  t.match(srt.display, /passphrase=\*\*\*/);
  const rtmp = parseOutput('rtmp://user:pw@ingest.example/live/streamkey123');
  t.notMatch(rtmp.display, /streamkey123|pw@/);
  t.equal(parseOutput('rtp://video.central.example:5004').display, 'rtp://video.central.example:5004');
});

t.test('sinks never wait for a receiver nor sync to the clock', async (t) => {
  for (const url of ['srt://h:9000?mode=caller', 'rtmp://h/live/k', 'rtp://h:5004']) {
    const launch = outputLaunch(parseOutput(url));
    t.match(launch, /sync=false async=false/, url);
  }
  t.match(outputLaunch(parseOutput('srt://h:9000?mode=caller')), /wait-for-connection=false/);
  t.match(outputLaunch(parseOutput('rtp://[::1]:5004')), /host=::1 port=5004/);
  t.throws(() => outputLaunch(parseOutput('rtmp://h/live/a"b')), { name: 'OutputUrlError', message: /quotes/ });
});
