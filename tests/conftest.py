"""Fixtures shared by the package's tests."""

import pytest
import torch


def pytest_addoption(parser):
    parser.addoption(
        "--book-html",
        default=None,
        metavar="PATH",
        help="the built HTML book that tests/test_browser.py loads "
        "(default: _build/stored/_build/html, written by `make test-book`)",
    )


@pytest.fixture
def one_torch_thread():
    """One torch thread: for tests that check results of the DTW kernels, where a second intra-op
    thread stalls on a busy 2-core machine (see benchmarks/dtw.py); restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
