"""Shared fixtures: every test gets its own data directory, never the real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pty_helpers import Spawn


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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
    return data


@pytest.fixture(autouse=True)
def e2e_only_starts_processes(request: pytest.FixtureRequest) -> Iterator[None]:
    """Only a test marked e2e may start ``coach`` in a process or a pseudo-terminal."""
    from tests.helpers import E2E

    E2E["allowed"] = request.node.get_closest_marker("e2e") is not None
    yield
    E2E["allowed"] = True


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    """What a run of ``coach`` in this process may change is put back after each test.

    Most tests run the command in this process (``tests.helpers.run_coach``) or through
    a CliRunner: a French run, ``--debug`` or ``--no-color`` must not leak into the next
    test. Signal handlers are checked rather than reset: a run that left its own in place
    is a bug the test should show.
    """
    import signal

    from tests.helpers import reset_global_state

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    handlers = {name: signal.getsignal(getattr(signal, name)) for name in names}
    yield
    reset_global_state()
    left = [name for name in names if signal.getsignal(getattr(signal, name)) != handlers[name]]
    for name in left:
        signal.signal(getattr(signal, name), handlers[name])  # type: ignore[arg-type]
    assert left == [], f"a run left its signal handlers in place: {left}"


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
