"""Tests for tslearnkit.utils: device choice and seeding."""

import random

import numpy as np
import pytest
import torch

import tslearnkit
from tslearnkit import get_device, seed_everything
from tslearnkit.utils import VersionMismatchWarning, check_version


def test_get_device_default_is_available():
    device = get_device()
    assert isinstance(device, torch.device)
    torch.zeros(1, device=device)  # usable


def test_get_device_prefers_cuda_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"


def test_get_device_cpu():
    assert get_device("cpu") == torch.device("cpu")


def test_get_device_bad_input(monkeypatch):
    with pytest.raises(ValueError, match="prefer must be one of"):
        get_device("tpu")
    with pytest.raises(TypeError, match="prefer must be a string"):
        get_device(0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no cuda device"):
        get_device("cuda")


def test_seed_everything_repeats_all_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    seed_everything(123)
    first = draw()
    seed_everything(123)
    assert draw() == first
    seed_everything(124)
    assert draw() != first


def test_seed_everything_sets_deterministic_flags():
    try:
        seed_everything(0, deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    finally:
        torch.use_deterministic_algorithms(False)


@pytest.mark.parametrize(
    "seed, error, match",
    [
        (-1, ValueError, "seed must be an integer >= 0, got -1"),
        (2**32, ValueError, "seed must be < 2"),
        (1.5, TypeError, "seed must be an integer"),
        (True, TypeError, "seed must be an integer"),
    ],
)
def test_seed_everything_bad_input(seed, error, match):
    with pytest.raises(error, match=match):
        seed_everything(seed)


def test_seed_everything_bad_flag():
    with pytest.raises(TypeError, match="deterministic"):
        seed_everything(0, deterministic="yes")


@pytest.mark.parametrize("written_for", ["0.1", "0.1.0"])
def test_check_version_matches(monkeypatch, written_for, recwarn):
    monkeypatch.setattr(tslearnkit, "__version__", "0.1.0")
    assert check_version(written_for) is True
    assert not recwarn.list


def test_check_version_mismatch_says_what_to_install(monkeypatch):
    monkeypatch.setattr(tslearnkit, "__version__", "0.2.0")
    with pytest.warns(
        VersionMismatchWarning,
        match=r"written for tslearnkit 0\.1, but tslearnkit 0\.2\.0 .*tslearnkit==0\.1\.\*",
    ):
        assert check_version("0.1") is False
    with pytest.warns(VersionMismatchWarning, match=r"tslearnkit==0\.1\.3"):
        check_version("0.1.3")


def test_check_version_bad_input():
    with pytest.raises(TypeError, match="written_for must be a version string"):
        check_version(0.1)
    with pytest.raises(ValueError, match="written_for must look like .* got 'v1'"):
        check_version("v1")
