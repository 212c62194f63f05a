"""Trains the corner reader on camera-model patches (camera_patches.py) as they are rendered:
no label smoothing (its ceiling on confidence is what kept single indices unread), partly
covered indices labelled as their card, "--" for the unreadable rest.

usage: train_camera_reader.py SHARDS_DIR VAL_DIR CHECKPOINT [--init ONNX|PT | --continue PT] [--hours H] [--lr LR] [--reuse R]

Reads every shard in SHARDS_DIR (new ones as the renderers write them; the newest MAX_SHARDS in
memory), trains until STOP_FILE (CHECKPOINT + ".stop") appears or --hours have passed, and every
few minutes checkpoints (model, its running average, optimiser, seconds trained) and keeps the
average with the best top-1 on VAL_DIR (patches of the training families from other seeds) as
CHECKPOINT + ".best". Resumes from CHECKPOINT. --init starts a fresh run from a reader: an ONNX
export (its batch norms were folded into the convolutions at export: they are unfolded here so
that the network is the same and trains as before) or a torch checkpoint (an enrolled deck's
fine-tune starts from the generic reader's). --continue PT: a new run from a shipped checkpoint's
average (models/corner-reader.pt), its steps and seconds trained carried on, a fresh optimiser.

--reuse R: the trainer waits for the renderers once it has drawn R times as many patches as have
been rendered (2 by default). On a starved CPU the renderers fall behind, and a reader that
loops over a few shards learns them by heart: the last session's run went from 78.5 % to 74.6 %
validation top-1 in 470 steps on one shard (2,048 patches, 15 passes), its loss falling to 0.12.
"""
from __future__ import annotations

import argparse
import copy
import glob
import os
import signal
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from train_reader import ReaderNet

torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "1")))
MAX_SHARDS = 120
PER_SHARD = 2048  # camera_patches.py's default shard
EVAL_EVERY_S = 600


def load_shard(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    d = np.load(path)
    return torch.from_numpy(d["x"]).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(d["y"].astype(np.int64))


def load_dir(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    parts = [load_shard(p) for p in sorted(glob.glob(os.path.join(path, "shard-*.npz")))]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def from_onnx(path: str, sample: torch.Tensor) -> ReaderNet:
    """A ReaderNet that computes what the ONNX export computes: each folded conv's weights in the
    conv, and a batch norm that gives back the conv's output plus its bias (its running statistics
    measured on `sample`, its scale and shift set to undo them), so training resumes smoothly."""
    m = onnx.load(path)
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    net = ReaderNet()
    net.eval()
    x = sample
    with torch.no_grad():
        for blk, node in zip(net.features, convs):
            conv, bn = blk[0], blk[1]
            w, b = init[node.input[1]], init[node.input[2]]
            conv.weight.copy_(w)
            y = conv(x)
            mean, var = y.mean((0, 2, 3)), y.var((0, 2, 3))
            bn.running_mean.copy_(mean), bn.running_var.copy_(var)
            bn.weight.copy_(torch.sqrt(var + bn.eps)), bn.bias.copy_(mean + b)
            x = blk(x)
        net.head[2].weight.copy_(init["head.2.weight"]), net.head[2].bias.copy_(init["head.2.bias"])
        net.head[4].weight.copy_(init["head.4.weight"]), net.head[4].bias.copy_(init["head.4.bias"])
    return net


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1024].float() / 255).argmax(1) for i in range(0, len(x), 1024)])
    return float((pred == y).float().mean())


