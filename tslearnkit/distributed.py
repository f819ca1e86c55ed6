"""Chapter 8's global model trained with DistributedDataParallel (DDP), alone or under ``torchrun``.

Run it as one process, or as N processes launched by ``torchrun``::

    python -m tslearnkit.distributed --epochs 5 --seed 0 --out runs/one
    torchrun --standalone --nproc-per-node 2 -m tslearnkit.distributed --epochs 5 --seed 0 --out runs/two

Both write ``DIR/model.pt`` (read it with :func:`tslearnkit.training.load_checkpoint`) and
``DIR/history.json``; for the same arguments the weights are the same whatever the number of
processes, up to the order in which floating-point gradients are summed. That rounding (about
1e-8) stays that small for the first hundred or so steps; but the pinball loss and ReLU have
kinks, so once a rounding difference tips one error across a kink the gradients jump and Adam
carries the difference on: after two full epochs (582 steps) on one process and on two, the
weights differ by up to 0.3 (median 3e-4) while the losses agree to about 1e-5. The same can
happen wherever floating-point sums are ordered differently: between machines, between GPU
kernels, or between thread counts where a kernel splits its sums by thread.

Why the weights do not depend on the number of processes
--------------------------------------------------------
The global batch of ``B`` windows is split evenly across the ``N`` processes (ranks): each rank's
``DataLoader`` takes ``B // N`` windows, so ``B`` must be divisible by ``N`` (otherwise the ranks'
batches would not add up to the single process's batch and the update would change with ``N``).
Every rank builds a ``DistributedSampler`` with the same ``seed``: in each epoch
(``set_epoch(epoch)``) all ranks draw the *same* permutation of the windows, cut it to a multiple
of ``N`` (``drop_last=True``), and rank ``r`` takes positions ``r, r + N, r + 2N, ...``. The
``k``-th batch of rank ``r`` therefore holds positions ``k*B + r + N*j`` for ``j < B // N``, and
the union of the ranks' ``k``-th batches is exactly positions ``k*B ... k*B + B - 1``: the
single process's ``k``-th batch (the single process uses the same sampler with ``N = 1``). Each
rank's loss is the mean over its ``B // N`` windows; DDP all-reduces the gradients and divides by
``N``, so the gradient every rank applies is the mean over all ``B`` windows — the single
process's gradient. Every rank starts from the same weights (``seed_everything(seed)`` before the
model is built; DDP also broadcasts rank 0's weights) and takes the same Adam step, so the weights
stay identical on all ranks and equal to the single process's. Only the order of the sums differs.

Several GPUs, several machines
------------------------------
On GPUs the code is the same with the ``nccl`` backend (chosen when CUDA is available): one
process per GPU, each pinned to its GPU by ``LOCAL_RANK`` (``torch.cuda.set_device``), which
``torchrun`` sets. On several machines, start the same command on each, naming a rendezvous
point::

    torchrun --nnodes M --nproc-per-node N --rdzv-backend c10d --rdzv-endpoint HOST:PORT \\
        -m tslearnkit.distributed --epochs 5 --seed 0 --out runs/big

Global rank 0 writes the files. PyTorch Lightning (``strategy="ddp"``), Ray Train
(``TorchTrainer``) and Hugging Face Accelerate wrap this same engine — process groups,
``DistributedSampler`` and DDP — and launch the processes for you.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from ._validation import check_int

__all__ = [
    "HORIZON",
    "INPUT_LENGTH",
    "QUANTILES",
    "Launch",
    "check_args",
    "launch_from_env",
    "main",
    "make_loader",
    "prepare_out",
    "tourism_data",
    "train",
]

QUANTILES = (0.025, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.975)
INPUT_LENGTH = 24
HORIZON = 24
HIDDEN_SIZE = 128
NUM_LAYERS = 2
LAUNCH_HINT = "torchrun --standalone --nproc-per-node N -m tslearnkit.distributed ..."


@dataclass(frozen=True)
class Launch:
    """Where this process stands: its global ``rank``, the ``world_size``, its ``local_rank`` on
    its machine, and whether ``torchrun`` started it (``distributed``)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    distributed: bool = False


