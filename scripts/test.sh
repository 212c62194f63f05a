#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what it needs, then type-checks,
# lints and runs every *.test.ts with node-tap (real mosquitto, real ptys, real SQLite files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
npx tap "$@"
