#!/usr/bin/env bash
# Trains the corner reader on camera-model patches in the background, resumably: renderers write
# shards (camera_patches.py) while the trainer reads them (train_camera_reader.py). It continues
# the shipped run (models/corner-reader.pt) unless models/.cache/cam-reader.pt is there (then it
# resumes that). Stop it with `touch models/.cache/cam-reader.pt.stop` (or SIGTERM to the
# trainer: it checkpoints first; it also checkpoints every 5 minutes, and keeps the best running
# average as models/.cache/cam-reader.pt.best), then `bash models/ship-reader.sh
# models/.cache/cam-reader.pt.best models/.cache/candidate`. Everything runs at nice 19 on a
# shared machine. Needs the art (retrain.sh's first steps).
#
#   RENDERERS=2 bash models/train-camera-reader.sh [SHARDS=2000] [HOURS=100] [FIRST_SHARD=4000]
#
# Shards are numbered: FIRST_SHARD picks patches no earlier run drew (issue 20's first run drew
# shards from 0, its second from 3000 and 4000).
set -euo pipefail
cd "$(dirname "$0")/training"
shards=${1:-2000}
hours=${2:-100}
first=${3:-4000}
renderers=${RENDERERS:-2}
py=/usr/bin/python3
c=../.cache
mkdir -p $c/cam-train $c/cam-val
rm -f $c/cam-reader.pt.stop
nice -n 19 $py camera_patches.py $c/cam-val 900000 2 >> $c/cam-gen.log 2>&1
pids=()
for w in $(seq 0 $((renderers - 1))); do
  nice -n 19 $py camera_patches.py $c/cam-train $((first + w)) "$shards" --step "$renderers" >> $c/cam-gen.log 2>&1 &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2> /dev/null || true' EXIT # the renderers stop with the trainer
start=()
if [ ! -f $c/cam-reader.pt ]; then
  if [ -f ../corner-reader.pt ]; then start=(--continue ../corner-reader.pt); else start=(--init ../corner-reader.onnx); fi
fi
nice -n 19 $py train_camera_reader.py $c/cam-train $c/cam-val $c/cam-reader.pt "${start[@]}" --hours "$hours" \
  --lr 3e-4 --eval-every 300 --val-max 4096 >> $c/cam-train.log 2>&1
