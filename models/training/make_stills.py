"""Renders the still-image fixtures (test-fixtures/cards/stills/): 1080p table scenes with
exactly 8 cleanly visible cards, in a CC0 design, with their truth. Tests run `pitbox cards
recognize` on them; scripts/bench-cards.ts times the pipeline on them.

usage: make_stills.py ART_DIR DESIGN OUT_DIR COUNT
"""
import json
import os
import sys

import cv2
import numpy as np

import scenes as S


def main():
    art_dir, design, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    art = S.load_art(art_dir, design)
    truth = []
    for i in range(n):
        rng = np.random.default_rng(7000 + i)
        img, placed = S.random_scene([art], rng, size=(1920, 1080), card_width=(0.06, 0.09), clutter=False, min_cards=8, max_cards=8, face_down_p=0.1)
        name = f"table-{i}.jpg"
        cv2.imwrite(os.path.join(out, name), img, [cv2.IMWRITE_JPEG_QUALITY, 85])
        truth.append({"image": name, "cards": [{"card": p.code, "corners": p.quad.round(1).tolist()} for p in placed]})
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump({"design": design, "scenes": truth}, f, indent=1)
    print(f"{out}: {n} stills, {sum(len(t['cards']) for t in truth)} cards")


if __name__ == "__main__":
    main()
