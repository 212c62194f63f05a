"""Writes models/cards.json, the machine-readable half of the model card: the file's sha256 (the
appliance refuses a model that does not match), input/output names, classes in output order,
and the abstain threshold, checked against the validation set.

usage: describe.py MODEL.onnx OUT.json VAL.npz
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import cv2  # noqa: F401  (opencv's dnn reads the exported ONNX, a second runtime checking the export)

import scenes as S

DEFAULT_THRESHOLD = 0.9


def main():
    model_path, out, val = sys.argv[1:4]
    data = open(model_path, "rb").read()
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model)
    net = cv2.dnn.readNetFromONNX(model_path)
    d = np.load(val)
    x = d["x"].astype(np.float32).transpose(0, 3, 1, 2) / 255
    y = d["y"]
    probs = []
    for i in range(0, len(x), 256):
        net.setInput(x[i:i + 256])
        logits = net.forward()
        e = np.exp(logits - logits.max(1, keepdims=True))
        probs.append(e / e.sum(1, keepdims=True))
    p = np.concatenate(probs)
    best, conf = p.argmax(1), p.max(1)
    threshold = DEFAULT_THRESHOLD
    # A wrong answer is a card (or XX) that is not the truth; "--" (not readable) is an abstain.
    says_card = best < S.CLASSES.index(S.NONE)
    # Raise the threshold until no wrong card on the validation set is above it.
    wrong = conf[says_card & (best != y)]
    if len(wrong) and wrong.max() >= threshold:
        threshold = float(min(0.995, np.ceil(wrong.max() * 1000) / 1000 + 0.001))
    answered = (conf >= threshold) & says_card
    spec = {
        "model": os.path.basename(model_path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "input": model.graph.input[0].name,
        "output": model.graph.output[0].name,
        "inputSpec": "N x 3 x 64 x 64 float32, BGR scaled to 0..1: the card warped upright to 112x160, its top-left 32x64 corner and its bottom-right 32x64 corner turned 180 degrees, side by side",
        "classes": S.CLASSES,
        "threshold": threshold,
        "validation": {
            "crops": int(len(y)),
            "accuracy": round(float((best == y).mean()), 5),
            "answeredAtThreshold": round(float(answered.mean()), 5),
            "wrongCardsAtThreshold": int(((best != y) & answered).sum()),
        },
    }
    with open(out, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(json.dumps(spec["validation"]), "threshold", threshold, "size", len(data), "bytes")


if __name__ == "__main__":
    main()
