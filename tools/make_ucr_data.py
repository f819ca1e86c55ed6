"""Rebuild tslearnkit/data/ucr_*.npz from the UCR archive's .ts files, as bundled by aeon 1.6.0.

    python tools/make_ucr_data.py PATH/TO/aeon/datasets/data

For each data set, the train and test files are read (train first), the class labels are renamed
0..k-1 in their numeric order, series of different lengths are padded at the end with NaN, and
``X`` (float64) and ``y`` (int64) are written with ``numpy.savez_compressed``. Print the SHA-256
of each file for ``tslearnkit.datasets.CHECKSUMS``.
"""

import hashlib
import sys
from pathlib import Path

import numpy as np

NAMES = ["ArrowHead", "GunPoint", "ItalyPowerDemand", "PickupGestureWiimoteZ"]


def read_ts(path):
    """Series and labels of a univariate .ts file (sktime/aeon's text format)."""
    series, labels, in_data = [], [], False
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower().startswith("@data")
            continue
        values, label = line.rsplit(":", 1)
        series.append(
            np.array([float(v) if v not in ("?", "NaN") else np.nan for v in values.split(",")])
        )
        labels.append(label)
    return series, labels


def main(source):
    out = Path(__file__).resolve().parents[1] / "tslearnkit" / "data"
    for name in NAMES:
        series, labels = [], []
        for part in ("TRAIN", "TEST"):
            s, lab = read_ts(Path(source) / name / f"{name}_{part}.ts")
            series += s
            labels += lab
        classes = sorted(set(labels), key=float)
        y = np.array([classes.index(c) for c in labels], dtype=np.int64)
        X = np.full((len(series), max(map(len, series))), np.nan)
        for i, s in enumerate(series):
            X[i, : len(s)] = s
        path = out / f"ucr_{name}.npz"
        np.savez_compressed(path, X=X, y=y)
        print(f'"{path.name}": "{hashlib.sha256(path.read_bytes()).hexdigest()}",')


if __name__ == "__main__":
    main(sys.argv[1])
