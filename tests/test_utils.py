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


# --------------------------------------------------------------------------- glue
def _displayed(monkeypatch, call):
    """What a glue call hands to IPython's display: [(data, metadata), ...]."""
    import IPython.display

    shown = []

    def record(data, raw, metadata):
        shown.append((data, metadata))

    monkeypatch.setattr(IPython.display, "display", record)
    try:
        import myst_nb.ext.glue

        monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", record)
    except ImportError:  # the light environment: no myst-nb to compare with
        pass
    call()
    return shown


@pytest.mark.parametrize("value", [1.2345, 7, "March 1958", [1, 2]])
@pytest.mark.parametrize("display", [False, True])
def test_glue_writes_what_myst_nb_glue_writes(monkeypatch, value, display):
    myst_glue = pytest.importorskip("myst_nb").glue
    from tslearnkit.utils import glue

    ours = _displayed(monkeypatch, lambda: glue("key", value, display=display))
    theirs = _displayed(monkeypatch, lambda: myst_glue("key", value, display=display))
    assert ours == theirs and len(ours) == 1
    data, metadata = ours[0]
    assert metadata["scrapbook"] == {
        "name": "key",
        "mime_prefix": "" if display else "application/papermill.record/",
    }


def test_glue_values_glues_each_value_hidden(monkeypatch):
    from tslearnkit.utils import glue_values

    returned = []
    shown = _displayed(monkeypatch, lambda: returned.append(glue_values({"a_1": 1}, b=2.5)))
    assert returned == [None]  # a hidden cell ending with it shows no output
    assert [m["scrapbook"]["name"] for _, m in shown] == ["a_1", "b"]
    assert all(k.startswith("application/papermill.record/") for d, _ in shown for k in d)


def test_glue_bad_input():
    from tslearnkit.utils import glue, glue_values

    with pytest.raises(TypeError, match="name must be a string"):
        glue(3, 1.0)
    with pytest.raises(ValueError, match="name must be made of"):
        glue("two words", 1.0)
    with pytest.raises(TypeError, match="display must be True or False"):
        glue("a", 1.0, display="no")
    with pytest.raises(TypeError, match="values must be a dict"):
        glue_values([("a", 1)])
    with pytest.raises(ValueError, match=r"both give \['a'\]"):
        glue_values({"a": 1}, a=2)


# --------------------------------------------------------------------------- a light import
def test_import_is_light():
    """`import tslearnkit` loads neither the exercise checks nor matplotlib's pyplot."""
    import subprocess
    import sys

    code = (
        "import sys, tslearnkit; "
        "print([m for m in sys.modules if m.startswith('tslearnkit.exercises') "
        "or m == 'matplotlib.pyplot'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_exercises_load_on_demand():
    from tslearnkit.exercises import ch04

    assert tslearnkit.exercises.ch04 is ch04
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        tslearnkit.nothing  # noqa: B018


def test_glue_stores_numpy_scalars_as_plain_numbers(monkeypatch):
    from tslearnkit.utils import glue

    shown = _displayed(monkeypatch, lambda: glue("x", np.float64(0.25), display=False))
    ((data, _),) = shown
    assert data["application/papermill.record/text/plain"] == "0.25"  # not "np.float64(0.25)"


def test_deterministic_false_turns_the_process_setting_off():
    import torch

    from tslearnkit.utils import seed_everything

    before = torch.are_deterministic_algorithms_enabled()
    try:
        seed_everything(0, deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
        seed_everything(0, deterministic=False)
        assert not torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(before, warn_only=True)
