"""How every public function of tslearnkit behaves on bad input: a reproducible audit.

Each case calls one public function (or class, or method) with one bad argument and records
one of three outcomes:

- ``clear``: a ValueError or TypeError (subclasses count) whose message names the bad argument
  (as a word, ignoring case; ``--epochs`` names ``epochs``);
- ``obscure``: any other exception (IndexError, AttributeError, RuntimeError, a raw numpy,
  pandas or torch error...), or a ValueError/TypeError whose message does not name the argument;
- ``silent``: the call returns normally: the bad input is accepted, or the result is wrong.

Two kinds of case read the outcome differently. A case marked ``valid`` passes a *valid* input
that should be accepted (a numpy integer as a size): returning is ``clear``, any exception
``obscure``. A case that inspects state itself (the model's train mode after an error, a global
flag) returns a ``Check``: ``clear`` if the state is right, ``silent`` if not. A case may also
name the exception type a clear error must have (``want=TypeError`` for a name given as a
number).

Warnings are recorded (``--json``) but do not change an outcome. Global state is restored after
every case: torch's deterministic flags, default dtype, random generators and grad mode, the
environment, the working directory and matplotlib's figures (Agg backend). Data are tiny and no
training runs longer than one epoch: the whole audit takes well under a minute on 2 cores.

It is an audit, not a test: the exit code is always 0. A function re-exported by another module
(``forecasting.calendar_features``, ``train_val_loaders`` and ``torch_forecaster``; the
barycenters in ``clustering``) is audited once, under the module that defines it;
``anomaly.matrix_profile`` under ``anomaly``. Not audited: ``distributed.main`` (the command
line), the exercise checks, and result types without checks of their own (``DMResult``,
``EventScores``, ``History``, ``Launch``).

Run: nice -n 19 .venv/bin/python tools/bad_input_audit.py [--details] [--json PATH]
     [--module NAME ...]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the working tree's package, not an installed copy

from tslearnkit import anomaly as A
from tslearnkit import barycenters as B
from tslearnkit import clustering as C
from tslearnkit import datasets as DS
from tslearnkit import distances as D
from tslearnkit import distributed as DIST
from tslearnkit import evaluation as EV
from tslearnkit import forecasting as F
from tslearnkit import models as M
from tslearnkit import plotting as PL
from tslearnkit import preprocessing as P
from tslearnkit import training as T
from tslearnkit import utils as U

MODULES = [
    "preprocessing",
    "evaluation",
    "forecasting",
    "models",
    "training",
    "distances",
    "barycenters",
    "clustering",
    "anomaly",
    "plotting",
    "datasets",
    "utils",
    "distributed",
]

# --- cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    module: str
    function: str
    description: str
    arg: str  # the bad argument's name; "a|b" accepts either
    call: Callable[[], object]
    valid: bool = False  # the input is valid and should be accepted
    want: type | None = None  # the exception type a clear error must have


@dataclass
class Check:
    """What a case that inspects state returns: ``ok`` is ``clear``, not ``ok`` is ``silent``."""

    ok: bool
    note: str


CASES: list[Case] = []
TMP = Path(tempfile.gettempdir())  # replaced by a fresh folder in main()


def cases_for(module: str):
    """The registry helper of one module: ``add(function, description, arg, call, **options)``."""

    def add(function, description, arg, call, **options):
        CASES.append(Case(module, function, description, arg, call, **options))

    return add


def family(add, function, arg, call, variants, skip=(), **options):
    """One case per bad value of ``arg``: ``call(value)`` for each label -> value of ``variants``
    whose label is not in ``skip`` (``options`` as for ``add``)."""
    for label, value in variants.items():
        if label not in skip:
            add(function, f"{arg}: {label}", arg, partial(call, value), **options)


# --- tiny data and bad values -------------------------------------------------------------------

UNSET = object()  # an argument not given (None may be the bad value)
BASE = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 5.0, 8.0, 7.0, 9.0, 8.0, 10.0])  # 12 steps
DAYS = pd.date_range("2020-01-01", periods=12, freq="D")
DATA = np.array(  # 4 series of 6 steps: two low, two high
    [[0.0, 1, 2, 3, 2, 1], [0, 0, 1, 2, 3, 2], [5, 5, 6, 5, 5, 4], [5, 6, 5, 5, 4, 5]]
)


def series():
    return pd.Series(BASE.copy(), index=DAYS)


def ints(minimum=1, *, full=False, none=True, huge=None):
    """Bad values of an integer size or count that must be at least ``minimum``: the first value
    below it and a fraction; ``full`` adds -1, a string, True and None (unless ``none`` is False,
    for an argument where None means a default); ``huge`` adds that value."""
    out = {"0": 0} if minimum >= 1 else {"-1": -1} if minimum >= 0 else {}
    out["2.5"] = 2.5
    if full:
        out.update({"-1": -1, 'string "3"': "3", "True": True, **({"None": None} if none else {})})
    if huge is not None:
        out[f"huge {huge:.0e}"] = huge
    return out


def series_variants(base=BASE, *, full=False):
    """Bad versions of a 1-D series (fresh arrays on every call); ``full`` adds six more."""
    x = np.array(base, dtype=np.float64)

    def with_(value):
        y = x.copy()
        y[len(y) // 2] = value
        return y

    out = {
        "NaN inside": with_(np.nan),
        "inf inside": with_(np.inf),
        "empty": np.array([]),
        "3-D array": x.reshape(2, -1, 1),
        "complex dtype": x + 1j,
        "string dtype (numeric text)": x.astype(str),
    }
    if full:
        mixed = x.astype(object)
        mixed[1] = "a"
        out.update(
            {
                "bool dtype": x > x.mean(),
                "None": None,
                "0-D array": np.array(2.0),
                "object dtype with a string": mixed,
                "a dict": {"a": 1.0},
                "a string": "abc",
            }
        )
    return out


def dataset_variants(base=DATA, *, full=False):
    """Bad versions of a data set of series ``(n_series, length)``; ``full`` adds seven more."""
    X = np.array(base, dtype=np.float64)
    nan, inf = X.copy(), X.copy()
    nan[1, 2], inf[1, 2] = np.nan, np.inf  # inside a series, not end padding
    out = {
        "NaN inside a series": nan,
        "inf": inf,
        "empty (0, 6)": np.empty((0, X.shape[1])),
        "1-D": X[0].copy(),
        "complex dtype": X + 1j,
        "string dtype (numeric text)": X.astype(str),
    }
    if full:
        mixed = X.astype(object)
        mixed[0, 0] = "a"
        out.update(
            {
                "bool dtype": X > 2,
                "None": None,
                "4-D": X[None, :, :, None],
                "object dtype with a string": mixed,
                "ragged nested list": [[1.0, 2.0, 3.0], [1.0, 2.0]],
                "a dict": {"a": 1.0},
                "a string": "abc",
            }
        )
    return out


def pandas_variants(base=BASE):
    """Series whose DatetimeIndex is not strictly increasing."""
    n = len(base)
    idx = pd.date_range("2020-01-01", periods=n, freq="D")
    duplicate = idx[[*range(n - 1), n - 2]]  # the last two stamps are equal
    return {
        "Series with a duplicate DatetimeIndex": pd.Series(base, index=duplicate),
        "Series with a decreasing DatetimeIndex": pd.Series(base, index=idx[::-1]),
    }


def pick(variants, *labels):
    """The entries of ``variants`` with these labels."""
    return {label: variants[label] for label in labels}


NAN, INF = float("nan"), float("inf")


# --- preprocessing ------------------------------------------------------------------------------


def preprocessing_cases():
    add = cases_for("preprocessing")
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    split = P.chronological_split
    bad = pick(series_variants(full=True), "empty", "None")
    family(add, "chronological_split", "data", split, {**bad, **pandas_variants()})
    add("chronological_split", "data: a plain list", "data", lambda: split(list(BASE)))
    family(
        add,
        "chronological_split",
        "val_size",
        lambda v: split(BASE, val_size=v),
        {**ints(0, huge=10**9), "1.5": 1.5},
    )
    add("chronological_split", "test_size: -0.2", "test_size", lambda: split(BASE, 0.1, -0.2))
    add(
        "chronological_split",
        "val_size=0.6, test_size=0.5: nothing left to train on",
        "val_size|test_size",
        lambda: split(BASE, 0.6, 0.5),
    )
    add(
        "chronological_split",
        "fractions 0.04 of 12 steps round to 0 steps (empty val and test)",
        "val_size|test_size",
        lambda: split(BASE, 0.04, 0.04),
    )

    bad = {**series_variants(), **pick(pandas_variants(), "Series with a duplicate DatetimeIndex")}
    family(add, "scale_splits", "train", P.scale_splits, bad)
    add("scale_splits", "others[0]: NaN", "others", lambda: P.scale_splits(BASE, [1.0, NAN]))
    add(
        "scale_splits",
        "others[0]: 2 features, train 1",
        "others",
        lambda: P.scale_splits(BASE, np.ones((3, 2))),
    )
    add(
        "scale_splits",
        "scaler: the class StandardScaler, not an instance",
        "scaler",
        lambda: P.scale_splits(BASE, scaler=StandardScaler),
    )
    add("scale_splits", 'scaler: "std"', "scaler", lambda: P.scale_splits(BASE, scaler="std"))

    inverse = P.inverse_transform_column
    two = np.random.default_rng(0).random((10, 2))

    def fitted():
        return StandardScaler().fit(two)

    family(
        add,
        "inverse_transform_column",
        "scaler",
        lambda v: inverse([1.0, 2.0], v),
        {
            "an unfitted StandardScaler": StandardScaler(),
            "PCA(1) of 2 features (not per-feature)": PCA(1).fit(two),
            "PCA(2) of 2 features (mixes the features)": PCA(2).fit(two),
            "None": None,
        },
    )
    family(
        add,
        "inverse_transform_column",
        "column",
        lambda v: inverse([1.0], fitted(), v),
        {"-1": -1, "2 (the scaler has 2 features)": 2},
    )
    family(
        add,
        "inverse_transform_column",
        "values",
        lambda v: inverse(v, fitted()),
        {"None": None, "complex dtype": np.array([1.0 + 1j])},
    )

    windows = P.make_windows
    bad = {**series_variants(full=True), **pandas_variants()}
    family(add, "make_windows", "data", lambda v: windows(v, 3), bad)
    add(
        "make_windows",
        "data: a float tensor with inf",
        "data",
        lambda: windows(torch.tensor([1.0, INF, 2, 3, 4]), 2),
    )
    family(add, "make_windows", "input_length", lambda v: windows(BASE, v), ints(huge=10**9))
    add("make_windows", "horizon: 0", "horizon", lambda: windows(BASE, 3, 0))
    add("make_windows", "stride: 0", "stride", lambda: windows(BASE, 3, 1, 0))
    family(
        add,
        "make_windows",
        "dtype",
        lambda v: windows(BASE, 3, dtype=v),
        {
            "np.float32 (a numpy class)": np.float32,
            'the string "float32"': "float32",
            "float (a Python class)": float,
            "torch.int64 (floats truncated)": torch.int64,
        },
    )
    ds = P.WindowDataset
    add("WindowDataset", "data: inf", "data", lambda: ds(np.array([1.0, INF, 3, 4]), 2))
    add("WindowDataset", "dtype: np.float32", "dtype", lambda: ds(BASE, 3, dtype=np.float32))

    bad = pick(
        dataset_variants(), "NaN inside a series", "inf", "1-D", "string dtype (numeric text)"
    )
    family(add, "unpad", "X", P.unpad, bad)
    add("unpad", "X: NaN at the start", "X", lambda: P.unpad([[NAN, 1.0, 2.0], [1.0, 2.0, 3.0]]))
    pad = P.pad_sequences
    family(
        add,
        "pad_sequences",
        "sequences",
        pad,
        {
            "empty list": [],
            "[NaN series]": [np.array([1.0, NAN])],
            "[inf series]": [np.array([1.0, INF])],
            "[empty series]": [np.array([])],
            "[1 feature, 2 features]": [np.ones(3), np.ones((3, 2))],
        },
    )
    add("pad_sequences", 'padding_value: "0"', "padding_value", lambda: pad([np.ones(3)], "0"))
    add("pad_sequences", "dtype: np.float32", "dtype", lambda: pad([np.ones(3)], dtype=np.float32))
    family(
        add,
        "collate_padded",
        "batch",
        P.collate_padded,
        {
            "None": None,
            "items without a label": [(np.ones(2),), (np.ones(3),)],
            "a NaN sequence": [(np.array([1.0, NAN]), 0)],
        },
    )

    bad = pick(dataset_variants(), "NaN inside a series", "inf", "1-D", "complex dtype")
    family(add, "znormalize", "X", P.znormalize, bad)
    add(
        "znormalize",
        "X: finite values around 1e200 (is the result still z-normalised?)",
        "X",
        huge_values_znormalised,
    )
    add("znormalize", "X: a series all NaN", "X", lambda: P.znormalize([[NAN, NAN], [1.0, 2.0]]))
    family(
        add,
        "znormalize",
        "eps",
        lambda v: P.znormalize(DATA, eps=v),
        {"0": 0, '"1e-8"': "1e-8", "inf": INF},
    )

    calendar = P.calendar_features
    family(
        add,
        "calendar_features",
        "index",
        calendar,
        {"a list of date strings": ["2020-01-01", "2020-01-02"]},
    )
    family(
        add,
        "calendar_features",
        "period",
        lambda v: calendar(DAYS, period=v),
        {"0": 0, '"365"': "365", "nan": NAN},
    )

    loaders = P.train_val_loaders
    data = np.arange(40.0)
    family(
        add,
        "train_val_loaders",
        "data",
        lambda v: loaders(v, 3, 1, 5),
        {
            "NaN": np.r_[data[:5], NAN, data[6:]],
            "inf": np.r_[data[:5], INF, data[6:]],
            "8 rows for val_size 5 + window 3 + 1": data[:8],
        },
    )
    family(
        add, "train_val_loaders", "input_length", lambda v: loaders(data, v, 1, 5), ints(huge=10**9)
    )
    add("train_val_loaders", "val_size: below horizon", "val_size", lambda: loaders(data, 3, 4, 2))
    add(
        "train_val_loaders",
        "batch_size: 0",
        "batch_size",
        lambda: loaders(data, 3, 1, 5, batch_size=0),
    )

    undiff = P.undifference
    family(
        add,
        "undifference",
        "history",
        lambda v: undiff(v, [1.0]),
        {"NaN": [1.0, NAN], "empty": [], "2-D (flattened)": np.ones((2, 3))},
    )
    family(
        add, "undifference", "differences", lambda v: undiff([1.0], v), {"NaN": [NAN], "None": None}
    )
    family(
        add,
        "undifference",
        "lag",
        lambda v: undiff([1.0, 2.0], [1.0], v),
        {"0": 0, "huge 1e+09": 10**9},
    )

    gw = P.global_windows
    family(
        add,
        "global_windows",
        "series",
        lambda v: gw(v, 2, 1),
        {
            "a 2-D numpy array": np.ones((2, 5)),
            "[series with NaN]": [np.array([1.0, NAN, 3.0, 4.0])],
            "[numeric strings]": [np.array(["1", "2", "3", "4"])],
            "all shorter than one window": [np.ones(2)],
        },
    )
    add("global_windows", "input_length: 0", "input_length", lambda: gw([BASE], 0, 1))
    add("global_windows", "stride: 0", "stride", lambda: gw([BASE], 2, 1, stride=0))
    lw = P.last_windows
    add("last_windows", "series: a tensor", "series", lambda: lw(torch.ones(2, 5), 2))
    add("last_windows", "series: shorter than input_length", "series", lambda: lw([np.ones(2)], 3))
    add("last_windows", "input_length: 2.5", "input_length", lambda: lw([BASE], 2.5))


def huge_values_znormalised():
    """Finite values near 1e200 are valid input, but their squares overflow a naive variance."""
    out = P.znormalize(np.array([[1e200, 2e200, 3e200], [1.0, 2.0, 3.0]]))
    return Check(
        bool(np.allclose(out.std(axis=1), 1.0)),
        f"the result's standard deviations are {out.std(axis=1).round(3).tolist()}, not 1",
    )


# --- evaluation ---------------------------------------------------------------------------------


@cache
def backtest_results():
    """A tiny backtest: two models, horizon 2, origins 6 to 10 of the 12-step series."""
    return EV.rolling_origin_backtest(
        pd.Series(BASE), {"naive": EV.naive_forecast, "mean": EV.mean_forecast}, 2, initial=6
    )


def misaligned():
    """Two Series with the same values, the rows of the second in reverse order."""
    return pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2]), pd.Series([3.0, 2.0, 1.0], index=[2, 1, 0])


def evaluation_cases():
    add = cases_for("evaluation")

    family(add, "mae", "y_true", lambda v: EV.mae(v, BASE), series_variants(full=True))
    family(
        add,
        "mae",
        "y_pred",
        lambda v: EV.mae(BASE, v),
        {"NaN": series_variants()["NaN inside"], "shorter than y_true": BASE[:5]},
    )
    add(
        "mae",
        "y_pred: shape (3, 4) against y_true (4, 3)",
        "y_pred",
        lambda: EV.mae(BASE.reshape(4, 3), BASE.reshape(3, 4)),
    )
    add(
        "mae",
        "y_true: a complex list [1+5j, 2, 3]",
        "y_true",
        lambda: EV.mae([1 + 5j, 2, 3], [1, 2, 3]),
    )
    add(
        "mae",
        "y_pred: Series of the same values, rows reordered (index misaligned)",
        "y_pred",
        lambda: EV.mae(*misaligned()),
    )
    for name in ("rmse", "smape"):
        fn = getattr(EV, name)
        add(name, "y_true: numeric text", "y_true", partial(fn, BASE.astype(str), BASE))
        add(name, "y_pred: shorter than y_true", "y_pred", partial(fn, BASE, BASE[:5]))
        add(
            name,
            "y_pred: Series of the same values, rows reordered (index misaligned)",
            "y_pred",
            lambda fn=fn: fn(*misaligned()),
        )

    truth, pred = BASE[:4], BASE[:4] + 0.5
    family(
        add,
        "mase",
        "y_train",
        lambda v: EV.mase(truth, pred, v),
        {
            "2-D (3, 4) (flattened across rows)": BASE.reshape(3, 4),
            "constant (scale 0)": np.ones(5),
            "one value": [1.0],
            "NaN": series_variants()["NaN inside"],
        },
    )
    family(add, "mase", "season", lambda v: EV.mase(truth, pred, BASE, season=v), ints(huge=10**9))

    bad = {
        **series_variants(),
        "None": None,
        "a DataFrame with two columns": pd.DataFrame({"a": [1.0, 2.0], "b": [5.0, 6.0]}),
    }
    family(add, "naive_forecast", "history", lambda v: EV.naive_forecast(v, 3), bad)
    family(add, "naive_forecast", "horizon", lambda v: EV.naive_forecast(BASE, v), ints())
    add("drift_forecast", "history: one value", "history", lambda: EV.drift_forecast([1.0], 2))
    add("drift_forecast", "history: NaN", "history", lambda: EV.drift_forecast([1.0, NAN], 2))
    add("drift_forecast", "horizon: 0", "horizon", lambda: EV.drift_forecast(BASE, 0))
    add("mean_forecast", "history: empty", "history", lambda: EV.mean_forecast([], 2))
    add("mean_forecast", "history: inf", "history", lambda: EV.mean_forecast([1.0, INF], 2))
    add("mean_forecast", "horizon: 2.5", "horizon", lambda: EV.mean_forecast(BASE, 2.5))
    snf = EV.seasonal_naive_forecast
    add("seasonal_naive_forecast", "history: NaN", "history", lambda: snf([1.0, NAN, 2.0], 2, 1))
    add("seasonal_naive_forecast", "horizon: 0", "horizon", lambda: snf(BASE, 0, 2))
    family(add, "seasonal_naive_forecast", "season", lambda v: snf(BASE, 3, v), ints(huge=10**9))

    def backtest(series=UNSET, forecasters=UNSET, horizon=2, initial=6, **kw):
        series = pd.Series(BASE) if series is UNSET else series
        forecasters = {"naive": EV.naive_forecast} if forecasters is UNSET else forecasters
        return EV.rolling_origin_backtest(series, forecasters, horizon, initial=initial, **kw)

    bad = pick(series_variants(), "NaN inside")
    family(
        add,
        "rolling_origin_backtest",
        "series",
        backtest,
        {**bad, **pandas_variants(), "a DataFrame": pd.DataFrame({"a": BASE})},
    )
    family(
        add,
        "rolling_origin_backtest",
        "forecasters",
        lambda v: backtest(forecasters=v),
        {
            "empty dict": {},
            "a list of functions": [EV.naive_forecast],
            'a name, not a function: {"a": "naive"}': {"a": "naive"},
        },
    )
    for label, forecast in (
        ("horizon + 1 values", lambda h, n: np.zeros(n + 1)),
        ("NaN", lambda h, n: np.full(n, NAN)),
    ):
        add(
            "rolling_origin_backtest",
            f"forecasters: one returns {label}",
            "forecasters|forecaster",  # the message may name the forecaster by its key
            partial(backtest, forecasters={"bad": forecast}),
        )
    family(
        add, "rolling_origin_backtest", "horizon", lambda v: backtest(horizon=v), ints(huge=10**9)
    )
    family(
        add,
        "rolling_origin_backtest",
        "initial",
        lambda v: backtest(initial=v),
        {
            "0": 0,
            "1.5": 1.5,
            "20 (past the end)": 20,
            "0.01 (rounds to origin 0: empty history)": 0.01,
        },
    )
    add("rolling_origin_backtest", "step: 0", "step", lambda: backtest(step=0))

    results = backtest_results
    score = EV.score_backtest
    family(
        add,
        "score_backtest",
        "series",
        lambda v: score(results(), v),
        {
            "shorter than the one backtested (8 of 12 steps)": BASE[:8],
            "the backtested one times 10 (MASE scale from other data)": BASE * 10,
            "None": None,
            "a constant stretch (MASE scale 0 at an origin)": np.r_[np.ones(9), BASE[9:]],
        },
    )
    family(
        add,
        "score_backtest",
        "backtest",
        lambda v: score(v, BASE),
        {
            "empty": results().iloc[:0],
            "without the forecast column": results().drop(columns="forecast"),
        },
    )
    add("score_backtest", "season: 0", "season", lambda: score(results(), BASE, season=0))
    add("score_backtest", 'by: "origin"', "by", lambda: score(results(), BASE, by="origin"))
    family(
        add,
        "origin_mase",
        "series",
        lambda v: EV.origin_mase(results(), v),
        {
            "shorter than the one backtested (8 of 12 steps)": BASE[:8],
            "the backtested one times 10 (MASE scale from other data)": BASE * 10,
        },
    )
    add("origin_mase", "backtest: a dict", "backtest", lambda: EV.origin_mase({}, BASE))

    def scores():
        return EV.origin_mase(results(), BASE)

    pc = EV.paired_comparison
    add("paired_comparison", "scores: a numpy array", "scores", lambda: pc(BASE, "a", "b", 1))
    add(
        "paired_comparison",
        "model_a: not a column",
        "model_a",
        lambda: pc(scores(), "x", "mean", 1),
    )
    family(
        add,
        "paired_comparison",
        "overlap",
        lambda v: pc(scores(), "naive", "mean", v),
        {"0": 0, "5 (= the number of origins)": 5},
    )

    rng = np.random.default_rng(0)
    errors_a, errors_b = rng.normal(size=10), rng.normal(size=10)
    bad = pick(series_variants(errors_a), "NaN inside", "string dtype (numeric text)")
    family(add, "dm_test", "errors_a", lambda v: EV.dm_test(v, errors_b, 1), bad)
    add("dm_test", "errors_b: 5 of 10", "errors_b", lambda: EV.dm_test(errors_a, errors_b[:5], 1))
    family(
        add,
        "dm_test",
        "horizon",
        lambda v: EV.dm_test(errors_a, errors_b, v),
        {"0": 0, "10 (= n)": 10},
    )
    family(
        add,
        "dm_test",
        "power",
        lambda v: EV.dm_test(errors_a, errors_b, 1, power=v),
        {"0": 0, '"2"': "2"},
    )
    add(
        "dm_test",
        "power: np.float64(2.0) (valid)",
        "power",
        lambda: EV.dm_test(errors_a, errors_b, 1, power=np.float64(2.0)),
        valid=True,
    )

    y = np.array([10.0, 20.0])
    yq = np.array([[8.0, 10.0, 13.0], [18.0, 20.0, 23.0]])
    q = [0.1, 0.5, 0.9]
    pl = EV.pinball_loss
    add("pinball_loss", "y_true: NaN", "y_true", lambda: pl([NAN, 20.0], yq, q))
    add("pinball_loss", "y_true: complex dtype", "y_true", lambda: pl(y + 1j, yq, q))
    add("pinball_loss", "y_quantiles: 2 levels of 3", "y_quantiles", lambda: pl(y, yq[:, :2], q))
    add("pinball_loss", "y_quantiles: crossing", "y_quantiles", lambda: pl(y, yq[:, ::-1], q))
    family(
        add,
        "pinball_loss",
        "quantiles",
        lambda v: pl(y, yq, v),
        {"decreasing": q[::-1], "percent [10, 50, 90]": [10, 50, 90], "2-D": [q]},
    )
    wql = EV.weighted_quantile_loss
    add("weighted_quantile_loss", "y_true: all zeros", "y_true", lambda: wql(np.zeros(2), yq, q))
    add("weighted_quantile_loss", "y_quantiles: transposed", "y_quantiles", lambda: wql(y, yq.T, q))
    add("weighted_quantile_loss", "quantiles: None", "quantiles", lambda: wql(y, yq, None))

    lo, hi = y - 1, y + 1
    cov = EV.interval_coverage
    add(
        "interval_coverage", "y_true: 3 values, bounds 2", "y_true", lambda: cov(np.ones(3), lo, hi)
    )
    add("interval_coverage", "lower: above upper", "lower|upper", lambda: cov(y, hi, lo))
    add("interval_coverage", "upper: NaN", "upper", lambda: cov(y, lo, np.array([NAN, 1.0])))
    add(
        "interval_coverage",
        "lower/upper: infinite bounds, as conformal_interval returns for few residuals (valid)",
        "lower|upper",
        lambda: cov(y, y - np.inf, y + np.inf),
        valid=True,
    )
    ms = EV.msis
    add(
        "msis",
        "y_true: 2-D",
        "y_true",
        lambda: ms(np.ones((2, 2)), np.zeros((2, 2)), np.full((2, 2), 2.0), BASE),
    )
    family(
        add,
        "msis",
        "alpha",
        lambda v: ms(y, lo, hi, BASE, alpha=v),
        {"0": 0, "1.5": 1.5, '"0.05"': "0.05"},
    )
    family(
        add,
        "msis",
        "y_train",
        lambda v: ms(y, lo, hi, v),
        {"2-D": BASE.reshape(3, 4), "constant": np.ones(5)},
    )
    add("msis", "season: huge 1e+09", "season", lambda: ms(y, lo, hi, BASE, season=10**9))
    residuals = np.array([[1.0, -2.0], [-3.0, 1.0], [2.0, 5.0], [0.5, -1.0]])
    ci = EV.conformal_interval
    family(
        add,
        "conformal_interval",
        "residuals",
        lambda v: ci(v, 0.5),
        {
            "1-D": residuals[:, 0],
            "3-D": residuals[None],
            "empty (0, 2)": np.empty((0, 2)),
            "NaN": np.where(residuals == 1.0, np.nan, residuals),
        },
    )
    family(add, "conformal_interval", "alpha", lambda v: ci(residuals, v), {"1": 1, '"0.1"': "0.1"})


# --- forecasting --------------------------------------------------------------------------------


@cache
def co2_task():
    return F.load_task("co2")


def forecasting_cases():
    add = cases_for("forecasting")
    add("load_task", 'name: "CO2"', "name", lambda: F.load_task("CO2"))
    family(
        add,
        "load_task",
        "name",
        F.load_task,
        {"3 (a wrong type: want TypeError)": 3, "None (a wrong type: want TypeError)": None},
        want=TypeError,
    )
    fields = {
        "name": "co2",
        "series": series(),
        "covariates": pd.DataFrame(index=DAYS),
        "units": "ppm",
        "horizon": 2,
        "season": 3,
        "mase_season": 1,
        "initial": 9,
        "val_size": 2,
        "step": 1,
    }
    add(
        "ForecastTask",
        "horizon: -1",
        "horizon",
        lambda: F.ForecastTask(**{**fields, "horizon": -1}),
    )
    add(
        "ForecastTask",
        "val_size: 20 > initial 9",
        "val_size",
        lambda: F.ForecastTask(**{**fields, "val_size": 20}),
    )
    add("baseline_forecasters", "task: None", "task", lambda: F.baseline_forecasters(None))
    add(
        "baseline_forecasters",
        'task: the name "co2"',
        "task",
        lambda: F.baseline_forecasters("co2"),
    )
    add("classical_forecaster", "task: None", "task", lambda: F.classical_forecaster(None))
    add("classical_forecasters", 'task: "co2"', "task", lambda: F.classical_forecasters("co2"))
    family(
        add, "stl_ar_forecaster", "season", F.stl_ar_forecaster, {"1": 1, "2.5": 2.5, '"12"': "12"}
    )
    hr = F.harmonic_regression_forecaster
    add("harmonic_regression_forecaster", "pairs: 0", "pairs", lambda: hr(0))
    family(
        add,
        "harmonic_regression_forecaster",
        "order",
        lambda v: hr(order=v),
        {"a list [1, 0, 0]": [1, 0, 0], "(1, 0)": (1, 0), "(1, -1, 0)": (1, -1, 0)},
    )
    add(
        "harmonic_regression_forecaster",
        "its forecaster: history without a DatetimeIndex",
        "history",
        lambda: hr()[1](pd.Series(BASE), 3),
    )
    add(
        "harmonic_regression_forecaster",
        "its forecaster: horizon 0",
        "horizon",
        lambda: hr()[1](series(), 0),
    )

    def linear(**kw):
        return F.linear_forecaster(co2_task(), kw.pop("input_length", 12), **kw)

    add("linear_forecaster", "task: None", "task", lambda: F.linear_forecaster(None, 12))
    family(
        add,
        "linear_forecaster",
        "input_length",
        lambda v: linear(input_length=v),
        {"0": 0, "huge 1e+06": 10**6},
    )
    add("linear_forecaster", 'normalise: "first"', "normalise", lambda: linear(normalise="first"))
    family(
        add,
        "linear_forecaster",
        "covariates",
        lambda v: linear(covariates=v()),
        {
            "a numpy array": lambda: np.ones((5, 2)),
            "missing rows": lambda: pd.DataFrame({"a": 1.0}, index=co2_task().series.index[:5]),
            "NaN": lambda: pd.DataFrame({"a": NAN}, index=co2_task().series.index),
        },
    )
    add("linear_forecaster", "alpha: -1", "alpha", lambda: linear(alpha=-1.0))
    family(
        add,
        "linear_forecaster",
        "history",
        lambda v: linear()[1](v(), 12),
        {
            "shorter than input_length (its forecaster)": lambda: co2_task().train.iloc[:5],
            "with NaN (its forecaster)": lambda: co2_task().train.where(co2_task().train > 330),
            "a numpy array (its forecaster)": lambda: co2_task().train.to_numpy(),
        },
    )
    add(
        "linear_forecaster",
        "its forecaster: horizon 13 > the task's 12",
        "horizon",
        lambda: linear()[1](co2_task().train, 13),
    )
    family(
        add,
        "ensemble_forecaster",
        "forecasters",
        F.ensemble_forecaster,
        {"empty list": [], "a list of names": ["naive"], "None": None},
    )
    add(
        "ensemble_forecaster",
        "forecasters: forecasts of different lengths",
        "forecasters",
        lambda: F.ensemble_forecaster([lambda h, n: np.zeros(n), lambda h, n: np.zeros(n + 1)])(
            BASE, 2
        ),
    )
    sndf = F.seasonal_naive_drift_forecast
    bad = {**series_variants(), **pandas_variants(), "a string": "abc"}
    family(add, "seasonal_naive_drift_forecast", "history", lambda v: sndf(v, 3, 2), bad)
    add("seasonal_naive_drift_forecast", "horizon: 0", "horizon", lambda: sndf(BASE, 0, 2))
    family(
        add, "seasonal_naive_drift_forecast", "season", lambda v: sndf(BASE, 3, v), ints(huge=10**9)
    )
    naive = {"naive": EV.naive_forecast}
    add("backtest", "task: None", "task", lambda: F.backtest(None, naive))
    add("backtest", "forecasters: empty dict", "forecasters", lambda: F.backtest(co2_task(), {}))
    add(
        "backtest",
        "forecasters: one returns horizon - 1 values",
        "forecasters|forecaster",
        lambda: F.backtest(co2_task(), {"short": lambda h, n: np.zeros(n - 1)}),
    )
    add("backtest", 'part: "train"', "part", lambda: F.backtest(co2_task(), naive, "train"))


# --- models -------------------------------------------------------------------------------------


def models_cases():
    add = cases_for("models")
    rnn = M.RNNForecaster
    add("RNNForecaster", "input_size: 0", "input_size", lambda: rnn(0, 4))
    family(add, "RNNForecaster", "hidden_size", lambda v: rnn(1, v), {**ints(), "None": None})
    add("RNNForecaster", "horizon: 0", "horizon", lambda: rnn(1, 4, 0))
    add("RNNForecaster", "num_layers: 0", "num_layers", lambda: rnn(1, 4, num_layers=0))
    family(
        add,
        "RNNForecaster",
        "cell",
        lambda v: rnn(1, 4, cell=v),
        {'"rnn"': "rnn", "nn.LSTM (a class)": nn.LSTM},
    )
    family(
        add,
        "RNNForecaster",
        "dropout",
        lambda v: rnn(1, 4, dropout=v),
        {"0.5 with num_layers=1": 0.5, "1.0": 1.0, '"0.1"': "0.1"},
    )
    add(
        "RNNForecaster",
        'bidirectional: "yes"',
        "bidirectional",
        lambda: rnn(1, 4, bidirectional="yes"),
    )
    add(
        "RNNForecaster",
        "sizes as numpy integers np.int64 (valid)",
        "input_size|hidden_size|horizon",
        lambda: rnn(np.int64(1), np.int64(8), np.int64(2))(torch.zeros(2, 5, 1)),
        valid=True,
    )
    family(
        add,
        "RNNForecaster.forward",
        "x",
        lambda v: rnn(1, 4)(v),
        {
            "2-D (B, L)": torch.zeros(2, 5),
            "a numpy array": np.zeros((2, 5, 1)),
            "float64": torch.zeros(2, 5, 1, dtype=torch.float64),
            "length 0 (2, 0, 1)": torch.zeros(2, 0, 1),
        },
    )

    s2s = M.Seq2SeqForecaster
    add("Seq2SeqForecaster", "input_size: 0", "input_size", lambda: s2s(0, 4, 2))
    add("Seq2SeqForecaster", 'hidden_size: "8"', "hidden_size", lambda: s2s(1, "8", 2))
    add("Seq2SeqForecaster", "horizon: 0", "horizon", lambda: s2s(1, 4, 0))
    add("Seq2SeqForecaster", "num_layers: 0", "num_layers", lambda: s2s(1, 4, 2, num_layers=0))
    add("Seq2SeqForecaster", 'attention: "dot"', "attention", lambda: s2s(1, 4, 2, attention="dot"))
    family(
        add,
        "Seq2SeqForecaster",
        "teacher_forcing",
        lambda v: s2s(1, 4, 2, teacher_forcing=v),
        {"1.5": 1.5, '"0.5"': "0.5"},
    )
    add(
        "Seq2SeqForecaster",
        "dropout: 0.5 with num_layers=1",
        "dropout",
        lambda: s2s(1, 4, 2, dropout=0.5),
    )
    add(
        "Seq2SeqForecaster",
        "sizes as numpy integers np.int64 (valid; RNNForecaster accepts them)",
        "input_size|hidden_size|horizon",
        lambda: s2s(np.int64(1), np.int64(8), np.int64(2)),
        valid=True,
    )
    add(
        "Seq2SeqForecaster.forward",
        "target: shape (B, horizon + 1)",
        "target",
        lambda: s2s(1, 4, 2)(torch.zeros(3, 5, 1), torch.zeros(3, 3)),
    )
    add(
        "Seq2SeqForecaster.forward",
        "target: a numpy array, training mode",
        "target",
        lambda: s2s(1, 4, 2, teacher_forcing=1.0).train()(torch.zeros(3, 5, 1), np.zeros((3, 2))),
    )
    add("Seq2SeqForecaster.forward", "x: 2-D (B, L)", "x", lambda: s2s(1, 4, 2)(torch.zeros(3, 5)))

    cell = M.GRUCell
    add("GRUCell", "input_size: 0", "input_size", lambda: cell(0, 4))
    add("GRUCell", "hidden_size: 2.5", "hidden_size", lambda: cell(2, 2.5))
    family(
        add,
        "GRUCell.forward",
        "x",
        lambda v: cell(2, 4)(v, torch.zeros(3, 4)),
        {
            "5 features for input_size 2": torch.zeros(3, 5),
            "1-D (F,)": torch.zeros(2),
            "a numpy array": np.zeros((3, 2), dtype=np.float32),
        },
    )
    family(
        add,
        "GRUCell.forward",
        "h",
        lambda v: cell(2, 4)(torch.zeros(3, 2), v),
        {
            "batch 1 for batch 3 (broadcast)": torch.zeros(1, 4),
            "hidden 5 for hidden_size 4": torch.zeros(3, 5),
            "None": None,
        },
    )
    family(
        add,
        "GRUCell.load_from",
        "gru",
        lambda v: cell(2, 4).load_from(v),
        {"an nn.LSTM": nn.LSTM(2, 4), "a GRU of hidden size 5": nn.GRU(2, 5)},
    )
    add(
        "GRUCell.load_from", "layer: 1 of 1", "layer", lambda: cell(2, 4).load_from(nn.GRU(2, 4), 1)
    )
    scratch = M.ScratchGRU
    add("ScratchGRU", "input_size: 0", "input_size", lambda: scratch(0, 4))
    add("ScratchGRU.forward", "x: 2-D (B, L)", "x", lambda: scratch(2, 4)(torch.zeros(3, 5)))
    family(
        add,
        "ScratchGRU.forward",
        "h0",
        lambda v: scratch(2, 4)(torch.zeros(3, 5, 2), v),
        {
            "batch 1 for batch 3 (broadcast)": torch.zeros(1, 1, 4),
            "2-D (B, H), no layer axis": torch.zeros(3, 4),
            "hidden 5 for 4": torch.zeros(1, 3, 5),
        },
    )

    ae = M.SequenceAutoencoder
    add(
        "SequenceAutoencoder",
        "sizes as numpy integers np.int64 (valid; RNNForecaster accepts them)",
        "input_size|hidden_size|latent_size",
        lambda: ae(np.int64(1), np.int64(8), np.int64(2)),
        valid=True,
    )
    add("SequenceAutoencoder", "hidden_size: 0", "hidden_size", lambda: ae(1, 0, 2))
    add("SequenceAutoencoder", 'latent_size: "3"', "latent_size", lambda: ae(1, 4, "3"))
    add("SequenceAutoencoder.forward", "x: 2-D", "x", lambda: ae(1, 4, 2)(torch.zeros(3, 5)))

    lvn = M.LastValueNormalised
    add("LastValueNormalised", "model: None", "model", lambda: lvn(None))
    add(
        "LastValueNormalised",
        "model: RNNForecaster (a class)",
        "model",
        lambda: lvn(M.RNNForecaster),
    )
    add("LastValueNormalised.forward", "x: 2-D", "x", lambda: lvn(rnn(1, 4))(torch.zeros(2, 5)))

    ql = M.QuantileLoss
    family(
        add,
        "QuantileLoss",
        "quantiles",
        ql,
        {
            "empty": [],
            "repeated [0.5, 0.5]": [0.5, 0.5],
            "with 0": [0.0, 0.5],
            "percent [10, 50]": [10, 50],
            "a string": "abc",
            "NaN": [NAN],
        },
    )
    add(
        "QuantileLoss.forward",
        "pred: (B, H) without the quantile axis",
        "pred",
        lambda: ql([0.1, 0.9])(torch.zeros(2, 3), torch.zeros(2, 3)),
    )
    add(
        "QuantileLoss.forward",
        "y: a numpy array",
        "y",
        lambda: ql([0.1, 0.9])(torch.zeros(2, 3, 2), np.zeros((2, 3))),
    )
    gq = M.GlobalQuantileForecaster
    add("GlobalQuantileForecaster", "input_length: 0", "input_length", lambda: gq(0, 2, [0.5]))
    add("GlobalQuantileForecaster", "horizon: 2.5", "horizon", lambda: gq(4, 2.5, [0.5]))
    add(
        "GlobalQuantileForecaster",
        "quantiles: [0.9, 0.1]",
        "quantiles",
        lambda: gq(4, 2, [0.9, 0.1]),
    )
    add(
        "GlobalQuantileForecaster",
        'hidden_size: "16"',
        "hidden_size",
        lambda: gq(4, 2, [0.5], "16"),
    )
    add("GlobalQuantileForecaster", "num_layers: -1", "num_layers", lambda: gq(4, 2, [0.5], 8, -1))
    family(
        add,
        "GlobalQuantileForecaster.forward",
        "x",
        lambda v: gq(4, 2, [0.5], 8)(v),
        {
            "length 5 for input_length 4": torch.zeros(3, 5),
            "a numpy array": np.zeros((3, 4), dtype=np.float32),
        },
    )


# --- training -----------------------------------------------------------------------------------


def tiny_model(**kw):
    torch.manual_seed(0)
    return M.RNNForecaster(**{"input_size": 1, "hidden_size": 4, **kw})


def batches(n_batches=2, *, y_nan=False, y_flat=False, horizon=1, dtype=torch.float32):
    """``n_batches`` tiny batches of 4 windows ``(4, 5, 1)`` and targets ``(4, horizon)``."""
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(n_batches):
        x = torch.randn(4, 5, 1, generator=g, dtype=dtype)
        y = torch.randn(4, horizon, generator=g, dtype=dtype)
        if y_nan:
            y[0, 0] = NAN
        out.append((x, y[:, 0] if y_flat else y))
    return out


def fit_tiny(**changes):
    """``fit`` of a tiny model on two tiny batches for one epoch, with ``changes`` to its arguments."""
    args = {
        "model": tiny_model(),
        "train_loader": batches(),
        "val_loader": None,
        "epochs": 1,
        "progress": False,
        "device": "cpu",
    }
    args.update(changes)
    return T.fit(args.pop("model"), args.pop("train_loader"), args.pop("val_loader"), **args)


def nan_loss_leaves_train_mode():
    model = tiny_model()
    try:
        T.fit(model, batches(y_nan=True), epochs=1, progress=False, device="cpu")
    except ValueError:
        pass
    return Check(
        not model.training,
        "after fit raised on a NaN training loss, model.training is still True (train mode)",
    )


@cache
def fitted_scaler():
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(BASE[:, None])


def torch_forecaster(**changes):
    """``torch_forecaster`` of a tiny model of horizon 2 on windows of 3, with ``changes``."""
    args = {"model": tiny_model(horizon=2), "input_length": 3, "scaler": fitted_scaler()}
    args.update(changes)
    return T.torch_forecaster(
        args.pop("model"), args.pop("input_length"), args.pop("scaler"), **args
    )


def training_cases():
    add = cases_for("training")
    from torch.utils.data import DataLoader, TensorDataset

    family(
        add,
        "fit",
        "model",
        lambda v: fit_tiny(model=v),
        {"None": None, "RNNForecaster (a class)": M.RNNForecaster},
    )
    family(
        add, "fit", "epochs", lambda v: fit_tiny(epochs=v), {**ints(), "True": True, "None": None}
    )
    family(add, "fit", "lr", lambda v: fit_tiny(lr=v), {"0": 0, '"1e-3"': "1e-3"})
    add("fit", "patience: 0", "patience", lambda: fit_tiny(patience=0))
    family(add, "fit", "clip_grad_norm", lambda v: fit_tiny(clip_grad_norm=v), {"True": True})
    family(
        add,
        "fit",
        "train_loader",
        lambda v: fit_tiny(train_loader=v),
        {
            "empty list": [],
            "None": None,
            "a DataLoader over an empty dataset": DataLoader(
                TensorDataset(torch.zeros(0, 5, 1), torch.zeros(0, 1))
            ),
            "a tensor of windows, not (x, y) batches": torch.zeros(4, 5, 1),
            "x of dtype float64": batches(dtype=torch.float64),
            "NaN targets (the training loss is NaN in epoch 1)": batches(y_nan=True),
            "targets (B,) against predictions (B, 1) (broadcast)": batches(y_flat=True),
            "targets (B, 2) for a model of horizon 1 (broadcast)": batches(horizon=2),
        },
    )
    add(
        "fit",
        "train_loader: NaN targets: is the model left in train mode after the error?",
        "train_loader",
        nan_loss_leaves_train_mode,
    )
    family(
        add,
        "fit",
        "val_loader",
        lambda v: fit_tiny(val_loader=v),
        {"a string": "abc", "NaN targets (the validation loss is NaN)": batches(y_nan=True)},
    )
    add("fit", 'device: "tpu"', "device", lambda: fit_tiny(device="tpu"))
    family(
        add,
        "fit",
        "loss_fn",
        lambda v: fit_tiny(loss_fn=v),
        {'"mse"': "mse", "nn.MSELoss (a class)": nn.MSELoss},
    )
    family(
        add,
        "fit",
        "optimizer",
        lambda v: fit_tiny(optimizer=v),
        {'"adam"': "adam", "torch.optim.Adam (a class)": torch.optim.Adam},
    )
    add("fit", 'progress: "no" (truthy)', "progress", lambda: fit_tiny(progress="no"))

    add("predict", "model: None", "model", lambda: T.predict(None, torch.zeros(2, 5, 1)))
    family(
        add,
        "predict",
        "X",
        lambda v: T.predict(tiny_model(), v),
        {
            "a numpy array (N, L, F)": np.zeros((2, 5, 1), dtype=np.float32),
            "a 2-D tensor": torch.zeros(2, 5),
            "an empty tensor (0, 5, 1)": torch.zeros(0, 5, 1),
            "3 features for input_size 1": torch.zeros(2, 5, 3),
        },
    )
    add(
        "predict",
        "batch_size: 0",
        "batch_size",
        lambda: T.predict(tiny_model(), torch.zeros(2, 5, 1), batch_size=0),
    )
    add(
        "predict",
        'device: "tpu"',
        "device",
        lambda: T.predict(tiny_model(), torch.zeros(2, 5, 1), device="tpu"),
    )

    rf = T.recursive_forecast
    add("recursive_forecast", "model: None", "model", lambda: rf(None, torch.zeros(5, 1), 3))
    family(
        add,
        "recursive_forecast",
        "window",
        lambda v: rf(tiny_model(), v, 3),
        {
            "a numpy array": np.zeros((5, 1)),
            "int64": torch.zeros(5, 1, dtype=torch.int64),
            "2 features, no future_covariates": torch.zeros(5, 2),
        },
    )
    add("recursive_forecast", "steps: 0", "steps", lambda: rf(tiny_model(), torch.zeros(5, 1), 0))
    family(
        add,
        "recursive_forecast",
        "future_covariates",
        lambda v: rf(tiny_model(input_size=2), torch.zeros(5, 2), 3, v),
        {"(2, 1) for 3 steps": torch.zeros(2, 1), "a string": "abc"},
    )
    add(
        "recursive_forecast",
        'device: "tpu"',
        "device",
        lambda: rf(tiny_model(), torch.zeros(5, 1), 3, device="tpu"),
    )

    family(
        add,
        "save_checkpoint",
        "path",
        lambda v: T.save_checkpoint(tiny_model(), v),
        {
            "in a missing folder": TMP / "missing" / "model.pt",
            "an existing folder": TMP,
            "None": None,
        },
    )
    add(
        "save_checkpoint",
        "model: an nn.Linear (no config)",
        "model",
        lambda: T.save_checkpoint(nn.Linear(2, 2), TMP / "m.pt"),
    )

    def saved(obj, name):
        path = TMP / name
        if isinstance(obj, str):
            path.write_text(obj)
        else:
            torch.save(obj, path)
        return path

    family(
        add,
        "load_checkpoint",
        "path",
        lambda v: T.load_checkpoint(v()),
        {
            "a text file": lambda: saved("not a checkpoint", "text.pt"),
            "a dict without a class": lambda: saved({"a": 1}, "dict.pt"),
            "None": lambda: None,
        },
    )
    add(
        "load_checkpoint",
        'map_location: "tpu"',
        "map_location",
        lambda: T.load_checkpoint(T.save_checkpoint(tiny_model(), TMP / "ok.pt"), "tpu"),
    )

    tf = torch_forecaster
    add("torch_forecaster", "model: None", "model", lambda: tf(model=None))
    add("torch_forecaster", "input_length: 0", "input_length", lambda: tf(input_length=0))
    add("torch_forecaster", "difference: 0", "difference", lambda: tf(difference=0))
    add(
        "torch_forecaster",
        "covariates: a numpy array",
        "covariates",
        lambda: tf(covariates=np.ones((12, 1))),
    )
    add(
        "torch_forecaster",
        "recursive=True with covariates",
        "recursive|covariates",
        lambda: tf(recursive=True, covariates=pd.DataFrame(index=DAYS)),
    )
    add(
        "torch_forecaster",
        'recursive: "no" (truthy)',
        "recursive",
        lambda: tf(recursive="no")(series(), 2),
    )
    add(
        "torch_forecaster",
        "scaler: None (accepted until the first forecast)",
        "scaler",
        lambda: tf(scaler=None)(series(), 2),
    )
    add(
        "torch_forecaster",
        "its forecaster: horizon 3 for a model of horizon 2",
        "horizon",
        lambda: tf()(series(), 3),
    )
    family(
        add,
        "torch_forecaster",
        "history",
        lambda v: tf()(v, 2),
        {
            "shorter than input_length (its forecaster)": series().iloc[:2],
            "a numpy array (its forecaster)": BASE,
            "with NaN (its forecaster)": series().where(series() != 9.0),
        },
    )


# --- distances ----------------------------------------------------------------------------------


def distances_cases():
    add = cases_for("distances")
    dtw = D.cdist_dtw
    bad = dataset_variants(full=True)
    family(add, "cdist_dtw", "X", dtw, bad, skip=("4-D", "a dict", "a string", "bool dtype"))
    add(
        "cdist_dtw", "X: padding only, a series all NaN", "X", lambda: dtw([[1.0, 2.0], [NAN, NAN]])
    )
    add("cdist_dtw", "Y: 2 features, X 1", "Y", lambda: dtw(DATA, DATA[..., None].repeat(2, -1)))
    add(
        "cdist_dtw",
        "Y: NaN inside a series",
        "Y",
        lambda: dtw(DATA, dataset_variants()["NaN inside a series"]),
    )
    family(add, "cdist_dtw", "window", lambda v: dtw(DATA, window=v), {**ints(0), '"1"': "1"})
    family(
        add,
        "cdist_dtw",
        "device",
        lambda v: dtw(DATA, device=v),
        {
            '"tpu"': "tpu",
            "5": 5,
            **({} if torch.cuda.is_available() else {'"cuda" (none here)': "cuda"}),
        },
    )
    family(
        add,
        "cdist_dtw",
        "dtype",
        lambda v: dtw(DATA, dtype=v),
        {
            "np.float64 (a numpy class)": np.float64,
            '"float64"': "float64",
            "torch.float16": torch.float16,
        },
    )
    add("cdist_dtw", "chunk_size: 0", "chunk_size", lambda: dtw(DATA, chunk_size=0))
    add("cdist_dtw", 'engine: "numba"', "engine", lambda: dtw(DATA, engine="numba"))

    soft = D.cdist_soft_dtw
    bad = pick(dataset_variants(), "NaN inside a series", "1-D", "complex dtype")
    family(add, "cdist_soft_dtw", "X", soft, bad)
    family(
        add,
        "cdist_soft_dtw",
        "gamma",
        lambda v: soft(DATA, gamma=v),
        {"0": 0, '"1"': "1", "inf": INF},
    )
    add("cdist_soft_dtw", "window: -1", "window", lambda: soft(DATA, window=-1))
    add("cdist_soft_dtw", "dtype: np.float32", "dtype", lambda: soft(DATA, dtype=np.float32))

    sbd = D.cdist_sbd
    family(
        add,
        "cdist_sbd",
        "X",
        sbd,
        {
            "NaN end padding (SBD needs equal lengths)": [[1.0, 2.0, NAN], [1.0, 2.0, 3.0]],
            "inf": dataset_variants()["inf"],
            "empty (0, 6)": np.empty((0, 6)),
        },
    )
    add("cdist_sbd", "Y: 2 features, X 1", "Y", lambda: sbd(DATA, DATA[..., None].repeat(2, -1)))
    add("cdist_sbd", "dtype: np.float64", "dtype", lambda: sbd(DATA, dtype=np.float64))
    add("cdist_sbd", 'device: "tpu"', "device", lambda: sbd(DATA, device="tpu"))

    sd = D.soft_dtw
    x = torch.tensor(DATA)
    bad = pick(dataset_variants(), "NaN inside a series", "1-D", "complex dtype")
    family(add, "soft_dtw", "x", lambda v: sd(v, x), bad)
    family(
        add,
        "soft_dtw",
        "y",
        lambda v: sd(x, v),
        {"batch 3 for batch 4": x[:3], "None": None, "2 features": x[..., None].repeat(1, 1, 2)},
    )
    add("soft_dtw", "gamma: 0", "gamma", lambda: sd(x, x, gamma=0))

    path = D.dtw_path
    bad = pick(series_variants(full=True), "NaN inside", "empty", "complex dtype", "bool dtype")
    family(add, "dtw_path", "x", lambda v: path(v, BASE[:5]), bad)
    family(
        add,
        "dtw_path",
        "y",
        lambda v: path(BASE[:5], v),
        {"2 features for 1": np.ones((5, 2)), "None": None},
    )
    add("dtw_path", "window: -1", "window", lambda: path(BASE[:5], BASE[:4], -1))


# --- barycenters --------------------------------------------------------------------------------


def barycenters_cases():
    add = cases_for("barycenters")
    dba = B.dtw_barycenter_averaging
    bad = pick(dataset_variants(), "NaN inside a series", "inf", "1-D", "complex dtype")
    family(add, "dtw_barycenter_averaging", "X", lambda v: dba(v, max_iter=2), bad)
    family(
        add,
        "dtw_barycenter_averaging",
        "init",
        lambda v: dba(DATA, init=v, max_iter=2),
        {"2 features for 1": np.ones((6, 2)), "NaN": np.r_[1.0, NAN, 1.0], "a string": "abc"},
    )
    add("dtw_barycenter_averaging", "max_iter: 0", "max_iter", lambda: dba(DATA, max_iter=0))
    add("dtw_barycenter_averaging", "tol: -1", "tol", lambda: dba(DATA, max_iter=2, tol=-1.0))
    add(
        "dtw_barycenter_averaging", "window: -1", "window", lambda: dba(DATA, max_iter=2, window=-1)
    )
    add("dtw_barycenter_averaging", 'device: "tpu"', "device", lambda: dba(DATA, device="tpu"))
    sb = B.softdtw_barycenter
    bad = pick(dataset_variants(), "NaN inside a series", "1-D")
    family(add, "softdtw_barycenter", "X", lambda v: sb(v, max_iter=2), bad)
    add("softdtw_barycenter", "init: a string", "init", lambda: sb(DATA, init="abc", max_iter=2))
    add("softdtw_barycenter", "max_iter: 2.5", "max_iter", lambda: sb(DATA, max_iter=2.5))
    family(
        add,
        "softdtw_barycenter",
        "gamma",
        lambda v: sb(DATA, gamma=v, max_iter=2),
        {"0": 0, '"1"': "1"},
    )
    family(
        add,
        "softdtw_barycenter",
        "divergence",
        lambda v: sb(DATA, max_iter=2, divergence=v),
        {'"yes"': "yes", "1": 1},
    )


# --- clustering ---------------------------------------------------------------------------------


def clustering_cases():
    add = cases_for("clustering")
    km = C.TimeSeriesKMeans

    def kmeans(X=DATA, **params):
        return km(**{"n_clusters": 2, "max_iter": 3, "random_state": 0, **params}).fit(X)

    bad = pick(
        dataset_variants(), "NaN inside a series", "inf", "1-D", "string dtype (numeric text)"
    )
    family(add, "TimeSeriesKMeans.fit", "X", kmeans, bad)
    add(
        "TimeSeriesKMeans.fit",
        "X: NaN end padding with metric='euclidean'",
        "X",
        lambda: kmeans([[1.0, 2.0, 3.0], [1.0, 2.0, NAN]]),
    )
    family(
        add,
        "TimeSeriesKMeans.fit",
        "n_clusters",
        lambda v: kmeans(n_clusters=v),
        {**ints(), "None": None, "5 > 4 series": 5},
    )
    family(
        add,
        "TimeSeriesKMeans.fit",
        "metric",
        lambda v: kmeans(metric=v),
        {'"manhattan"': "manhattan"},
    )
    for arg in ("max_iter", "n_init", "max_iter_barycenter"):
        add("TimeSeriesKMeans.fit", f"{arg}: 0", arg, partial(kmeans, **{arg: 0}))
    family(
        add,
        "TimeSeriesKMeans.fit",
        "random_state",
        lambda v: kmeans(random_state=v),
        {'"abc"': "abc", "-1": -1},
    )
    add("TimeSeriesKMeans.fit", 'device: "tpu"', "device", lambda: kmeans(device="tpu"))
    add("TimeSeriesKMeans.fit", "window: -1", "window", lambda: kmeans(metric="dtw", window=-1))
    family(
        add,
        "TimeSeriesKMeans.fit",
        "gamma",
        lambda v: kmeans(metric="softdtw", gamma=v),
        {'"big"': "big", "0": 0},
    )
    add("TimeSeriesKMeans.predict", "before fit", "fit", lambda: km(n_clusters=2).predict(DATA))
    add(
        "TimeSeriesKMeans.predict",
        "X: 2 features, fitted on 1",
        "X",
        lambda: kmeans().predict(DATA[..., None].repeat(2, -1)),
    )
    add(
        "TimeSeriesKMeans.predict",
        "X: length 4, fitted on 6 (euclidean)",
        "X",
        lambda: kmeans().predict(DATA[:, :4]),
    )

    ks = C.KShape

    def kshape(X=DATA, **params):
        return ks(**{"n_clusters": 2, "max_iter": 3, "random_state": 0, **params}).fit(X)

    bad = pick(dataset_variants(), "NaN inside a series", "1-D")
    family(add, "KShape.fit", "X", kshape, {**bad, "constant series": np.ones((4, 6))})
    family(add, "KShape.fit", "n_clusters", lambda v: kshape(n_clusters=v), {"0": 0, "5 > 4": 5})
    add("KShape.fit", 'tol: "x"', "tol", lambda: kshape(tol="x"))
    add("KShape.predict", "before fit", "fit", lambda: ks(n_clusters=2).predict(DATA))
    add("KShape.predict", "X: length 4, fitted on 6", "X", lambda: kshape().predict(DATA[:, :4]))

    kmed = C.KMedoids
    matrix = D.cdist_dtw(DATA)

    def medoids(X=UNSET, **params):
        params = {"n_clusters": 2, "random_state": 0, **params}
        return kmed(**params).fit(matrix if X is UNSET else X)

    family(
        add,
        "KMedoids.fit",
        "X",
        medoids,
        {
            "not square (4, 3)": matrix[:, :3],
            "negative distances": -matrix,
            "NaN": np.where(matrix > 5, np.nan, matrix),
            "asymmetric": np.triu(matrix),
            "non-zero diagonal": matrix + 1.0,
            "the series instead of distances": DATA,
        },
    )
    family(add, "KMedoids.fit", "n_clusters", lambda v: medoids(n_clusters=v), {"0": 0, "5 > 4": 5})
    add("KMedoids.fit", 'metric: "cosine"', "metric", lambda: medoids(metric="cosine"))
    add("KMedoids.fit", 'init: "random"', "init", lambda: medoids(init="random"))
    add("KMedoids.fit", "window: -1", "window", lambda: medoids(DATA, metric="dtw", window=-1))
    add("KMedoids.fit", "X: 1-D with metric='dtw'", "X", lambda: medoids(DATA[0], metric="dtw"))
    add("KMedoids.predict", "before fit", "fit", lambda: kmed(n_clusters=2).predict(matrix))
    family(
        add,
        "KMedoids.predict",
        "X",
        lambda v: medoids().predict(v),
        {
            "distances to 3 of the 4 fitted series": matrix[:, :3],
            "NaN distances": np.full((2, 4), np.nan),
            "negative distances": -matrix,
        },
    )

    sg = C.suggest_gamma
    family(
        add,
        "suggest_gamma",
        "X",
        sg,
        {
            "one series": DATA[:1],
            "all series equal": np.ones((3, 4)),
            "NaN inside": dataset_variants()["NaN inside a series"],
        },
    )
    family(add, "suggest_gamma", "fraction", lambda v: sg(DATA, v), {"0": 0, '"0.1"': "0.1"})
    add("suggest_gamma", "n_pairs: 0", "n_pairs", lambda: sg(DATA, n_pairs=0))
    add(
        "suggest_gamma",
        'random_state: "x"',
        "random_state",
        lambda: sg(DATA, n_pairs=2, random_state="x"),
    )
    add("suggest_gamma", 'device: "tpu"', "device", lambda: sg(DATA, device="tpu"))


# --- anomaly ------------------------------------------------------------------------------------

LABELS = np.array([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
SCORES = np.array([0.1, 0.2, 0.9, 0.8, 0.1, 0.3, 0.2, 0.7, 0.1, 0.2, 0.1, 0.0])
LONG = np.sin(np.arange(120) / 3.0) + 0.01 * np.arange(120)  # for the window detectors


def anomaly_cases():
    add = cases_for("anomaly")
    family(
        add,
        "anomaly_ranges",
        "binary",
        A.anomaly_ranges,
        {
            "0.5": np.r_[LABELS[:-1], 0.5],
            "NaN": np.r_[LABELS[:-1], NAN],
            "2-D": LABELS.reshape(3, 4),
            "numeric text": LABELS.astype(str),
        },
    )
    family(
        add,
        "point_adjust",
        "labels",
        lambda v: A.point_adjust(v, LABELS),
        {
            "no anomaly": np.zeros(12),
            "2-D": LABELS.reshape(3, 4),
            "numeric text": LABELS.astype(str),
        },
    )
    family(
        add,
        "point_adjust",
        "predictions",
        lambda v: A.point_adjust(LABELS, v),
        {
            "a 2": np.r_[LABELS[:-1], 2],
            "shorter than labels": LABELS[:5],
            "scores, not 0/1": SCORES,
        },
    )
    rpr = A.range_precision_recall
    add(
        "range_precision_recall",
        "labels: all anomalies",
        "labels",
        lambda: rpr(np.ones(12), LABELS),
    )
    add("range_precision_recall", "predictions: None", "predictions", lambda: rpr(LABELS, None))
    family(
        add,
        "range_precision_recall",
        "alpha",
        lambda v: rpr(LABELS, LABELS, v),
        {"-0.1": -0.1, '"0.5"': "0.5", "nan": NAN},
    )
    add(
        "event_scores", "labels: no anomaly", "labels", lambda: A.event_scores(np.zeros(12), LABELS)
    )
    add(
        "event_scores",
        "predictions: shorter than labels",
        "predictions",
        lambda: A.event_scores(LABELS, LABELS[:5]),
    )
    family(
        add,
        "pr_auc",
        "scores",
        lambda v: A.pr_auc(LABELS, v),
        {
            "NaN": np.r_[SCORES[:-1], NAN],
            "inf": np.r_[SCORES[:-1], INF],
            "shorter than labels": SCORES[:5],
            "complex dtype": SCORES + 1j,
        },
    )
    add("pr_auc", "labels: no anomaly", "labels", lambda: A.pr_auc(np.zeros(12), SCORES))
    add("pr_auc", "labels: a 2", "labels", lambda: A.pr_auc(np.r_[LABELS[:-1], 2], SCORES))
    vus = A.vus_pr
    add("vus_pr", "scores: NaN", "scores", lambda: vus(LABELS, np.r_[SCORES[:-1], NAN]))
    add("vus_pr", "scores: shorter than labels", "scores", lambda: vus(LABELS, SCORES[:5]))
    family(
        add,
        "vus_pr",
        "max_buffer",
        lambda v: vus(LABELS, SCORES, max_buffer=v),
        {**ints(0), "2000, for a 12-step series": 2000},
    )
    add("vus_pr", "n_thresholds: 1", "n_thresholds", lambda: vus(LABELS, SCORES, n_thresholds=1))

    dp = A.dominant_period
    bad = {
        **pick(series_variants(LONG[:24]), "NaN inside", "3-D array"),
        "shorter than max_lag": LONG[:8],
        "constant": np.ones(30),
    }
    family(add, "dominant_period", "values", lambda v: dp(v, 10), bad)
    family(add, "dominant_period", "max_lag", lambda v: dp(LONG, v), {"4": 4, "huge 1e+09": 10**9})
    ws = A.window_scores_to_steps
    bad = pick(series_variants(), "NaN inside", "empty", "3-D array")
    family(add, "window_scores_to_steps", "window_scores", lambda v: ws(v, 3), bad)
    add("window_scores_to_steps", "window: 0", "window", lambda: ws(SCORES, 0))
    rz = A.rolling_zscore
    bad = pick(series_variants(), "NaN inside", "inf inside", "string dtype (numeric text)")
    family(add, "rolling_zscore", "values", lambda v: rz(v, 3), bad)
    family(add, "rolling_zscore", "window", lambda v: rz(BASE, v), {"1": 1, **ints(2, huge=10**9)})
    sr = A.seasonal_residual
    bad = pick(series_variants(), "NaN inside", "empty")
    family(add, "seasonal_residual", "values", lambda v: sr(v, 2), bad)
    family(add, "seasonal_residual", "season", lambda v: sr(BASE, v), {"0": 0, "huge 1e+09": 10**9})
    iso = A.isolation_forest_scores
    family(
        add,
        "isolation_forest_scores",
        "values",
        lambda v: iso(v, 4, 10, n_estimators=5),
        {
            "NaN": series_variants()["NaN inside"],
            "constant before train_end": np.r_[np.ones(10), 2.0, 3.0],
        },
    )
    family(
        add,
        "isolation_forest_scores",
        "window",
        lambda v: iso(LONG, v, 60, n_estimators=5),
        {"1": 1, "huge 1e+09": 10**9},
    )
    family(
        add,
        "isolation_forest_scores",
        "train_end",
        lambda v: iso(LONG, 4, v, n_estimators=5),
        {"4 (= window)": 4, "200 > length 120": 200},
    )
    add(
        "isolation_forest_scores",
        "n_estimators: 0",
        "n_estimators",
        lambda: iso(LONG, 4, 60, n_estimators=0),
    )
    add(
        "isolation_forest_scores",
        'random_state: "x"',
        "random_state",
        lambda: iso(LONG, 4, 60, n_estimators=5, random_state="x"),
    )
    pca = A.pca_reconstruction_scores
    add(
        "pca_reconstruction_scores",
        "values: inf",
        "values",
        lambda: pca(series_variants()["inf inside"], 4, 10, 2),
    )
    family(
        add,
        "pca_reconstruction_scores",
        "n_components",
        lambda v: pca(LONG, 4, 60, v),
        {"0": 0, "4 (= window)": 4},
    )
    add("pca_reconstruction_scores", "window: 2.5", "window", lambda: pca(LONG, 2.5, 60, 1))
    add("pca_reconstruction_scores", "train_end: 200", "train_end", lambda: pca(LONG, 4, 200, 1))
    mad = A.mad_threshold
    bad = pick(series_variants(), "NaN inside", "empty", "string dtype (numeric text)")
    family(add, "mad_threshold", "train_scores", mad, bad)
    family(add, "mad_threshold", "k", lambda v: mad(SCORES, v), {"0": 0, '"5"': "5", "nan": NAN})
    mp = A.matrix_profile
    bad = {
        **pick(
            series_variants(full=True), "NaN inside", "3-D array", "complex dtype", "bool dtype"
        ),
        "5 points": BASE[:5],
    }
    family(add, "matrix_profile", "values", lambda v: mp(v, 3), bad)
    family(
        add,
        "matrix_profile",
        "window",
        lambda v: mp(BASE, v),
        {"2": 2, "7 > 12 // 2": 7, "2.5": 2.5},
    )
    family(
        add,
        "matrix_profile",
        "exclusion",
        lambda v: mp(BASE, 3, exclusion=v),
        {"-1": -1, "100": 100},
    )
    add("matrix_profile", "block: 0", "block", lambda: mp(BASE, 3, block=0))
    add("matrix_profile", 'device: "tpu"', "device", lambda: mp(BASE, 3, device="tpu"))


# --- plotting -----------------------------------------------------------------------------------


def plotting_cases():
    add = cases_for("plotting")
    pf = PL.plot_forecasts
    history, actual = series().iloc[:9], series().iloc[9:]
    forecast = {"naive": np.full(3, 7.0)}
    add("plot_forecasts", "actual: empty", "actual", lambda: pf(history, [], {"naive": []}))
    family(
        add,
        "plot_forecasts",
        "actual",
        lambda v: pf(history, v, forecast),
        {"a decreasing index": actual.iloc[::-1], "a string": "abc"},
    )
    family(
        add,
        "plot_forecasts",
        "history",
        lambda v: pf(v, actual, forecast),
        {
            "a decreasing index": history.iloc[::-1],
            "a duplicate index": pandas_variants()["Series with a duplicate DatetimeIndex"],
            "None": None,
        },
    )
    family(
        add,
        "plot_forecasts",
        "forecasts",
        lambda v: pf(history, actual, v),
        {
            "empty dict": {},
            "one of length 2 for 3 actuals": {"short": np.ones(2)},
            "one a string": {"text": "abc"},
            "one a Series on another index": {"other": pd.Series(np.ones(3))},
        },
    )
    add("plot_forecasts", "tail: 0", "tail", lambda: pf(history, actual, forecast, tail=0))
    add("plot_forecasts", 'ax: "abc"', "ax", lambda: pf(history, actual, forecast, ax="abc"))
    ptc = PL.plot_training_curves
    family(
        add,
        "plot_training_curves",
        "history",
        ptc,
        {
            "None": None,
            "an empty History": T.History(),
            "a dict": {"train_loss": [1.0, 0.5]},
            "NaN losses": T.History(train_loss=[1.0, NAN]),
            "negative losses with log=True": T.History(train_loss=[1.0, -0.5]),
            "val_loss longer than train_loss": T.History(train_loss=[1.0], val_loss=[1.0, 0.5]),
            "best_epoch 99 of 2": T.History(train_loss=[1.0, 0.5], best_epoch=99),
        },
    )
    add(
        "plot_training_curves",
        'ax: "abc"',
        "ax",
        lambda: ptc(T.History(train_loss=[1.0]), ax="abc"),
    )


# --- datasets -----------------------------------------------------------------------------------


def datasets_cases():
    add = cases_for("datasets")
    family(add, "load_co2", "raw", DS.load_co2, {'"yes"': "yes", "1": 1})
    for name, arg, good in (
        ("load_nab", "name", "nyc_taxi"),
        ("load_ucr", "name", "GunPoint"),
        ("load_tourism", "frequency", "monthly"),
    ):
        fn = getattr(DS, name)
        add(name, f"{arg}: upper case", arg, partial(fn, good.upper()))
        family(
            add,
            name,
            arg,
            fn,
            {
                "3 (a wrong type: want TypeError)": 3,
                "None (a wrong type: want TypeError)": None,
                "a list (a wrong type: want TypeError)": [good],
            },
            want=TypeError,
        )
    family(add, "make_cbf", "n_per_class", lambda v: DS.make_cbf(v, 16), ints(huge=10**15))
    family(add, "make_cbf", "length", lambda v: DS.make_cbf(1, v), {"7": 7, '"128"': "128"})
    family(
        add,
        "make_cbf",
        "random_state",
        lambda v: DS.make_cbf(1, 16, v),
        {'"0"': "0", "a numpy RandomState": np.random.RandomState(0)},
    )
    add(
        "make_cbf",
        "random_state: np.int64(3) (valid)",
        "random_state",
        lambda: DS.make_cbf(1, 16, np.int64(3)),
        valid=True,
    )
    add(
        "make_cbf",
        'variable_length: "yes"',
        "variable_length",
        lambda: DS.make_cbf(1, 16, 0, "yes"),
    )


# --- utils --------------------------------------------------------------------------------------


def deterministic_flag_sticks():
    U.seed_everything(0, deterministic=True)
    U.seed_everything(0, deterministic=False)
    return Check(
        not torch.are_deterministic_algorithms_enabled(),
        "seed_everything(0, deterministic=False) after deterministic=True leaves "
        "torch.are_deterministic_algorithms_enabled() True",
    )


def utils_cases():
    add = cases_for("utils")
    family(
        add,
        "get_device",
        "prefer",
        U.get_device,
        {
            '"tpu"': "tpu",
            '"CUDA"': "CUDA",
            "5": 5,
            'torch.device("cpu")': torch.device("cpu"),
            **({} if torch.cuda.is_available() else {'"cuda" (none here)': "cuda"}),
        },
    )
    family(
        add, "seed_everything", "seed", U.seed_everything, {**ints(0, full=True), "2**32": 2**32}
    )
    add(
        "seed_everything",
        "seed: np.int64(3) (valid)",
        "seed",
        lambda: U.seed_everything(np.int64(3)),
        valid=True,
    )
    family(
        add,
        "seed_everything",
        "deterministic",
        lambda v: U.seed_everything(0, v),
        {'"yes"': "yes", "1": 1},
    )
    add(
        "seed_everything",
        "deterministic=False after True: is the torch flag turned off?",
        "deterministic",
        deterministic_flag_sticks,
    )
    family(
        add,
        "check_version",
        "written_for",
        U.check_version,
        {"1.0 (a float)": 1.0, '"one"': "one", '"0.1.0.0"': "0.1.0.0"},
    )
    family(add, "glue", "name", lambda v: U.glue(v, 1.0), {"3": 3, '"a name"': "a name"})
    add("glue", 'display: "yes"', "display", lambda: U.glue("x", 1.0, display="yes"))
    family(
        add,
        "glue_values",
        "values",
        U.glue_values,
        {"a list": [("a", 1)], "a key with a space": {"a b": 1}},
    )
    add(
        "glue_values",
        "a name both in values and as a keyword",
        "values",
        lambda: U.glue_values({"a": 1}, a=2),
    )


# --- distributed --------------------------------------------------------------------------------


def train_tiny(**changes):
    """``distributed.train`` on 2 series, a batch of 64, hidden size 8, one epoch on the CPU."""
    args = {
        "launch": DIST.Launch(),
        "epochs": 1,
        "seed": 0,
        "global_batch": 64,
        "series": 2,
        "hidden_size": 8,
        "device": "cpu",
    }
    args.update(changes)
    return DIST.train(args.pop("launch"), **args)


def distributed_cases():
    add = cases_for("distributed")
    ca = DIST.check_args
    family(add, "check_args", "epochs", lambda v: ca(v, 256), {**ints(), '"3"': "3"})
    add("check_args", "global_batch: 0", "global_batch", lambda: ca(3, 0))
    add("check_args", "global_batch: 255 for 2 processes", "global_batch", lambda: ca(3, 255, 2))
    family(add, "check_args", "world_size", lambda v: ca(3, 256, v), {"0": 0, "-1": -1, '"2"': "2"})
    env = {"MASTER_ADDR": "localhost", "MASTER_PORT": "29500"}
    family(
        add,
        "launch_from_env",
        "environ",
        DIST.launch_from_env,
        {
            "WORLD_SIZE without RANK": {"WORLD_SIZE": "2"},
            "WORLD_SIZE not a number": {**env, "WORLD_SIZE": "two", "RANK": "0"},
            "a string": "abc",
            "5": 5,
        },
    )
    family(
        add,
        "prepare_out",
        "out",
        DIST.prepare_out,
        {"an existing file": TMP / "a_file", "None": None, '"" (the working directory)': ""},
    )
    family(
        add,
        "tourism_data",
        "series",
        DIST.tourism_data,
        {"0": 0, '"2"': "2", "10**9 (more than the 366 series)": 10**9},
    )
    dataset = torch.utils.data.TensorDataset(torch.zeros(8, 2), torch.zeros(8, 1))
    ml = DIST.make_loader
    add("make_loader", "batch_size: 0", "batch_size", lambda: ml(dataset, 0, DIST.Launch(), 0))
    family(
        add,
        "make_loader",
        "launch",
        lambda v: ml(dataset, 4, v, 0),
        {"None": None, "rank 3 of world size 2": DIST.Launch(rank=3, world_size=2)},
    )
    add("make_loader", "dataset: None", "dataset", lambda: ml(None, 4, DIST.Launch(), 0))
    add("make_loader", 'seed: "x"', "seed", lambda: ml(dataset, 4, DIST.Launch(), "x"))
    add("train", "launch: None", "launch", lambda: train_tiny(launch=None))
    add("train", "epochs: 0", "epochs", lambda: train_tiny(epochs=0))
    add(
        "train",
        "global_batch: 512 (more than the 184 windows)",
        "global_batch",
        lambda: train_tiny(global_batch=512),
    )
    family(add, "train", "lr", lambda v: train_tiny(lr=v), {"-1e-3": -1e-3, '"x"': "x"})
    add("train", "hidden_size: 0", "hidden_size", lambda: train_tiny(hidden_size=0))
    add("train", "series: 0", "series", lambda: train_tiny(series=0))
    add("train", 'device: "tpu"', "device", lambda: train_tiny(device="tpu"))
    add("train", 'on_epoch: "x"', "on_epoch", lambda: train_tiny(on_epoch="x"))


BUILDERS = {
    "preprocessing": preprocessing_cases,
    "evaluation": evaluation_cases,
    "forecasting": forecasting_cases,
    "models": models_cases,
    "training": training_cases,
    "distances": distances_cases,
    "barycenters": barycenters_cases,
    "clustering": clustering_cases,
    "anomaly": anomaly_cases,
    "plotting": plotting_cases,
    "datasets": datasets_cases,
    "utils": utils_cases,
    "distributed": distributed_cases,
}


# --- the runner ---------------------------------------------------------------------------------


@contextmanager
def preserved_state():
    """Restore what a case may change globally: torch's flags, generators and default dtype,
    Python's and numpy's generators, the environment, the working directory and figures."""
    saved = {
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn": (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark),
        "dtype": torch.get_default_dtype(),
        "grad": torch.is_grad_enabled(),
        "torch_rng": torch.get_rng_state(),
        "numpy_rng": np.random.get_state(),
        "python_rng": random.getstate(),
        "env": dict(os.environ),
        "cwd": os.getcwd(),
    }
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(saved["deterministic"], warn_only=saved["warn_only"])
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved["cudnn"]
        torch.set_default_dtype(saved["dtype"])
        torch.set_grad_enabled(saved["grad"])
        torch.set_rng_state(saved["torch_rng"])
        np.random.set_state(saved["numpy_rng"])
        random.setstate(saved["python_rng"])
        for key in set(os.environ) - set(saved["env"]):
            del os.environ[key]
        os.environ.update(saved["env"])
        os.chdir(saved["cwd"])
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def names(message: str, arg: str) -> bool:
    """Whether ``message`` names ``arg`` (or one of "a|b") as a word, ignoring case and taking
    "-" for "_"."""
    inner_hyphen = re.compile(r"(?<=\w)-(?=\w)")  # --global-batch names global_batch
    message = inner_hyphen.sub("_", message)
    return any(
        re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message, re.IGNORECASE)
        for name in inner_hyphen.sub("_", arg).split("|")
    )


def classify(case: Case, returned, error) -> str:
    if case.valid:
        return "clear" if error is None else "obscure"
    if error is None:
        return ("clear" if returned.ok else "silent") if isinstance(returned, Check) else "silent"
    right_type = isinstance(error, case.want or (ValueError, TypeError))
    return "clear" if right_type and names(str(error), case.arg) else "obscure"


def short(text, n=120) -> str:
    return " ".join(str(text).split())[:n]


def run_case(case: Case) -> dict:
    start = time.perf_counter()
    returned = error = None
    output = io.StringIO()  # progress bars and prints, kept out of the report
    with (
        warnings.catch_warnings(record=True) as caught,
        preserved_state(),
        redirect_stdout(output),
        redirect_stderr(output),
    ):
        warnings.simplefilter("always")
        try:
            returned = case.call()
        except (Exception, SystemExit) as err:  # noqa: BLE001 - SystemExit: launch_from_env
            error = err
    outcome = classify(case, returned, error)
    if error is not None:
        kind, message = type(error).__name__, short(error)
    elif isinstance(returned, Check):
        kind, message = "Check", "" if returned.ok else short(returned.note)
    else:
        kind, message = "returned", short(repr(returned)) if not case.valid else ""
    return {
        "module": case.module,
        "function": case.function,
        "description": case.description,
        "arg": case.arg,
        "valid_input": case.valid,
        "outcome": outcome,
        "exception": kind,
        "message": message,
        "warnings": sorted({f"{w.category.__name__}: {short(w.message, 80)}" for w in caught}),
        "seconds": round(time.perf_counter() - start, 4),
    }


def table(results: list[dict], modules: list[str]) -> str:
    rows = [("module", "cases", "clear", "obscure", "silent")]
    for module in [*modules, "total"]:
        part = [r for r in results if module in ("total", r["module"])]
        counts = [sum(r["outcome"] == o for r in part) for o in ("clear", "obscure", "silent")]
        rows.append((module, len(part), *counts))
    width = [max(len(str(row[i])) for row in rows) for i in range(5)]
    lines = [
        "  ".join(
            str(value).ljust(width[i]) if i == 0 else str(value).rjust(width[i])
            for i, value in enumerate(row)
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def details(results: list[dict]) -> str:
    lines = []
    for r in results:
        if r["outcome"] != "clear":
            lines.append(
                f"{r['module']:<13} {r['function']:<30} {r['description']:<60} "
                f"{r['outcome']:<7} {r['exception']}: {r['message']}"
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    global TMP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="one line per non-clear case")
    parser.add_argument("--json", metavar="PATH", help="write every case's result to PATH")
    parser.add_argument(
        "--module", action="append", choices=MODULES, help="audit only this module (repeatable)"
    )
    args = parser.parse_args(argv)
    modules = args.module or MODULES
    torch.set_num_threads(1)  # tiny data: threads only add overhead on a shared machine
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bad_input_audit_") as tmp:
        TMP = Path(tmp)
        (TMP / "a_file").write_text("a file, not a folder")
        CASES.clear()
        for module in modules:
            try:
                BUILDERS[module]()
            except Exception as err:  # noqa: BLE001 - a fixture broke: audit the other modules
                print(f"could not build the cases of {module}: {type(err).__name__}: {err}")
        cwd = os.getcwd()
        os.chdir(TMP)  # anything a case writes by accident lands in the temporary folder
        try:
            results = [run_case(case) for case in CASES]
        finally:
            os.chdir(cwd)
    seconds = time.perf_counter() - start
    if args.json:
        summary = {
            module: {
                outcome: sum(
                    r["outcome"] == outcome and module in ("total", r["module"]) for r in results
                )
                for outcome in ("clear", "obscure", "silent")
            }
            for module in [*modules, "total"]
        }
        report = {"seconds": round(seconds, 1), "summary": summary, "cases": results}
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    print(table(results, modules))
    print(f"\n{len(results)} cases in {seconds:.1f} s")
    if args.details:
        print("\nNot clear:\n" + details(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
