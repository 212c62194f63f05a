"""Reader patches as a real table camera delivers them: one index corner on a small local scene,
partly covered or not, through a camera model, cut like the appliance cuts it.

usage: camera_patches.py OUT_DIR FIRST_SHARD SHARDS [--held-out] [--deck DIR] [--per-shard N]

Writes OUT_DIR/shard-NNNNNN.npz (x: Nx48x32x3 uint8 BGR, y: N int16 over scenes.CARDS + "--",
cover: N float16, the fraction of the index's ink covered). A shard is a pure function of its
number (seeded by it), so a run can stop anywhere and continue, and a held-out shard is the same
on every machine. Much cheaper than whole table scenes (make_corners.py patch): the scene is only
the card's neighbourhood, so many more and more varied patches per CPU second.

The camera model (camera()): index 10-40 px tall before the cut (card width 36-200 px),
perspective up to 45 degrees, bent cards, exposure and white balance, uneven light and glare, defocus and
motion blur, Bayer demosaicing, sensor noise, sharpening halos, 4:2:0 chroma, JPEG down to
quality 15, H.264-like block smoothing. Covers: the next card's edge (with its shadow), a
finger, a chip, each over 0-90 % of the index's ink. Labelled as the card while both the rank
and the suit keep at least 60 % of their ink and the whole keeps 50 %; "--" (not readable) when
either keeps under 30 %; between the two is ambiguous and not used.
"""
from __future__ import annotations

import argparse
import os

import cv2
import numpy as np

import decks
import scenes as S
import table_scenes as T

ART_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".cache", "art")
NONE = 52
ART_W, ART_H = S.ART_W, S.ART_H
_ARTS: dict[str, list[S.Art]] = {}
_INK: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def arts(key: str, shard: int, deck_dir: str | None) -> list[S.Art]:
    """The training families plus a set of procedural decks (by shard), the held-out families,
    or one enrolled deck (DIR/<card>.png)."""
    if key == "deck":
        if key not in _ARTS:
            _ARTS[key] = [S.load_art(os.path.dirname(deck_dir), os.path.basename(deck_dir))]
        return _ARTS[key]
    if key == "held-out":
        if key not in _ARTS:
            _ARTS[key] = [S.load_art(ART_DIR, d) for d in decks.HELD_OUT]
        return _ARTS[key]
    if "train" not in _ARTS:
        _ARTS["train"] = [S.load_art(ART_DIR, d) for d in decks.TRAIN]
    pkey = f"proc{shard % decks.PROCEDURAL_SETS}"
    if pkey not in _ARTS:
        rng = np.random.default_rng(10_000 + shard % decks.PROCEDURAL_SETS)
        _ARTS[pkey] = [T.procedural_deck(rng) for _ in range(decks.PROCEDURAL_PER_SET)]
        # casino jumbo-index decks, drawn after the others so that those stay what they were
        _ARTS[pkey] += [T.procedural_deck(rng, jumbo=True) for _ in range(decks.JUMBO_PER_SET)]
    return _ARTS["train"] + _ARTS[pkey]


