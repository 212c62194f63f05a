#!/usr/bin/env python3
"""Moves files with `git mv` and rewrites every relative import (and the path strings that name
them) so that the code points at the new places. Kept for the record of issue 19's move and for
files that land later in an old place: `python3 scripts/layout/move.py` is idempotent."""
import os, re, subprocess, sys

# old path (file or directory) -> new path
MOVES = [
    ('appliance/table/events.ts', 'appliance/kernel/events.ts'),
    ('appliance/table/table-lifecycle.ts', 'appliance/kernel/table-lifecycle.ts'),
    ('appliance/table/control-socket.ts', 'appliance/kernel/control-socket.ts'),
    ('appliance/table/control-socket.test.ts', 'appliance/kernel/control-socket.test.ts'),
    ('appliance/roulette', 'appliance/games/roulette'),
    ('appliance/cards/baccarat.ts', 'appliance/games/baccarat/baccarat.ts'),
    ('appliance/cards/baccarat.test.ts', 'appliance/games/baccarat/baccarat.test.ts'),
    ('appliance/cards/blackjack.ts', 'appliance/games/blackjack/blackjack.ts'),
    ('appliance/cards/blackjack.test.ts', 'appliance/games/blackjack/blackjack.test.ts'),
    ('appliance/cards/games.ts', 'appliance/cards/card-game.ts'),
    ('appliance/cards/recognition', 'appliance/recognition'),
    ('appliance/uplink/topics.ts', 'appliance/contract/topics.ts'),
    # The serial link frames lines with it; the SS2 driver only reads the lines.
    ('drivers/wheel/ss2/line-framer.ts', 'drivers/serial/line-framer.ts'),
]

def tracked():
    out = subprocess.run(['git', 'ls-files'], capture_output=True, text=True, check=True).stdout.split('\n')
    return [f for f in out if f and os.path.isfile(f) and not os.path.islink(f)]

def new_path(old):
    for a, b in MOVES:
        if old == a:
            return b
        if old.startswith(a + '/'):
            return b + old[len(a):]
    return old

def main():
    files = tracked()
    renames = {f: new_path(f) for f in files if new_path(f) != f}
    # Rewrite first (reading each file at its old place), then move.
    spec = re.compile(r'''((?:from|import|import\(|new URL\(|workerEntry\()\s*['"`])(\.{1,2}/[^'"`$]*)(['"`])''')
    for f in files:
        if not re.search(r'\.(ts|mts|js|mjs)$', f):
            continue
        src = open(f).read()
        newf = renames.get(f, f)
        def fix(m):
            target_old = os.path.normpath(os.path.join(os.path.dirname(f), m.group(2)))
            # `./x.js` names the source `./x.ts`; a directory or another file names itself.
            stem = re.sub(r'\.js$', '.ts', target_old)
            moved = new_path(stem)
            if moved == stem:
                moved = new_path(target_old)
                target_new = moved
            else:
                target_new = re.sub(r'\.ts$', '.js', moved) if target_old.endswith('.js') else moved
            rel = os.path.relpath(target_new, os.path.dirname(newf))
            if m.group(2).endswith('/') and not rel.endswith('/'):
                rel += '/'
            if not rel.startswith('.'):
                rel = './' + rel
            return m.group(1) + rel + m.group(3)
        out = spec.sub(fix, src)
        if out != src:
            open(f, 'w').write(out)
    # Other text naming the moved paths (scripts, docs, package.json).
    for f in files:
        if re.search(r'\.(ts|mts|js|mjs|png|onnx|db|jpg|bin)$', f) or f == 'scripts/layout/move.py':
            continue
        try:
            src = open(f).read()
        except UnicodeDecodeError:
            continue
        out = src
        for a, b in MOVES:
            out = re.sub(re.escape(a) + r'(?=[/\s`\'"):,]|$)', b, out)
        if out != src:
            open(f, 'w').write(out)
    for old, new in sorted(renames.items()):
        os.makedirs(os.path.dirname(new), exist_ok=True)
        subprocess.run(['git', 'mv', old, new], check=True)
    print(f'{len(renames)} files moved')

if __name__ == '__main__':
    main()
