"""Card tables as a studio camera sees them, for the index-corner detector and its reader.

Builds on scenes.py (card art, compositing, hands, chips, light, camera) and adds what a real
table has that the first renderer lacked: many table surfaces (felt in every colour, light and
dark wood, cloth, stone, printed layouts over any of them), dealt layouts (blackjack cascades
offset 15-25 % along the card, baccarat's third card turned sideways, loose cards), and decks
drawn procedurally from Debian's fonts so that a design never seen still looks familiar.

The detector's targets are index corners: for each card, the two corners that carry rank and
suit (art top-left, and bottom-right turned 180 degrees). Each corner has a keypoint (INDEX_AT,
inside the index), a reading frame (the direction "down" the index, in the scene) and the card's
width there. A face-down card is its centre. Deterministic for a given seed.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

import scenes as S

ART_W, ART_H = S.ART_W, S.ART_H
# The keypoint in art pixels (top-left index); the bottom-right one is its 180-degree image.
INDEX_AT = (29.0, 52.0)
# The patch the reader classifies, in card widths from the keypoint, in the corner's frame
# (x along "right", y along "down"). Must match appliance/recognition/corner-patch.ts.
PATCH_X = (-0.1375, 0.196)
PATCH_Y = (-0.233, 0.267)
PATCH_W, PATCH_H = 32, 48
BACKGROUNDS = ("felt", "light-wood", "dark-wood", "cloth", "stone", "printed")


# ---- surfaces ---------------------------------------------------------------------------------

def _noise(h: int, w: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    small = rng.normal(0, 1, (max(2, int(h / scale)) + 1, max(2, int(w / scale)) + 1)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def wood(h: int, w: int, rng: np.random.Generator, light: bool) -> np.ndarray:
    base = np.array([150, 190, 225] if light else [40, 70, 110], np.float32) * rng.uniform(0.8, 1.15, 3)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    warp = _noise(h, w, rng, rng.uniform(40, 120)) * rng.uniform(8, 30)
    freq = rng.uniform(0.05, 0.2)
    grain = np.sin((u + warp) * freq) * 0.5 + 0.5
    grain = grain ** rng.uniform(1, 4)
    fine = _noise(h, w, rng, 2) * 0.04
    planks = rng.random() < 0.4
    shade = 1 - rng.uniform(0.1, 0.3) * grain + fine
    if planks:  # boards: a seam every so often across the grain
        v = -xx * np.sin(angle) + yy * np.cos(angle)
        period = rng.uniform(80, 250)
        shade *= 1 - 0.35 * (np.abs(((v % period) / period) - 0.5) > 0.495)
        shade *= 1 + 0.08 * np.sign(np.sin(np.floor(v / period) * 12.9898))
    return base * shade[:, :, None]


def cloth(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    base = rng.integers(20, 235, 3).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(2.5, 6)
    weave = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period)) * rng.uniform(0.03, 0.1)
    blotch = _noise(h, w, rng, rng.uniform(30, 100)) * rng.uniform(0.02, 0.08)
    return base * (1 + weave + blotch)[:, :, None]


def stone(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    base = np.full(3, rng.uniform(60, 220), np.float32) * rng.uniform(0.85, 1.15, 3)
    n = sum(_noise(h, w, rng, s) * a for s, a in ((4, 0.05), (20, 0.08), (80, 0.12)))
    veins = np.abs(_noise(h, w, rng, 60)) < 0.04
    img = base * (1 + n)[:, :, None]
    img[veins] *= rng.uniform(0.6, 1.3)
    return img


def printed_layout(img: np.ndarray, rng: np.random.Generator) -> None:
    """A table's printing: card boxes, arcs, lettering, in gold, white or black."""
    h, w = img.shape[:2]
    ink = [(120, 200, 230), (235, 235, 235), (25, 25, 25), (60, 60, 200)][rng.integers(4)]
    thick = max(1, int(w / 600))
    for _ in range(rng.integers(1, 7)):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        bw, bh = int(rng.uniform(0.05, 0.25) * w), int(rng.uniform(0.08, 0.3) * h)
        kind = rng.integers(3)
        if kind == 0:
            cv2.rectangle(img, (x, y), (x + bw, y + bh), ink, thick * int(rng.integers(1, 4)))
        elif kind == 1:
            cv2.ellipse(img, (x, y), (bw, bh), 0, 0, int(rng.integers(90, 360)), ink, thick * int(rng.integers(1, 4)))
        else:
            cv2.circle(img, (x, y), bw // 3, ink, thick * int(rng.integers(1, 3)))
    for _ in range(rng.integers(0, 4)):
        text = ["PLAYER", "BANKER", "TIE", "PAYS 8 TO 1", "DEALER", "BLACKJACK PAYS 3 TO 2", "INSURANCE", "1", "2", "3"][rng.integers(10)]
        cv2.putText(img, text, (int(rng.integers(0, max(1, w - 200))), int(rng.integers(30, h))), cv2.FONT_HERSHEY_SIMPLEX,
                    rng.uniform(0.5, 2) * w / 960, ink, max(1, thick * 2))


def surface(h: int, w: int, rng: np.random.Generator, kind: str | None = None) -> tuple[np.ndarray, str]:
    kind = kind or BACKGROUNDS[rng.integers(len(BACKGROUNDS))]
    if kind == "felt":
        img = S.felt(h, w, rng)
    elif kind == "light-wood":
        img = wood(h, w, rng, True)
    elif kind == "dark-wood":
        img = wood(h, w, rng, False)
    elif kind == "cloth":
        img = cloth(h, w, rng)
    elif kind == "stone":
        img = stone(h, w, rng)
    else:  # a printed layout: the table's own lettering and boxes, on felt or cloth
        img = S.felt(h, w, rng) if rng.random() < 0.6 else cloth(h, w, rng)
    if kind == "printed" or (kind != "felt" and rng.random() < 0.4):
        printed_layout(img, rng)
    return np.clip(img, 0, 255).astype(np.float32), kind


# ---- procedural decks -------------------------------------------------------------------------

SUIT_GLYPH = {"C": "\u2663", "D": "\u2666", "H": "\u2665", "S": "\u2660"}
RANK_TEXT = {"T": "10"}


LATIN_FAMILIES = ("dejavu", "liberation", "freefont", "urw-base35", "roboto", "crosextra", "noto/Noto", "open-sans", "lato",
                  "cantarell", "texgyre", "linuxlibertine", "oldstandard", "comic-neue", "ebgaramond")


def _draws_ranks(path: str) -> bool:
    """The font has real glyphs for the ranks (not the missing-glyph box for all of them)."""
    try:
        f = ImageFont.truetype(path, 40)
        masks = [bytes(f.getmask(ch)) for ch in ("A", "Q", "K", "J", "8", "\u0378")]
    except OSError:
        return False
    return len(set(masks)) == len(masks)


def _fonts() -> list[str]:
    paths = sorted(glob.glob("/usr/share/fonts/**/*.ttf", recursive=True) + glob.glob("/usr/share/fonts/**/*.otf", recursive=True))
    paths = [p for p in paths if any(k in p for k in LATIN_FAMILIES)
             and not any(k in os.path.basename(p).lower() for k in ("symbol", "emoji", "dingbat", "math", "music", "mono", "cjk", "hebrew", "arabic"))]
    return [p for p in paths if _draws_ranks(p)]


def _suit_fonts() -> list[str]:
    want = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "FreeSerif.ttf", "FreeSans.ttf", "FreeSansBold.ttf", "NotoSansSymbols2-Regular.ttf")
    return [p for p in glob.glob("/usr/share/fonts/**/*.ttf", recursive=True) if os.path.basename(p) in want]


