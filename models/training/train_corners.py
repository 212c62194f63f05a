"""Trains the index-corner detector (CenterNet style) and exports it to ONNX.

usage: train_corners.py SCENES_DIR OUT.onnx EPOCHS [CHECKPOINT]

Input `frame`: 1x3x352x640 float32, BGR 0..1 (a 1080p frame resized). Outputs at stride 4
(88x160): `heat` 2 channels after a sigmoid (index corners; face-down card centres) and
`geometry` 5 channels: the index's "down" direction (dx, dy), log of the card's width in input
pixels over 32, and the keypoint's sub-cell offset (ox, oy). Trained on random 320x192 crops
(the network is fully convolutional), so an epoch costs a quarter of full frames.

Checkpoints after every epoch (model, optimiser, schedule, epoch) and resumes from it: a
session that ends mid-training loses at most one epoch.
"""
from __future__ import annotations

import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

STRIDE = 4
IN_W, IN_H = 640, 352
CROP_W, CROP_H = 320, 192
POSITIVE, IGNORE = 0.6, 0.25  # index visibility: a target above, ignored between, background below

torch.manual_seed(7)
torch.set_num_threads(2)


def conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CornerNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.s2 = conv(3, 16, 2)
        self.s4 = nn.Sequential(conv(16, 24, 2), conv(24, 24))
        self.s8 = nn.Sequential(conv(24, 32, 2), conv(32, 32))
        self.s16 = nn.Sequential(conv(32, 48, 2), conv(48, 48, dilation=2), conv(48, 48, dilation=4))
        self.lat8 = nn.Conv2d(32, 48, 1)
        self.up8 = conv(48, 32)
        self.lat4 = nn.Conv2d(24, 32, 1)
        self.up4 = conv(32, 24)
        self.heat = nn.Conv2d(24, 2, 1)
        self.geometry = nn.Conv2d(24, 5, 1)
        nn.init.constant_(self.heat.bias, -2.19)  # the CenterNet prior: background almost everywhere

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f4 = self.s4(self.s2(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        u8 = self.up8(nn.functional.interpolate(f16, scale_factor=2.0, mode="nearest") + self.lat8(f8))
        u4 = self.up4(nn.functional.interpolate(u8, scale_factor=2.0, mode="nearest") + self.lat4(f4))
        return self.heat(u4), self.geometry(u4)


class Scenes(Dataset):
    def __init__(self, root: str, crop: bool) -> None:
        self.root = root
        self.records = [json.loads(line) for line in open(os.path.join(root, "targets.jsonl"))]
        self.crop = crop

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int):
        rec = self.records[i]
        rng = np.random.default_rng(i * 7919 + int(time.time() * 1000) % 100000)
        img = cv2.imread(os.path.join(self.root, rec["image"]), cv2.IMREAD_COLOR)
        x0, y0, w, h = 0, 0, IN_W, IN_H
        if self.crop:
            x0, y0, w, h = int(rng.integers(0, IN_W - CROP_W + 1)) // 4 * 4, int(rng.integers(0, IN_H - CROP_H + 1)) // 4 * 4, CROP_W, CROP_H
            img = img[y0:y0 + h, x0:x0 + w]
        x = img.astype(np.float32) / 255
        if self.crop:  # photometric jitter: exposure, white balance, contrast
            x = x * rng.uniform(0.7, 1.3) * rng.uniform(0.9, 1.1, 3) + rng.uniform(-0.08, 0.08)
            x = np.clip(x, 0, 1)
        gh, gw = h // STRIDE, w // STRIDE
        heat = np.zeros((2, gh, gw), np.float32)
        weight = np.ones((2, gh, gw), np.float32)
        geom = np.zeros((5, gh, gw), np.float32)
        gmask = np.zeros((gh, gw), np.float32)
        yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)

        def splat(ch: int, px: float, py: float, size: float) -> tuple[int, int] | None:
            cx, cy = (px - x0) / STRIDE, (py - y0) / STRIDE
            if not (0 <= cx < gw and 0 <= cy < gh):
                return None
            sigma = max(0.7, size / STRIDE * 0.08)
            ix, iy = int(cx), int(cy)
            g = np.exp(-((xx - ix) ** 2 + (yy - iy) ** 2) / (2 * sigma * sigma))
            heat[ch] = np.maximum(heat[ch], g)
            return ix, iy

        for c in rec["corners"]:
            if c["visible"] >= POSITIVE:
                at = splat(0, c["x"], c["y"], c["w"])
                if at:
                    ix, iy = at
                    geom[:, iy, ix] = [c["dx"], c["dy"], math.log(c["w"] / 32), (c["x"] - x0) / STRIDE - ix, (c["y"] - y0) / STRIDE - iy]
                    gmask[iy, ix] = 1
            elif c["visible"] >= IGNORE:  # half an index: neither a target nor background
                cx, cy = (c["x"] - x0) / STRIDE, (c["y"] - y0) / STRIDE
                r = max(1.5, c["w"] / STRIDE * 0.15)
                weight[0][(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = 0
        for b in rec["backs"]:
            splat(1, b["x"], b["y"], b["w"] * 2)
        return (torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)), torch.from_numpy(heat), torch.from_numpy(weight),
                torch.from_numpy(geom), torch.from_numpy(gmask))