def launch_from_env(environ=None) -> Launch:
    """Read the launch from ``torchrun``'s environment variables; none set means one process.

    Raises
    ------
    SystemExit
        If ``WORLD_SIZE`` is set without ``RANK``, ``MASTER_ADDR`` or ``MASTER_PORT`` (a wrong
        launch), with a message saying to use ``torchrun``.
    """
    environ = os.environ if environ is None else environ
    if not hasattr(environ, "get") or not hasattr(environ, "__contains__"):
        raise TypeError(
            f"environ must be a mapping such as os.environ, got {type(environ).__name__}"
        )
    if "WORLD_SIZE" not in environ:
        return Launch()
    missing = [k for k in ("RANK", "MASTER_ADDR", "MASTER_PORT") if k not in environ]
    if missing:
        raise SystemExit(
            f"WORLD_SIZE is set but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            f"not: launch several processes with `{LAUNCH_HINT}`, or unset WORLD_SIZE to train "
            "in one process"
        )
    try:
        world, rank = int(environ["WORLD_SIZE"]), int(environ["RANK"])
        local_rank = int(environ.get("LOCAL_RANK", 0))
    except ValueError as err:
        raise SystemExit(f"bad torchrun environment ({err}); launch with `{LAUNCH_HINT}`")
    if world < 1 or not 0 <= rank < world:
        raise SystemExit(f"bad torchrun environment: RANK={rank}, WORLD_SIZE={world}")
    return Launch(rank, world, local_rank, distributed=True)


def check_args(epochs, global_batch, world_size: int = 1) -> int:
    """Check the training arguments; return the per-rank batch size ``global_batch // world_size``.

    Raises
    ------
    ValueError
        Naming ``--epochs`` (not a positive integer) or ``--global-batch`` (not a positive
        integer, or not divisible by the number of processes).

    Examples
    --------
    >>> check_args(3, 256, world_size=2)
    128
    """
    try:
        check_int(epochs, "--epochs", minimum=1)
        check_int(global_batch, "--global-batch", minimum=1)
        check_int(world_size, "world_size", minimum=1)
    except TypeError as err:
        raise ValueError(str(err)) from None
    if global_batch % world_size:
        raise ValueError(
            f"--global-batch {global_batch} is not divisible by the {world_size} processes: each "
            "process must take an equal share of every batch for the update not to depend on the "
            f"number of processes (try {global_batch - global_batch % world_size})"
        )
    return global_batch // world_size


def prepare_out(out) -> Path:
    """Create the folder ``out`` if needed and check that files can be written in it.

    Raises
    ------
    ValueError
        Naming ``--out``, if it cannot be created or written.
    """
    if not isinstance(out, (str, Path)) or str(out) == "":
        raise ValueError(f"--out must name a folder, got {out!r}")
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"--out {str(out)!r} cannot be created or written: {err}") from None
    return path


def tourism_data(series: int | None = None):
    """Chapter 8's data: training windows and the validation windows of Tourism monthly.

    Each history minus its last ``HORIZON`` values gives the training windows
    (:func:`~tslearnkit.preprocessing.global_windows`); those last values are the validation
    target, forecast from the ``INPUT_LENGTH`` values before them
    (:func:`~tslearnkit.preprocessing.last_windows`), scaled the same way.

    Parameters
    ----------
    series : int >= 1, optional
        Use only the first ``series`` series (default all 366).

    Returns
    -------
    train : TensorDataset of ``(X, Y)``, ``(N, INPUT_LENGTH)`` and ``(N, HORIZON)``
    val_x, val_y : tensors ``(S, INPUT_LENGTH)`` and ``(S, HORIZON)``
    """
    from .datasets import load_tourism
    from .preprocessing import global_windows, last_windows

    histories, _ = load_tourism("monthly")
    if series is not None:
        series = check_int(series, "--series", minimum=1)
        if series > len(histories):
            raise ValueError(
                f"--series must be at most {len(histories)} (all series), got {series}"
            )
        histories = histories[:series]
    fit_part = [h[:-HORIZON] for h in histories]
    X, Y, _, _ = global_windows(fit_part, INPUT_LENGTH, HORIZON)
    val_x, scale = last_windows(fit_part, INPUT_LENGTH)
    targets = np.stack([h[-HORIZON:] for h in histories])  # (S, HORIZON)
    val_y = torch.tensor(targets, dtype=torch.float32) / scale[:, None]
    return TensorDataset(X, Y), val_x, val_y


