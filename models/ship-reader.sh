#!/usr/bin/env bash
# From a trained reader checkpoint to a reader the appliance can load: calibrated (temperature
# scaling on held-out patches), thresholds chosen from measured error, exported, described.
#
#   bash models/ship-reader.sh CHECKPOINT [OUT_DIR=models]
#
# CHECKPOINT: train_camera_reader.py's (".best": the running average that scored best). Writes
# OUT_DIR/corner-reader.onnx, OUT_DIR/cards.json (with the detector beside it: copied when OUT_DIR
# is not models/), OUT_DIR/corner-reader.pt (the checkpoint: the next session resumes from it,
# and `pitbox cards enrol` starts from its average) and OUT_DIR/reader-calibration.json (the
# figures models/README.md quotes). A candidate goes to a folder of its own first
# (models/.cache/candidate), is evaluated there (`pitbox cards evaluate --model
# OUT_DIR/cards.json`, eval-camera.sh) and is copied into models/ only when it measures better.
#
# Calibration and test patches: the held-out families' camera-model patches (camera_patches.py
# --held-out, HELD_OUT_SHARDS of them, 12 by default, rendered once and kept: the first half
# calibrates, the second half tests; CAL_DIR and TEST_DIR override). BASELINE=CHECKPOINT: the
# reader it would replace, measured the same way on the same patches (in the JSON, "baseline").
set -euo pipefail
ckpt=$(realpath "$1")
out=$(realpath -m "${2:-$(dirname "$0")}")
mkdir -p "$out"
baseline=()
[ -n "${BASELINE:-}" ] && baseline=(--baseline "$(realpath "$BASELINE")")
cd "$(dirname "$0")/training"
c=../.cache
py=/usr/bin/python3
cal=${CAL_DIR:-$c/cam-heldout-cal}
test=${TEST_DIR:-$c/cam-heldout-test}
if [ -z "${CAL_DIR:-}" ]; then
  n=${HELD_OUT_SHARDS:-12}
  $py camera_patches.py $c/cam-heldout 0 "$n" --held-out > /dev/null # rendered once, then kept
  rm -rf "$cal" "$test"
  mkdir -p "$cal" "$test"
  for k in $(seq 0 $((n - 1))); do
    f=$(printf '%s/cam-heldout/shard-%06d.npz' $c "$k")
    if [ "$k" -lt $((n / 2)) ]; then ln -s "$(realpath "$f")" "$cal/"; else ln -s "$(realpath "$f")" "$test/"; fi
  done
fi
$py calibrate_reader.py "$ckpt" "$out/corner-reader.onnx" "$cal" "$test" --json "$out/reader-calibration.json" "${baseline[@]}"
read -r t1 t2 < <($py -c "import json,sys; r=json.load(open(sys.argv[1]))['thresholds']; print(r['threshold'], r['singleThreshold'])" "$out/reader-calibration.json")
[ "$out" = "$(realpath ..)" ] || cp ../corners.onnx "$out/"
# describe.py checks the export with a second runtime (OpenCV's DNN) on the test patches.
$py -c "
import glob, numpy as np, sys
parts = [np.load(p) for p in sorted(glob.glob(sys.argv[1] + '/shard-*.npz'))]
np.savez(sys.argv[2], x=np.concatenate([p['x'] for p in parts]), y=np.concatenate([p['y'] for p in parts]))" "$test" $c/reader-test.npz
$py describe.py "$out/corners.onnx" "$out/corner-reader.onnx" "$out/cards.json" $c/reader-test.npz 0.3 0.55 "$t1" "$t2"
# The checkpoint beside it: the run (model, optimiser, seconds trained) with the exported average
# as its "ema". Resume with: cp models/corner-reader.pt models/.cache/cam-reader.pt
$py -c "
import os, sys, torch
best = torch.load(sys.argv[1])
run = torch.load(sys.argv[1][:-5]) if sys.argv[1].endswith('.best') and os.path.exists(sys.argv[1][:-5]) else {}
torch.save({**run, 'ema': best['ema'], 'trained_s': run.get('trained_s', best.get('trained_s', 0))}, sys.argv[2])" "$ckpt" "$out/corner-reader.pt"
ls -la "$out"
