"""pytest set-up for the whole repository: no test, doctest or notebook may use the network.

The socket module of the test process is patched, and ``tests/offline`` goes first on
``PYTHONPATH`` so that every Python process the tests start — the notebook kernels run by nbval
among them — loads ``sitecustomize.py`` from there and blocks its network too.
"""

import os
import sys
from pathlib import Path

OFFLINE = Path(__file__).parent / "tests" / "offline"
sys.path.insert(0, str(OFFLINE))

import offline_network  # noqa: E402


def pytest_configure(config):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(OFFLINE), os.environ.get("PYTHONPATH")])
    )
    offline_network.block()


def pytest_unconfigure(config):
    offline_network.unblock()
