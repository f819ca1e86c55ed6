"""The test run is offline: connections to other machines fail, here and in started processes."""

import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from offline_network import NetworkBlockedError


def test_download_in_test_process_is_refused():
    with pytest.raises(OSError, match="network access is blocked"):  # urllib wraps it in URLError
        urllib.request.urlopen("http://example.com", timeout=5)
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("93.184.216.34", 80), timeout=5)


def test_download_in_child_process_is_refused():
    """Notebook kernels are child processes: they get the block through PYTHONPATH."""
    code = "import urllib.request; urllib.request.urlopen('http://example.com', timeout=5)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert result.returncode != 0
    assert "network access is blocked" in result.stderr


def test_loopback_still_works():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            conn, _ = server.accept()
            conn.close()
