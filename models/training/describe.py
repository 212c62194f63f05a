"""Writes models/cards.json, the machine-readable half of the model card: for the detector and
the reader, each file's sha256 (the appliance refuses a model that does not match), the reader's
input/output names, classes in output order and abstain threshold (checked against the
validation patches, through OpenCV's DNN: a second runtime reading the export), and the
detector's peak thresholds.

usage: describe.py DETECTOR.onnx READER.onnx OUT.json VAL.npz [CORNER_THRESHOLD BACK_THRESHOLD [THRESHOLD SINGLE_THRESHOLD]]

THRESHOLD and SINGLE_THRESHOLD (a card seen by one index only) are chosen on whole validation
scenes of the training families through the appliance's pipeline (models/README.md, "Choosing
the thresholds"); without them the reader's threshold is the lowest with no wrong validation patch.
"""
import hashlib
import json
import os
import sys

import cv2
import numpy as np
import onnx

import scenes as S

DEFAULT_THRESHOLD = 0.9
CLASSES = S.CARDS + [S.NONE]


def checked(path: str) -> bytes:
    data = open(path, "rb").read()
    onnx.checker.check_model(onnx.load_from_string(data))
    return data


def main():
    det_path, reader_path, out, val = sys.argv[1:5]
    corner_t = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    back_t = float(sys.argv[6]) if len(sys.argv) > 6 else 0.4
    det, reader = checked(det_path), checked(reader_path)
    net = cv2.dnn.readNetFromONNX(reader_path)
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
    says_card = best < len(S.CARDS)
    # Raise the threshold until no wrong card on the validation set is above it.
    threshold = DEFAULT_THRESHOLD
    wrong = conf[says_card & (best != y)]
    if len(wrong) and wrong.max() >= threshold:
        threshold = float(min(0.995, np.ceil(wrong.max() * 1000) / 1000 + 0.001))
    single = threshold
    if len(sys.argv) > 8:
        threshold, single = float(sys.argv[7]), float(sys.argv[8])
    answered = (conf >= threshold) & says_card
    model = onnx.load_from_string(reader)
    spec = {
        "detector": {
            "model": os.path.basename(det_path),
            "sha256": hashlib.sha256(det).hexdigest(),
            "inputSpec": "1 x 3 x 352 x 640 float32, BGR 0..1: the frame scaled to 640 wide, height cropped or padded to 352, centred",
            "cornerThreshold": corner_t,
            "backThreshold": back_t,
        },
        "reader": {
            "model": os.path.basename(reader_path),
            "sha256": hashlib.sha256(reader).hexdigest(),
            "input": model.graph.input[0].name,
            "output": model.graph.output[0].name,
            "inputSpec": "N x 3 x 48 x 32 float32, BGR 0..1: one index corner cut upright at full resolution (corner-patch.ts)",
            "classes": CLASSES,
            "threshold": threshold,
            "singleThreshold": single,
            "validation": {
                "patches": int(len(y)),
                "accuracy": round(float((best == y).mean()), 5),
                "cardsAnsweredAtThreshold": round(float(answered[y < len(S.CARDS)].mean()), 5),
                "wrongCardsAtThreshold": int(((best != y) & answered).sum()),
            },
        },
    }
    with open(out, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(json.dumps(spec["reader"]["validation"]), "threshold", threshold, "sizes", len(det), len(reader), "bytes")


if __name__ == "__main__":
    main()
