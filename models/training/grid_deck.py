"""Cuts a gnome-cards-data deck into one PNG per card.

Aisleriot's decks are one SVG laid out as a 13x5 grid (rows clubs, diamonds, hearts, spades, then
jokers and the back). Exporting a card by its element id (rsvg-convert -i) takes the element's
bounding box, which many decks get wrong (clip paths, transforms): a sliver of the card. The grid
is what aisleriot itself relies on, so: render the whole sheet once, cut each cell to the card's
own alpha, and check that what was cut is a card (opaque, card-shaped).

  python3 grid_deck.py OUT_ROOT DECK...      (DECK as in /usr/share/aisleriot/cards/DECK.svgz)
"""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

RANKS = "A23456789TJQK"
SUITS = "CDHS"
W, H = 240, 336


def cut(sheet: np.ndarray, col: int, row: int) -> np.ndarray | None:
    sh, sw = sheet.shape[:2]
    cw, ch = sw / 13, sh / 5
    cell = sheet[int(row * ch):int((row + 1) * ch), int(col * cw):int((col + 1) * cw)]
    ys, xs = np.nonzero(cell[:, :, 3] > 200)
    if len(xs) < 100:
        return None
    card = cell[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = card.shape[:2]
    if not (1.25 < h / w < 1.65) or (card[:, :, 3] > 127).mean() < 0.9:
        return None
    return cv2.resize(card, (W, H), interpolation=cv2.INTER_AREA)


def main() -> None:
    out_root, decks = sys.argv[1], sys.argv[2:]
    for deck in decks:
        out = os.path.join(out_root, f"gnome-{deck}")
        if os.path.exists(os.path.join(out, "KS.png")):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            svg = os.path.join(tmp, "deck.svg")
            with gzip.open(f"/usr/share/aisleriot/cards/{deck}.svgz") as src, open(svg, "wb") as dst:
                dst.write(src.read())
            png = os.path.join(tmp, "sheet.png")
            subprocess.run(["rsvg-convert", "-w", str(13 * W), "-o", png, svg], check=True)
            sheet = cv2.imread(png, cv2.IMREAD_UNCHANGED)
        faces = {r + s: cut(sheet, ci, ri) for ri, s in enumerate(SUITS) for ci, r in enumerate(RANKS)}
        bad = [c for c, im in faces.items() if im is None]
        if bad:
            print(f"gnome-{deck}: left out ({len(bad)} cells are not a card: {' '.join(bad[:6])})")
            continue
        os.makedirs(out, exist_ok=True)
        for c, im in faces.items():
            cv2.imwrite(os.path.join(out, f"{c}.png"), im)
        backs = [b for b in (cut(sheet, c, 4) for c in range(13)) if b is not None and (b[:, :, :3].std() > 5)]
        # the back is the last card-shaped cell of the fifth row (the jokers come first)
        if backs:
            cv2.imwrite(os.path.join(out, "back-0.png"), backs[-1])
        print(f"gnome-{deck}: 52 faces, {min(1, len(backs))} back")


if __name__ == "__main__":
    main()