def make_loader(dataset, batch_size: int, launch: Launch, seed: int) -> DataLoader:
    """This rank's loader: a shuffling ``DistributedSampler`` (also for one process) and
    ``batch_size`` windows a batch, incomplete batches dropped."""
    if not isinstance(launch, Launch):
        raise TypeError(
            f"launch must be a Launch (see launch_from_env), got {type(launch).__name__}"
        )
    if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
        raise TypeError(f"dataset must be a map-style Dataset, got {type(dataset).__name__}")
    check_int(batch_size, "batch_size", minimum=1)
    check_int(seed, "seed", minimum=0)
    if not 0 <= launch.rank < launch.world_size:
        raise ValueError(f"launch.rank must be in 0..{launch.world_size - 1}, got {launch.rank}")
    sampler = DistributedSampler(
        dataset,
        num_replicas=launch.world_size,
        rank=launch.rank,
        shuffle=True,
        seed=seed,
        drop_last=True,
    )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)


def _device(launch: Launch) -> torch.device:
    if torch.cuda.is_available():
        device = torch.device("cuda", launch.local_rank)
        torch.cuda.set_device(device)
        return device
    return torch.device("cpu")


def train(
    launch: Launch,
    *,
    epochs: int,
    seed: int,
    global_batch: int = 256,
    lr: float = 1e-3,
    series: int | None = None,
    hidden_size: int = HIDDEN_SIZE,
    num_layers: int = NUM_LAYERS,
    device=None,
    on_epoch=None,
):
    """Train the global quantile model on this rank; return ``(model, history)``.

    Call it in every process, after ``init_process_group`` when ``launch.world_size > 1``. The
    model returned is the plain module (not the DDP wrapper), identical on every rank.
    ``num_layers=0`` gives the linear twin: the same quantile head on the scaled inputs, with no
    hidden layer. ``on_epoch(epoch, model)``, if given, is called on rank 0 after each epoch with
    the model in eval mode (e.g. to keep each epoch's forecasts and choose the epoch on
    validation).
    """
    from .models import GlobalQuantileForecaster, QuantileLoss
    from .utils import seed_everything

    start = time.perf_counter()
    if not isinstance(launch, Launch):
        raise TypeError(
            f"launch must be a Launch (see launch_from_env), got {type(launch).__name__}"
        )
    batch_size = check_args(epochs, global_batch, launch.world_size)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(
            f"on_epoch must be a function (epoch, model), got {type(on_epoch).__name__}"
        )
    if device is not None:
        from .training import _as_device

        device = _as_device(device)
    else:
        device = _device(launch)
    data, val_x, val_y = tourism_data(series)
    loader = make_loader(data, batch_size, launch, seed)
    if len(loader) == 0:
        raise ValueError(
            f"--global-batch {global_batch} is larger than the {len(data)} training windows"
        )
    seed_everything(seed)  # the same initial weights on every rank
    model = GlobalQuantileForecaster(
        INPUT_LENGTH, HORIZON, QUANTILES, hidden_size=hidden_size, num_layers=num_layers
    ).to(device)
    net = model
    if launch.world_size > 1:
        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    loss_fn = QuantileLoss(QUANTILES).to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    val_x, val_y = val_x.to(device), val_y.to(device)
    history = {"epochs": [], "train_loss": [], "val_loss": [], "epoch_time": []}
    for epoch in range(1, epochs + 1):
        began = time.perf_counter()
        loader.sampler.set_epoch(epoch)
        net.train()
        sums = torch.zeros(2, dtype=torch.float64, device=device)  # loss * windows, windows
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)  # mean over this rank's share of the batch
            loss.backward()  # DDP averages the gradients over the ranks here
            optimizer.step()
            sums += torch.stack([loss.detach().double() * len(x), sums.new_tensor(len(x))])
        if launch.world_size > 1:
            dist.all_reduce(sums)  # every window of the epoch, over all ranks
        model.eval()
        with torch.no_grad():  # every rank holds the same weights: no communication needed
            val = loss_fn(model(val_x), val_y).item()
        history["epochs"].append(epoch)
        history["train_loss"].append((sums[0] / sums[1]).item())
        history["val_loss"].append(val)
        history["epoch_time"].append(time.perf_counter() - began)
        if on_epoch is not None and launch.rank == 0:
            on_epoch(epoch, model)
    history.update(
        world_size=launch.world_size,
        seconds=time.perf_counter() - start,
        seed=seed,
        global_batch=global_batch,
        lr=lr,
        hidden_size=hidden_size,
        num_layers=num_layers,
        series=len(val_x),
        windows=len(data),
        device=str(device),
    )
    return model.cpu(), history


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tslearnkit.distributed",
        description="Train chapter 8's global quantile model on Tourism monthly with DDP, in one "
        f"process or several (`{LAUNCH_HINT}`); write OUT/model.pt and OUT/history.json.",
    )
    parser.add_argument("--epochs", type=int, required=True, help="epochs to train (> 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffling")
    parser.add_argument("--out", required=True, help="folder for model.pt and history.json")
    parser.add_argument("--global-batch", type=int, default=256, help="windows per step, all ranks")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate")
    parser.add_argument("--series", type=int, default=None, help="use only the first N series")
    parser.add_argument("--hidden-size", type=int, default=HIDDEN_SIZE)
    return parser


