#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what it needs, then type-checks,
# lints and runs every *.test.ts with node-tap (real mosquitto, real ptys, real SQLite files),
# then the mutation check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npx tap "$@"
# The mutation check (README "The mutation check guards itself"): each trust mechanism removed in
# turn, on a copy of the tree, must make its test fail. Only for the whole suite: files or options
# given here are a partial run.
if [ $# -eq 0 ]; then python3 scripts/check-mutations.py; fi
