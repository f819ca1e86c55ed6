"""The book's standard figures: forecasts against actuals with the history before them, and
training curves. Each function draws on a matplotlib Axes and returns it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import check_int

__all__ = ["plot_forecasts", "plot_training_curves"]


def _as_series(values, name: str, index=None) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if index is not None and len(index) != array.size:
        raise ValueError(f"{name} has {array.size} values but the actuals have {len(index)}")
    return pd.Series(
        array, index=index if index is not None else pd.RangeIndex(array.size), name=name
    )


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
    if not isinstance(forecasts, dict) or not forecasts:
        raise TypeError("forecasts must be a non-empty dict of name to forecast values")
    history = _as_series(history, "history")
    actual = _as_series(actual, "actual")
    if tail is not None:
        history = history.iloc[-check_int(tail, "tail", minimum=1) :]
    if ax is None:
        import matplotlib.pyplot as plt  # on first use: `import tslearnkit` stays light

        _, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(history.index, history.to_numpy(), color="0.45", lw=1.2, label="history")
    ax.plot(actual.index, actual.to_numpy(), color="black", lw=1.8, label="actual")
    for name, values in forecasts.items():
        forecast = _as_series(
            values, str(name), index=actual.index if not isinstance(values, pd.Series) else None
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
    if train is None or len(train) == 0:
        raise ValueError(
            "history must be the History returned by fit, with at least one epoch of train_loss"
        )
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
