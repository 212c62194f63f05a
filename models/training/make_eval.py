"""Renders a held-out evaluation set: whole 1920x1080 table frames in deck families the models
never saw (decks.HELD_OUT), with a CSV of the cards in each (what `pitbox cards evaluate` reads,
the same format a studio writes for its own captures) and truth.json with each card's place.

usage: make_eval.py OUT_DIR SCENES SEED [--background KIND] [--layout loose|blackjack|baccarat|pairs|fans] [--clutter]
                    [--camera] [--size 1920x1080] [--view overhead|oblique]

--camera: through the camera model the reader is now trained with (camera_patches.camera: exposure
and white balance, defocus and motion blur, demosaicing, noise, sharpening halos, 4:2:0 chroma,
JPEG/H.264-like compression) instead of the first renderer's; --size 1280x720 for a 720p camera;
--view oblique for a camera tilted 30-45 degrees from the vertical (table_scenes.oblique). A camera
profile is the three together (size, view, --camera). Layouts: pairs (players' two cards, the
second over the first: one index of the first in view), fans (3-5 cards fanned from a pivot: one
index of each covered card in view), blackjack cascades, baccarat (the third card sideways), loose.

Without --clutter the cards are cleanly visible (no hands or chips; light, glare, blur, noise and
JPEG as always). cards.csv: `image,position,cards,hidden`; `cards` are the cards whose index
corner is visible (at least 60 % of it), `hidden` those whose indices are both covered (in a
cascade or under a hand): present, but no reader can be asked to read them.
"""
import argparse
import csv
import json
import os
from multiprocessing import Pool

import cv2
import numpy as np

import camera_patches as C
import decks
import scenes as S
import table_scenes as T

ART_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".cache", "art")
VISIBLE = 0.6
_ARTS: list = []


def one(args):
    out_dir, seed, i, background, layout, clutter, families, camera, size, view = args
    if not _ARTS:
        _ARTS.extend(S.load_art(ART_DIR, d) for d in families)
    rng = np.random.default_rng(seed * 1_000_003 + i)
    img, _corners, _backs, placed, kind = T.table_scene(_ARTS, rng, size, background=background, layout=layout, clutter=clutter, card_width=(0.06, 0.11),
                                                      camera=C.camera if camera else None, view=view)
    name = f"scene-{i:04d}.jpg"
    cv2.imwrite(os.path.join(out_dir, name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    cards = [{"card": p.code, "corners": p.quad.round(1).tolist(), "visible": round(max(p.index_visible), 3)} for p in placed]
    return {"image": name, "background": kind, "cards": cards}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("scenes", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("--background")
    ap.add_argument("--layout")
    ap.add_argument("--clutter", action="store_true")
    ap.add_argument("--camera", action="store_true")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--view", default="overhead", choices=["overhead", "oblique"])
    ap.add_argument("--training-decks", action="store_true", help="the training families instead (a validation set to tune thresholds on)")
    a = ap.parse_args()
    families = decks.TRAIN if a.training_decks else decks.HELD_OUT
    os.makedirs(a.out, exist_ok=True)
    with Pool() as pool:
        truth = pool.map(one, [(a.out, a.seed, i, a.background, a.layout, a.clutter, families, a.camera, tuple(int(v) for v in a.size.split("x")), a.view) for i in range(a.scenes)], chunksize=4)
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump({"decks": families, "seed": a.seed, "camera": a.camera, "size": a.size, "view": a.view, "background": a.background, "layout": a.layout, "clutter": a.clutter, "scenes": truth}, f)
    with open(os.path.join(a.out, "cards.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "position", "cards", "hidden"])
        for s in truth:
            seen = [c["card"] for c in s["cards"] if c["card"] == S.FACE_DOWN or c["visible"] >= VISIBLE]
            hidden = [c["card"] for c in s["cards"] if c["card"] != S.FACE_DOWN and c["visible"] < VISIBLE]
            w.writerow([s["image"], "", " ".join(seen), " ".join(hidden)])
    n = sum(len(s["cards"]) for s in truth)
    print(f"{a.out}: {a.scenes} scenes, {n} cards, decks {' '.join(families)}")


if __name__ == "__main__":
    main()
