"""The two consoles every view prints to, and whether a person is there to answer.

Data goes to standard output (:func:`out`), everything else to standard error
(:func:`console`). Colour is off for ``--no-color``, ``NO_COLOR``, ``TERM=dumb`` and
non-terminals. Rich is imported only when a console is asked for, so a scripted run
that prints nothing through Rich never loads it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class _Style:
    """What the global ``--no-color`` flag asked for, for this run."""

    no_color = False
    no_pager = False


STYLE = _Style()


def _color_allowed(no_color: bool) -> bool:
    return not (no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb")


def console() -> Console:
    """The message console (stderr), honouring --no-color, NO_COLOR and TERM=dumb."""
    from clientcoach.ui.nobreak import NoBreakConsole as Console

    color = _color_allowed(STYLE.no_color)
    return Console(
        stderr=True,
        no_color=not color,
        highlight=False,
        emoji=False,
        color_system="auto" if color else None,
    )


# How wide the data console is when standard output is piped and COLUMNS does not say:
# wide enough that a row is one line, so `coach followups | grep audit` finds the row.
PIPED_WIDTH = 4096


def out() -> Console:
    """The data console (stdout): plain whenever it is not a terminal, and then as wide
    as :data:`PIPED_WIDTH` unless ``COLUMNS`` is set (tables were cut at 80 columns)."""
    from clientcoach.ui.nobreak import NoBreakConsole as Console

    color = _color_allowed(STYLE.no_color)
    piped = not _stdout_terminal() and not os.environ.get("COLUMNS", "").strip()
    return Console(
        highlight=False,
        emoji=False,
        no_color=not color,
        color_system="auto" if color else None,
        width=PIPED_WIDTH if piped else None,
    )


def print_item(con: Console, text: Text) -> None:
    """One item of a list, for a person at a terminal: wrapped at a word to the
    console's width, each line after the first under its own text (past its leading
    spaces, and two more), not at the first column where the terminal would cut it.
    (Piped, an item stays whole on one line, as ``grep`` wants it: callers print it so.)"""
    from rich.text import Text

    indent = " " * (len(text.plain) - len(text.plain.lstrip(" ")) + 2)
    for number, part in enumerate(text.wrap(con, max(con.width - len(indent), 20))):
        part.rstrip()
        con.print(part if number == 0 else Text(indent) + part, soft_wrap=True)


def is_terminal() -> bool:
    """Whether a person can be asked: standard input is an open terminal."""
    stream = sys.stdin
    try:
        return stream is not None and not stream.closed and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _stdout_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def paged() -> Iterator[Console]:
    """The data console, for long text: on a terminal, what is printed inside goes
    through a pager (``$PAGER``, else the one Rich and pydoc use) when it is taller than
    the window. Never when standard output is piped, nor with ``--no-pager``."""
    con = out()
    if STYLE.no_pager or not _stdout_terminal():
        yield con
        return
    with con.capture() as captured:
        yield con
    text = captured.get()
    if text.count("\n") < con.size.height - 1:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from rich.pager import SystemPager

    # less shows colours (-R), and quits at once when the text fits after all (-F).
    os.environ.setdefault("LESS", "-FRX")
    SystemPager().show(text)
