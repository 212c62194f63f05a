#!/usr/bin/env bash
# A whole roulette table in simulation: a simulated Cammegh SS2 wheel on a pseudo-terminal,
# `pitbox run` with the real driver, engine and signed journal, the embedded MQTT broker, and
# `pitbox tail` verifying and printing what a subscriber receives. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2

dir=/tmp/pitbox-sim
mkdir -p "$dir"
speed=${PITBOX_SIM_SPEED:-10}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

node dist/appliance/cli.js simulate wheel --link "$dir/wheel" --speed "$speed" \
  --faults "${PITBOX_SIM_FAULTS:-miss-spin=0.05,launch-retry=0.1,ball-flicker=0.05,garble=0.002}" \
  >"$dir/simulator.jsonl" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 100); do [ -e "$dir/wheel" ] && break; sleep 0.1; done

# A new simulated table gets a signing key and a journal, once; later runs continue its seq.
cli="node dist/appliance/cli.js"
[ -n "$(ls "$dir/keys" 2>/dev/null)" ] || $cli keys generate --plain --dir "$dir/keys" >/dev/null   # a scratch table: plain, not sealed to this machine
[ -e "$dir/journal.db" ] || $cli journal init --config config/simulation.yaml >/dev/null

$cli run --config config/simulation.yaml >"$dir/appliance.log" 2>&1 &
pids+=($!)
echo "simulator: $dir/simulator.jsonl   appliance log: $dir/appliance.log   journal: $dir/journal.db" >&2
sleep 1
# What a backend sees: every event verified (signature, hash chain, gaps), then printed.
$cli tail --config config/simulation.yaml
