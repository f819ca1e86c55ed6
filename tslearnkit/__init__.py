"""tslearnkit: the companion package of the book *Time Series with PyTorch*.

Each module holds what the chapters reuse: ``datasets`` (offline, checksummed data),
``preprocessing`` (splits, scaling, windows, padding), ``evaluation`` (metrics, baselines,
backtests), ``forecasting`` (the book's forecasting tasks and their bars), ``models`` (recurrent
forecasters), ``training`` (fit, predict, checkpoints), ``distances`` (batched DTW, soft-DTW,
SBD), ``clustering`` (k-means with DTW and soft-DTW, k-Shape), ``plotting``, ``exercises`` and
``utils`` (device, seeds).
"""

from . import (
    clustering,
    datasets,
    distances,
    evaluation,
    exercises,
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
    "clustering", "datasets", "distances", "evaluation", "exercises", "forecasting", "models",
    "plotting", "preprocessing", "training", "utils", "get_device", "seed_everything", "__version__",
]
