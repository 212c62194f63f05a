/**
 * The status page: one self-contained HTML file (no scripts or fonts from anywhere but the box:
 * it must work with no network but the box). Live through one EventSource on `/live`.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pitbox __TITLE__</title>
<style>
  :root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #6e7781; }
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; padding: 1rem 1.5rem; }
  header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
  h1 { font-size: 1.4rem; margin: 0; }
  h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
  .pill { padding: .1rem .6rem; border-radius: 1rem; font-weight: 600; }
  .open { background: #dafbe1; color: var(--ok); } .closed { background: #eaeef2; color: var(--muted); }
  .suspended, .down, .fail, .crashed { background: #ffebe9; color: var(--bad); } .warn { background: #fff8c5; color: var(--warn); }
  .pass, .up { color: var(--ok); } .skip { color: var(--muted); }
  #live.off { color: var(--bad); } #live.on { color: var(--ok); }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #d0d7de55; vertical-align: top; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 2rem; }
  #events li { list-style: none; font-family: ui-monospace, monospace; font-size: .9rem; }
  #events { padding: 0; margin: 0; max-height: 28rem; overflow: auto; }
  .ok-mark { color: var(--ok); } .bad-mark { color: var(--bad); font-weight: 700; }
  .muted { color: var(--muted); }
  #live-cameras { display: flex; flex-wrap: wrap; gap: 1rem; }
  figure { margin: 0; position: relative; width: min(640px, 100%); }
  figure img { width: 100%; display: block; background: #000; min-height: 4rem; }
  figure svg { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  figure polygon { fill: none; stroke: #ffd33d; stroke-width: 3; vector-effect: non-scaling-stroke; }
  figure polygon.taken { stroke: #2da44e; }
  figure text { fill: #fff; stroke: #000; stroke-width: .3em; paint-order: stroke; font: 600 1.6em system-ui, sans-serif; }
  figcaption { font-size: .9rem; color: var(--muted); }
</style>
</head>
<body>
<header>
  <h1 id="title">__TITLE__</h1>
  <span id="table-state" class="pill closed">connecting…</span>
  <span id="round" class="muted"></span>
  <span id="live" class="off">● live feed: connecting</span>
</header>
<p id="suspension" hidden></p>
<div class="grid">
  <section>
    <h2>Alarms</h2>
    <ul id="alarms"><li class="muted">none</li></ul>
    <h2>Journal and uplink</h2>
    <table id="gauges"><tbody></tbody></table>
    <h2>Cameras</h2>
    <table id="cameras"><thead><tr><th>camera</th><th>state</th><th>fps</th><th>lost</th><th>restarts</th><th>outputs</th></tr></thead><tbody><tr><td class="muted" colspan="6">none</td></tr></tbody></table>
  </section>
  <section>
    <h2>Latest events <span class="muted">(each checked by the reference verifier)</span></h2>
    <ul id="events"></ul>
  </section>
</div>
<h2>Cameras, live <span class="muted">(stills a few times a second; positions and the cards read drawn over the recognition camera)</span></h2>
<div id="live-cameras"><p class="muted">no cameras</p></div>
<h2>Checks <button id="recheck" type="button">run again</button> <span id="doctor-at" class="muted"></span></h2>
<table id="doctor"><thead><tr><th></th><th>check</th><th>found</th><th>fix</th></tr></thead><tbody><tr><td colspan="4" class="muted">running…</td></tr></tbody></table>
<script>
'use strict';
const $ = (id) => document.getElementById(id);
let alarmHelp = {};
const text = (el, t) => { el.textContent = t; return el; };
const cell = (tr, t, cls) => { const td = document.createElement('td'); text(td, t == null ? '' : String(t)); if (cls) td.className = cls; tr.appendChild(td); return td; };

function showState(msg) {
  const s = msg && msg.state; if (!s) return;
  lastState = s; drawOverlay();
  const el = $('table-state');
  const phase = s.suspended ? 'suspended' : s.open ? 'open' : 'closed';
  el.className = 'pill ' + phase; text(el, phase.toUpperCase());
  const sus = $('suspension');
  if (s.suspended) { sus.hidden = false; text(sus, 'Suspended (' + s.suspended.code + '): ' + s.suspended.reason); } else { sus.hidden = true; }
  const r = s.round; text($('round'), r ? 'round ' + r.no + (r.phase ? ' · ' + r.phase : '') : (s.lastResult ? 'last result: ' + lastResultText(s.lastResult) : ''));
}

// Every game's last result in a few words: roulette's state carries the number, a card table's
// the result's data (winner, and for Dragon Tiger whether a tie was suited).
function lastResultText(lr) {
  if (lr.number !== undefined && lr.number !== null) return 'round ' + lr.round + ', ' + lr.number;
  const d = lr.result || {};
  const winner = d.winner === 'tie' ? (d.suitedTie ? 'suited tie' : 'tie') : d.winner ? d.winner + ' wins' : 'settled';
  return 'round ' + lr.round + ', ' + winner;
}

function showStatus(st) {
  if (!st) return;
  const ul = $('alarms'); ul.replaceChildren();
  const alarms = st.alarms || [];
  if (st.online === false) { const li = document.createElement('li'); li.className = 'fail'; text(li, 'OFFLINE'); ul.appendChild(li); }
  for (const a of alarms) {
    const li = document.createElement('li'); li.dataset.code = a.code;
    const b = document.createElement('b'); text(b, a.code + ': '); li.appendChild(b);
    li.appendChild(document.createTextNode(a.reason));
    if (alarmHelp[a.code]) { const p = document.createElement('div'); p.className = 'muted'; text(p, alarmHelp[a.code]); li.appendChild(p); }
    ul.appendChild(li);
  }
  if (!alarms.length && st.online !== false) { const li = document.createElement('li'); li.className = 'muted'; text(li, 'none'); ul.appendChild(li); }
  const j = st.journal || {};
  const rows = [
    ['last seq', j.lastSeq], ['undelivered', j.undelivered], ['waiting for the disk', j.queued],
    ['journal size', mib(j.usedBytes)], ['free on its disk', mib(j.freeBytes)], ['backlog to send', st.backlog],
    ['uplink', st.uplink ? (st.uplink.connected ? 'connected' : 'DOWN') : '?'],
    ['chain check', j.chainCheck ? j.chainCheck.state + ' (' + j.chainCheck.checked + ' events' + (j.chainCheck.firstBadSeq ? ', first bad seq ' + j.chainCheck.firstBadSeq : '') + ')' : 'not run'],
  ];
  if (st.wheel) rows.push(['wheel link', st.wheel.up ? 'up' : 'DOWN (' + (st.wheel.reason || '?') + ')']);
  const tb = $('gauges').tBodies[0]; tb.replaceChildren();
  for (const [k, v] of rows) { const tr = document.createElement('tr'); tr.dataset.gauge = k; cell(tr, k, 'muted'); cell(tr, v == null ? '?' : v); tb.appendChild(tr); }
  const cams = Array.isArray(st.cameras) ? st.cameras : [];
  const cb = $('cameras').tBodies[0]; cb.replaceChildren();
  for (const c of cams) {
    const tr = document.createElement('tr'); tr.dataset.camera = c.name;
    cell(tr, c.name); cell(tr, c.state + (c.reason ? ': ' + c.reason : ''), c.state === 'up' ? 'up' : 'down'); cell(tr, c.fps); cell(tr, c.framesDropped); cell(tr, c.restarts);
    cell(tr, (c.outputs || []).map((o) => o.url + ' ' + o.state).join(', '));
    cb.appendChild(tr);
  }
  if (!cams.length) { const tr = document.createElement('tr'); cell(tr, 'none', 'muted').colSpan = 6; cb.appendChild(tr); }
}

let overlay = null;
let lastState = null;
function showCameras(names, ov) {
  overlay = ov;
  const box = $('live-cameras'); if (!names.length) return; box.replaceChildren();
  for (const name of names) {
    const fig = document.createElement('figure'); fig.dataset.camera = name;
    const img = document.createElement('img'); img.alt = 'camera ' + name; img.src = '/camera.mjpeg?name=' + encodeURIComponent(name);
    fig.appendChild(img);
    if (ov && ov.camera === name) {
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 ' + ov.width + ' ' + ov.height); svg.setAttribute('preserveAspectRatio', 'none');
      svg.id = 'overlay'; fig.appendChild(svg);
    }
    const cap = document.createElement('figcaption'); text(cap, name); fig.appendChild(cap);
    box.appendChild(fig);
  }
  drawOverlay();
}
function drawOverlay() {
  const svg = $('overlay'); if (!svg || !overlay) return; svg.replaceChildren();
  const s = lastState || {}; const cards = (s.round && s.round.cards) || {}; const occupied = s.occupied || [];
  for (const [pos, pts] of Object.entries(overlay.positions)) {
    const poly = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
    poly.setAttribute('points', pts.map((p) => p.join(',')).join(' '));
    if (occupied.includes(pos) || cards[pos]) poly.setAttribute('class', 'taken');
    svg.appendChild(poly);
    const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    const x = Math.min(...pts.map((p) => p[0])) + 8, y = Math.min(...pts.map((p) => p[1])) + 36;
    label.setAttribute('x', x); label.setAttribute('y', y); label.dataset.position = pos;
    // A card the recogniser is unsure of is shown as unknown, never guessed.
    text(label, pos + (cards[pos] ? ': ' + cards[pos] : occupied.includes(pos) ? ': ?' : ''));
    svg.appendChild(label);
  }
}

function mib(b) { return typeof b === 'number' ? (b / 1048576).toFixed(1) + ' MiB' : '?'; }

function addEvent(e, atTop) {
  const li = document.createElement('li'); li.dataset.seq = e.seq;
  const mark = document.createElement('span'); mark.className = e.verified ? 'ok-mark' : 'bad-mark'; text(mark, e.verified ? '✓ ' : '✗ ');
  if (!e.verified) mark.title = e.problem;
  li.appendChild(mark);
  li.appendChild(document.createTextNode((e.ts || '').slice(11, 23) + ' #' + e.seq + ' ' + e.text + (e.verified ? '' : '  [' + e.problem + ']')));
  const ul = $('events'); if (atTop) ul.prepend(li); else ul.appendChild(li);
  while (ul.children.length > 50) ul.lastChild.remove();
}

async function doctor(fresh) {
  text($('doctor-at'), 'running…');
  try {
    const r = await fetch(fresh === true ? '/doctor.json?fresh=1' : '/doctor.json'); const d = await r.json();
    const tb = $('doctor').tBodies[0]; tb.replaceChildren();
    for (const l of d.checks) {
      const tr = document.createElement('tr'); tr.dataset.check = l.check; tr.dataset.status = l.status;
      cell(tr, l.status, l.status); cell(tr, l.check); cell(tr, l.found); cell(tr, l.status === 'pass' ? '' : (l.fix || ''), 'muted');
      tb.appendChild(tr);
    }
    text($('doctor-at'), 'at ' + new Date().toLocaleTimeString());
  } catch (err) { text($('doctor-at'), 'could not run: ' + err); }
}
$('recheck').addEventListener('click', () => doctor(true));

const live = new EventSource('/live');
live.onopen = () => { const l = $('live'); l.className = 'on'; text(l, '● live'); };
live.onerror = () => { const l = $('live'); l.className = 'off'; text(l, '● live feed lost: reconnecting'); };
live.addEventListener('snapshot', (m) => {
  const s = JSON.parse(m.data); alarmHelp = s.alarmHelp || {};
  showCameras(s.cameras || [], s.overlay || null);
  showState(s.state); showStatus(s.status);
  $('events').replaceChildren(); for (const e of s.events) addEvent(e, false);
});
live.addEventListener('state', (m) => showState(JSON.parse(m.data)));
live.addEventListener('status', (m) => showStatus(JSON.parse(m.data)));
live.addEventListener('event', (m) => addEvent(JSON.parse(m.data), true));
doctor();
</script>
</body>
</html>
`;
