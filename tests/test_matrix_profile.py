"""tslearnkit._matrix_profile.matrix_profile against the definition, loop by loop in numpy."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from tslearnkit._matrix_profile import matrix_profile
from tslearnkit.datasets import load_nab

# One torch thread: a second intra-op thread stalls on a busy 2-core machine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def brute_force(x, window, exclusion=None):
    """The matrix profile by its definition: every pair, z-normalised with numpy, stumpy's
    convention for constant subsequences (0 between two, sqrt(window) against a non-constant)."""
    x = np.asarray(x, dtype=np.float64)
    if exclusion is None:
        exclusion = math.ceil(window / 4)
    subs = np.lib.stride_tricks.sliding_window_view(x, window)
    constant = np.ptp(subs, axis=1) == 0
    z = (subs - subs.mean(1, keepdims=True)) / np.where(constant, 1.0, subs.std(1))[:, None]
    n = len(subs)
    profile = np.empty(n)
    for i in range(n):
        d = np.sqrt(((z[i] - z) ** 2).sum(1))  # every j; non-constant pairs
        d[constant[i] & constant] = 0.0
        d[constant[i] != constant] = math.sqrt(window)
        d[np.abs(i - np.arange(n)) <= exclusion] = np.inf
        profile[i] = d.min()
    return profile


def assert_profiles_equal(profile, expected):
    """Equal, inf where the definition is inf; compared as squared distances, which the
    correlation gives to ~1e-14 (the distance itself near 0 only to ~sqrt(1e-16 * window))."""
    assert profile.shape == expected.shape
    np.testing.assert_array_equal(np.isinf(profile), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(profile[finite] ** 2, expected[finite] ** 2, rtol=1e-9, atol=1e-9)


def random_walk(n, seed):
    return np.random.default_rng(seed).standard_normal(n).cumsum()


@pytest.mark.parametrize(
    "n, window, exclusion, block",
    [
        (200, 10, None, 2048),  # one tile per diagonal block
        (200, 10, 0, 7),  # tiles shorter than the diagonals, ragged ends
        (150, 3, None, 1),  # one entry per step
        (120, 20, 50, 16),  # some rows with nothing outside the zone: inf
        (100, 7, 3, 5),
        (90, 45, None, 3),  # the largest window, n // 2
        (300, 30, 100, 64),
    ],
)
def test_matches_the_definition_on_random_walks(n, window, exclusion, block):
    x = random_walk(n, seed=n + window)
    expected = brute_force(x, window, exclusion)
    assert_profiles_equal(matrix_profile(x, window, exclusion=exclusion, block=block), expected)


@pytest.mark.parametrize("window, block", [(5, 2048), (12, 9), (3, 4)])
def test_constant_stretches_follow_stumpys_convention(window, block):
    x = random_walk(160, seed=3)
    x[20:50] = 2.0  # constant subsequences near each other
    x[90:110] = -1.0  # and far from the first stretch
    x[140:146] = 0.5  # shorter than some windows
    expected = brute_force(x, window)
    assert (expected == 0).any()  # constant subsequences with a constant neighbour
    assert_profiles_equal(matrix_profile(x, window, block=block), expected)


def test_one_constant_stretch_against_non_constant_subsequences():
    x = random_walk(80, seed=4)
    x[10:20] = 1.0  # one constant subsequence of 8 and its zone: its neighbours are non-constant
    profile = matrix_profile(x, 8, exclusion=2)
    assert_profiles_equal(profile, brute_force(x, 8, exclusion=2))
    assert profile[12] == pytest.approx(math.sqrt(8))  # constant against non-constant


def test_all_constant_series_is_zero():
    np.testing.assert_array_equal(matrix_profile(np.full(40, 3.0), 6), np.zeros(35))


@pytest.mark.parametrize("window", [8, 25])
def test_structured_series(window):
    t = np.arange(240)
    x = np.sin(2 * np.pi * t / 24) + 0.3 * np.sin(2 * np.pi * t / 7) + 0.01 * t
    assert_profiles_equal(matrix_profile(x, window, block=50), brute_force(x, window))


def test_a_planted_discord_is_found():
    rng = np.random.default_rng(5)
    t = np.arange(3000)
    x = np.sin(2 * np.pi * t / 50) + 0.05 * rng.standard_normal(3000)
    x[1800:1830] = 0.0  # a flattened stretch of one period
    profile = matrix_profile(x, 50)
    assert 1750 < profile.argmax() < 1830
    others = np.r_[profile[:1700], profile[1900:]]
    assert profile.max() > 3 * others.max()


def test_motif_pair_is_at_distance_zero():
    x = random_walk(400, seed=6)
    x[300:340] = x[50:90] * 3 + 7  # the same shape after z-normalisation
    profile = matrix_profile(x, 40)
    assert profile[50] < 1e-6 and profile[300] < 1e-6


def test_result_type_length_and_inputs_accepted():
    x = random_walk(100, seed=7)
    profile = matrix_profile(x, 10)
    assert isinstance(profile, np.ndarray)
    assert profile.dtype == np.float64 and profile.shape == (91,)
    for same in (list(x), pd.Series(x), torch.tensor(x)):
        np.testing.assert_array_equal(matrix_profile(same, 10), profile)
    np.testing.assert_allclose(matrix_profile(x, np.int64(10), device="cpu"), profile)
    ints = np.arange(60) % 7  # integers are numbers too
    assert_profiles_equal(matrix_profile(ints, 5), brute_force(ints, 5))
    assert_profiles_equal(matrix_profile(x, 10, block=10**6), profile)  # larger than the series


def test_inputs_are_not_modified():
    x = random_walk(100, seed=8)
    copy = x.copy()
    matrix_profile(x, 10)
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"values": np.ones((50, 2))}, ValueError, r"values must be 1-D.*\(50, 2\)"),
        ({"values": pd.DataFrame({"a": np.arange(50.0)})}, ValueError, "values must be 1-D"),
        ({"values": [[1.0, 2.0], [3.0]]}, ValueError, "values must be 1-D"),
        ({"values": np.array(["a"] * 50)}, TypeError, "values must be numeric"),
        ({"values": pd.Series(["a"] * 50)}, TypeError, "values must be numeric"),
        ({"values": np.arange(50) * 1j}, TypeError, "values must be numeric"),
        ({"values": torch.arange(50) * 1j}, TypeError, "values must be real numbers"),
        ({"values": [1.0, float("nan")] * 25}, ValueError, "values must be finite.*index 1"),
        ({"values": [1.0, float("inf")] * 25}, ValueError, "values must be finite"),
        ({"values": np.arange(5.0), "window": 3}, ValueError, "values must have at least 6"),
        ({"window": 2.0}, TypeError, "window must be an integer.*float"),
        ({"window": True}, TypeError, "window must be an integer"),
        ({"window": "8"}, TypeError, "window must be an integer"),
        ({"window": 2}, ValueError, r"window must be between 3 and .* = 25, got 2"),
        ({"window": 26}, ValueError, r"window must be between 3 and .* = 25, got 26"),
        ({"exclusion": -1}, ValueError, "exclusion must be None or an integer >= 0"),
        ({"exclusion": 1.5}, TypeError, "exclusion must be None or an integer"),
        ({"exclusion": True}, TypeError, "exclusion must be"),
        ({"window": 10, "exclusion": 40}, ValueError, "exclusion must be at most .* = 39.*got 40"),
        ({"block": 0}, ValueError, "block must be a positive integer"),
        ({"block": None}, TypeError, "block must be a positive integer"),
        ({"block": 4.0}, TypeError, "block must be"),
        ({"device": 3}, TypeError, "device must be"),
        ({"device": "nonsense"}, ValueError, "device must name a torch device"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, error, match):
    args = {"values": random_walk(50, seed=9), "window": 8} | kwargs
    values, window = args.pop("values"), args.pop("window")
    with pytest.raises(error, match=match):
        matrix_profile(values, window, **args)


def test_largest_exclusion_allowed():
    x = random_walk(50, seed=10)
    profile = matrix_profile(x, 10, exclusion=39)  # only the first and last pair remain
    assert_profiles_equal(profile, brute_force(x, 10, exclusion=39))
    assert np.isfinite(profile).sum() == 2


def test_matches_stumpy_on_a_nab_series():
    stumpy = pytest.importorskip("stumpy")
    x = load_nab("ambient_temperature_system_failure")["value"].to_numpy()[:3000]
    expected = stumpy.stump(x, 24)[:, 0].astype(np.float64)
    np.testing.assert_allclose(matrix_profile(x, 24), expected, rtol=0, atol=1e-8)
