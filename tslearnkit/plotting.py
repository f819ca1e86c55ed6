"""The book's standard figures: forecasts against actuals with the history before them, and
training curves. Each function draws on a matplotlib Axes and returns it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import as_float_array, check_index, check_int, describe

__all__ = ["plot_forecasts", "plot_training_curves"]


def _as_series(values, name: str, index=None) -> pd.Series:
    """One series to draw: a Series with an increasing index, or a 1-D array-like (on ``index``)."""
    if isinstance(values, pd.Series):
        check_index(values.index, name)
        array = as_float_array(values, name)
    elif isinstance(values, (np.ndarray, list, tuple)) or hasattr(values, "detach"):
        array = as_float_array(values, name)
    else:
        raise TypeError(f"{name} must be a pandas Series or a 1-D array, got {describe(values)}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one series), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one value to draw")
    if isinstance(values, pd.Series):
        return values
    if index is not None and len(index) != array.size:
        raise ValueError(f"{name} has {array.size} values but actual has {len(index)}")
    return pd.Series(
        array, index=index if index is not None else pd.RangeIndex(array.size), name=name
    )


def _check_ax(ax) -> None:
    if ax is not None and not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {describe(ax)}")


def plot_forecasts(
    history,
    actual,
    forecasts: dict,
    *,
    tail: int | None = 100,
    ax=None,
    ylabel: str | None = None,
    title: str | None = None,
):
    """Plot the end of the history, the actual future and one or more forecasts of it.

    Parameters
    ----------
    history : pandas.Series or array-like
        The observed series before the forecast; only its last ``tail`` values are drawn.
    actual : pandas.Series or array-like
        The true values over the forecast period.
    forecasts : dict of name to array-like
        Forecasts of the same length as ``actual``; arrays take ``actual``'s index.
    tail : int or None, default 100
        How much history to show (None: all).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(forecasts, dict):
        raise TypeError(
            f"forecasts must be a dict of name to forecast values, got {describe(forecasts)}"
        )
    if not forecasts:
        raise ValueError("forecasts is empty; give at least one name: forecast pair")
    history = _as_series(history, "history")
    actual = _as_series(actual, "actual")
    if tail is not None:
        history = history.iloc[-check_int(tail, "tail", minimum=1) :]
    _check_ax(ax)
    if ax is None:
        import matplotlib.pyplot as plt  # on first use: `import tslearnkit` stays light

        _, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(history.index, history.to_numpy(), color="0.45", lw=1.2, label="history")
    ax.plot(actual.index, actual.to_numpy(), color="black", lw=1.8, label="actual")
    for name, values in forecasts.items():
        forecast = _as_series(
            values,
            f"forecasts[{name!r}]",
            index=actual.index if not isinstance(values, pd.Series) else None,
        )
        if isinstance(values, pd.Series) and not forecast.index.equals(actual.index):
            raise ValueError(
                f"forecasts[{name!r}] is a Series on another index than actual; reindex it "
                "(forecast.reindex(actual.index)) or pass its values"
            )
        ax.plot(forecast.index, forecast.to_numpy(), lw=1.4, ls="--", label=str(name))
    ax.axvline(actual.index[0], color="0.7", lw=0.8, ls=":")
    ax.set_xlabel("time")
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small", ncol=2)
    return ax


def plot_training_curves(
    history, *, ax=None, title: str | None = "Training curves", log: bool = True
):
    """Plot the training and validation loss per epoch from :func:`tslearnkit.training.fit`, with the
    best epoch marked.

    Returns
    -------
    matplotlib.axes.Axes
    """
    train = getattr(history, "train_loss", None)
    if train is None:
        raise TypeError(f"history must be the History returned by fit, got {describe(history)}")
    if len(train) == 0:
        raise ValueError(
            "history must be the History returned by fit, with at least one epoch of train_loss"
        )
    val = list(getattr(history, "val_loss", []) or [])
    if len(val) > len(train):
        raise ValueError(
            f"history has {len(val)} validation losses for {len(train)} training losses"
        )
    best = getattr(history, "best_epoch", None)
    if best is not None and not (isinstance(best, int) and 1 <= best <= len(train)):
        raise ValueError(f"history.best_epoch must be an epoch in 1..{len(train)}, got {best!r}")
    losses = np.asarray(list(train) + val, dtype=np.float64)
    if not np.isfinite(losses).all():
        raise ValueError("history has NaN or infinite losses; nothing sensible to draw")
    if log and (losses <= 0).any():
        raise ValueError("history has losses <= 0, which a log scale cannot draw; pass log=False")
    _check_ax(ax)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3.2))
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, train, label="training loss")
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, label="validation loss")
    if history.best_epoch is not None:
        ax.axvline(
            history.best_epoch, color="0.5", ls=":", label=f"best epoch ({history.best_epoch})"
        )
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
