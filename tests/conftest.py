"""Shared fixtures: every test gets its own data directory, never the real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pty_helpers import Spawn


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data directory and config file; the user's real ones are never touched.

    The language is English unless a test asks otherwise: no CLIENTCOACH_LANG, and a
    locale that names no language (a developer's own LANG=fr_FR must not change results).
    """
    from clientcoach import i18n

    data = tmp_path / "data"
    monkeypatch.setenv("CLIENTCOACH_HOME", str(data))
    monkeypatch.setenv("CLIENTCOACH_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.delenv("CLIENTCOACH_PLAYBOOKS", raising=False)
    monkeypatch.delenv("CLIENTCOACH_LANG", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    i18n.set_language("en")
    yield data
    i18n.set_language("en")  # a CliRunner test that chose French must not leak it


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start ``coach`` in a pseudo-terminal; whatever is still running is stopped after."""
    from tests.pty_helpers import Coach

    started: list[Coach] = []

    def start(*args: str, cwd: Path | None = None) -> Coach:
        coach = Coach(*args, cwd=cwd)
        started.append(coach)
        return coach

    yield start
    for coach in started:
        coach.kill()
