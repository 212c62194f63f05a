#!/usr/bin/env bash
# Retrains the card recogniser's two models from a clean checkout and evaluates them on deck
# families they never saw. Needs (training only, never the appliance or its tests): Debian's
# python3-torch python3-onnx python3-opencv python3-numpy python3-pil, gnome-cards-data,
# kdegames-card-data-kf5 and librsvg2-bin for the decks, fonts-* for the procedural decks, npm
# for the npm decks. CPU only. Every step keeps its output under models/.cache/ and is skipped
# when that output is there; the trainings checkpoint every epoch and resume: run it again after
# an interruption and it continues.
#
#   bash models/retrain.sh [DETECTOR_SCENES=10000] [DETECTOR_EPOCHS=4] [READER_SCENES=4000] [READER_EPOCHS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
det_scenes=${1:-10000}
det_epochs=${2:-4}
reader_scenes=${3:-4000}
reader_epochs=${4:-4}
py=/usr/bin/python3 # Debian's python, where python3-torch lives (not a pyenv or venv one)
cache=models/.cache

missing=()
for p in python3-torch python3-onnx python3-opencv python3-numpy python3-pil gnome-cards-data kdegames-card-data-kf5 librsvg2-bin \
  fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-roboto-unhinted fonts-crosextra-carlito fonts-crosextra-caladea \
  fonts-noto-core fonts-open-sans fonts-lato fonts-cantarell fonts-texgyre fonts-linuxlibertine fonts-oldstandard fonts-comic-neue fonts-ebgaramond; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "retrain: installing ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

(cd models/training && npm ci --no-audit --no-fund --silent)
mkdir -p "$cache"
# The art: npm decks (resvg), KDE decks by element id (rsvg-convert), gnome decks cut from their grid.
kde=$($py -c 'import sys; sys.path.insert(0, "models/training"); import decks; print(" ".join(decks.KDE))')
gnome=$($py -c 'import sys; sys.path.insert(0, "models/training"); import decks; print(" ".join(decks.GNOME))')
node models/training/render-art.mjs "$cache/art" heruka-2color heruka-2color-bf cardsjs bellot $kde
$py models/training/grid_deck.py "$cache/art" $gnome

cd models/training
[ -f ../.cache/det-train/targets.jsonl ] && [ "$(wc -l < ../.cache/det-train/targets.jsonl)" -ge "$det_scenes" ] || $py make_corners.py det ../.cache/det-train "$det_scenes" 1
[ -f ../.cache/patch-train.npz ] || $py make_corners.py patch ../.cache/patch-train.npz "$reader_scenes" 1
[ -f ../.cache/patch-val.npz ] || $py make_corners.py patch ../.cache/patch-val.npz $((reader_scenes / 10)) 2
$py train_corners.py ../.cache/det-train ../corners.onnx "$det_epochs" ../.cache/corner-det.pt | tee -a ../.cache/det-train.log
$py train_reader.py ../.cache/patch-train.npz ../.cache/patch-val.npz ../corner-reader.onnx "$reader_epochs" ../.cache/corner-reader.pt | tee -a ../.cache/reader-train.log
$py describe.py ../corners.onnx ../corner-reader.onnx ../cards.json ../.cache/patch-val.npz
# Held-out families, whole 1080p frames: clean cards per background, then cascades with hands.
for bg in light-wood felt printed; do
  [ -f "../.cache/eval-$bg/cards.csv" ] || $py make_eval.py "../.cache/eval-$bg" 200 3 --background "$bg" --layout loose
done
[ -f ../.cache/eval-cascades/cards.csv ] || $py make_eval.py ../.cache/eval-cascades 200 4 --layout blackjack --clutter
cd ../..
for set in light-wood felt printed cascades; do
  node --import tsx appliance/cli.ts cards evaluate "$cache/eval-$set" --worst 5
done
