"""The progress bar of a long index build (the first run over years of reflections, or
after an upgrade), on standard error when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from clientcoach.i18n import _
from clientcoach.ui.console import console

# Fewer files than this are read too fast for a bar to be worth its flicker.
BAR_FROM = 200


def on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def index_bar() -> Callable[[int, int], None]:
    """A callback (files read, files to read) that draws a bar the first time it is
    called for many files, and removes it when they are all read."""
    state: dict[str, Any] = {}

    def step(done: int, total: int) -> None:
        if total < BAR_FROM:
            return
        if "bar" not in state:
            from rich.progress import Progress

            bar = Progress(console=console(), transient=True)
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task(_("Indexing your reflections"), total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    return step
