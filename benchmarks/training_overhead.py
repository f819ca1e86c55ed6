"""Overhead of `tslearnkit.training.fit` against a hand-written training loop on the same model
and data, both timed in one run (interleaved repeats, best of each), and the ratio printed.

Run: .venv/bin/python benchmarks/training_overhead.py [--device cpu|cuda] [--threads N]
"""

import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from tslearnkit.models import RNNForecaster
from tslearnkit.preprocessing import WindowDataset
from tslearnkit.training import fit


def hand_loop(model, train_loader, val_loader, epochs, lr, device):
    """The loop a reader would write: Adam, MSE, a validation pass per epoch."""
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    for _ in range(epochs):
        model.train()
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            loss.item()
        model.eval()
        with torch.no_grad():
            for x, y in val_loader:
                loss_fn(model(x.to(device)), y.to(device)).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    t = np.arange(3000, dtype=np.float32)
    series = np.sin(2 * np.pi * t / 50) + 0.1 * np.random.default_rng(0).standard_normal(
        t.size
    ).astype(np.float32)
    train = DataLoader(WindowDataset(series[:2400], 48), batch_size=64, shuffle=True)
    val = DataLoader(WindowDataset(series[2400:], 48), batch_size=256)
    times = {"hand-written loop": [], "tslearnkit.fit": []}
    for _ in range(args.repeats):  # interleave, so drift in machine speed hits both
        for name in times:
            torch.manual_seed(0)
            model = RNNForecaster(1, 32)
            start = time.perf_counter()
            if name == "tslearnkit.fit":
                fit(
                    model,
                    train,
                    val,
                    epochs=args.epochs,
                    lr=1e-3,
                    device=args.device,
                    progress=False,
                )
            else:
                hand_loop(model, train, val, args.epochs, 1e-3, args.device)
            if args.device == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    base = min(times["hand-written loop"])
    print(
        f"device {args.device}, torch threads {torch.get_num_threads()}, {args.epochs} epochs, "
        f"best of {args.repeats}"
    )
    for name, values in times.items():
        print(f"{name:20s} {min(values):7.3f} s   ratio {min(values) / base:5.3f}")


if __name__ == "__main__":
    main()
