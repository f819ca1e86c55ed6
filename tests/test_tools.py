"""The repository's tools refuse arguments that would do damage."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("out", [".", "..", "/"])
def test_wheel_parity_will_not_delete_the_checkout(out, tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "wheel_parity.py"), "--out", out],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "would delete" in result.stderr
    assert (ROOT / "tslearnkit" / "__init__.py").is_file()


def test_wheel_parity_will_not_empty_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "wheel_parity.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "did not write" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me"