FONTS = _fonts()
SUIT_FONTS = _suit_fonts()


def procedural_deck(rng: np.random.Generator, jumbo: bool = False) -> S.Art:
    """A deck that exists nowhere: a random font for the ranks, suit glyphs, index size and place,
    two or four colours, plain or cream card, pips or a framed picture in the middle. jumbo: a
    casino "jumbo index" deck, the rank as large as the reader's cut allows (about 1.5 times the
    common index) over a smaller suit."""
    font_path = FONTS[rng.integers(len(FONTS))]
    suit_path = SUIT_FONTS[rng.integers(len(SUIT_FONTS))] if SUIT_FONTS else font_path
    size = int(rng.uniform(56, 68) if jumbo else rng.uniform(28, 52))
    font = ImageFont.truetype(font_path, size)
    narrow = ImageFont.truetype(font_path, int(size * 0.75))
    suit_font = ImageFont.truetype(suit_path, int(size * (rng.uniform(0.45, 0.6) if jumbo else rng.uniform(0.6, 0.95))))
    big_suit = ImageFont.truetype(suit_path, int(rng.uniform(40, 80)))
    paper = tuple(int(v) for v in (rng.uniform(235, 255), rng.uniform(235, 255), rng.uniform(225, 255)))
    four = rng.random() < 0.15
    red = tuple(int(v) for v in (rng.uniform(150, 230), rng.uniform(0, 40), rng.uniform(0, 50)))
    black = tuple(int(v) for v in rng.uniform(0, 40, 3))
    colours = {"S": black, "H": red, "D": (0, 60, 200) if four else red, "C": (0, 120, 40) if four else black}
    ix, iy = (rng.uniform(4, 9), rng.uniform(2, 7)) if jumbo else (rng.uniform(6, 16), rng.uniform(4, 14))
    faces: dict[str, np.ndarray] = {}
    for code in S.CARDS:
        rank, suit = code[0], code[1]
        im = Image.new("RGB", (ART_W, ART_H), paper)
        d = ImageDraw.Draw(im)
        col = colours[suit]
        text = RANK_TEXT.get(rank, rank)
        rx = ix + (size * (0.2 if jumbo else 0.35) if len(text) == 1 else 0)
        rank_font = narrow if jumbo and len(text) > 1 else font  # a jumbo "10" is drawn condensed to fit the corner
        d.text((rx, iy), text, font=rank_font, fill=col, anchor="la")
        bbox = d.textbbox((rx, iy), text, font=rank_font, anchor="la")
        d.text(((bbox[0] + bbox[2]) / 2, bbox[3] + (2 if jumbo else 4)), SUIT_GLYPH[suit], font=suit_font, fill=col, anchor="ma")
        if rank in "JQK":
            box = (int(ART_W * (0.36 if jumbo else 0.22)), int(ART_H * 0.17), int(ART_W * (0.64 if jumbo else 0.78)), int(ART_H * 0.83))
            d.rectangle(box, outline=col, width=3)
            fill = tuple(int(v) for v in rng.integers(60, 230, 3))
            d.rectangle((box[0] + 6, box[1] + 6, box[2] - 6, box[3] - 6), fill=fill)
            d.text((ART_W / 2, ART_H / 2), text, font=ImageFont.truetype(font_path, 90), fill=col, anchor="mm")
        else:
            n = 1 if rank == "A" else int(text)
            cols = 1 if n <= 3 else 2 if n <= 8 else 3
            rows = int(np.ceil(n / cols))
            k = 0
            for r in range(rows):
                for c in range(cols):
                    if k >= n:
                        break
                    x = ART_W * (0.5 if cols == 1 else (0.4 + 0.2 * c / (cols - 1)) if jumbo else (0.3 + 0.4 * c / (cols - 1)))
                    y = ART_H * (0.5 if rows == 1 else 0.22 + 0.56 * r / (rows - 1))
                    d.text((x, y), SUIT_GLYPH[suit], font=big_suit if n == 1 else suit_font, fill=col, anchor="mm")
                    k += 1
        arr = np.array(im)[:, :, ::-1].copy()
        # the second index: the first one turned 180 degrees in the opposite corner
        corner = arr[0:ART_H // 2, 0:ART_W // 2].copy()
        mask = np.any(np.abs(corner.astype(int) - np.array(paper[::-1])) > 30, 2)
        mask[int(ART_H * 0.36):, :] = False
        mask[:, int(ART_W * 0.34):] = False
        rot = corner[::-1, ::-1]
        rmask = mask[::-1, ::-1]
        region = arr[ART_H - ART_H // 2:, ART_W - ART_W // 2:]
        region[rmask] = rot[rmask]
        if rng.random() < 0.5:
            cv2.rectangle(arr, (3, 3), (ART_W - 4, ART_H - 4), (150, 150, 150), 1)
        faces[code] = np.dstack([arr, np.full((ART_H, ART_W), 255, np.uint8)])
    return S.Art(faces, [S.procedural_back(rng)])


# ---- layouts ----------------------------------------------------------------------------------

@dataclass
class Corner:
    code: str
    point: np.ndarray  # keypoint, scene px
    down: np.ndarray  # unit vector, the index's "down" in the scene
    width: float  # the card's width at the corner, scene px
    visible: float  # fraction of the index left uncovered


@dataclass
class Back:
    centre: np.ndarray
    width: float


def _frame(m: np.ndarray, art_pt: tuple[float, float], flip: bool) -> tuple[np.ndarray, np.ndarray, float]:
    sgn = -1.0 if flip else 1.0
    pts = np.array([[art_pt, (art_pt[0], art_pt[1] + 10 * sgn), (art_pt[0] + 10 * sgn, art_pt[1])]], np.float32)
    p, down_pt, right_pt = cv2.perspectiveTransform(pts, m)[0]
    down = (down_pt - p) / max(1e-6, float(np.linalg.norm(down_pt - p)))
    width = float(np.linalg.norm(right_pt - p)) / 10 * ART_W
    return p, down, width


def corners_of(m: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float]]:
    return [_frame(m, INDEX_AT, False), _frame(m, (ART_W - INDEX_AT[0], ART_H - INDEX_AT[1]), True)]


def table_scene(arts: list[S.Art], rng: np.random.Generator, size: tuple[int, int], background: str | None = None,
                card_width: tuple[float, float] = (0.05, 0.13), clutter: bool = True, layout: str | None = None,
                face_down_p: float = 0.1, camera=None, view: str = "overhead") -> tuple[np.ndarray, list[Corner], list[Back], list[S.Placed], str]:
    """One frame of a table: a surface, a dealt layout (blackjack cascades, baccarat with a
    sideways third card, players' overlapping pairs, fanned hands, or loose cards), hands, chips,
    light and camera. `camera(img, rng, card_width)`: another camera model in place of
    scenes.finish (camera_patches.camera). view "oblique": the camera looks down at 30-45 degrees
    from the vertical (oblique()); the corners returned are then in the overhead frame (the
    evaluation sets use only the cards' names)."""
    w, h = size
    canvas, kind = surface(h, w, rng, background)
    if clutter and rng.random() < 0.4:
        S.chips(canvas, rng, int(rng.integers(1, 8)))
    width = rng.uniform(*card_width) * w
    layout = layout or ["blackjack", "baccarat", "loose"][rng.integers(3)]
    base_angle = rng.choice([0, 90, 180, 270]) + rng.normal(0, 5) if rng.random() < 0.7 else rng.uniform(0, 360)
    slots: list[tuple[tuple[float, float], float, bool]] = []  # centre, angle, on top of the previous
    if layout == "blackjack":
        for _ in range(int(rng.integers(1, 4))):
            c = np.array([rng.uniform(width * 1.2, w - width * 2.2), rng.uniform(width * 1.2, h - width * 2.2)])
            n = int(rng.integers(1, 6))
            step = rng.uniform(0.15, 0.25) * width
            a = np.deg2rad(base_angle + rng.normal(0, 3))
            # along the card's diagonal towards its bottom-right: each card leaves the top-left
            # index of the one below visible
            right, down = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
            direction = right * rng.uniform(0.6, 1.0) + down * rng.uniform(0.4, 1.0)
            direction /= np.linalg.norm(direction)
            for k in range(n):
                slots.append((tuple(c + direction * step * k), base_angle + rng.normal(0, 2), k > 0))
    elif layout == "baccarat":
        for hand_no in range(2):
            c = np.array([w * (0.3 + 0.4 * hand_no), h * 0.5]) + rng.normal(0, width * 0.5, 2)
            a = np.deg2rad(base_angle)
            right = np.array([np.cos(a), np.sin(a)])
            for k in range(2):
                slots.append((tuple(c + right * width * (1.1 * k - 0.55)), base_angle + rng.normal(0, 3), False))
            if rng.random() < 0.6:  # the third card, sideways, below the two
                down = np.array([-np.sin(a), np.cos(a)])
                slots.append((tuple(c + down * width * rng.uniform(1.35, 1.6)), base_angle + 90 + rng.normal(0, 3), False))
    elif layout == "pairs":  # players' two cards, the second over the first: one index of the first in view
        for _ in range(int(rng.integers(1, 5))):
            c = np.array([rng.uniform(width * 1.2, w - width * 2.0), rng.uniform(width * 1.4, h - width * 1.8)])
            a = np.deg2rad(base_angle)
            right, down = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
            offset = right * rng.uniform(0.3, 0.55) * width + down * rng.uniform(0.05, 0.3) * width * ART_H / ART_W
            slots.append((tuple(c), base_angle + rng.normal(0, 3), False))
            slots.append((tuple(c + offset), base_angle + rng.normal(0, 6), True))
    elif layout == "fans":  # a hand fanned from a pivot below it: each card turned further, its top-left index in view
        for _ in range(int(rng.integers(1, 3))):
            pivot = np.array([rng.uniform(width * 2.2, w - width * 2.2), rng.uniform(width * 2.4, h - width * 0.6)])
            n, spread = int(rng.integers(3, 6)), rng.uniform(9, 16)
            radius = width * ART_H / ART_W * rng.uniform(0.3, 0.45)
            for k in range(n):
                angle = base_angle + (k - (n - 1) / 2) * spread
                a = np.deg2rad(angle)
                up = np.array([np.sin(a), -np.cos(a)])  # the card's "up" turned with it (card_quad's rotation)
                slots.append((tuple(pivot + up * radius), angle, k > 0))
    else:
        for _ in range(int(rng.integers(1, 9))):
            slots.append(((rng.uniform(width, w - width), rng.uniform(width, h - width)), base_angle + rng.normal(0, 4) if rng.random() < 0.6 else rng.uniform(0, 360), False))

    occupied = np.zeros((h, w), np.uint8)
    placed: list[S.Placed] = []
    full_masks: list[list[np.ndarray]] = []
    for centre, angle, stacked in slots:
        if not (0 < centre[0] < w and 0 < centre[1] < h):
            continue
        art = arts[rng.integers(len(arts))]
        if rng.random() < face_down_p:
            code = S.FACE_DOWN
            rgba = art.backs[rng.integers(len(art.backs))] if art.backs and rng.random() < 0.6 else S.procedural_back(rng)
        else:
            code = S.CARDS[rng.integers(len(S.CARDS))]
            rgba = art.faces[code]
        cw = width * rng.uniform(0.95, 1.05)
        quad = S.card_quad(centre, cw, angle, rng.uniform(0, 0.03), rng)
        probe = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(probe, quad.astype(np.int32), 1)
        if not stacked and (probe & occupied).sum() > 0.02 * probe.sum():
            continue
        m = S.composite(canvas, rgba, quad, rng, occupied)
        masks = S.index_regions(m, h, w)
        for q in placed:
            q.index_masks = [im & (1 - probe) for im in q.index_masks]
        placed.append(S.Placed(code, quad, masks))
        full_masks.append([mk.copy() for mk in masks])
    if clutter and placed and rng.random() < 0.3:
        target = placed[rng.integers(len(placed))]
        c = target.quad.mean(0) + rng.normal(0, width * 0.6, 2)
        hmask = np.zeros((h, w), np.uint8)
        S.hand(canvas, (float(c[0]), float(c[1])), width * rng.uniform(0.8, 1.4), rng, hmask)
        for q in placed:
            q.index_masks = [im & (1 - (hmask > 0).astype(np.uint8)) for im in q.index_masks]
    corners: list[Corner] = []
    backs: list[Back] = []
    src = np.array([[0, 0], [ART_W, 0], [ART_W, ART_H], [0, ART_H]], np.float32)
    for q, full in zip(placed, full_masks):
        q.index_visible = [float(a.sum()) / max(1.0, float(f.sum())) for a, f in zip(q.index_masks, full)]
        m = cv2.getPerspectiveTransform(src, q.quad.astype(np.float32))
        if q.code == S.FACE_DOWN:
            backs.append(Back(q.quad.mean(0), float(np.linalg.norm(q.quad[1] - q.quad[0]))))
            continue
        for (p, down, cw), vis in zip(corners_of(m), q.index_visible):
            corners.append(Corner(q.code, p, down, cw, vis))
    if rng.random() < 0.6:
        canvas = S.lighting(canvas, rng)
    if view == "oblique":
        canvas = oblique(canvas, rng)
    return (camera(canvas, rng, width) if camera else S.finish(canvas, rng)), corners, backs, placed, kind


def oblique(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The table seen by a camera tilted 30-45 degrees from the vertical (a pinhole 1.5-2.5 frame
    heights from the table's near edge): the far side smaller and foreshortened. The whole table
    stays in the frame; what lies outside it is the studio's dark."""
    h, w = img.shape[:2]
    tilt = np.deg2rad(rng.uniform(30, 45))
    dist = rng.uniform(1.5, 2.5)  # the camera's distance to the near edge, in frame heights
    # a point d frame heights further along the table is seen at depth dist + d * sin(tilt);
    # the far edge (d = 1) shrinks by that ratio and moves up by its foreshortening
    shrink = dist / (dist + np.sin(tilt))
    top = h * (1 - shrink * np.cos(tilt))
    inset = w * (1 - shrink) / 2
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array([[inset, top], [w - inset, top], [w, h], [0, h]], np.float32)
    if rng.random() < 0.5:  # the camera at the dealer's side or the players'
        dst = np.array([[0, 0], [w, 0], [w - inset, h - top], [inset, h - top]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(v) for v in rng.uniform(10, 40, 3)))


# ---- what the reader cuts ---------------------------------------------------------------------

def patch_affine(point: np.ndarray, down: np.ndarray, width: float) -> np.ndarray:
    """2x3 affine from patch pixels to scene pixels (the reader's cut, corner-patch.ts)."""
    right = np.array([down[1], -down[0]])  # image axes (y down): "right" is "down" turned a quarter back
    sx = (PATCH_X[1] - PATCH_X[0]) * width / PATCH_W
    sy = (PATCH_Y[1] - PATCH_Y[0]) * width / PATCH_H
    origin = point + right * PATCH_X[0] * width + down * PATCH_Y[0] * width
    return np.array([[right[0] * sx, down[0] * sy, origin[0]], [right[1] * sx, down[1] * sy, origin[1]]], np.float64)


def corner_patch(img: np.ndarray, point: np.ndarray, down: np.ndarray, width: float) -> np.ndarray:
    a = patch_affine(point, down, width)
    # sample at pixel centres: patch (i + 0.5, j + 0.5) -> scene; warpAffine maps dst -> src with WARP_INVERSE_MAP
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]], np.float64)
    m = (np.vstack([a, [0, 0, 1]]) @ shift)[:2]
    m[:, 2] -= 0.5
    return cv2.warpAffine(img, m, (PATCH_W, PATCH_H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
