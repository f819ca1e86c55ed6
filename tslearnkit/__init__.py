"""tslearnkit: the companion package of the book *Time Series with PyTorch*.

Each module holds what the chapters reuse: ``datasets`` (offline, checksummed data),
``preprocessing`` (splits, scaling, windows, padding) and ``utils`` (device, seeds).
"""

from . import datasets, preprocessing, utils
from .utils import get_device, seed_everything

__version__ = "0.1.0"

__all__ = ["datasets", "preprocessing", "utils", "get_device", "seed_everything", "__version__"]
