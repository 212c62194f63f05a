#!/usr/bin/env python3
"""Removes, one at a time, a mechanism the trust tests claim to prove, runs the test that should
catch it, and reports whether it did (it must FAIL). Restores every file afterwards.
  python3 scripts/check-mutations.py [NAME...]
"""
import subprocess, sys, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
M = [
  ('open check removed', 'appliance/journal/journal.ts', "      checkAtOpen(db, path, opts.tailCheck ?? DEFAULT_TAIL_CHECK);\n", '', 'appliance/journal/integrity.test.ts'),
  ('background break ignored', 'appliance/table/table-runtime.ts', "          this.hooks?.onIntegrity(reason);\n", '', 'appliance/table/uplink-mechanisms.test.ts'),
  ('FULL not restored after marks', 'appliance/journal/journal.ts', "      this.db.pragma('synchronous = FULL');\n    }\n  }\n\n  private scheduleFlush", "    }\n  }\n\n  private scheduleFlush", 'appliance/journal/journal.test.ts'),
  ('WAL off', 'appliance/journal/journal.ts', "db.pragma('journal_mode = WAL');", "db.pragma('journal_mode = DELETE');", 'appliance/journal/journal.test.ts'),
  ('durable emitted before commit', 'appliance/journal/journal.ts', "    const batch = this.pending;\n    try {", "    const batch = this.pending;\n    if (batch.length > 0) this.emit('durable', batch.map((p) => p.event));\n    try {", 'appliance/journal/journal.test.ts'),
  ('chain hashes the unsigned form', 'appliance/contract/envelope.ts', "return base64url(sha256(canonicalText));", "return base64url(sha256(canonicalText.replace(/,\"sig\":\"[^\"]*\"/, '')));", 'appliance/contract/contract.test.ts'),
  ('rotate at connect, not on PUBACK', 'appliance/uplink/publisher.ts', "    client.publish(topics.birth, this.opts.birth(head), { qos: 1, retain: true }, (err) => {", "    this.opts.onBirth?.();\n    client.publish(topics.birth, this.opts.birth(head), { qos: 1, retain: true }, (err) => {", 'appliance/table/uplink-mechanisms.test.ts'),
  ('backlog rate ignored', 'appliance/uplink/publisher.ts', "    if (rate <= 0) return wanted;", "    if (rate <= 0 || rate > 0) return wanted;", 'appliance/table/uplink-mechanisms.test.ts'),
  ('live waits for the backlog', 'appliance/uplink/publisher.ts', "    if (this.stopped || !client.connected) return;", "    if (this.stopped || !client.connected) return;\n    if (lane === this.live && this.backlog.until > 0) return void setTimeout(() => this.pumpLane(lane), 50);", 'appliance/table/uplink-mechanisms.test.ts'),
  ('broker exposed without credentials', 'appliance/uplink/embedded-broker.ts', "    if (!isLoopback(opts.host) && !opts.credentials) {", "    if (false) {", 'appliance/table/uplink-mechanisms.test.ts'),
  ('broker ignores credentials', 'appliance/uplink/embedded-broker.ts', "    if (creds) {", "    if (creds && false) {", 'appliance/table/uplink-mechanisms.test.ts'),
  ('no local mirror', 'appliance/table/table-runtime.ts', "        this.mirror = new LocalMirror(this.broker.instance);", "        void LocalMirror;", 'appliance/table/uplink-mechanisms.test.ts'),
  ('serial silence watchdog off', 'drivers/serial/serial-link.ts', "    if (this.opts.silenceMs === null) return;", "    if (this.opts.silenceMs === null || true) return;", 'drivers/wheel/ss2/cammegh-ss2-wheel.test.ts'),
  ('camera silence watchdog off', 'drivers/camera/camera.ts', "    if (silentMs <= limit) return;", "    if (silentMs <= limit || true) return;", 'drivers/camera/camera.test.ts'),
  ('stale number line accepted', 'appliance/games/roulette/roulette-engine.ts', "const fresh = line !== null && round.closedAt !== null && line.at >= round.closedAt;", "const fresh = line !== null;", 'appliance/games/roulette/roulette-engine.test.ts'),
  ('duplicate-result check removed', 'appliance/games/roulette/roulette-engine.ts', "    if (this.lastResult && this.lastResult.spin === s.spin) {", "    if (false) {", 'appliance/games/roulette/roulette-engine.test.ts'),
  ('wheel link not a standing cause', 'appliance/games/roulette/roulette-engine.ts', "    if (!this.linkUp) causes.push({ code: 'wheel-link', reason: 'wheel link lost' });", "", 'appliance/games/roulette/roulette-engine.test.ts'),
  ('group-readable key accepted', 'appliance/signing/keyring.ts', "if ((st.mode & 0o077) !== 0) {", "if ((st.mode & 0o007) !== 0) {", 'appliance/signing/keyring.test.ts'),
  ('number mismatch not checked (fuzz)', 'appliance/games/roulette/roulette-engine.ts', "      if (line.number !== s.lastNumber) {", "      if (false) {", 'appliance/games/roulette/wheel-fuzz.test.ts'),
]
only = set(sys.argv[1:])
results = []
for name, file, old, new, test in M:
    if only and name not in only: continue
    p = ROOT / file
    text = p.read_text()
    if old not in text:
        results.append((name, 'PATTERN NOT FOUND')); continue
    p.write_text(text.replace(old, new, 1))
    try:
        r = subprocess.run(['npx', 'tap', test, '--disable-coverage', '-R', 'silent'], cwd=ROOT, capture_output=True, text=True, timeout=400)
        results.append((name, 'caught (test failed)' if r.returncode != 0 else 'NOT CAUGHT'))
    except subprocess.TimeoutExpired:
        results.append((name, 'caught (test timed out)'))
    finally:
        p.write_text(text)
    print(f'{name}: {results[-1][1]}  [{test}]', flush=True)
sys.exit(0 if all(r[1].startswith('caught') for r in results) else 1)
