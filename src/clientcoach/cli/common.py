"""What every command shares: global flags, the error guard, consoles, the library.

Kept light (typer and the error classes only) because every command module imports it,
and ``coach --help`` must not pay for pydantic, Rich tables or the store.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from clientcoach.errors import CoachError, ExitCode
from clientcoach.i18n import _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from clientcoach.storage.playbooks import Library
    from clientcoach.storage.store import Damaged


class _State:
    debug = False
    no_color = False


STATE = _State()


def console() -> Console:
    """The message console (stderr), honouring --no-color, NO_COLOR and TERM=dumb."""
    from clientcoach.ui.render import err_console

    return err_console(STATE.no_color)


def out() -> Console:
    """The data console (stdout)."""
    from clientcoach.ui.render import out_console

    return out_console(STATE.no_color)


def is_terminal() -> bool:
    """Whether a person can be asked: standard input is a terminal."""
    return sys.stdin.isatty()


def fail(error: CoachError) -> NoReturn:
    from clientcoach.ui.render import error_line

    error_line(console(), error.message, error.hint)
    raise typer.Exit(int(error.exit_code))


@contextmanager
def guard() -> Iterator[None]:
    """Turn every failure into one line and its documented exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        # The reader went away (`coach playbooks | head -1`): nothing is wrong here.
        silence_stdout()
        raise typer.Exit(int(ExitCode.OK)) from None
    except CoachError as error:
        fail(error)
    except (KeyboardInterrupt, EOFError):
        console().print(
            "\n" + _("Stopped. Nothing from this run was saved; earlier reflections are untouched.")
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as error:
        if STATE.debug:
            traceback.print_exc()
        from clientcoach.ui.render import error_line

        error_line(
            console(),
            _("unexpected {kind}: {error}").format(kind=type(error).__name__, error=error),
            _("this is a bug; run again with --debug for the traceback"),
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def report_damaged(files: Sequence[Damaged]) -> None:
    """After a command's work: name each damaged file once and exit 7 if there were any."""
    from clientcoach.ui.render import damaged

    if damaged(console(), files):
        raise typer.Exit(int(ExitCode.DAMAGED))


def library(root: Path) -> Library:
    from clientcoach.storage.playbooks import Library, PlaybookCache, user_playbook_dirs

    return Library(user_playbook_dirs(root), kept=PlaybookCache(root))


def silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
