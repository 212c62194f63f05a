"""Trains the corner reader: one index corner, cut upright at full resolution, to its card.

usage: train_reader.py TRAIN.npz VAL.npz OUT.onnx [EPOCHS] [CHECKPOINT]

Input `corner`: Nx3x48x32 float32, BGR 0..1 (table_scenes.corner_patch; the appliance's
corner-patch.ts). Output `logits`: Nx53 over the 52 cards (scenes.CARDS order) and "not an
index". Checkpoints after every epoch and resumes, like the detector.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
torch.set_num_threads(2)
CLASSES = 53


def block(cin: int, cout: int, pool: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class ReaderNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(block(3, 16), block(16, 32), block(32, 48), block(48, 64, pool=False))  # 48x32 -> 6x4
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 6 * 4, 128), nn.ReLU(inplace=True), nn.Linear(128, CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def tensors(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    d = np.load(path)
    return torch.from_numpy(d["x"]).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(d["y"].astype(np.int64))


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    x = x.float() / 255
    gain = 0.65 + 0.7 * torch.rand(n, 1, 1, 1, generator=g)
    bal = 0.88 + 0.24 * torch.rand(n, 3, 1, 1, generator=g)
    off = 0.12 * (torch.rand(n, 1, 1, 1, generator=g) - 0.5)
    gray = torch.rand(n, generator=g) < 0.1  # monochrome cameras and washed-out colour
    x = torch.where(gray[:, None, None, None], x.mean(1, keepdim=True).expand_as(x), x)
    return (x * gain * bal + off).clamp(0, 1)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, np.ndarray]:
    model.eval()
    with torch.no_grad():
        p = torch.cat([torch.softmax(model(x[i:i + 1024].float() / 255), 1) for i in range(0, len(x), 1024)])
    return float((p.argmax(1) == y).float().mean()), p.numpy()


def main() -> None:
    train_path, val_path, out = sys.argv[1:4]
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    ckpt = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(out), ".cache", "corner-reader.pt")
    xt, yt = tensors(train_path)
    xv, yv = tensors(val_path)
    print(f"train {len(yt)} val {len(yv)}", flush=True)
    model = ReaderNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    batches = (len(yt) + 255) // 256
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * batches)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    g = torch.Generator().manual_seed(11)
    start = 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt)
        if state["epochs"] == epochs:
            model.load_state_dict(state["model"]), opt.load_state_dict(state["opt"]), sched.load_state_dict(state["sched"])
            start = state["epoch"]
            g.manual_seed(11 + start)
            print(f"resumed after epoch {start}", flush=True)
    for epoch in range(start, epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(yt), generator=g)
        total = 0.0
        for i in range(0, len(yt), 256):
            idx = perm[i:i + 256]
            loss = loss_fn(model(augment(xt[idx], g)), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        acc, _ = evaluate(model, xv, yv)
        print(f"epoch {epoch + 1}/{epochs} loss {total / len(yt):.4f} val acc {acc:.4f} {time.time() - t0:.0f}s", flush=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch + 1, "epochs": epochs}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 48, 32), out, input_names=["corner"], output_names=["logits"],
                      dynamic_axes={"corner": {0: "corners"}, "logits": {0: "corners"}}, opset_version=13)
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
