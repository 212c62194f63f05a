"""Renders the held-out evaluation set: whole 1920x1080 table scenes in a card design the model
never saw, cards cleanly visible (no overlaps, no hands), with felt, lighting, glare, blur,
perspective, rotation and sensor noise. The appliance's own recogniser is run on them by
scripts/eval-cards.ts, so detection, warping and classification are all measured.

usage: make_eval.py ART_DIR OUT_DIR SCENES SEED DESIGN
"""
import json
import os
import sys
from multiprocessing import Pool

import cv2
import numpy as np

import scenes as S


def one(args):
    art_dir, out_dir, design, seed, i = args
    rng = np.random.default_rng(seed * 1_000_003 + i)
    art = S.load_art(art_dir, design)
    img, placed = S.random_scene([art], rng, size=(1920, 1080), card_width=(0.05, 0.11), clutter=False, face_down_p=0.1)
    name = f"scene-{i:04d}.jpg"
    cv2.imwrite(os.path.join(out_dir, name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return {"image": name, "cards": [{"card": p.code, "corners": p.quad.round(1).tolist()} for p in placed]}


def main():
    art_dir, out_dir, n, seed, design = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    os.makedirs(out_dir, exist_ok=True)
    with Pool() as pool:
        truth = pool.map(one, [(art_dir, out_dir, design, seed, i) for i in range(n)], chunksize=8)
    with open(os.path.join(out_dir, "truth.json"), "w") as f:
        json.dump({"design": design, "seed": seed, "scenes": truth}, f)
    print(f"{out_dir}: {n} scenes, {sum(len(s['cards']) for s in truth)} cards, design {design}")


if __name__ == "__main__":
    main()