def ink_masks(face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index's rank and suit ink in art pixels (top-left index): what differs from the paper
    in the corner, split at the middle of the ink's height."""
    key = id(face)
    if key not in _INK:
        bgr = face[:, :, :3].astype(np.int16)
        paper = np.median(bgr[int(ART_H * 0.45):int(ART_H * 0.55), 4:12].reshape(-1, 3), 0)
        region = np.zeros(face.shape[:2], bool)
        region[4:int(ART_H * 0.36), 4:int(ART_W * 0.34)] = True
        ink = region & (np.abs(bgr - paper).max(2) > 60) & (face[:, :, 3] > 127)
        rows = np.nonzero(ink.any(1))[0]
        rank, suit = ink.copy(), ink.copy()
        if len(rows):
            cut = int(rows[0] + 0.55 * (rows[-1] - rows[0]))
            rank[cut:] = False
            suit[:cut] = False
        _INK[key] = (rank.astype(np.uint8), suit.astype(np.uint8))
    return _INK[key]


def card_homography(rng: np.random.Generator, width: float, centre: np.ndarray) -> np.ndarray:
    """Art pixels to local-scene pixels with the keypoint at centre: scale, any rotation, a tilt
    of up to 45 degrees (foreshortening along a random axis) and a little projective skew."""
    s = width / ART_W
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    tilt = np.deg2rad(rng.uniform(0, 45)) if rng.random() < 0.7 else 0.0
    phi = rng.uniform(0, np.pi)
    u = np.array([np.cos(phi), np.sin(phi)])
    fore = np.eye(2) - (1 - np.cos(tilt)) * np.outer(u, u)
    lin = fore @ rot * s
    kx, ky = T.INDEX_AT
    src = np.array([[0, 0], [ART_W, 0], [ART_W, ART_H], [0, ART_H]], np.float64) - [kx, ky]
    dst = src @ lin.T + centre + rng.normal(0, 0.015 * width, (4, 2))
    return cv2.getPerspectiveTransform((src + [kx, ky]).astype(np.float32), dst.astype(np.float32))


def cover(canvas: np.ndarray, rng: np.random.Generator, ink_pts: np.ndarray, width: float, other: S.Art) -> np.ndarray:
    """Covers part of the index (the next card's edge, a finger or a chip); returns the covered
    mask. ink_pts: the index's ink in scene pixels, to aim the cover at a chosen fraction."""
    h, w = canvas.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    frac = rng.uniform(0.02, 0.9)
    kind = rng.choice(["card", "card", "card", "finger", "chip"])
    a = rng.uniform(0, 2 * np.pi)
    n = np.array([np.cos(a), np.sin(a)])
    proj = ink_pts @ n if len(ink_pts) else np.array([0.0])
    t = float(np.quantile(proj, 1 - frac))  # the cover's edge: frac of the ink lies beyond it
    if kind == "card":
        code = S.CARDS[rng.integers(52)] if rng.random() < 0.85 else None
        rgba = other.faces[code] if code else (other.backs[0] if other.backs else S.procedural_back(rng))
        # a card whose left edge lies on the line x.n = t, extending along n
        along = np.array([-n[1], n[0]])
        off = rng.uniform(-0.6, 0.1) * width * ART_H / ART_W
        tl = n * t + along * off
        quad = np.array([tl, tl + n * width, tl + n * width + along * width * ART_H / ART_W, tl + along * width * ART_H / ART_W])
        # S.composite wants TL, TR, BR, BL of the art: the card's "right" is n, its "down" is along
        S.composite(canvas, rgba, quad.astype(np.float32), rng, mask)
    elif kind == "finger":
        tones = [(150, 175, 220), (110, 140, 190), (70, 95, 140), (45, 60, 95), (240, 240, 240), (30, 30, 30)]
        tone = np.array(tones[rng.integers(len(tones))], np.float32) * rng.uniform(0.85, 1.15)
        thick = width * rng.uniform(0.15, 0.3)
        along = np.array([-n[1], n[0]])
        c = n * (t + thick / 2)
        p0, p1 = c - along * width, c + along * rng.uniform(-0.2, 0.6) * width
        cv2.line(mask, tuple(int(v) for v in p0), tuple(int(v) for v in p1), 1, max(2, int(thick)))
        cv2.circle(mask, tuple(int(v) for v in p1), max(1, int(thick / 2)), 1, -1)
        soft = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 1.0)[:, :, None]
        canvas[:] = canvas * (1 - soft) + tone * (0.85 + 0.15 * rng.random()) * soft
    else:
        r = width * rng.uniform(0.2, 0.35)
        c = n * (t + r)
        colour = rng.integers(0, 255, 3).tolist()
        ci = tuple(int(v) for v in c)
        cv2.circle(canvas, ci, int(r), colour, -1)
        cv2.circle(canvas, ci, int(r * 0.75), (235, 235, 235), max(1, int(r / 6)))
        cv2.circle(mask, ci, int(r), 1, -1)
    return mask


def camera(img: np.ndarray, rng: np.random.Generator, width: float = 120.0, glare: bool = True) -> np.ndarray:
    """What a studio camera does between the light and the frame the appliance reads. Blur is
    scaled with the card's size (width px): a 10 px index under a 1.4 px blur is no index at all."""
    soft = min(1.0, width / 120)
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    g = rng.uniform(-0.4, 0.4, 2)
    img = img * (1 + g[0] * (xx / w - 0.5) + g[1] * (yy / h - 0.5))[:, :, None]
    img = img * rng.uniform(0.45, 1.25) * rng.uniform(0.8, 1.2, 3).astype(np.float32)  # exposure, white balance
    if rng.random() < 0.2 and glare:  # glare
        cx, cy, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.5) * w
        img = img + np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))[:, :, None] * rng.uniform(40, 180)
    r = rng.random()
    if r < 0.55:  # defocus
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.2, 0.45 + 0.95 * soft))
    elif r < 0.8:  # motion
        k = int(rng.integers(3, 5 + int(3 * soft)))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
        img = cv2.filter2D(img, -1, cv2.warpAffine(kernel, rot, (k, k)))
    img = np.clip(img, 0, 255)
    if rng.random() < 0.5:  # Bayer sensor, demosaiced
        bayer = np.zeros((h, w), np.float32)
        bayer[0::2, 0::2] = img[0::2, 0::2, 0]
        bayer[0::2, 1::2] = img[0::2, 1::2, 1]
        bayer[1::2, 0::2] = img[1::2, 0::2, 1]
        bayer[1::2, 1::2] = img[1::2, 1::2, 2]
        img = cv2.cvtColor(np.clip(bayer, 0, 255).astype(np.uint8), cv2.COLOR_BayerRG2BGR).astype(np.float32)
    sigma = rng.uniform(0, 9)
    img = img + rng.normal(0, 1, img.shape).astype(np.float32) * sigma * np.sqrt(np.maximum(img, 8) / 128)
    if rng.random() < 0.45:  # the camera's sharpening: halos around edges
        blur = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.6, 1.6))
        img = img + rng.uniform(0.3, 1.8) * (img - blur)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:  # 4:2:0 chroma
        ycc = cv2.cvtColor(out, cv2.COLOR_BGR2YCrCb)
        small = cv2.resize(ycc[:, :, 1:], ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
        ycc[:, :, 1:] = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        out = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR)
    r = rng.random()
    if r < 0.75:
        q = int(rng.uniform(15, 95)) if rng.random() < 0.5 else int(rng.uniform(40, 95))
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
    elif r < 0.9:  # H.264 at a low bitrate: blocks smoothed inside, edges between them
        q = int(rng.uniform(10, 40))
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_COLOR)
        out = cv2.bilateralFilter(out, 5, 20, 3)
    return out


