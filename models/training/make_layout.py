"""Renders an enrolment still: a deck laid out as `pitbox cards enrol` asks (four rows of 13,
clubs, diamonds, hearts, spades from the top, A to K from the left, apart on a dark cloth), seen
by a table camera (camera_patches.camera) from a little off overhead.

usage: make_layout.py OUT.jpg DECK SEED [--missing CARD] [--swap CARD CARD] [--size 1920x1080]

DECK: a deck directory of the art cache (models/.cache/art/gnome-paris) or any directory of
<card>.png faces.
"""
from __future__ import annotations

import argparse
import os

import cv2
import numpy as np

import camera_patches as C
import scenes as S


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("deck")
    ap.add_argument("seed", type=int)
    ap.add_argument("--missing", action="append", default=[])
    ap.add_argument("--swap", nargs=2, action="append", default=[])
    ap.add_argument("--size", default="1920x1080")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    rng = np.random.default_rng(a.seed)
    art = S.load_art(os.path.dirname(os.path.abspath(a.deck)), os.path.basename(os.path.abspath(a.deck)))
    order = [r + s for s in "CDHS" for r in S.RANKS]
    for x, y in a.swap:
        i, j = order.index(x), order.index(y)
        order[i], order[j] = order[j], order[i]
    canvas = np.empty((h, w, 3), np.float32)
    canvas[:] = np.array([40, 45, 30], np.float32) * rng.uniform(0.7, 1.3, 3)  # a dark cloth
    canvas += rng.normal(0, 3, (h, w, 1)).astype(np.float32)
    pitch = w / 13.6
    cw = pitch * 0.8
    row_pitch = cw * S.ART_H / S.ART_W * 1.2
    top = (h - 4 * row_pitch) / 2 + row_pitch / 2
    occupied = np.zeros((h, w), np.uint8)
    for k, code in enumerate(order):
        if code in a.missing:
            continue
        r, c = divmod(k, 13)
        centre = (w / 2 + (c - 6) * pitch + rng.normal(0, 3), top + r * row_pitch + rng.normal(0, 3))
        quad = S.card_quad(centre, cw * rng.uniform(0.98, 1.02), rng.normal(0, 2), 0.01, rng)
        S.composite(canvas, art.faces[code], quad, rng, occupied)
    # a technician retakes a still with glare across the deck: light and camera, but no glare
    img = C.camera(canvas, rng, cw, glare=False)
    cv2.imwrite(a.out, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(f"{a.out}: {52 - len(a.missing)} cards of {a.deck}, card width {cw:.0f} px")


if __name__ == "__main__":
    main()