def focal(logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = (target >= 0.999).float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * (1 - pos)
    n = pos.sum().clamp(min=1)
    return ((pos_loss + neg_loss) * weight).sum() / n


def geometry_loss(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask[:, None]
    n = mask.sum().clamp(min=1)
    d = pred[:, 0:2]
    d = d / d.norm(dim=1, keepdim=True).clamp(min=1e-6)
    return ((d - target[:, 0:2]).abs() * m).sum() / n + ((pred[:, 2:5] - target[:, 2:5]).abs() * m).sum() / n


class Exported(nn.Module):
    def __init__(self, net: CornerNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        heat, geom = self.net(x)
        return torch.sigmoid(heat), geom


def main() -> None:
    root, out, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ckpt = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(out), ".cache", "corner-det.pt")
    data = Scenes(root, crop=True)
    loader = DataLoader(data, batch_size=32, shuffle=True, num_workers=1, drop_last=True, persistent_workers=True)
    model = CornerNet()
    print(f"{sum(p.numel() for p in model.parameters())} parameters, {len(data)} scenes", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=epochs * len(loader), pct_start=0.15)
    start = 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt)
        if state["epochs"] == epochs:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            sched.load_state_dict(state["sched"])
            start = state["epoch"]
            print(f"resumed after epoch {start}", flush=True)
    for epoch in range(start, epochs):
        model.train()
        t0 = time.time()
        sums = np.zeros(2)
        for k, (x, heat, weight, geom, gmask) in enumerate(loader):
            ph, pg = model(x)
            lh, lg = focal(ph, heat, weight), geometry_loss(pg, geom, gmask)
            loss = lh + lg
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            sums += [float(lh), float(lg)]
            if k % 50 == 49:
                print(f"  epoch {epoch + 1} batch {k + 1}/{len(loader)} heat {sums[0] / (k + 1):.3f} geometry {sums[1] / (k + 1):.3f} {time.time() - t0:.0f}s", flush=True)
        print(f"epoch {epoch + 1}/{epochs} heat {sums[0] / len(loader):.4f} geometry {sums[1] / len(loader):.4f} {time.time() - t0:.0f}s", flush=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch + 1, "epochs": epochs}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
        export(model, out)


def export(model: CornerNet, out: str) -> None:
    model.eval()
    torch.onnx.export(Exported(model), torch.zeros(1, 3, IN_H, IN_W), out + ".tmp", input_names=["frame"], output_names=["heat", "geometry"], opset_version=13)
    os.replace(out + ".tmp", out)
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
