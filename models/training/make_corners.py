"""Renders the index-corner detector's and the corner reader's training data.

usage:
  make_corners.py det   OUT_DIR  SCENES SEED      detector scenes: OUT_DIR/NNNNNN.jpg (640x352) + targets.jsonl
  make_corners.py patch OUT.npz  SCENES SEED      reader patches (32x48) cut like the appliance, with detector-like jitter

Both use the training families of decks.py plus procedural decks; rendering runs on all cores.
"""
from __future__ import annotations

import json
import os
import sys
import zlib
from multiprocessing import Pool

import cv2
import numpy as np

import decks
import scenes as S
import table_scenes as T

ART_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".cache", "art")
DET_SIZE = (640, 352)
PATCH_SCENE = (1280, 704)
NONE = 52  # the reader's "not an index" class; 0..51 are S.CARDS
_BASE: list[S.Art] = []
_PROCEDURAL: dict[int, list[S.Art]] = {}


def arts_for(seed: int) -> list[S.Art]:
    """The training decks and one of PROCEDURAL_SETS sets of procedural decks (by seed, so a
    scene is the same whichever worker renders it)."""
    if not _BASE:
        _BASE.extend(S.load_art(ART_DIR, d) for d in decks.TRAIN)
    key = seed % decks.PROCEDURAL_SETS
    if key not in _PROCEDURAL:
        rng = np.random.default_rng(10_000 + key)
        _PROCEDURAL[key] = [T.procedural_deck(rng) for _ in range(decks.PROCEDURAL_PER_SET)]
    return _BASE + _PROCEDURAL[key]


def det_one(args: tuple[str, int, int]) -> dict:
    out, i, seed = args
    rng = np.random.default_rng(seed)
    img, corners, backs, _placed, kind = T.table_scene(arts_for(seed), rng, DET_SIZE)
    name = f"{i:06d}.jpg"
    cv2.imwrite(os.path.join(out, name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return {
        "image": name, "background": kind,
        "corners": [{"x": float(c.point[0]), "y": float(c.point[1]), "dx": float(c.down[0]), "dy": float(c.down[1]),
                     "w": c.width, "visible": round(c.visible, 3), "code": c.code} for c in corners],
        "backs": [{"x": float(b.centre[0]), "y": float(b.centre[1]), "w": b.width} for b in backs],
    }


def jitter(rng: np.random.Generator, point: np.ndarray, down: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray, float]:
    """What the detector gets wrong: a few percent of a card width, a few degrees, a tenth in scale."""
    a = np.deg2rad(rng.normal(0, 4))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return point + rng.normal(0, 0.025 * width, 2), rot @ down, width * float(np.exp(rng.normal(0, 0.08)))


def patch_one(seed: int) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed)
    img, corners, backs, placed, _kind = T.table_scene(arts_for(seed), rng, PATCH_SCENE)
    h, w = img.shape[:2]
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for c in corners:
        if c.visible >= 0.85:
            label = S.CARDS.index(c.code)
        elif c.visible < 0.35:
            label = NONE
        else:
            continue  # half an index: neither answer is right
        for _ in range(2 if label != NONE else 1):
            xs.append(T.corner_patch(img, *jitter(rng, c.point, c.down, c.width)))
            ys.append(label)
    # what the detector may fire on that is not an index: pips and pictures inside a card, its
    # plain corners, backs, the table, chips, hands
    src = np.array([[0, 0], [S.ART_W, 0], [S.ART_W, S.ART_H], [0, S.ART_H]], np.float32)
    for p in placed:
        m = cv2.getPerspectiveTransform(src, p.quad.astype(np.float32))
        for _ in range(2):
            ap = (rng.uniform(0.3, 0.7) * S.ART_W, rng.uniform(0.3, 0.7) * S.ART_H) if p.code != S.FACE_DOWN or rng.random() < 0.5 else (T.INDEX_AT[0], T.INDEX_AT[1])
            point, down, cw = T._frame(m, ap, bool(rng.random() < 0.5))
            a = np.deg2rad(rng.uniform(0, 360)) if rng.random() < 0.3 else 0.0
            down = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ down
            xs.append(T.corner_patch(img, point, down, cw))
            ys.append(NONE)
    width = corners[0].width if corners else 0.09 * w
    for _ in range(3):
        point = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        a = rng.uniform(0, 2 * np.pi)
        if all(np.linalg.norm(point - q.quad.mean(0)) > width for q in placed):
            xs.append(T.corner_patch(img, point, np.array([np.cos(a), np.sin(a)]), width * rng.uniform(0.8, 1.2)))
            ys.append(NONE)
    return xs, ys


def main() -> None:
    mode, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    seeds = [seed * 1_000_003 + i for i in range(n)]
    if mode == "det":
        os.makedirs(out, exist_ok=True)
        done = set()
        targets = os.path.join(out, "targets.jsonl")
        if os.path.exists(targets):  # resume: a killed render keeps what it wrote
            done = {json.loads(line)["image"] for line in open(targets)}
        todo = [(out, i, s) for i, s in enumerate(seeds) if f"{i:06d}.jpg" not in done]
        with Pool() as pool, open(targets, "a") as f:
            for k, rec in enumerate(pool.imap(det_one, todo, chunksize=8)):
                f.write(json.dumps(rec) + "\n")
                if k % 1000 == 999:
                    f.flush()
                    print(f"  {len(done) + k + 1} scenes", flush=True)
        print(f"{out}: {n} scenes")
    else:
        X: list[np.ndarray] = []
        Y: list[int] = []
        with Pool() as pool:
            for xs, ys in pool.imap_unordered(patch_one, seeds, chunksize=8):
                X += xs
                Y += ys
        x, y = np.stack(X), np.array(Y, np.int16)
        keys = np.array([zlib.crc32(p.tobytes()) for p in x])
        order = np.lexsort((keys, y))
        np.savez_compressed(out, x=x[order], y=y[order])
        counts = np.bincount(y, minlength=53)
        print(f"{out}: {len(y)} patches from {n} scenes; per card min {counts[:52].min()} max {counts[:52].max()}, not an index {counts[52]}")


if __name__ == "__main__":
    main()