def jitter(rng: np.random.Generator, point: np.ndarray, down: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The detector's error (as make_corners.jitter), and the appliance's second look (8 % larger,
    2 % of a width lower) some of the time."""
    a = np.deg2rad(rng.normal(0, 4))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    d = rot @ down
    width = width * float(np.exp(rng.normal(0, 0.08)))
    point = point + rng.normal(0, 0.025 * width, 2)
    if rng.random() < 0.5:
        width *= 1.08
        point = point + d * 0.02 * width
    return point, d, width


def surfaces(rng: np.random.Generator, n: int = 12, size: int = 480) -> list[np.ndarray]:
    """A shard's tables (every kind, printing included), cut from for each patch's scene."""
    return [T.surface(size, size, rng, T.BACKGROUNDS[k % len(T.BACKGROUNDS)])[0] for k in range(n)]


def one(rng: np.random.Generator, pool: list[S.Art], tables: list[np.ndarray]) -> tuple[np.ndarray, int, float] | None:
    art = pool[rng.integers(len(pool))]
    width = float(np.exp(rng.uniform(np.log(36), np.log(200))))
    side = int(width * 1.1) + 8
    centre = np.array([side / 2, side / 2]) + rng.normal(0, 0.05 * width, 2)
    table = tables[rng.integers(len(tables))]
    x0, y0 = rng.integers(0, table.shape[0] - side, 2) if side < table.shape[0] else (0, 0)
    canvas = np.ascontiguousarray(table[y0:y0 + side, x0:x0 + side])
    if canvas.shape[0] != side:
        canvas = cv2.resize(canvas, (side, side))
    kind = rng.random()
    code = S.CARDS[rng.integers(52)]
    face = art.faces[code]
    if rng.random() < 0.5:  # the other index: the card turned half round
        face = np.ascontiguousarray(face[::-1, ::-1])
    label, covered = S.CARDS.index(code), 0.0
    if kind < 0.1:  # not an index: a point inside the card (pips, the picture), any way up
        m = card_homography(rng, width, centre)
        ap = np.array([[[rng.uniform(0.3, 0.7) * ART_W, rng.uniform(0.3, 0.7) * ART_H]]], np.float32)
        kp = cv2.perspectiveTransform(ap, m)[0, 0]
        m = np.array([[1, 0, centre[0] - kp[0]], [0, 1, centre[1] - kp[1]], [0, 0, 1]]) @ m
        S.composite(canvas, face, m_quad(m), rng, np.zeros(canvas.shape[:2], np.uint8))
        label = NONE
    elif kind < 0.14:  # a face-down card, or the table alone
        if rng.random() < 0.6:
            back = art.backs[rng.integers(len(art.backs))] if art.backs and rng.random() < 0.6 else S.procedural_back(rng)
            m = card_homography(rng, width, centre)
            S.composite(canvas, back, m_quad(m), rng, np.zeros(canvas.shape[:2], np.uint8))
        label = NONE
    elif kind < 0.17:  # a card's plain corner (the art's top-right has no index in most decks)
        face = np.ascontiguousarray(face[:, ::-1])
        m = card_homography(rng, width, centre)
        S.composite(canvas, face, m_quad(m), rng, np.zeros(canvas.shape[:2], np.uint8))
        label = NONE
    else:
        m = card_homography(rng, width, centre)
        S.composite(canvas, face, m_quad(m), rng, np.zeros(canvas.shape[:2], np.uint8))
        if rng.random() < 0.5:
            rank, suit = ink_masks(face)
            h = canvas.shape[0]
            rank_s = cv2.warpPerspective(rank, m, (h, h), flags=cv2.INTER_NEAREST)
            suit_s = cv2.warpPerspective(suit, m, (h, h), flags=cv2.INTER_NEAREST)
            ink = rank_s | suit_s
            pts = np.argwhere(ink > 0)[:, ::-1].astype(np.float64)
            other = pool[rng.integers(len(pool))] if rng.random() < 0.3 else art
            hidden = cover(canvas, rng, pts, width, other) > 0
            vr = 1 - (rank_s.astype(bool) & hidden).sum() / max(1, rank_s.sum())
            vs = 1 - (suit_s.astype(bool) & hidden).sum() / max(1, suit_s.sum())
            covered = 1 - (ink.astype(bool) & ~hidden).sum() / max(1, ink.sum())
            if min(vr, vs) < 0.3:
                label = NONE
            elif not (min(vr, vs) >= 0.6 and covered <= 0.5):
                return None  # half a rank or half a suit: neither answer is right
    if rng.random() < 0.3:
        canvas = bend(canvas, rng, width, centre)
    img = camera(canvas, rng, width)
    down = np.array([0.0, 1.0])
    if kind >= 0.14:  # the index's own frame (or the plain corner's, where an index would be)
        kp = cv2.perspectiveTransform(np.array([[T.INDEX_AT, (T.INDEX_AT[0], T.INDEX_AT[1] + 10)]], np.float32), m)[0]
        point = kp[0].astype(np.float64)
        down = (kp[1] - kp[0]) / max(1e-6, float(np.linalg.norm(kp[1] - kp[0])))
        right = cv2.perspectiveTransform(np.array([[T.INDEX_AT, (T.INDEX_AT[0] + 10, T.INDEX_AT[1])]], np.float32), m)[0]
        cw = float(np.linalg.norm(right[1] - right[0])) / 10 * ART_W
    else:
        point = centre.copy()
        a = rng.uniform(0, 2 * np.pi)
        down = np.array([np.cos(a), np.sin(a)])
        cw = width
    patch = T.corner_patch(img, *jitter(rng, point, down, cw))
    return patch, label, covered


def bend(img: np.ndarray, rng: np.random.Generator, width: float, centre: np.ndarray) -> np.ndarray:
    """A bent card (and the cloth under it): the scene displaced across a random axis by an amount
    that grows with the square of the distance from a line near the index, 3-8 % of a card width
    one width away. The index itself (within a fifth of a width) moves under 1 %: the keypoint
    stays where the detector would put it, the strokes curve."""
    h, w = img.shape[:2]
    a = rng.uniform(0, 2 * np.pi)
    u = np.array([np.cos(a), np.sin(a)])
    v = np.array([-u[1], u[0]]) * rng.choice([-1.0, 1.0])
    c = centre + rng.uniform(-0.3, 0.3, 2) * width
    amount = rng.uniform(0.03, 0.08) * width
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = ((xx - c[0]) * u[0] + (yy - c[1]) * u[1]) / width
    d = (amount * t * t).astype(np.float32)
    return cv2.remap(img, xx + d * np.float32(v[0]), yy + d * np.float32(v[1]), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def m_quad(m: np.ndarray) -> np.ndarray:
    src = np.array([[[0, 0], [ART_W, 0], [ART_W, ART_H], [0, ART_H]]], np.float32)
    return cv2.perspectiveTransform(src, m)[0]


def shard(out_dir: str, k: int, key: str, per: int, deck_dir: str | None) -> str:
    path = os.path.join(out_dir, f"shard-{k:06d}.npz")
    if os.path.exists(path):
        return path
    rng = np.random.default_rng([k, 0 if key == "train" else 1 if key == "held-out" else 2])
    pool = arts(key, k, deck_dir)
    tables = surfaces(rng)
    xs, ys, cs = [], [], []
    while len(ys) < per:
        r = one(rng, pool, tables)
        if r is None:
            continue
        xs.append(r[0]), ys.append(r[1]), cs.append(r[2])
    tmp = path + ".tmp.npz"
    np.savez(tmp, x=np.stack(xs), y=np.array(ys, np.int16), cover=np.array(cs, np.float16))
    os.replace(tmp, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("first", type=int)
    ap.add_argument("shards", type=int)
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--deck", help="an enrolled deck's art directory (<card>.png)")
    ap.add_argument("--per-shard", type=int, default=2048)
    ap.add_argument("--step", type=int, default=1, help="render every STEP-th shard (several workers)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    key = "deck" if a.deck else "held-out" if a.held_out else "train"
    for k in range(a.first, a.first + a.shards, a.step):
        print(shard(a.out, k, key, a.per_shard, a.deck), flush=True)


if __name__ == "__main__":
    main()
