"""Input checks shared by the public functions: each raises a ValueError or TypeError that names
the argument, what it got and what it needs."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import torch


def describe(value) -> str:
    """A short description of ``value`` for an error message: its type, and shape if it has one."""
    if isinstance(value, type):  # a class (np.float32, not np.float32(1)) has no real shape
        return f"the class {value.__module__}.{value.__qualname__}"
    shape = getattr(value, "shape", None)
    if shape is not None:
        try:
            return f"{type(value).__name__} of shape {tuple(shape)}"
        except TypeError:
            pass
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def check_int(
    value,
    name: str,
    *,
    minimum: int | None = None,
    allow_none: bool = False,
    meaning: str | None = None,
) -> int | None:
    """Return ``value`` as an int, or raise if it is not an integer at least ``minimum``.

    ``allow_none`` lets None through (an optional setting); ``meaning`` is added to the message,
    e.g. "window must be None or an integer >= 0 (the Sakoe-Chiba radius), got -1".
    """
    if value is None and allow_none:
        return None
    need = (
        "an integer"
        if minimum is None
        else "a positive integer"
        if minimum == 1
        else f"an integer >= {minimum}"
    )
    need = ("None or " if allow_none else "") + need + (f" ({meaning})" if meaning else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be {need if allow_none or meaning else 'an integer'}, got {describe(value)}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {need}, got {value}")
    return value


def check_positive(value, name: str, meaning: str) -> float:
    """``value`` as a float, or an error naming ``name``: a positive finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number ({meaning}), got {describe(value)}")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive finite number ({meaning}), got {value}")
    return float(value)


def as_float_array(values, name: str) -> np.ndarray:
    """``values`` (array-like, Series, DataFrame or tensor) as a float64 numpy array, or a TypeError."""
    if values is None or isinstance(values, (str, bytes, dict)):
        raise TypeError(
            f"{name} must be numeric (an array, list, Series or tensor), got {describe(values)}"
        )
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    elif isinstance(values, (pd.Series, pd.DataFrame)):
        values = values.to_numpy()
    try:
        raw = np.asarray(values)
        if raw.dtype.kind == "c":
            raise TypeError(f"{name} must be real numbers, got complex values")
        if raw.dtype.kind in "USO" and any(isinstance(v, (str, bytes)) for v in raw.ravel()):
            raise TypeError(
                f"{name} must be numeric, got text (dtype {raw.dtype}); convert it first"
            )
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as err:
        if name in str(err) and ("complex" in str(err) or "text" in str(err)):
            raise
        raise TypeError(f"{name} must be numeric, got {describe(values)}") from None


def check_index(index: pd.Index, name: str) -> None:
    """Raise unless a time index is strictly increasing (sorted, no duplicates)."""
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ValueError(f"{name} has a duplicate index value {dup!r}; a time index must be unique")
    if not index.is_monotonic_increasing:
        raise ValueError(
            f"{name} has an index that is not sorted in increasing order; "
            f"sort it first (e.g. {name}.sort_index())"
        )


def to_numpy_2d(data, name: str, *, allow_nan: bool = False) -> np.ndarray:
    """Turn a 1-D or 2-D array, Series, DataFrame or tensor into a float ``(time, features)`` array.

    pandas inputs must have a strictly increasing index. Non-numeric columns raise a TypeError.
    """
    if isinstance(data, (pd.Series, pd.DataFrame)):
        check_index(data.index, name)
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if bad:
            raise TypeError(f"{name} must be numeric, got non-numeric column(s) {bad}")
        array = frame.to_numpy(dtype=np.float64)
    elif isinstance(data, torch.Tensor):
        array = data.detach().cpu().numpy()
    elif isinstance(data, (np.ndarray, list, tuple)):
        array = np.asarray(data)
    else:
        raise TypeError(
            f"{name} must be a numpy array, torch tensor, pandas Series or DataFrame, "
            f"got {type(data).__name__}"
        )
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be numeric, got dtype {array.dtype}")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must be real numbers, got complex dtype {array.dtype}")
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (time,) or 2-D (time, features), got {array.ndim} dimensions "
            f"with shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty; it needs at least one time step")
    if not allow_nan and array.dtype.kind in "fc" and np.isnan(array).any():
        where = np.argwhere(np.isnan(array))[0]
        raise ValueError(
            f"{name} contains NaN (first at time step {where[0]}, feature {where[1]}); "
            "fill or drop the gaps first"
        )
    if array.dtype.kind == "f" and np.isinf(array).any():
        where = np.argwhere(np.isinf(array))[0]
        raise ValueError(
            f"{name} contains an infinite value (first at time step {where[0]}, feature "
            f"{where[1]}); replace it first"
        )
    return array


def require_optional(module: str, needed_for: str) -> None:
    """Raise an ImportError that says how to install ``module`` if it is missing; the optional
    dependencies come with ``pip install tslearnkit[notebooks]``."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{needed_for} needs {module}, which is not installed: install it with "
            f"`pip install {module}` or `pip install tslearnkit[notebooks]`"
        )


def check_history(history, name: str = "history") -> None:
    """A forecaster's history: a pandas Series with an increasing index and finite values."""
    if not isinstance(history, pd.Series):
        raise TypeError(
            f"{name} must be a pandas Series (values with their time index), got {describe(history)}"
        )
    check_index(history.index, name)
    values = as_float_array(history, name)
    if not np.isfinite(values).all():
        k = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"{name} holds {values[k]} at {history.index[k]!r}; fill the gaps first")


def check_weights_dtype(x, module, name: str, fix: str) -> None:
    """Raise unless tensor ``x`` has the dtype of ``module``'s floating weights (torch's own error
    does not name the argument); ``fix`` says how to convert."""
    weight = next((p for p in module.parameters() if p.is_floating_point()), None)
    if weight is not None and x.dtype != weight.dtype:
        raise ValueError(
            f"{name} has dtype {x.dtype} but the model's weights are {weight.dtype}; "
            + fix.format(dtype=weight.dtype)
        )
