"""Renders a dealt-round clip fixture (test-fixtures/cards/): an empty layout, then the dealer
slides each card into its box (moving, so blurred and unreadable on the way), a hand passing
over the cards. Baccarat (the tableau's third cards included) or Dragon Tiger (one card each).
Writes PNG frames, the table positions, and the expected events; models/make-fixtures.sh encodes
them to H.264.

usage: make_clip.py ART_DIR DESIGN OUT_DIR [baccarat|dragon-tiger]
"""
import json
import os
import sys

import cv2
import numpy as np

import scenes as S

W, H, FPS = 960, 540, 10
CARD_W = 84
# Box centres on the layout; a third card lies turned 90 degrees beside the hand.
BOXES = {
    "player1": (200, 300, 0), "player2": (300, 300, 0), "player3": (250, 440, 90),
    "banker1": (660, 300, 0), "banker2": (760, 300, 0), "banker3": (710, 440, 90),
}
# Player 2C 3D = 5 draws 4S (9); banker 5H KS = 5 draws on a 4: 6H (1). Player wins 9 to 1.
DEAL = [("player1", "2C"), ("banker1", "5H"), ("player2", "3D"), ("banker2", "KS"), ("player3", "4S"), ("banker3", "6H")]
SHOE = (480, 60)
EXPECTED = {"player": ["2C", "3D", "4S"], "banker": ["5H", "KS", "6H"], "winner": "player", "playerTotal": 9, "bankerTotal": 1}

# Dragon Tiger: one box each side of the shoe. Dragon 9D, tiger QS: the tiger wins, 12 to 9.
DT_BOXES = {"dragon": (330, 300, 0), "tiger": (630, 300, 0)}
DT_DEAL = [("dragon", "9D"), ("tiger", "QS")]
DT_EXPECTED = {"dragon": "9D", "tiger": "QS", "winner": "tiger", "dragonRank": 9, "tigerRank": 12, "suitedTie": False}
GAMES = {"baccarat": (BOXES, DEAL, EXPECTED), "dragon-tiger": (DT_BOXES, DT_DEAL, DT_EXPECTED)}


def box_polygon(cx, cy, angle):
    w, h = (CARD_W * 1.15, CARD_W * 1.4 * 1.15) if angle == 0 else (CARD_W * 1.4 * 1.15, CARD_W * 1.15)
    return [[round(cx - w / 2), round(cy - h / 2)], [round(cx + w / 2), round(cy - h / 2)], [round(cx + w / 2), round(cy + h / 2)], [round(cx - w / 2), round(cy + h / 2)]]


def main():
    art_dir, design, out = sys.argv[1], sys.argv[2], sys.argv[3]
    game = sys.argv[4] if len(sys.argv) > 4 else "baccarat"
    boxes, deal, result = GAMES[game]
    os.makedirs(os.path.join(out, "frames"), exist_ok=True)
    rng = np.random.default_rng(2026)
    art = S.load_art(art_dir, design)
    table = S.felt(H, W, np.random.default_rng(5))
    for name, (cx, cy, angle) in boxes.items():  # the printed boxes of the layout
        cv2.polylines(table, [np.array(box_polygon(cx, cy, angle), np.int32)], True, (120, 200, 230), 1)
    on_table = []  # (card, quad)
    frames = []

    def render(moving=None, hand_at=None):
        img = table.copy()
        occupied = np.zeros((H, W), np.uint8)
        for card, quad in on_table:
            S.composite(img, art.faces[card], quad, rng, occupied)
        if moving:  # a moving card is blurred along its path
            layer, mask = img.copy(), np.zeros((H, W), np.uint8)
            S.composite(layer, art.faces[moving[0]], moving[1], rng, mask)
            m = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 3)[:, :, None]
            img = img * (1 - m) + cv2.GaussianBlur(layer, (0, 0), 3) * m
        if hand_at is not None:
            S.hand(img, hand_at, 70, np.random.default_rng(9))
        frames.append(S.finish(img, np.random.default_rng(len(frames)), strength=0.3))

    for _ in range(int(3.0 * FPS)):
        render()
    for position, card in deal:
        cx, cy, angle = boxes[position]
        for k in range(1, 5):  # slides in from the shoe over 0.4 s
            t = k / 5
            c = (SHOE[0] + (cx - SHOE[0]) * t, SHOE[1] + (cy - SHOE[1]) * t)
            render(moving=(card, S.card_quad(c, CARD_W, angle * t + 20 * (1 - t), 0.0, rng)))
        on_table.append((card, S.card_quad((cx, cy), CARD_W, angle + rng.normal(0, 2), 0.01, rng)))
        for k in range(int(1.2 * FPS)):
            # the dealer's hand lingers over the card it just placed for a few frames
            render(hand_at=(cx + 40, cy + 90) if k < 3 else None)
    for _ in range(int(2.0 * FPS)):
        render()
    for i, f in enumerate(frames):
        cv2.imwrite(os.path.join(out, "frames", f"{i:04d}.png"), f)
    positions = {name: box_polygon(cx, cy, angle) for name, (cx, cy, angle) in boxes.items()}
    expected = {
        "dealt": [{"position": p, "card": c} for p, c in deal],
        "result": result,
    }
    with open(os.path.join(out, "round.json"), "w") as f:
        json.dump({"width": W, "height": H, "fps": FPS, "frames": len(frames), "design": design, "positions": positions, "expected": expected}, f, indent=2)
    print(f"{out}: {len(frames)} frames at {FPS} fps")


if __name__ == "__main__":
    main()
