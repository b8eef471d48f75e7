"""The code stays clean: ruff and mypy --strict, as part of the suite so CI enforces them."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    cache = REPO / ".mypy_cache"
    result = _run("mypy", "--strict", "--cache-dir", str(cache))
    assert result.returncode == 0, result.stdout + result.stderr