def main(argv=None) -> dict | None:
    """The command line; returns the history on rank 0 (None on the other ranks)."""
    from .training import save_checkpoint

    parser = _parser()
    args = parser.parse_args(argv)
    launch = launch_from_env()
    try:
        check_args(args.epochs, args.global_batch, launch.world_size)
        if not args.lr > 0:
            raise ValueError(f"--lr must be positive, got {args.lr}")
        for name in ("series", "hidden_size", "seed"):
            value = getattr(args, name)
            if value is not None:
                check_int(value, "--" + name.replace("_", "-"), minimum=0 if name == "seed" else 1)
        # Every rank checks the folder (on one machine they agree and all stop at once, before
        # any process waits for another); only rank 0 writes in it.
        out = prepare_out(args.out)
    except ValueError as err:
        parser.error(str(err))
    if launch.distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    try:
        model, history = train(
            launch,
            epochs=args.epochs,
            seed=args.seed,
            global_batch=args.global_batch,
            lr=args.lr,
            series=args.series,
            hidden_size=args.hidden_size,
        )
        if launch.rank == 0:
            save_checkpoint(model, out / "model.pt")
            (out / "history.json").write_text(json.dumps(history, indent=2) + "\n")
            print(
                f"world size {launch.world_size}: {args.epochs} epochs in "
                f"{history['seconds']:.1f} s, train loss {history['train_loss'][-1]:.4f}, "
                f"val loss {history['val_loss'][-1]:.4f}; wrote {out / 'model.pt'}",
                file=sys.stderr,
            )
        if launch.distributed:  # nobody leaves before the files are written
            cuda = dist.get_backend() == "nccl"
            dist.barrier(device_ids=[launch.local_rank] if cuda else None)
    finally:
        if launch.distributed and dist.is_initialized():
            dist.destroy_process_group()
    return history if launch.rank == 0 else None


if __name__ == "__main__":
    main()
