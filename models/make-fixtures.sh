#!/usr/bin/env bash
# Renders the card fixtures in test-fixtures/cards/ from the CC0 card art (needs what
# models/retrain.sh needs): the dealt baccarat and Dragon Tiger round clips (H.264 in Matroska, encoded by
# GStreamer's x264enc) with its positions and expected events, and the 1080p stills the CLI
# tests and the speed benchmark use. Deterministic: fixed seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
art=models/.cache/art
out=test-fixtures/cards
[ -d "$art/heruka-2color" ] || { (cd models/training && npm ci --no-audit --no-fund --silent); node models/training/render-art.mjs "$art" heruka-2color; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
(cd models/training && $py make_clip.py "../../$art" heruka-2color "$work/clip")
cp "$work/clip/round.json" "$out/baccarat-round.json"
fps=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['fps'])" "$work/clip/round.json")
gst-launch-1.0 -q multifilesrc location="$work/clip/frames/%04d.png" index=0 caps="image/png,framerate=$fps/1" \
  ! pngdec ! videoconvert ! video/x-raw,format=I420 \
  ! x264enc bitrate=1500 key-int-max="$fps" bframes=0 speed-preset=medium ! h264parse ! matroskamux ! filesink location="$out/baccarat-round.mkv"
# The dealt Dragon Tiger round: one card to each side.
(cd models/training && $py make_clip.py "../../$art" heruka-2color "$work/dt" dragon-tiger)
cp "$work/dt/round.json" "$out/dragon-tiger-round.json"
gst-launch-1.0 -q multifilesrc location="$work/dt/frames/%04d.png" index=0 caps="image/png,framerate=$fps/1" \
  ! pngdec ! videoconvert ! video/x-raw,format=I420 \
  ! x264enc bitrate=1500 key-int-max="$fps" bframes=0 speed-preset=medium ! h264parse ! matroskamux ! filesink location="$out/dragon-tiger-round.mkv"
(cd models/training && $py make_stills.py "../../$art" heruka-2color "../../$out/stills" 4)
ls -la "$out" "$out/stills"
# Blackjack cascades in deck families the models never saw (decks.HELD_OUT), with their CSV.
held=$($py -c 'import sys; sys.path.insert(0, "models/training"); import decks; print(" ".join(decks.HELD_OUT))')
[ -f "$art/gnome-paris/KS.png" ] || $py models/training/grid_deck.py "$art" $(echo "$held" | sed 's/gnome-//g')
rm -rf "$out/cascades"
(cd models/training && $py make_eval.py "../../$out/cascades" 6 9 --layout blackjack)
ls -la "$out/cascades"
# Enrolment stills (pitbox cards enrol): a held-out deck laid out as the procedure says, and one
# with a card missing and two swapped.
mkdir -p "$out/enrol"
(cd models/training && $py make_layout.py "../../$out/enrol/layout-tigullio.jpg" "../../$art/gnome-tigullio" 3 \
  && $py make_layout.py "../../$out/enrol/layout-tigullio-7H-missing-QS-KS-swapped.jpg" "../../$art/gnome-tigullio" 4 --missing 7H --swap QS KS)
# Held-out deck families through the camera model at 720p on light wood (the first 8 of the
# evaluation set evalcam-wood-720 in models/README.md), with their CSV.
rm -rf "$out/camera-720"
(cd models/training && $py make_eval.py "../../$out/camera-720" 8 22 --background light-wood --layout loose --camera --size 1280x720)
rm -f "$out/camera-720/truth.json"
# Players' overlapping pairs and fanned hands, same families and camera model, 720p.
for layout in "pairs 42" "fans 43"; do
  set -- $layout
  rm -rf "$out/camera-$1-720"
  (cd models/training && $py make_eval.py "../../$out/camera-$1-720" 4 "$2" --layout "$1" --camera --size 1280x720)
  rm -f "$out/camera-$1-720/truth.json"
done
