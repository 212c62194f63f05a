#!/usr/bin/env bash
# The recogniser on whole frames of the held-out deck families through the camera model, single
# stills (no confirmation across frames), per background, per camera profile and per layout: the
# table models/README.md and README.md quote. Renders each set once (models/.cache/evalcam-*,
# fixed seeds: the same frames on every machine; needs what retrain.sh needs, art included), then
# scores it with `pitbox cards evaluate`.
#
#   bash models/eval-camera.sh [MODEL_SPEC=models/cards.json] [SCENES=25] [SET...]
#
# Prints one markdown row per set: set, camera profile, cards with an index in view, read right,
# wrong, abstained (of the cards found). Everything at nice 19 (a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-models/cards.json}
scenes=${2:-25}
shift $(( $# < 2 ? $# : 2 ))
py=/usr/bin/python3
c=models/.cache
# name | camera profile | make_eval.py arguments (after SCENES SEED)
sets=(
  "felt-1080|1080p overhead|21 --background felt --layout loose"
  "light-wood-1080|1080p overhead|31 --background light-wood --layout loose"
  "dark-wood-1080|1080p overhead|32 --background dark-wood --layout loose"
  "cloth-1080|1080p overhead|33 --background cloth --layout loose"
  "stone-1080|1080p overhead|34 --background stone --layout loose"
  "printed-1080|1080p overhead|35 --background printed --layout loose"
  "wood-720|720p overhead|22 --background light-wood --layout loose --size 1280x720"
  "mixed-720|720p overhead|36 --layout loose --size 1280x720"
  "oblique-1080|1080p oblique 30-45 deg|37 --layout loose --view oblique"
  "oblique-720|720p oblique 30-45 deg|38 --layout loose --size 1280x720 --view oblique"
  "cascades-1080|1080p overhead|23 --layout blackjack --clutter"
  "baccarat-1080|1080p overhead|39 --layout baccarat"
  "pairs-1080|1080p overhead|40 --layout pairs"
  "fans-1080|1080p overhead|41 --layout fans"
)
echo "| set | camera | cards | read right | wrong | abstained (of found) |"
echo "|---|---|---|---|---|---|"
for s in "${sets[@]}"; do
  IFS='|' read -r name profile args <<< "$s"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  dir=$c/evalcam-$name-$scenes
  seed=${args%% *}
  # shellcheck disable=SC2086 # the set's arguments are words
  [ -f "$dir/cards.csv" ] || (cd models/training && nice -n 19 $py make_eval.py "../../$dir" "$scenes" $seed ${args#* } --camera > /dev/null)
  nice -n 19 node --import tsx appliance/cli.ts cards evaluate "$dir" --model "$spec" --json --worst 0 \
    | $py -c '
import json, sys
r = json.loads(sys.stdin.read())
found = r["read"] + r["wrong"] + r["abstained"]
pct = lambda a, b: "%.1f %%" % (100 * a / b) if b else "-"
cells = [sys.argv[1], sys.argv[2], r["cards"], "%d (%s)" % (r["read"], pct(r["read"], r["cards"])), r["wrong"], pct(r["abstained"], found)]
print("| " + " | ".join(str(c) for c in cells) + " |")' "$name" "$profile"
done
