"""tslearnkit: the companion package of the book *Time Series with PyTorch*.

Each module holds what the chapters reuse: ``datasets`` (offline, checksummed data),
``preprocessing`` (splits, scaling, windows, padding), ``evaluation`` (metrics, baselines,
backtests), ``forecasting`` (the book's forecasting tasks and their bars), ``models`` (recurrent
forecasters), ``training`` (fit, predict, checkpoints), ``distances`` (DTW on compiled CPU
kernels or a torch wavefront, soft-DTW, SBD), ``barycenters`` (DBA, soft-DTW), ``clustering``
(k-means with DTW and soft-DTW, k-Shape, k-medoids), ``anomaly`` (scoring anomaly detectors),
``plotting`` and ``utils`` (device, seeds, glue).

The exercise checks are imported on demand, one chapter at a time
(``from tslearnkit.exercises import ch04``), and matplotlib's pyplot only when a figure is drawn,
so that ``import tslearnkit`` stays light.
"""

import importlib

from . import (
    anomaly,
    barycenters,
    clustering,
    datasets,
    distances,
    evaluation,
    forecasting,
    models,
    plotting,
    preprocessing,
    training,
    utils,
)
from .utils import get_device, seed_everything

__version__ = "0.1.0"

__all__ = [
    "anomaly",
    "barycenters",
    "clustering",
    "datasets",
    "distances",
    "evaluation",
    "exercises",
    "forecasting",
    "models",
    "plotting",
    "preprocessing",
    "training",
    "utils",
    "get_device",
    "seed_everything",
    "__version__",
]


def __getattr__(name):
    """``tslearnkit.exercises`` on first use (PEP 562), not at ``import tslearnkit``."""
    if name == "exercises":
        return importlib.import_module(".exercises", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
