"""Where a use case finds the user's things: the playbook library of a data directory."""

from __future__ import annotations

from pathlib import Path

from clientcoach.storage.playbooks import Library, PlaybookCache, user_playbook_dirs


def library(root: Path, language: str | None = None) -> Library:
    """The user's playbooks over the built-in ones, in ``language`` (default: the run's)."""
    return Library(user_playbook_dirs(root), language=language, kept=PlaybookCache(root))
