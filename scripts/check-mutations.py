#!/usr/bin/env python3
"""The mutation check: removes, one at a time, a mechanism the tests claim to prove, runs the test
that should catch it, and reports whether it did (the test must FAIL). Part of the test command
(scripts/test.sh runs it after the suite).

  python3 scripts/check-mutations.py [--jobs N] [--list] [--diff] [--whole-files] [NAME...]

NAME selects mutations whose name contains it (any case). Exit status 0 only when every selected
mutation was caught.

How it guards itself:
- Every mutation's outcome is printed. A pattern that is not in its file (the code moved or was
  reworded) is printed first, with the file it looked in, and fails the run: a check that stops
  checking must never pass in silence. A pattern found more than once is refused the same way.
- A mutated TypeScript file that no longer parses is refused (a syntax error would make any test
  fail, proving nothing).
- Each test (and --grep filter) is first run unmutated: a mutation is caught only if the same
  test passes without it. One that fails is run once more and printed (FLAKY when the second run
  passes, with the first failure's report); failing twice, its mutations cannot be checked. A
  --grep that selects no subtest is refused.
- The checkout is never edited. Each run gets its own copy of the tree (git's tracked and
  untracked, not ignored, files) in a temporary directory, with node_modules linked in; the copies
  are removed at the end, and an interrupted run (Ctrl-C, SIGTERM, a CI timeout) leaves the
  checkout exactly as it was. Runs go in parallel, one per core (--jobs to change). A test file
  runs as tap's runner runs it (node with package.json's tap node-arg and timeout), without the
  runner's own start-up.

Adding a mutation (every issue that adds a trust mechanism does): one entry in MUTATIONS below,
  M('what is broken, in a few words', 'path/to/the.test.ts',
    E('path/to/file.ts', "a distinctive line or fragment, exactly as in the file", "what replaces it"),
    grep='the subtest that proves it'),
- `find` must occur exactly once in the file: match a distinctive line or fragment (not a line
  number), short enough to survive a reformat of its neighbours.
- The replacement removes the mechanism the simplest way (`if (false) {`, the line deleted) and
  must still parse. Several E(...) make one mutation when a mechanism has more than one layer.
- `grep` (optional, tap's --grep: a literal prefix of the top-level subtest's name; a tuple
  filters the nested levels in turn) runs only the subtest that proves it: a file of slow
  subtests then costs one of them. `--whole-files` ignores it, to find the subtest that catches.
- Run `python3 scripts/check-mutations.py 'NAME'` and see it caught; add a row to the README's
  table in "Proving the guarantees". A mechanism no test catches needs a test, not a weaker
  mutation.
- Moving or renaming a file: update its paths here (a stale path prints NOT FOUND).
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 400
# The suite's own tap settings (node-arg --import=tsx, the timeout), so a test runs here as there.
TAP_CONFIG: dict = json.loads((ROOT / 'package.json').read_text()).get('tap', {})


@dataclass(frozen=True)
class E:
    """One edit: `find` (exactly once in `file`) replaced by `put`."""
    file: str
    find: str
    put: str


@dataclass(frozen=True, init=False)
class M:
    name: str
    test: str | tuple[str, ...]
    edits: tuple[E, ...]
    grep: str | tuple[str, ...] | None

    def __init__(self, name: str, test: str | tuple[str, ...], *edits: E, grep: str | tuple[str, ...] | None = None):
        object.__setattr__(self, 'name', name)
        object.__setattr__(self, 'test', test)
        object.__setattr__(self, 'edits', edits)
        object.__setattr__(self, 'grep', grep)

    @property
    def tests(self) -> tuple[str, ...]:
        return (self.test,) if isinstance(self.test, str) else self.test

    @property
    def greps(self) -> tuple[str, ...]:
        return () if self.grep is None else (self.grep,) if isinstance(self.grep, str) else self.grep


# ---- the mutations ------------------------------------------------------------------------------
# (name, the test that must fail, the edits, the subtest that proves it)

MUTATIONS: list[M] = [
    # the journal
    M('open check removed', 'appliance/journal/integrity.test.ts',
      E('appliance/journal/journal.ts', "      checkAtOpen(db, path, opts.tailCheck ?? DEFAULT_TAIL_CHECK);\n", '')),
    M('FULL not restored after marks', 'appliance/journal/journal.test.ts',
      E('appliance/journal/journal.ts', "      this.db.pragma('synchronous = FULL');\n    }\n  }\n\n  private scheduleFlush", "    }\n  }\n\n  private scheduleFlush"),
      grep='durability: WAL'),
    M('WAL off', 'appliance/journal/journal.test.ts',
      E('appliance/journal/journal.ts', "db.pragma('journal_mode = WAL');", "db.pragma('journal_mode = DELETE');"),
      grep='durability: WAL'),
    M('durable emitted before commit', 'appliance/journal/journal.test.ts',
      E('appliance/journal/journal.ts', "    const batch = this.pending;\n    try {", "    const batch = this.pending;\n    if (batch.length > 0) this.emit('durable', batch.map((p) => p.event));\n    try {"),
      grep='durability: WAL'),
    M('chain hashes the unsigned form', 'appliance/contract/contract.test.ts',
      E('packages/consumer/src/envelope.ts', "return base64url(sha256(canonicalText));", "return base64url(sha256(canonicalText.replace(/,\"sig\":\"[^\"]*\"/, '')));"),
      grep='hash chain and signature against a known answer'),
    M('group-readable key accepted', 'appliance/signing/keyring.test.ts',
      E('appliance/signing/keyring.ts', "if ((st.mode & 0o077) !== 0) {", "if ((st.mode & 0o007) !== 0) {"),
      grep='a key others can read'),

    # the uplink and the embedded broker
    M('background break ignored', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/table/table-runtime.ts', "          this.hooks?.onIntegrity(reason);\n", ''),
      grep='a chain broken behind the open check'),
    M('rotate at connect, not on PUBACK', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/uplink/publisher.ts', "    client.publish(topics.birth, this.opts.birth(head), { qos: 1, retain: true }, (err) => {", "    this.opts.onBirth?.();\n    client.publish(topics.birth, this.opts.birth(head), { qos: 1, retain: true }, (err) => {"),
      grep='key rotation'),
    M('backlog rate ignored', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/uplink/publisher.ts', "    if (rate <= 0) return wanted;", "    if (rate <= 0 || rate > 0) return wanted;"),
      grep='lanes'),
    M('live waits for the backlog', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/uplink/publisher.ts', "    if (this.stopped || !client.connected) return;", "    if (this.stopped || !client.connected) return;\n    if (lane === this.live && this.backlog.until > 0) return void setTimeout(() => this.pumpLane(lane), 50);"),
      grep='lanes'),
    M('broker exposed without credentials', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/uplink/embedded-broker.ts', "    requireCredentialsOffLoopback('broker', opts.host, opts.credentials);\n", ''),
      grep='the embedded broker: loopback by default'),
    M('broker ignores credentials', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/uplink/embedded-broker.ts', "    if (creds) {", "    if (creds && false) {"),
      grep='the embedded broker: loopback by default'),
    M('no local mirror', 'appliance/table/uplink-mechanisms.test.ts',
      E('appliance/table/table-runtime.ts', "        this.mirror = new LocalMirror(this.broker.instance);", "        void LocalMirror;"),
      grep='with an uplink, the embedded broker mirrors'),

    # the local HTTP server (status page, dealer monitor, metrics)
    M('status page exposed without credentials', 'appliance/http/metrics.test.ts',
      E('appliance/http/local-server.ts', "    requireCredentialsOffLoopback('http', opts.host, opts.credentials);\n", ''),
      grep='with credentials the server may leave loopback'),

    # the wheel
    M('serial silence watchdog off', 'drivers/wheel/ss2/cammegh-ss2-wheel.test.ts',
      E('drivers/serial/serial-link.ts', "    if (this.opts.silenceMs === null) return;", "    if (this.opts.silenceMs === null || true) return;"),
      grep='status frames at the period keep the link up'),
    M('stale number line accepted', 'appliance/games/roulette/roulette-engine.test.ts',
      E('appliance/games/roulette/roulette-engine.ts', "const fresh = line !== null && round.closedAt !== null && line.at >= round.closedAt;", "const fresh = line !== null;"),
      grep='a stale number line'),
    M('duplicate-result check removed', 'appliance/games/roulette/roulette-engine.test.ts',
      E('appliance/games/roulette/roulette-engine.ts', "    if (this.lastResult && this.lastResult.spin === s.spin) {", "    if (false) {"),
      grep='duplicate-result'),
    M('wheel link not a standing cause', 'appliance/games/roulette/roulette-engine.test.ts',
      E('appliance/games/roulette/roulette-engine.ts', "if (!this.linkUp) causes.push({ code: 'wheel-link', reason: 'wheel link lost' });", "if (false) causes.push({ code: 'wheel-link', reason: 'wheel link lost' });"),
      grep='several suspension causes'),
    M('number mismatch not checked (fuzz)', 'appliance/games/roulette/wheel-fuzz.test.ts',
      E('appliance/games/roulette/roulette-engine.ts', "      if (line.number !== s.lastNumber) {", "      if (false) {")),

    # cameras and video
    M('camera silence watchdog off', 'drivers/camera/camera.test.ts',
      E('drivers/camera/camera.ts', "    if (silentMs <= limit) return;", "    if (silentMs <= limit || true) return;"),
      grep='a worker that stops producing frames'),
    M('frame stamp after the slices', 'drivers/camera/frame-stamp.test.ts',
      E('drivers/camera/frame-stamp.ts', "  return slice ? Buffer.concat([au.subarray(0, slice.start), nal, au.subarray(slice.start)]) : Buffer.concat([nal, au]);", "  return slice ? Buffer.concat([au, nal]) : Buffer.concat([nal, au]);"),
      grep='a stamp goes in before the first slice'),

    # card tables
    M('shoe and camera disagreeing accepted', 'appliance/cards/shoe-dealing.test.ts',
      E('appliance/cards/shoe-match.ts', "    if (read.card !== camera.card) {", "    if (false) {"),
      grep='both: a shoe card that disagrees with the camera'),
    # Two layers keep a timer from acting for a round it was not set for: every close and void
    # clears it, and it checks it still belongs to the current round. Either alone holds.
    M('stale betting timer closes a later round', 'appliance/cards/shoe-dealing.test.ts',
      E('appliance/cards/card-engine.ts', "() => this.round === round && round.phase === 'betting' && this.closeBets('betting-timer')", "() => this.closeBets('betting-timer')"),
      E('appliance/cards/card-engine.ts', "    if (this.timer) clearTimeout(this.timer);\n", ''),
      grep='betting timer'),

    # the dealer station's buttons
    # (Fragments common to this gate and issue 26's rework of it: kernel times, lost releases.)
    M('autorepeat counted as presses', 'drivers/input/key-gate.test.ts',
      E('drivers/input/key-gate.ts', "{ kind: 'ignored', key, why: 'repeat' }", "{ kind: 'press', key, at: this.now() }"),
      grep='a press counts once; autorepeat never'),
    M('a key held at start (seen as autorepeat) not quarantined', 'drivers/input/key-gate.test.ts',
      E('drivers/input/key-gate.ts', "if (!s || s.is === 'up') {", "if (false) {"),
      grep='a key held at start'),
    M('bounce: no re-arm gap after a release', 'drivers/input/key-gate.test.ts',
      E('drivers/input/key-gate.ts', "at - s.releasedAt < this.rules.minGapMs", "false"),
      grep='bounce and double presses'),
    M('bounce: a GPIO spike counts (no stable window)', 'drivers/input/key-gate.test.ts',
      E('drivers/input/key-gate.ts', "this.rules.stableMs <= 0", "true"),
      grep='GPIO: a press counts once the line stays pressed'),

    # the package
    M('the unit keeps every capability (hardening gate)', 'appliance/ops/systemd-units.test.ts',
      E('systemd/pitbox@.service', "\nCapabilityBoundingSet=\n", "\n"),
      grep='pitbox@.service: exposure'),
]


# ---- running them -------------------------------------------------------------------------------

@dataclass
class Outcome:
    verdict: str  # caught | NOT CAUGHT | NOT FOUND | BROKEN
    detail: str
    seconds: float = 0.0


# Without git (a source tarball), what the copy leaves out: build outputs and what tests write.
NOT_SOURCE = {'.git', 'node_modules', '.tap', 'coverage', 'dist', 'dist-deb', '__pycache__'}


def tree_files() -> list[str]:
    """The files a test run sees: tracked and untracked ones git does not ignore (as CI checks out)."""
    try:
        out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT, capture_output=True, check=True)
        names = out.stdout.decode().split('\0')
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob('*') if not NOT_SOURCE.intersection(p.relative_to(ROOT).parts)]
    return sorted({f for f in names if f and ((ROOT / f).is_file() or (ROOT / f).is_symlink())})


def grep_pattern(prefix: str) -> str:
    """tap's --grep is a JavaScript regular expression: the table holds literal name prefixes."""
    return '^' + re.sub(r'[\\^$.*+?()[\]{}|/]', lambda m: '\\' + m.group(0), prefix)


