"""Where clientcoach keeps its data, from the environment and the platform."""

from __future__ import annotations

import os
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
