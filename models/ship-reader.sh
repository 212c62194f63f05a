#!/usr/bin/env bash
# From a trained reader checkpoint to the shipped reader: calibrated (temperature scaling on
# held-out patches), thresholds chosen from measured error, exported, described in cards.json.
#
#   bash models/ship-reader.sh CHECKPOINT [CAL_DIR TEST_DIR]
#
# CHECKPOINT: train_camera_reader.py's (".best": the running average that scored best). CAL_DIR
# and TEST_DIR default to the held-out families' camera-model patches (camera_patches.py
# --held-out; shards 0-3 calibrate, 4-7 test). Writes corner-reader.onnx, cards.json,
# corner-reader.pt (the checkpoint, so that the next session and `pitbox cards enrol` start from
# it) and .cache/reader-calibration.json (the figures models/README.md quotes).
set -euo pipefail
ckpt=$(realpath "$1")
cd "$(dirname "$0")/training"
c=../.cache
cal=${2:-$c/cam-heldout-cal}
test=${3:-$c/cam-heldout-test}
py=/usr/bin/python3
if [ -z "${2:-}" ]; then
  mkdir -p "$cal" "$test"
  for k in 0 1 2 3; do ln -sf "$(realpath $c/cam-heldout/shard-00000$k.npz)" "$cal/"; done
  for k in 4 5 6 7; do ln -sf "$(realpath $c/cam-heldout/shard-00000$k.npz)" "$test/"; done
fi
$py calibrate_reader.py "$ckpt" ../corner-reader.onnx "$cal" "$test" --json $c/reader-calibration.json
read -r t1 t2 < <($py -c "import json,sys; r=json.load(open(sys.argv[1]))['thresholds']; print(r['threshold'], r['singleThreshold'])" $c/reader-calibration.json)
# describe.py checks the export with a second runtime (OpenCV's DNN) on the test patches.
$py -c "
import glob, numpy as np, sys
parts = [np.load(p) for p in sorted(glob.glob(sys.argv[1] + '/shard-*.npz'))]
np.savez(sys.argv[2], x=np.concatenate([p['x'] for p in parts]), y=np.concatenate([p['y'] for p in parts]))" "$test" $c/reader-test.npz
$py describe.py ../corners.onnx ../corner-reader.onnx ../cards.json $c/reader-test.npz 0.3 0.55 "$t1" "$t2"
# The checkpoint beside it: the run (model, optimiser, seconds trained: the next session resumes
# from it, copied to .cache/cam-reader.pt) with the exported average as its "ema" (enrol's start).
$py -c "
import os, sys, torch
best = torch.load(sys.argv[1])
run = torch.load(sys.argv[1][:-5]) if sys.argv[1].endswith('.best') and os.path.exists(sys.argv[1][:-5]) else {}
torch.save({**run, 'ema': best['ema'], 'trained_s': run.get('trained_s', best.get('trained_s', 0))}, sys.argv[2])" "$ckpt" ../corner-reader.pt
ls -la ../corner-reader.onnx ../corner-reader.pt ../cards.json
