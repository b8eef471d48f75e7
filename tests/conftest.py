"""Shared fixtures: every test gets its own data directory, never the real one."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data directory for the test; the user's real one is never touched."""
    data = tmp_path / "data"
    monkeypatch.setenv("CLIENTCOACH_HOME", str(data))
    monkeypatch.delenv("CLIENTCOACH_PLAYBOOKS", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return data
