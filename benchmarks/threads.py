"""Seconds per training epoch of the book's small recurrent forecasters with 1 and with 2 torch
CPU threads, in one run, to choose `torch.set_num_threads` for the chapters.

Run: .venv/bin/python benchmarks/threads.py
"""

import time

import numpy as np
import torch
from torch.utils.data import DataLoader

from tslearnkit.models import RNNForecaster
from tslearnkit.preprocessing import WindowDataset
from tslearnkit.training import fit

SIZES = [  # (cell, hidden_size, num_layers, input_length, batch_size): the chapters' range
    ("lstm", 32, 1, 24, 32),
    ("lstm", 64, 1, 28, 64),
    ("gru", 64, 2, 28, 64),
    ("lstm", 128, 2, 56, 64),
]


def seconds_per_epoch(cell, hidden, layers, length, batch, threads, epochs=3):
    torch.set_num_threads(threads)
    series = np.sin(np.arange(1200, dtype=np.float32) / 10)
    loader = DataLoader(WindowDataset(series, length), batch_size=batch, shuffle=True)
    torch.manual_seed(0)
    model = RNNForecaster(1, hidden, num_layers=layers, cell=cell)
    fit(model, loader, epochs=1, device="cpu", progress=False)  # warm-up
    start = time.perf_counter()
    fit(model, loader, epochs=epochs, device="cpu", progress=False)
    return (time.perf_counter() - start) / epochs


def main():
    print(f"{'model':28s} {'1 thread s':>10s} {'2 threads s':>11s} {'2 / 1':>6s}")
    for size in SIZES:
        one, two = [min(seconds_per_epoch(*size, threads=t) for _ in range(3)) for t in (1, 2)]
        cell, hidden, layers, length, batch = size
        name = f"{cell} H={hidden} layers={layers} L={length} B={batch}"
        print(f"{name:28s} {one:10.3f} {two:11.3f} {two / one:6.2f}")


if __name__ == "__main__":
    main()