def apply(m: M, read) -> tuple[dict[str, str], str | None]:
    """The mutated files' new text, or why the mutation cannot be made."""
    texts: dict[str, str] = {}
    for e in m.edits:
        text = texts.get(e.file)
        if text is None:
            try:
                text = read(e.file)
            except FileNotFoundError:
                return {}, f'{e.file} does not exist (looking for {e.find.strip()!r})'
        n = text.count(e.find)
        if n != 1:
            where = 'not in' if n == 0 else f'{n} times in'
            return {}, f'{e.find.strip()!r} is {where} {e.file}'
        texts[e.file] = text.replace(e.find, e.put, 1)
    for t in m.tests:
        if not (ROOT / t).is_file():
            return {}, f'the test {t} does not exist'
    return texts, None


def unparsable(texts: dict[str, dict[str, str]]) -> dict[str, str]:
    """{mutation name: esbuild's error} for mutated TypeScript that no longer parses."""
    sources = [{'key': name, 'file': f, 'text': t} for name, files in texts.items() for f, t in files.items() if f.endswith(('.ts', '.js'))]
    if not sources:
        return {}
    script = (
        "const { transformSync } = require('esbuild');"
        "const out = {};"
        "for (const s of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {"
        "  try { transformSync(s.text, { loader: 'ts', sourcefile: s.file }); }"
        "  catch (e) { out[s.key] = (e.errors?.[0] ? `${s.file}:${e.errors[0].location?.line}: ${e.errors[0].text}` : String(e)); }"
        "}"
        "process.stdout.write(JSON.stringify(out));"
    )
    r = subprocess.run(['node', '-e', script], cwd=ROOT, input=json.dumps(sources), capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


class Runner:
    """Runs test files on private copies of the tree; kills what it started when interrupted."""

    def __init__(self, files: list[str]):
        self.files = files
        self.base = Path(tempfile.mkdtemp(prefix='pitbox-mutations-'))
        self.lock = threading.Lock()
        self.live: set[subprocess.Popen] = set()
        self.count = 0
        self.stopping = False

    def copy(self, texts: dict[str, str]) -> Path:
        with self.lock:
            self.count += 1
            dest = self.base / f'{self.count:03d}'
        for f in self.files:
            target = dest / f
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, target, follow_symlinks=False)
        for f, text in texts.items():
            (dest / f).write_text(text)
        (dest / 'node_modules').symlink_to((ROOT / 'node_modules').resolve())
        return dest

    def tap(self, tests: tuple[str, ...], greps: tuple[str, ...], texts: dict[str, str]) -> tuple[int | None, str, float]:
        """(exit status, None on a timeout; TAP output; seconds) of the test files, run one by one
        until one fails. Each runs as tap's runner would run it (node with the package's tap
        node-arg and timeout; --grep as TAP_GREP), without the runner's own start-up."""
        dest = self.copy(texts)
        env = {**os.environ, 'TAP_TIMEOUT': str(TAP_CONFIG.get('timeout', 30))}
        if greps:
            env['TAP_GREP'] = '\n'.join(grep_pattern(g) for g in greps)
        start = time.monotonic()
        outputs: list[str] = []
        try:
            for test in tests:
                with self.lock:
                    if self.stopping:
                        return 1, 'interrupted', 0.0
                    p = subprocess.Popen(['node', *TAP_CONFIG.get('node-arg', []), test], cwd=dest, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
                    self.live.add(p)
                try:
                    out, _ = p.communicate(timeout=RUN_TIMEOUT_S)
                    code: int | None = p.returncode
                except subprocess.TimeoutExpired:
                    kill_group(p)
                    out, _ = p.communicate()
                    code = None
                finally:
                    with self.lock:
                        self.live.discard(p)
                    kill_group(p)  # whatever the test left behind in its session
                outputs.append(out)
                if code != 0:
                    return code, '\n'.join(outputs), time.monotonic() - start
            return 0, '\n'.join(outputs), time.monotonic() - start
        finally:
            shutil.rmtree(dest, ignore_errors=True)

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            live = list(self.live)
        for p in live:
            kill_group(p)

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def kill_group(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def first_failure(tap_output: str) -> str:
    """Where it failed: the top-level subtest, and its first failed assertion (printed first)."""
    subtest = ''
    for line in tap_output.splitlines():
        if m := re.match(r'# Subtest: (.*)$', line):
            subtest = m.group(1)
        elif m := re.match(r'\s*not ok \d+ - (.*?)(?: # (?:time|TODO).*)?$', line):
            what = m.group(1)
            return (what if not subtest or what == subtest else f'{subtest[:60]} > {what}')[:140]
    return 'exit status non-zero, no failed assertion printed'


def excerpt(tap_output: str, lines: int = 30) -> str:
    """The first failure's report (its YAML diagnostics), indented, to see why without a rerun."""
    out = tap_output.splitlines()
    start = next((i for i, line in enumerate(out) if re.match(r'\s*not ok ', line)), max(0, len(out) - lines))
    return '\n'.join('    | ' + line for line in out[start:start + lines])


def ran_subtests(tap_output: str) -> int:
    """Top-level subtests of a test file that ran (not skipped by --grep)."""
    return sum(1 for line in tap_output.splitlines() if re.match(r'(not )?ok \d+ - ', line) and '# SKIP' not in line)


def prepare(chosen: list[M], outcomes: dict[str, Outcome]) -> dict[str, dict[str, str]]:
    """Each mutation's files as mutated; what cannot be made or does not parse goes to `outcomes`,
    printed before anything runs."""
    mutated: dict[str, dict[str, str]] = {}
    for m in chosen:
        texts, problem = apply(m, lambda f: (ROOT / f).read_text())
        if problem:
            outcomes[m.name] = Outcome('NOT FOUND', problem)
            print(f'NOT FOUND   {m.name}: {problem}', flush=True)
        else:
            mutated[m.name] = texts
    return mutated


def refuse_unparsable(mutated: dict[str, dict[str, str]], outcomes: dict[str, Outcome]) -> None:
    for name, error in unparsable(mutated).items():
        outcomes[name] = Outcome('BROKEN', f'the mutated code does not parse: {error}')
        print(f'BROKEN      {name}: {outcomes[name].detail}', flush=True)
        del mutated[name]


def run_all(runner: Runner, pool: ThreadPoolExecutor, runnable: list[M], mutated: dict[str, dict[str, str]], outcomes: dict[str, Outcome]) -> None:
    # 1. Each test unmutated: failing with the mutation proves something only if it passes without.
    base_ok: dict[tuple, str | None] = {}
    base_time: dict[tuple, float] = {}
    futures = {pool.submit(runner.tap, tests, greps, {}): (tests, greps) for tests, greps in sorted({(m.tests, m.greps) for m in runnable})}
    for fut in as_completed(futures):
        key = futures[fut]
        code, out, base_time[key] = fut.result()
        if code != 0:
            # Once more before concluding: a test that fails only under load says so, visibly.
            again, out_again, _ = runner.tap(*key, {})
            why = 'timed out' if code is None else first_failure(out)
            print(f'{"FLAKY" if again == 0 else "FAILS":<11} {" ".join(key[0])} unmutated: {why}\n{excerpt(out)}', flush=True)
            code, out = again, out_again
        if code != 0:
            base_ok[key] = f'fails unmutated, twice ({"timed out" if code is None else first_failure(out)})'
        elif key[1] and ran_subtests(out) == 0:
            base_ok[key] = f'--grep {" / ".join(map(repr, key[1]))} selects no subtest'
        else:
            base_ok[key] = None
    # 2. The mutations, slowest test first so the runs pack onto the cores.
    todo = []
    for m in runnable:
        why = base_ok[(m.tests, m.greps)]
        if why:
            outcomes[m.name] = Outcome('BROKEN', f'{" ".join(m.tests)} {why}')
            print(f'BROKEN      {m.name}: {outcomes[m.name].detail}', flush=True)
        else:
            todo.append(m)
    todo.sort(key=lambda m: -base_time[(m.tests, m.greps)])
    futures = {pool.submit(runner.tap, m.tests, m.greps, mutated[m.name]): m for m in todo}
    for fut in as_completed(futures):
        m = futures[fut]
        code, out, secs = fut.result()
        where = ' '.join(m.tests)
        if code is None:
            o = Outcome('caught', f'{where} timed out after {RUN_TIMEOUT_S} s', secs)
        elif code != 0:
            o = Outcome('caught', f'{where}: {first_failure(out)}', secs)
        else:
            o = Outcome('NOT CAUGHT', f'{where} passed with it', secs)
        outcomes[m.name] = o
        print(f'{o.verdict:<11} {m.name}  [{o.detail}] {o.seconds:.1f} s', flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('names', nargs='*', help='only mutations whose name contains one of these (any case)')
    ap.add_argument('--jobs', type=int, default=len(os.sched_getaffinity(0)), help='test runs at once (default: one per core)')
    ap.add_argument('--list', action='store_true', help='list the mutations and exit')
    ap.add_argument('--diff', action='store_true', help='print each mutation as a diff, run nothing')
    ap.add_argument('--whole-files', action='store_true', help='ignore the greps: run every subtest (which one catches a new mutation?)')
    args = ap.parse_args()

    table = [M(m.name, m.test, *m.edits) for m in MUTATIONS] if args.whole_files else MUTATIONS
    chosen = [m for m in table if not args.names or any(n.lower() in m.name.lower() for n in args.names)]
    if not chosen:
        print(f'no mutation matches {args.names}', file=sys.stderr)
        return 2
    if args.list:
        for m in chosen:
            print(f'{m.name}\n    {", ".join(sorted({e.file for e in m.edits}))} -> {" ".join(m.tests)}' + ''.join(f' --grep {g!r}' for g in m.greps))
        return 0

    t0 = time.monotonic()
    outcomes: dict[str, Outcome] = {}
    mutated = prepare(chosen, outcomes)
    if args.diff:
        for name, texts in mutated.items():
            print(f'== {name}')
            for f, text in texts.items():
                sys.stdout.writelines(difflib.unified_diff((ROOT / f).read_text().splitlines(True), text.splitlines(True), f'a/{f}', f'b/{f}', n=1))
        return 0 if len(mutated) == len(chosen) else 1
    if not (ROOT / 'node_modules/tap').exists():
        print('node_modules/tap is missing: run scripts/setup.sh first', file=sys.stderr)
        return 2
    refuse_unparsable(mutated, outcomes)

    runnable = [m for m in chosen if m.name in mutated]
    print(f'{len(runnable)} mutations, each test unmutated first; {args.jobs} at a time, on copies of the tree '
          f'(the checkout is never edited)', flush=True)
    runner = Runner(tree_files())
    pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
    signal.signal(signal.SIGTERM, interrupt)  # a CI timeout: the same clean stop as Ctrl-C
    try:
        run_all(runner, pool, runnable, mutated, outcomes)
    except KeyboardInterrupt:
        runner.stop()
        print('interrupted: the checkout was never edited; the copies are removed', file=sys.stderr)
        return 130
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        runner.close()

    counts = {v: sum(1 for o in outcomes.values() if o.verdict == v) for v in ('caught', 'NOT CAUGHT', 'NOT FOUND', 'BROKEN')}
    summary = f'{counts["caught"]} caught, {counts["NOT CAUGHT"]} not caught, {counts["NOT FOUND"]} not found'
    if counts['BROKEN']:
        summary += f', {counts["BROKEN"]} could not be checked'
    ok = counts['caught'] == len(chosen)
    print(f'mutations: {summary} (of {len(chosen)}, {time.monotonic() - t0:.0f} s){"" if ok else ": FAILED"}', flush=True)
    return 0 if ok else 1


def interrupt(_sig, _frame):
    raise KeyboardInterrupt


if __name__ == '__main__':
    sys.exit(main())
