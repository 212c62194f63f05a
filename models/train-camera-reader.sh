#!/usr/bin/env bash
# Trains the corner reader on camera-model patches in the background, resumably: two renderers
# write shards (camera_patches.py) while the trainer reads them (train_camera_reader.py). Stop it
# with `touch models/.cache/cam-reader.pt.stop` (the trainer checkpoints every few minutes; the
# best running average is models/.cache/cam-reader.pt.best), then export with export_reader.py.
# Everything runs at nice 19 on a shared machine. Needs the art (retrain.sh's first steps).
#
#   bash models/train-camera-reader.sh [SHARDS=2000] [HOURS=100]
set -euo pipefail
cd "$(dirname "$0")/training"
shards=${1:-2000}
hours=${2:-100}
py=/usr/bin/python3
c=../.cache
mkdir -p $c/cam-train $c/cam-val
rm -f $c/cam-reader.pt.stop
nice -n 19 $py camera_patches.py $c/cam-val 900000 2 >> $c/cam-gen.log 2>&1
for w in 0 1; do
  nice -n 19 $py camera_patches.py $c/cam-train $w "$shards" --step 2 >> $c/cam-gen.log 2>&1 &
done
init=()
[ -f $c/cam-reader.pt ] || init=(--init ../corner-reader.onnx)
nice -n 19 $py train_camera_reader.py $c/cam-train $c/cam-val $c/cam-reader.pt "${init[@]}" --hours "$hours" >> $c/cam-train.log 2>&1
