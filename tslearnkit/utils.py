"""Small helpers every chapter uses: pick the device, and seed everything for repeatable runs."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from ._validation import check_int

__all__ = ["get_device", "seed_everything"]


def get_device(prefer: str | None = None) -> torch.device:
    """The device to compute on: CUDA if available, else Apple's MPS, else the CPU.

    Parameters
    ----------
    prefer : {"cuda", "mps", "cpu"} or None
        Ask for one device; if it is not available, a ValueError says so. None picks the best.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> get_device("cpu")
    device(type='cpu')
    """
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if prefer is None:
        return torch.device(next(name for name, ok in available.items() if ok))
    if not isinstance(prefer, str):
        raise TypeError(f"prefer must be a string such as 'cuda' or 'cpu', got {type(prefer).__name__}")
    if prefer not in available:
        raise ValueError(f"prefer must be one of {sorted(available)} or None, got {prefer!r}")
    if not available[prefer]:
        raise ValueError(f"prefer={prefer!r} was asked for but this machine has no {prefer} device")
    return torch.device(prefer)


def seed_everything(seed: int, deterministic: bool = True) -> int:
    """Seed Python's, NumPy's and PyTorch's generators (CPU and every GPU) with one seed.

    Parameters
    ----------
    seed : int in [0, 2**32)
    deterministic : bool, default True
        Also ask PyTorch for deterministic algorithms (``warn_only``: an operation with no
        deterministic version warns rather than fails), turn off cuDNN's benchmark autotuner and
        set ``CUBLAS_WORKSPACE_CONFIG`` if unset, so that GPU runs repeat too.

    Returns
    -------
    int
        The seed, for logging.

    Examples
    --------
    >>> _ = seed_everything(0); a = torch.rand(1)
    >>> _ = seed_everything(0); bool(torch.equal(a, torch.rand(1)))
    True
    """
    seed = check_int(seed, "seed", minimum=0)
    if seed >= 2**32:
        raise ValueError(f"seed must be < 2**32, got {seed}")
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic must be True or False, got {deterministic!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this one's hashing is already set
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds every CUDA device too
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return seed
