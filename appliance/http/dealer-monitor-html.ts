/**
 * The dealer monitor: one self-contained page (no network but the box), large type on black,
 * readable from 3 m. Rendering is plain DOM from the live feed; `window.__rendered` records the
 * last render (seq and time) for the browser test.
 */
export const DEALER_MONITOR_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__ dealer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  html, body { margin: 0; background: #000; color: #f2f2f2; font-family: "DejaVu Sans", sans-serif; }
  body { display: grid; grid-template-rows: auto 1fr auto; height: 100vh; }
  header { display: flex; justify-content: space-between; padding: 1vh 2vw; font-size: 3vh; color: #aaa; }
  #phase { font-size: 11vh; font-weight: bold; text-align: center; line-height: 1.1; padding: 2vh 0 0; }
  #phase.betting { color: #3ddc84; } #phase.closed, #phase.dealing { color: #ffb300; } #phase.suspended { color: #ff5252; } #phase.closedtable { color: #888; }
  #countdown { font-size: 20vh; text-align: center; font-variant-numeric: tabular-nums; color: #3ddc84; min-height: 1em; }
  #blocked { font-size: 5vh; text-align: center; color: #ffd54f; min-height: 1.2em; }
  #why { font-size: 5vh; text-align: center; color: #ff8a80; }
  #lifts { font-size: 4vh; text-align: center; color: #ffcc80; }
  #cards { display: flex; flex-wrap: wrap; justify-content: center; gap: 2vw; font-size: 6vh; padding: 1vh; }
  .pos { text-align: center; } .pos .name { font-size: 2.5vh; color: #aaa; } .pos .card { font-weight: bold; min-width: 2.5em; }
  .red { color: #ff6b6b; }
  footer { display: grid; grid-template-columns: 2fr 2fr 1.5fr; gap: 2vw; padding: 1vh 2vw 2vh; font-size: 3vh; border-top: 1px solid #333; }
  #press.refused { color: #ff8a80; } #press.ok { color: #9be7a8; }
  .dev.down { color: #ff5252; } .dev.up { color: #9be7a8; }
  #results span { display: inline-block; margin-right: 1vw; }
  #conn.lost { color: #ff5252; }
</style></head>
<body>
<header><span>__TITLE__</span><span id="round"></span><span id="conn">connecting</span></header>
<main>
  <div id="phase">-</div>
  <div id="countdown"></div>
  <div id="blocked"></div>
  <div id="why"></div>
  <div id="lifts"></div>
  <div id="cards"></div>
</main>
<footer>
  <div><div>Last results</div><div id="results"></div></div>
  <div><div>Last press</div><div id="press">none</div></div>
  <div><div>Inputs</div><div id="devices"></div></div>
</footer>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let state = null, status = null, results = [], lifts = {}, liftsByPerson = '', offset = 0;
const SUITS = { C: '\\u2663', D: '\\u2666', H: '\\u2665', S: '\\u2660' };
function cardHtml(c) {
  if (!c || c === 'XX') return '<span>\\u25a0</span>';
  const rank = c[0] === 'T' ? '10' : c[0];
  const red = c[1] === 'H' || c[1] === 'D';
  return '<span class="' + (red ? 'red' : '') + '">' + rank + SUITS[c[1]] + '</span>';
}
// Positions grouped by hand (player1 -> PLAYER), hands in table order, cards in slot order.
const HAND_ORDER = (h) => h === 'player' || h === 'dragon' ? 0 : h === 'banker' || h === 'tiger' ? 1 : h === 'dealer' ? 1000 : 10 + Number(h.replace(/\\D/g, ''));
function handsOf(cards) {
  const hands = {};
  for (const p of Object.keys(cards)) {
    const m = /^(.*?)\\.?(\\d+)$/.exec(p) || [p, p, '0'];
    (hands[m[1]] = hands[m[1]] || []).push([Number(m[2]), cards[p]]);
  }
  return Object.keys(hands).sort((a, b) => HAND_ORDER(a) - HAND_ORDER(b)).map((h) => [h, hands[h].sort((a, b) => a[0] - b[0]).map((x) => x[1])]);
}
function esc(s) { return String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';'); }
function phaseOf(s) {
  if (!s) return ['-', ''];
  if (s.suspended) return ['SUSPENDED', 'suspended'];
  if (!s.open) return ['TABLE CLOSED', 'closedtable'];
  if (!s.round) return ['WAITING TO START', 'closed'];
  if (s.round.phase === 'betting') return ['PLACE YOUR BETS', 'betting'];
  if (s.round.phase === 'dealing') return ['NO MORE BETS \\u2014 DEAL', 'dealing'];
  return ['NO MORE BETS', 'closed'];
}
function resultText(r) {
  if (r.type === 'round.voided') return '#' + r.round + ' void';
  const d = r.data || {};
  if (d.winner && d.game === 'dragon-tiger') return '#' + r.round + ' ' + (d.suitedTie ? 'SUITED TIE' : d.winner.toUpperCase()) + ' ' + d.dragon + '-' + d.tiger;
  if (d.winner) return '#' + r.round + ' ' + d.winner.toUpperCase() + ' ' + d.playerTotal + '-' + d.bankerTotal;
  if (typeof d.number === 'number') return '#' + r.round + ' ' + d.number;
  if (d.dealer) return '#' + r.round + ' dealer ' + d.dealer.total;
  return '#' + r.round;
}
// The standing line: what keeps the dealer from the next step, until it clears (a closed or
// suspended table says so in the phase, the reason and what lifts it).
const BLOCKED = { start: 'Cannot start: ', deal: 'Do not deal yet: ' };
function blockedText(s) {
  const b = s && s.blocked;
  return b && BLOCKED[b.action] ? BLOCKED[b.action] + b.reason : '';
}
function render() {
  const s = state && state.state;
  const [text, cls] = phaseOf(s);
  $('phase').textContent = text; $('phase').className = cls;
  $('round').textContent = s && s.round ? 'Round ' + s.round.no : (s && s.lastResult ? 'Last round ' + s.lastResult.round : '');
  $('blocked').textContent = blockedText(s);
  $('why').textContent = s && s.suspended ? s.suspended.reason : '';
  $('lifts').textContent = s && s.suspended ? (lifts[s.suspended.code] || liftsByPerson) : '';
  $('cards').innerHTML = handsOf(s && s.round && s.round.cards ? s.round.cards : {}).map(([hand, cs]) =>
    '<div class="pos"><div class="name">' + esc(hand.toUpperCase()) + '</div><div class="card">' + cs.map(cardHtml).join(' ') + '</div></div>').join('');
  $('results').innerHTML = results.map((r) => '<span>' + esc(resultText(r)) + '</span>').join('');
  const d = status && status.dealer;
  const p = d && d.lastPress;
  $('press').className = p ? (p.ok ? 'ok' : 'refused') : '';
  $('press').textContent = p ? (p.device + ' ' + p.key + ' \\u2192 ' + (p.action || '-') + (p.ok ? ': done' : ': refused, ' + p.reason)) : 'none';
  $('devices').innerHTML = d ? d.devices.map((x) => '<div class="dev ' + esc(x.state) + '">' + esc(x.name) + ': ' + esc(x.state) + (x.state === 'down' ? ' (' + esc(x.detail) + ')' : '') + (x.held.length ? ' held ' + esc(x.held.join(' ')) : '') + '</div>').join('') : '';
  tick();
  window.__rendered = { seq: state ? state.seq : null, at: Date.now() };
}
function tick() {
  const s = state && state.state;
  const at = s && s.round && s.round.phase === 'betting' && s.round.bettingClosesAt ? Date.parse(s.round.bettingClosesAt) : null;
  if (at === null) { $('countdown').textContent = ''; return; }
  const left = Math.max(0, at - (Date.now() + offset));
  $('countdown').textContent = (left / 1000).toFixed(1);
}
setInterval(tick, 100);
function connect() {
  const es = new EventSource('dealer/live');
  es.addEventListener('open', () => { $('conn').textContent = 'live'; $('conn').className = ''; });
  es.addEventListener('error', () => { $('conn').textContent = 'connection lost'; $('conn').className = 'lost'; });
  es.addEventListener('snapshot', (e) => {
    const m = JSON.parse(e.data);
    offset = m.now - Date.now(); state = m.state; status = m.status; results = m.results; lifts = m.lifts; liftsByPerson = m.liftsByPerson;
    render();
  });
  es.addEventListener('state', (e) => { const m = JSON.parse(e.data); offset = m.now - Date.now(); state = m.message; render(); });
  es.addEventListener('status', (e) => { status = JSON.parse(e.data).message; render(); });
  es.addEventListener('result', (e) => { results.unshift(JSON.parse(e.data)); results = results.slice(0, 8); render(); });
  es.addEventListener('clock', (e) => { offset = Number(e.data) - Date.now(); });
}
connect();
</script></body></html>
`;
