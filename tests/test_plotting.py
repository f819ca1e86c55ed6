"""Tests for tslearnkit.plotting: the figures draw what they are given, and bad input is named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tslearnkit.plotting import plot_forecasts, plot_training_curves  # noqa: E402
from tslearnkit.training import History  # noqa: E402


def test_plot_forecasts_draws_every_line():
    index = pd.date_range("2020-01-01", periods=30, freq="D")
    series = pd.Series(np.arange(30.0), index=index)
    ax = plot_forecasts(
        series[:24],
        series[24:],
        {"naive": np.full(6, 23.0), "model": torch.arange(6.0)},
        tail=10,
        ylabel="units",
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:4] == ["history", "actual", "naive", "model"]
    assert len(ax.get_lines()[0].get_xdata()) == 10  # only the tail of the history
    assert ax.get_ylabel() == "units"
    plt.close("all")


def test_plot_forecasts_bad_input():
    with pytest.raises(ValueError, match="forecasts is empty"):
        plot_forecasts([1.0], [2.0], {})
    with pytest.raises(TypeError, match="forecasts must be a dict"):
        plot_forecasts([1.0], [2.0], [[2.0]])
    with pytest.raises(ValueError, match="actual is empty"):
        plot_forecasts([1.0], [], {"f": []})
    with pytest.raises(TypeError, match="history must be a pandas Series or a 1-D array"):
        plot_forecasts("abc", [2.0], {"f": [1.0]})
    decreasing = pd.Series([1.0, 2.0], index=pd.to_datetime(["2020-01-02", "2020-01-01"]))
    with pytest.raises(ValueError, match="history has an index that is not sorted"):
        plot_forecasts(decreasing, [2.0], {"f": [1.0]})
    with pytest.raises(ValueError, match=r"forecasts\[.f.\] has 3 values but actual has 2"):
        plot_forecasts([1.0], [2.0, 3.0], {"f": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="tail must be a positive integer"):
        plot_forecasts([1.0], [2.0], {"f": [1.0]}, tail=0)
    plt.close("all")


def test_plot_training_curves_needs_a_history():
    with pytest.raises(TypeError, match="history must be the History returned by fit"):
        plot_training_curves({"train_loss": [1.0]})


def test_plot_training_curves():
    history = History(train_loss=[1.0, 0.5, 0.4], val_loss=[1.1, 0.6, 0.7], best_epoch=2)
    ax = plot_training_curves(history)
    assert [line.get_label() for line in ax.get_lines()] == [
        "training loss",
        "validation loss",
        "best epoch (2)",
    ]
    with pytest.raises(ValueError, match="history must be the History"):
        plot_training_curves(History())
    plt.close("all")
