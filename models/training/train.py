"""Trains the card classifier and exports it to ONNX.

usage: train.py TRAIN.npz VAL.npz OUT.onnx [EPOCHS]

Input: 1x3x64x64 float32, BGR scaled to 0..1: the card's two index corners side by side (see
scenes.card_input). Output: 1x54 logits over scenes.CLASSES (52 cards, XX face-down, -- none).
CPU, deterministic (fixed seeds, one thread order): rerunning reproduces the metrics within noise.
"""
import sys
import time

import numpy as np
import torch
from torch import nn

import scenes as S

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(2)


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(2))


class CardNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(block(3, 16), block(16, 32), block(32, 64), block(64, 96))  # 64 -> 4
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(96 * 4 * 4, 128), nn.ReLU(inplace=True), nn.Linear(128, len(S.CLASSES)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def tensors(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    d = np.load(path)
    x = torch.from_numpy(d["x"]).permute(0, 3, 1, 2).contiguous()  # N,3,64,64 uint8
    return x, torch.from_numpy(d["y"].astype(np.int64))


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Photometric jitter per sample (the scenes already vary geometry): gain, offset, channel balance."""
    n = x.shape[0]
    x = x.float() / 255
    gain = 0.7 + 0.6 * torch.rand(n, 1, 1, 1, generator=g)
    bal = 0.9 + 0.2 * torch.rand(n, 3, 1, 1, generator=g)
    off = 0.1 * (torch.rand(n, 1, 1, 1, generator=g) - 0.5)
    # the two corners swap when the detector starts at the other short edge
    swap = torch.rand(n, generator=g) < 0.5
    x = torch.where(swap[:, None, None, None], torch.cat([x[..., 32:], x[..., :32]], 3), x)
    return (x * gain * bal + off).clamp(0, 1)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, np.ndarray]:
    model.eval()
    probs = []
    with torch.no_grad():
        for i in range(0, len(x), 512):
            probs.append(torch.softmax(model(x[i:i + 512].float() / 255), 1))
    p = torch.cat(probs)
    return float((p.argmax(1) == y).float().mean()), p.numpy()


def main() -> None:
    train_path, val_path, out = sys.argv[1:4]
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    xt, yt = tensors(train_path)
    xv, yv = tensors(val_path)
    print(f"train {len(yt)}  val {len(yv)}  classes {len(S.CLASSES)}", flush=True)
    model = CardNet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * ((len(yt) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    g = torch.Generator().manual_seed(11)
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(yt), generator=g)
        total = 0.0
        for i in range(0, len(yt), 128):
            idx = perm[i:i + 128]
            loss = loss_fn(model(augment(xt[idx], g)), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        acc, _ = evaluate(model, xv, yv)
        print(f"epoch {epoch + 1}/{epochs}  loss {total / len(yt):.4f}  val acc {acc:.4f}  {time.time() - t0:.0f}s", flush=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 64, 64), out, input_names=["corners"], output_names=["logits"],
                      dynamic_axes={"corners": {0: "cards"}, "logits": {0: "cards"}}, opset_version=13)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
