"""Where clientcoach keeps its data, from the environment and the platform."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

APP_NAME = "clientcoach"


def data_dir() -> Path:
    """``CLIENTCOACH_HOME`` if set, else the platform's user data directory.

    The result is always absolute: an empty or relative ``XDG_DATA_HOME`` (which some
    desktop sessions export) must never make us write into the current directory.
    """
    override = os.environ.get("CLIENTCOACH_HOME", "").strip()
    if override:
        return Path(override).expanduser().absolute()
    import platformdirs  # imported here: only commands that touch data pay for it

    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not path.is_absolute():
        path = Path.home() / ".local" / "share" / APP_NAME
    return path


def now() -> datetime:
    """The current local time, aware; ``CLIENTCOACH_NOW`` (ISO 8601) fixes it.

    The override exists so that tests and demos can say "today is 2026-11-24" and get
    the same overdue follow-ups, review month and file names on any machine.
    """
    fixed = os.environ.get("CLIENTCOACH_NOW", "").strip()
    if fixed:
        from clientcoach.errors import UsageError

        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            raise UsageError(
                f"CLIENTCOACH_NOW={fixed!r} is not an ISO date or time",
                "use e.g. 2026-11-24T09:30 or unset it",
            ) from None
        return moment.astimezone() if moment.tzinfo is None else moment
    return datetime.now(UTC).astimezone()
