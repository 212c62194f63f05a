"""Exports a trained reader with calibrated confidence and chooses its thresholds from measured
error on held-out patches.

usage: calibrate_reader.py CHECKPOINT OUT.onnx CAL_DIR TEST_DIR [--budget 0.0001] [--json REPORT.json] [--baseline CHECKPOINT]

CHECKPOINT: train_camera_reader.py's (its running average, "ema"). CAL_DIR and TEST_DIR: shards
of camera_patches.py never trained on (for the generic reader: the held-out deck families; for an
enrolled deck: its own art, other seeds). On CAL_DIR:
- temperature scaling: the one number T that minimises the negative log-likelihood of
  softmax(logits / T); the export divides its logits by T, so the appliance's softmax is the
  calibrated probability;
- thresholds: `singleThreshold` (a card seen by one index) is the lowest confidence above which
  no patch on CAL_DIR read a wrong card; `threshold` (two indices, which must also agree) the
  lowest above which at most 1 in 200 did (two looks at two indices must both err the same way).
On TEST_DIR (not used for any choice): top-1 (all, cards, covered indices), how often "not
readable" is said when that is the truth, the expected calibration error, the reliability table,
and reads and wrong reads above each threshold with the one-sided 95 % upper bound on the error rate (zero wrong in n reads:
3/n, the rule of three; else the Clopper-Pearson bound). Prints the figures and writes them
with --json.
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import numpy as np
import torch
from torch import nn

from train_reader import ReaderNet

NONE = 52


class Calibrated(nn.Module):
    def __init__(self, net: nn.Module, temperature: float) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("inv_t", torch.tensor(1.0 / temperature))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x) * self.inv_t


def load(dirs: str) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    xs, ys, cs = [], [], []
    for p in sorted(glob.glob(os.path.join(dirs, "shard-*.npz"))):
        d = np.load(p)
        xs.append(d["x"]), ys.append(d["y"].astype(np.int64)), cs.append(d["cover"].astype(np.float32))
    return torch.from_numpy(np.concatenate(xs)).permute(0, 3, 1, 2).contiguous(), np.concatenate(ys), np.concatenate(cs)


def logits_of(net: nn.Module, x: torch.Tensor) -> np.ndarray:
    net.eval()
    with torch.no_grad():
        return torch.cat([net(x[i:i + 1024].float() / 255) for i in range(0, len(x), 1024)]).numpy()


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    best, best_t = np.inf, 1.0
    for t in np.exp(np.linspace(np.log(0.3), np.log(8), 200)):
        p = softmax(z / t)
        nll = -np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def upper95(wrong: int, n: int) -> float:
    """One-sided 95 % upper bound on an error rate seen as wrong/n."""
    if n == 0:
        return 1.0
    if wrong == 0:
        return min(1.0, 3.0 / n)
    from math import comb
    lo, hi = wrong / n, 1.0
    for _ in range(60):  # Clopper-Pearson by bisection: P(X <= wrong | p) = 0.05
        mid = (lo + hi) / 2
        cdf = sum(comb(n, k) * mid ** k * (1 - mid) ** (n - k) for k in range(wrong + 1)) if n < 2000 else None
        if cdf is None:  # normal approximation for large n
            return min(1.0, wrong / n + 1.645 * np.sqrt(wrong * (n - wrong) / n) / n)
        lo, hi = (mid, hi) if cdf > 0.05 else (lo, mid)
    return hi


def choose(conf: np.ndarray, wrong: np.ndarray, rate: float, floor: float = 0.5) -> float:
    """The lowest threshold (ceiled to 6 decimals, at least `floor`) such that of the reads at or
    above it at most `rate` are wrong (rate 0: none)."""
    order = np.argsort(-conf)
    c, w = conf[order], np.cumsum(wrong[order])
    n = np.arange(1, len(c) + 1)
    ok = np.nonzero(w <= rate * n)[0]
    if len(ok) == 0:
        return 0.999999
    k = ok[-1]
    if rate == 0:
        k = np.nonzero(w > 0)[0][0] - 1 if w[-1] > 0 else len(c) - 1
        if k < 0:
            return 0.999999
        # just above the most confident wrong read
        return float(max(floor, min(0.999999, np.ceil(c[k + 1] * 1e6) / 1e6 + 1e-6))) if k + 1 < len(c) else float(max(floor, np.floor(c[k] * 1e6) / 1e6))
    return float(max(floor, min(0.999999, np.ceil(c[k] * 1e6) / 1e6)))


def stats(p: np.ndarray, y: np.ndarray, t: float) -> dict:
    best, conf = p.argmax(1), p.max(1)
    read = (conf >= t) & (best != NONE)
    wrong = read & (best != y)
    cards = y != NONE
    return {"threshold": t, "cardPatches": int(cards.sum()), "read": int(read.sum()), "readOfCards": round(float((read & cards & (best == y)).sum() / max(1, cards.sum())), 4),
            "wrong": int(wrong.sum()), "errorUpper95": round(upper95(int(wrong.sum()), int(read.sum())), 6)}


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict]:
    best, conf = p.argmax(1), p.max(1)
    edges = [0.0, 0.5, 0.7, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0001]
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf >= lo) & (conf < hi)
        if m.sum():
            rows.append({"confidence": f"{lo:g}-{min(hi, 1):g}", "patches": int(m.sum()), "meanConfidence": round(float(conf[m].mean()), 4),
                         "accuracy": round(float((best[m] == y[m]).mean()), 4)})
    return rows


def ece(p: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error: the patch-weighted gap between confidence and accuracy."""
    best, conf = p.argmax(1), p.max(1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.sum() * abs(float(conf[m].mean()) - float((best[m] == y[m]).mean()))
    return total / len(y)


def measure(net: nn.Module, xc: torch.Tensor, yc: np.ndarray, xt: torch.Tensor, yt: np.ndarray, cover: np.ndarray, pair_rate: float) -> dict:
    """Temperature and thresholds fitted on the calibration patches; every figure on the test ones."""
    zc, zt = logits_of(net, xc), logits_of(net, xt)
    temp = fit_temperature(zc, yc)
    pc, pt = softmax(zc / temp), softmax(zt / temp)
    bc, cc = pc.argmax(1), pc.max(1)
    says = bc != NONE
    single = choose(cc[says], (bc != yc)[says], 0.0)
    pair = min(single, choose(cc[says], (bc != yc)[says], pair_rate))
    bt = pt.argmax(1)
    covered = (cover > 0.05) & (yt != NONE)
    return {
        "temperature": round(temp, 4),
        "calibration": {"patches": int(len(yc)), "top1": round(float((bc == yc).mean()), 4)},
        "test": {"patches": int(len(yt)), "cardPatches": int((yt != NONE).sum()), "top1": round(float((bt == yt).mean()), 4),
                 "top1Cards": round(float((bt == yt)[yt != NONE].mean()), 4),
                 "top1Covered": round(float((bt[covered] == yt[covered]).mean()), 4) if covered.any() else None,
                 "coveredPatches": int(covered.sum()),
                 "notReadableRecall": round(float((bt[yt == NONE] == NONE).mean()), 4) if (yt == NONE).any() else None,
                 "ece": round(ece(pt, yt), 4), "eceUncalibrated": round(ece(softmax(zt), yt), 4),
                 "single": stats(pt, yt, single), "pair": stats(pt, yt, pair),
                 "singleCovered": stats(pt[covered], yt[covered], single) if covered.any() else None},
        "reliability": reliability(pt, yt),
        "thresholds": {"threshold": pair, "singleThreshold": single},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("out")
    ap.add_argument("cal")
    ap.add_argument("test")
    ap.add_argument("--pair-rate", type=float, default=0.005)
    ap.add_argument("--budget", type=float, default=1e-4, help="the error budget stated beside the figures: wrong reads per read")
    ap.add_argument("--json")
    ap.add_argument("--baseline", help="another checkpoint (the generic reader, or the reader shipped before) measured the same way on the same patches")
    a = ap.parse_args()
    net = ReaderNet()
    state = torch.load(a.ckpt)
    net.load_state_dict(state["ema"])
    net.eval()
    xc, yc, _ = load(a.cal)
    xt, yt, cover = load(a.test)
    m = measure(net, xc, yc, xt, yt, cover, a.pair_rate)
    report = {"trainedHours": round(state.get("trained_s", 0) / 3600, 3), "steps": state.get("step"), **m,
              "budget": {"wrongPerRead": a.budget, "readsToShowIt": int(np.ceil(3 / a.budget)),
                         "note": "zero wrong in n reads bounds the error rate at 3/n (95 %, rule of three)"}}
    if a.baseline:
        base = ReaderNet()
        bstate = torch.load(a.baseline)
        base.load_state_dict(bstate["ema"])
        b = measure(base, xc, yc, xt, yt, cover, a.pair_rate)
        report["baseline"] = {"checkpoint": a.baseline, "trainedHours": round(bstate.get("trained_s", 0) / 3600, 3), "top1": b["test"]["top1"], **b}
    torch.onnx.export(Calibrated(net, m["temperature"]), torch.zeros(1, 3, 48, 32), a.out, input_names=["corner"], output_names=["logits"],
                      dynamic_axes={"corner": {0: "corners"}, "logits": {0: "corners"}}, opset_version=13)
    text = json.dumps(report, indent=2)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
