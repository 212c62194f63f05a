"""Synthetic card-table scenes: card art composited on felt with the variety a studio table has.

Shared by the training set (crops), the held-out evaluation set (whole scenes, run through the
appliance's own recogniser) and the dealt-round clip fixture. Deterministic for a given seed.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

import cv2
import numpy as np

RANKS = "A23456789TJQK"
SUITS = "CDHS"
CARDS = [r + s for r in RANKS for s in SUITS]
FACE_DOWN = "XX"
NONE = "--"
CLASSES = CARDS + [FACE_DOWN, NONE]  # the model's outputs, in this order

# The canonical card the recogniser warps every detection to, and the index corner it reads.
# Must match appliance/recognition/classify-input.ts.
CARD_W, CARD_H = 112, 160
CORNER_W, CORNER_H = 32, 64
ART_W, ART_H = 240, 336


@dataclass
class Art:
    faces: dict[str, np.ndarray]  # card -> BGRA 336x240
    backs: list[np.ndarray]


def load_art(root: str, design: str) -> Art:
    d = os.path.join(root, design)
    faces = {c: _rgba(os.path.join(d, f"{c}.png")) for c in CARDS}
    backs = [_rgba(p) for p in sorted(glob.glob(os.path.join(d, "back-*.png")))]
    return Art(faces, backs)


def _rgba(path: str) -> np.ndarray:
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        raise FileNotFoundError(path)
    if im.shape[2] == 3:
        im = np.dstack([im, np.full(im.shape[:2], 255, np.uint8)])
    return cv2.resize(im, (ART_W, ART_H), interpolation=cv2.INTER_AREA)


def procedural_back(rng: np.random.Generator) -> np.ndarray:
    """A card back no deck ships: random colour and pattern, usually with a white border."""
    colour = rng.integers(20, 200, 3).tolist()
    im = np.full((ART_H, ART_W, 3), 255, np.uint8)
    border = int(rng.integers(8, 22)) if rng.random() < 0.85 else 0
    inner = im[border:ART_H - border, border:ART_W - border]
    inner[:] = colour
    step = int(rng.integers(6, 18))
    ink = (255, 255, 255) if rng.random() < 0.6 else rng.integers(0, 255, 3).tolist()
    kind = rng.integers(0, 4)
    h, w = inner.shape[:2]
    for k in range(-h, w + h, step):
        if kind in (0, 2):
            cv2.line(inner, (k, 0), (k + h, h), ink, 1)
        if kind in (1, 2):
            cv2.line(inner, (k, h), (k + h, 0), ink, 1)
        if kind == 3:
            for y in range(0, h, step):
                cv2.circle(inner, (k, y), 2, ink, -1)
    if rng.random() < 0.5:
        cv2.ellipse(inner, (w // 2, h // 2), (w // 4, h // 5), 0, 0, 360, ink, 3)
    alpha = np.full((ART_H, ART_W), 255, np.uint8)
    return np.dstack([im, alpha])


def _round_corners(rgba: np.ndarray) -> np.ndarray:
    """Playing cards have rounded corners; art drawn square gets them here."""
    mask = np.zeros(rgba.shape[:2], np.uint8)
    r = 14
    cv2.rectangle(mask, (r, 0), (ART_W - 1 - r, ART_H - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (ART_W - 1, ART_H - 1 - r), 255, -1)
    for cx, cy in ((r, r), (ART_W - 1 - r, r), (r, ART_H - 1 - r), (ART_W - 1 - r, ART_H - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1)
    out = rgba.copy()
    out[:, :, 3] = np.minimum(out[:, :, 3], mask)
    return out


FELTS = [(40, 110, 30), (30, 90, 20), (110, 60, 20), (40, 30, 120), (30, 30, 35), (90, 70, 20), (20, 70, 70)]


def felt(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    base = np.array(FELTS[rng.integers(len(FELTS))], np.float32) * rng.uniform(0.7, 1.3, 3)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    noise = rng.normal(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32)
    noise = cv2.resize(cv2.GaussianBlur(noise, (0, 0), rng.uniform(0.5, 3)), (w, h))
    img += noise[:, :, None] * rng.uniform(2, 10)
    img += rng.normal(0, 3, (h, w, 1)).astype(np.float32)
    # printed layout: box outlines, arcs and lettering in gold or white
    ink = (120, 200, 230) if rng.random() < 0.5 else (230, 230, 230)
    for _ in range(rng.integers(0, 5)):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        bw, bh = int(rng.integers(w // 10, w // 3)), int(rng.integers(h // 10, h // 3))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + bw, y + bh), ink, int(rng.integers(1, 4)))
        else:
            cv2.ellipse(img, (x, y), (bw, bh), 0, 0, int(rng.integers(90, 360)), ink, int(rng.integers(1, 4)))
    for _ in range(rng.integers(0, 3)):
        text = ["PLAYER", "BANKER", "TIE", "PAYS 8 TO 1", "DEALER"][rng.integers(5)]
        cv2.putText(img, text, (int(rng.integers(0, w - 200)), int(rng.integers(30, h))), cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.8, 2), ink, 2)
    return img


def lighting(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    grad = 1 + rng.uniform(0, 0.35) * (gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    vign = 1 - rng.uniform(0, 0.35) * (((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    gain = rng.uniform(0.65, 1.25) * rng.uniform(0.9, 1.1, 3).astype(np.float32)  # exposure, white balance
    img = img * (grad * vign)[:, :, None] * gain
    for _ in range(rng.integers(0, 3)):  # glare: a soft specular spot
        gxc, gyc = rng.uniform(0, w), rng.uniform(0, h)
        s = rng.uniform(0.03, 0.15) * w
        spot = np.exp(-(((xx - gxc) ** 2) + ((yy - gyc) ** 2) * rng.uniform(0.3, 3)) / (2 * s * s))
        img = img + spot[:, :, None] * rng.uniform(40, 160)
    return img


def hand(canvas: np.ndarray, centre: tuple[float, float], size: float, rng: np.random.Generator, mask: np.ndarray | None = None) -> None:
    """The dealer's hand (or a sleeve): a palm and fingers in a skin or glove tone."""
    tones = [(150, 175, 220), (110, 140, 190), (70, 95, 140), (45, 60, 95), (240, 240, 240), (30, 30, 30)]
    tone = np.array(tones[rng.integers(len(tones))], np.float32) * rng.uniform(0.85, 1.15)
    layer = np.zeros(canvas.shape[:2], np.uint8)
    angle = rng.uniform(0, 360)
    cx, cy = centre
    cv2.ellipse(layer, (int(cx), int(cy)), (int(size * 0.5), int(size * 0.4)), angle, 0, 360, 255, -1)
    a = np.deg2rad(angle)
    for k in range(4):
        fa = a + np.deg2rad(-30 + 20 * k + rng.uniform(-8, 8))
        length = size * rng.uniform(0.5, 0.8)
        x0, y0 = cx + np.cos(fa) * size * 0.35, cy + np.sin(fa) * size * 0.35
        x1, y1 = x0 + np.cos(fa) * length, y0 + np.sin(fa) * length
        cv2.line(layer, (int(x0), int(y0)), (int(x1), int(y1)), 255, max(2, int(size * 0.13)))
    # the arm, off towards an edge
    cv2.line(layer, (int(cx), int(cy)), (int(cx - np.cos(a) * size * 3), int(cy - np.sin(a) * size * 3)), 255, int(size * 0.7))
    soft = cv2.GaussianBlur(layer, (0, 0), 2).astype(np.float32)[:, :, None] / 255
    small = rng.normal(0, 1, (canvas.shape[0] // 8 + 1, canvas.shape[1] // 8 + 1)).astype(np.float32)
    shade = 0.8 + 0.2 * cv2.resize(small, (canvas.shape[1], canvas.shape[0]))[:, :, None]
    canvas[:] = canvas * (1 - soft) + tone * shade * soft
    if mask is not None:
        mask |= layer


def chips(canvas: np.ndarray, rng: np.random.Generator, n: int) -> None:
    h, w = canvas.shape[:2]
    for _ in range(n):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        r = int(rng.uniform(0.015, 0.03) * w)
        colour = rng.integers(0, 255, 3).tolist()
        cv2.circle(canvas, c, r, colour, -1)
        for k in range(6):
            a = k * np.pi / 3
            cv2.line(canvas, c, (int(c[0] + np.cos(a) * r), int(c[1] + np.sin(a) * r)), (240, 240, 240), max(1, r // 5))
        cv2.circle(canvas, c, int(r * 0.6), colour, -1)


@dataclass
class Placed:
    code: str  # a card, or XX
    quad: np.ndarray  # 4x2, the art's TL, TR, BR, BL in scene pixels
    index_masks: list[np.ndarray] = field(default_factory=list)  # both index corners, scene pixels
    index_visible: list[float] = field(default_factory=list)  # fraction of each left uncovered


def card_quad(centre: tuple[float, float], width: float, angle: float, skew: float, rng: np.random.Generator) -> np.ndarray:
    hw, hh = width / 2, width * ART_H / ART_W / 2
    pts = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], np.float32)
    pts += rng.uniform(-skew, skew, (4, 2)).astype(np.float32) * width  # perspective, lens
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return pts @ rot.T + np.array(centre, np.float32)


def composite(canvas: np.ndarray, rgba: np.ndarray, quad: np.ndarray, rng: np.random.Generator, occupied: np.ndarray) -> np.ndarray:
    """Draws a card (with its shadow) onto the canvas; returns the art-to-scene homography."""
    h, w = canvas.shape[:2]
    src = np.array([[0, 0], [ART_W, 0], [ART_W, ART_H], [0, ART_H]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    x0, y0 = np.maximum(np.floor(quad.min(0)).astype(int) - 8, 0)
    x1, y1 = np.minimum(np.ceil(quad.max(0)).astype(int) + 8, [w, h])
    if x1 <= x0 or y1 <= y0:
        return m
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    warped = cv2.warpPerspective(_round_corners(rgba), shift @ m, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    roi = canvas[y0:y1, x0:x1]
    alpha = warped[:, :, 3:4].astype(np.float32) / 255
    off = rng.integers(1, 5, 2)
    shadow = np.roll(cv2.GaussianBlur(alpha[:, :, 0], (0, 0), 3), tuple(off.tolist()), (0, 1))[:, :, None] * rng.uniform(0.2, 0.5)
    roi[:] = roi * (1 - shadow)
    roi[:] = roi * (1 - alpha) + warped[:, :, :3].astype(np.float32) * alpha
    occupied[y0:y1, x0:x1] |= (warped[:, :, 3] > 127).astype(np.uint8)
    return m


def index_regions(m: np.ndarray, h: int, w: int) -> list[np.ndarray]:
    """The two index corners of a card (art TL and art BR) as scene masks."""
    fx, fy = CORNER_W / CARD_W, CORNER_H / CARD_H
    regions = [
        [[0, 0], [ART_W * fx, 0], [ART_W * fx, ART_H * fy * 0.75], [0, ART_H * fy * 0.75]],
        [[ART_W * (1 - fx), ART_H * (1 - fy * 0.75)], [ART_W, ART_H * (1 - fy * 0.75)], [ART_W, ART_H], [ART_W * (1 - fx), ART_H]],
    ]
    out = []
    for r in regions:
        pts = cv2.perspectiveTransform(np.array([r], np.float32), m)[0]
        mask = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(mask, pts.astype(np.int32), 1)
        out.append(mask)
    return out


def finish(img: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Camera: blur (focus or motion), sensor noise, JPEG-like compression."""
    if rng.random() < 0.6 * strength:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.6 * strength))
    elif rng.random() < 0.5 * strength:
        k = int(rng.integers(3, 3 + int(6 * strength)))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
        img = cv2.filter2D(img, -1, cv2.warpAffine(kernel, rot, (k, k)))
    img = img + rng.normal(0, rng.uniform(0, 6 * strength), img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(int(95 - 50 * strength), 96))])
        out = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    return out


def random_scene(
    arts: list[Art],
    rng: np.random.Generator,
    size: tuple[int, int] = (640, 400),
    card_width: tuple[float, float] = (0.09, 0.24),
    max_cards: int = 8,
    clutter: bool = True,
    min_cards: int = 1,
    face_down_p: float = 0.12,
) -> tuple[np.ndarray, list[Placed]]:
    """A table with up to max_cards cards. clutter: overlaps, hands covering cards, chips."""
    w, h = size
    canvas = lighting(felt(h, w, rng), rng) if rng.random() < 0.5 else felt(h, w, rng)
    if clutter and rng.random() < 0.5:
        chips(canvas, rng, int(rng.integers(1, 8)))
    n = int(rng.integers(min_cards, max_cards + 1))
    placed: list[Placed] = []
    occupied = np.zeros((h, w), np.uint8)
    width = rng.uniform(*card_width) * w
    neat = rng.random() < 0.6  # dealt square to the table (or turned 90 deg, a baccarat third card)
    for _ in range(n):
        art = arts[rng.integers(len(arts))]
        if rng.random() < face_down_p:
            code = FACE_DOWN
            rgba = art.backs[rng.integers(len(art.backs))] if art.backs and rng.random() < 0.6 else procedural_back(rng)
        else:
            code = CARDS[rng.integers(len(CARDS))]
            rgba = art.faces[code]
        cw = width * rng.uniform(0.9, 1.1)
        angle = (rng.choice([0, 90, 180, 270]) + rng.normal(0, 4)) if neat else rng.uniform(0, 360)
        for _attempt in range(20):
            centre = (rng.uniform(cw, w - cw), rng.uniform(cw, h - cw))
            quad = card_quad(centre, cw, angle, rng.uniform(0, 0.04), rng)
            probe = np.zeros((h, w), np.uint8)
            cv2.fillConvexPoly(probe, quad.astype(np.int32), 1)
            overlap = (probe & occupied).sum() / max(1, probe.sum())
            if overlap == 0 or (clutter and overlap < 0.5 and rng.random() < 0.3):
                break
        else:
            continue
        m = composite(canvas, rgba, quad, rng, occupied)
        p = Placed(code, quad, index_regions(m, h, w))
        for q in placed:  # this card covers parts of the ones below it
            q.index_masks = [im & (1 - probe) for im in q.index_masks]
        placed.append(p)
    if clutter and rng.random() < 0.35 and placed:
        target = placed[rng.integers(len(placed))]
        c = target.quad.mean(0) + rng.normal(0, width * 0.6, 2)
        hmask = np.zeros((h, w), np.uint8)
        hand(canvas, (float(c[0]), float(c[1])), width * rng.uniform(0.8, 1.4), rng, hmask)
        for q in placed:
            q.index_masks = [im & (1 - (hmask > 0).astype(np.uint8)) for im in q.index_masks]
    for q in placed:
        full = index_regions(cv2.getPerspectiveTransform(np.array([[0, 0], [ART_W, 0], [ART_W, ART_H], [0, ART_H]], np.float32), q.quad), h, w)
        q.index_visible = [float(a.sum()) / max(1.0, float(f.sum())) for a, f in zip(q.index_masks, full)]
    if rng.random() < 0.5:
        canvas = lighting(canvas, rng)
    return finish(canvas, rng), placed


# ---- what the recogniser sees ------------------------------------------------------------------

def order_quad(pts: np.ndarray) -> np.ndarray:
    """Clockwise from a corner of a short edge, like appliance/recognition/quad.ts."""
    c = pts.mean(0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    p = pts[np.argsort(ang, kind="stable")]
    if np.linalg.norm(p[0] - p[1]) > np.linalg.norm(p[1] - p[2]):
        p = np.roll(p, -1, 0)
    return p


def card_input(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """64x64 BGR: the card's two index corners side by side (the second turned upright)."""
    dst = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
    m = cv2.getPerspectiveTransform(order_quad(quad).astype(np.float32), dst)
    card = cv2.warpPerspective(img, m, (CARD_W, CARD_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = card[0:CORNER_H, 0:CORNER_W]
    b = card[CARD_H - CORNER_H:CARD_H, CARD_W - CORNER_W:CARD_W][::-1, ::-1]
    return np.ascontiguousarray(np.hstack([a, b]))