def light_augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """The camera model already varies light and colour; this only adds monochrome cameras."""
    x = x.float() / 255
    gray = torch.rand(x.shape[0], generator=g) < 0.05
    return torch.where(gray[:, None, None, None], x.mean(1, keepdim=True).expand_as(x), x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shards")
    ap.add_argument("val")
    ap.add_argument("ckpt")
    ap.add_argument("--init")
    ap.add_argument("--continue", dest="cont", help="a shipped checkpoint (corner-reader.pt) to continue from")
    ap.add_argument("--reuse", type=float, default=2.0, help="patches drawn per patch rendered before waiting for more")
    ap.add_argument("--hours", type=float, default=100.0)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eval-every", type=float, default=EVAL_EVERY_S, help="seconds between checkpoints")
    ap.add_argument("--val-max", type=int, default=1024, help="validation patches scored at each checkpoint (a starved CPU)")
    a = ap.parse_args()
    xv, yv = load_dir(a.val)
    keep = torch.randperm(len(yv), generator=torch.Generator().manual_seed(5))[:a.val_max]
    xv, yv = xv[keep], yv[keep]
    g = torch.Generator().manual_seed(int(time.time()))
    state = torch.load(a.ckpt) if os.path.exists(a.ckpt) else None
    if state:
        model = ReaderNet()
        model.load_state_dict(state["model"])
    elif a.cont:
        shipped = torch.load(a.cont)
        model = ReaderNet()
        model.load_state_dict(shipped["ema"])
    elif a.init and a.init.endswith(".onnx"):
        model = from_onnx(a.init, xv[:2048].float() / 255)
        print(f"from {a.init}: val top-1 {accuracy(model, xv, yv):.4f}", flush=True)
    else:
        model = ReaderNet()
        if a.init:
            model.load_state_dict(torch.load(a.init)["ema"])
    ema = copy.deepcopy(model)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    trained_s, step, best = 0.0, 0, -1.0
    if a.cont and not state:
        trained_s, step = float(shipped.get("trained_s", 0.0)), int(shipped.get("step", 0))
        best = accuracy(ema, xv, yv)
        print(f"continuing {a.cont}: step {step}, {trained_s / 3600:.2f} h trained, val top-1 {best:.4f}", flush=True)
    if state:
        ema.load_state_dict(state["ema"]), opt.load_state_dict(state["opt"])
        trained_s, step, best = state["trained_s"], state["step"], state["best"]
        print(f"resumed at step {step}, {trained_s / 3600:.2f} h trained, best val {best:.4f}", flush=True)
    loss_fn = nn.CrossEntropyLoss()
    loaded: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    rendered: set[str] = set()  # every shard ever loaded: the patches there are to draw from
    drawn = 0
    x = y = None
    t_eval = time.time()
    t_start = time.time()
    stop = a.ckpt + ".stop"
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))  # killed: checkpoint first, like the stop file
    while not stopping and not os.path.exists(stop) and time.time() - t_start < a.hours * 3600:
        starved = x is not None and drawn >= a.reuse * PER_SHARD * len(rendered)
        if x is None or step % 200 == 0 or starved:  # pick up new shards
            paths = sorted(glob.glob(os.path.join(a.shards, "shard-*.npz")), key=os.path.getmtime)[-MAX_SHARDS:]
            if set(paths) != set(loaded):
                loaded = {p: loaded.get(p) or load_shard(p) for p in paths}
                rendered |= set(paths)
                x = torch.cat([v[0] for v in loaded.values()])
                y = torch.cat([v[1] for v in loaded.values()])
            if x is None or drawn >= a.reuse * PER_SHARD * len(rendered):
                time.sleep(20)  # the renderers have the CPU meanwhile
                continue
        t0 = time.time()
        model.train()
        idx = torch.randint(len(y), (a.batch,), generator=g)
        drawn += a.batch
        lr = a.lr * min(1.0, (step + 1) / 200)
        for group in opt.param_groups:
            group["lr"] = lr
        loss = loss_fn(model(light_augment(x[idx], g)), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            d = min(0.998, (1 + step) / (10 + step))
            for pe, pm in zip(ema.state_dict().values(), model.state_dict().values()):
                if pe.dtype.is_floating_point:
                    pe.mul_(d).add_(pm.detach(), alpha=1 - d)
                else:
                    pe.copy_(pm)
        step += 1
        trained_s += time.time() - t0
        if time.time() - t_eval > a.eval_every:
            t_eval = time.time()
            best = checkpoint(a.ckpt, model, ema, opt, step, trained_s, best, xv, yv, float(loss), len(y))
    if step > 0 or not os.path.exists(a.ckpt + ".best"):  # stopped: keep what was trained since the last checkpoint
        checkpoint(a.ckpt, model, ema, opt, step, trained_s, best, xv, yv, float("nan"), 0 if y is None else len(y))
    print("stopped", flush=True)


def checkpoint(path: str, model: nn.Module, ema: nn.Module, opt: torch.optim.Optimizer, step: int, trained_s: float, best: float,
               xv: torch.Tensor, yv: torch.Tensor, loss: float, patches: int) -> float:
    """Saves the run (to resume) and, when its running average scores best on VAL, that average."""
    acc = accuracy(ema, xv, yv)
    if acc > best:
        best = acc
        torch.save({"ema": ema.state_dict(), "step": step, "trained_s": trained_s, "val": acc}, path + ".best")
    torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "step": step,
                "trained_s": trained_s, "best": best}, path + ".tmp")
    os.replace(path + ".tmp", path)
    print(f"step {step} patches {patches} loss {loss:.4f} val top-1 {acc:.4f} (best {best:.4f}) {trained_s / 3600:.2f} h", flush=True)
    return best


if __name__ == "__main__":
    main()
