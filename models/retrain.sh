#!/usr/bin/env bash
# Retrains the card model from a clean checkout and evaluates it on the held-out design.
# Needs (training only, never the appliance or its tests): Debian's python3-torch, python3-onnx,
# python3-opencv, python3-numpy; gnome-cards-data and librsvg2-bin for the held-out deck; npm
# for the card art. CPU only; about 40 minutes on 2 cores. Writes models/cards.onnx and
# models/cards.json; prints the figures models/README.md records.
#
#   bash models/retrain.sh [SCENES=12000] [EPOCHS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
scenes=${1:-12000}
epochs=${2:-8}
py=/usr/bin/python3 # Debian's python, where python3-torch lives (not a pyenv or venv one)
cache=models/.cache
train_designs=(heruka-2color heruka-2color-bf cardsjs bellot)
heldout=gnome-anglo_poker

missing=()
for p in python3-torch python3-onnx python3-opencv python3-numpy gnome-cards-data librsvg2-bin; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "retrain: installing ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

(cd models/training && npm ci --no-audit --no-fund --silent)
mkdir -p "$cache"
node models/training/render-art.mjs "$cache/art" "${train_designs[@]}" "$heldout"

cd models/training
$py make_dataset.py ../.cache/art ../.cache/train.npz "$scenes" 1 "${train_designs[@]}"
$py make_dataset.py ../.cache/art ../.cache/val.npz $((scenes / 12)) 2 "${train_designs[@]}"
$py train.py ../.cache/train.npz ../.cache/val.npz ../cards.onnx "$epochs" | tee ../.cache/train.log
$py describe.py ../cards.onnx ../cards.json ../.cache/val.npz
$py make_eval.py ../.cache/art ../.cache/eval "$((scenes / 30))" 3 "$heldout"
cd ../..
node --import tsx scripts/eval-cards.ts "$cache/eval" --json "$cache/eval.json"
