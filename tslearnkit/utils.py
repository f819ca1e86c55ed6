"""Small helpers every chapter uses: pick the device, seed everything for repeatable runs, check
that the installed package is the one a chapter was written for, and glue the numbers the prose
quotes (without Sphinx, so that running a chapter needs only the light ``[notebooks]`` extra)."""

from __future__ import annotations

import os
import random
import re
import warnings

import numpy as np
import torch

from ._validation import check_int

__all__ = [
    "VersionMismatchWarning",
    "check_version",
    "get_device",
    "glue",
    "glue_values",
    "seed_everything",
]


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
        "mps": getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if prefer is None:
        return torch.device(next(name for name, ok in available.items() if ok))
    if not isinstance(prefer, str):
        raise TypeError(
            f"prefer must be a string such as 'cuda' or 'cpu', got {type(prefer).__name__}"
        )
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
        set ``CUBLAS_WORKSPACE_CONFIG`` if unset, so that GPU runs repeat too. These settings are
        process-wide: they stay on after the call, and ``deterministic=False`` turns them off.

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
    else:  # the setting is process-wide: turn off what an earlier call turned on
        torch.use_deterministic_algorithms(False)
        torch.backends.cudnn.deterministic = False
    return seed


class VersionMismatchWarning(UserWarning):
    """The installed tslearnkit is not the version a chapter was written for."""


def check_version(written_for: str) -> bool:
    """Say clearly if the installed tslearnkit differs from the version a chapter was written for.

    Every chapter calls this in its first cell. A chapter written for ``"0.1"`` runs with any
    0.1.x release; with another version its code may fail and its numbers may differ, and a
    :class:`VersionMismatchWarning` says which version to install.

    Parameters
    ----------
    written_for : str
        The release the chapter was written for, ``"MAJOR.MINOR"`` or ``"MAJOR.MINOR.PATCH"``.

    Returns
    -------
    bool
        True when the installed version matches.

    Examples
    --------
    >>> import tslearnkit
    >>> check_version(tslearnkit.__version__)
    True
    """
    from . import __version__

    if not isinstance(written_for, str):
        raise TypeError(
            f"written_for must be a version string such as '0.1', got {type(written_for).__name__}"
        )
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", written_for):
        raise ValueError(
            f"written_for must look like 'MAJOR.MINOR' or 'MAJOR.MINOR.PATCH', got {written_for!r}"
        )
    wanted = written_for.split(".")
    if __version__.split(".")[: len(wanted)] == wanted:
        return True
    pin = written_for if len(wanted) == 3 else f"{written_for}.*"
    warnings.warn(
        f"This chapter was written for tslearnkit {written_for}, but tslearnkit {__version__} is "
        f"installed: its code may fail and its numbers may differ from the book's. Install the "
        f'chapter\'s version with:  pip install "tslearnkit=={pin}"',
        VersionMismatchWarning,
        stacklevel=2,
    )
    return False


# The MIME prefix under which myst-nb stores a value glued with display=False (papermill's).
_GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value, display: bool = True) -> None:
    """Store ``value`` in the notebook's outputs under ``name``, for the prose to quote.

    The same output as ``myst_nb.glue`` (the book inserts it with ``{glue}`name```), made
    without importing myst-nb, whose Sphinx dependencies a reader running a chapter does not
    need. Chapters use it in hidden cells, through :func:`glue_values`.

    Parameters
    ----------
    name : str
        The key the prose refers to: letters, digits, ``_``, ``.`` and ``-``.
    value : object
        Anything IPython can display; numbers are formatted by the prose (``{glue:text}`key:.2f```).
        A NumPy scalar is glued as the Python number it holds, so that the prose can format it.
    display : bool, default True
        Also show the value in the cell's output.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if not re.fullmatch(r"[\w.-]+", name):
        raise ValueError(f"name must be made of letters, digits, '_', '.' and '-', got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {display!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipython_display

    if isinstance(value, np.generic):  # np.float64(0.4) -> 0.4: the prose formats plain numbers
        value = value.item()
    bundle, metadata = format_display_data(value)
    prefix = "" if display else _GLUE_PREFIX
    metadata = dict(metadata, scrapbook={"name": name, "mime_prefix": prefix})
    ipython_display(
        {prefix + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata
    )


def glue_values(values: dict | None = None, /, **named) -> None:
    """Glue several values at once, none of them shown: the helper of the chapters' hidden cells.

    Parameters
    ----------
    values : dict, optional
        ``{name: value}``, for keys built in a loop (``{f"{task}_mase": ...}``).
    **named
        ``name=value`` pairs.

    Returns None, so that a hidden cell ending with it shows nothing on Colab either.

    Examples
    --------
    >>> glue_values({"co2_horizon": 12}, co2_season=12)  # doctest: +SKIP
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict of name -> value, got {type(values).__name__}")
    both = set(values) & set(named)
    if both:
        raise ValueError(f"values and the keyword arguments both give {sorted(both)}")
    items = {**values, **named}
    for name, value in items.items():
        glue(name, value, display=False)
