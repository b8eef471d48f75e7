"""What every command shares: the root application, the one way to declare a command,
and the one place where errors become exit codes.

Kept light (typer and the error classes only) because every command module imports it,
and ``coach --help`` must not pay for pydantic, Rich tables or the store.
"""

import functools
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from clientcoach.errors import (
    CoachError,
    DamagedSkipped,
    DataError,
    ExitCode,
    RunStopped,
    StorageError,
    UsageError,
)
from clientcoach.i18n import _
from clientcoach.ui.console import console

if TYPE_CHECKING:
    from pathlib import Path

    from clientcoach.model.reflection import Reflection
    from clientcoach.storage.store import Damaged


class _State:
    debug = False


STATE = _State()


def help_width() -> int:
    # Help text is wrapped to the terminal, at most 80 columns wide. Click's own default
    # never goes below 50 columns, which garbles a narrow terminal; giving the width here
    # lifts that floor.
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 20)


def settings() -> dict[str, Any]:
    """Context settings shared by the application and its groups."""
    return {"help_option_names": ["-h", "--help"], "terminal_width": help_width()}


app = typer.Typer(
    name="coach",
    help=_(
        "Self-coaching for client meetings: prep before, debrief after, review monthly. "
        "Run coach alone to see what is due."
    ),
    # `coach` alone is the home screen (cli/home.py), not the help.
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=settings(),
)

F = TypeVar("F", bound=Callable[..., Any])


def group(name: str, help: str, *, invoke_without_command: bool = False) -> typer.Typer:
    """A group of commands (``coach playbooks ...``), added to the application."""
    sub = typer.Typer(
        help=help,
        invoke_without_command=invoke_without_command,
        no_args_is_help=not invoke_without_command,
        rich_markup_mode=None,
    )  # context settings (help options, width) come from the application's context
    app.add_typer(sub, name=name)
    return sub


def command(
    name: str | None = None, *, parent: typer.Typer | None = None, **options: Any
) -> Callable[[F], F]:
    """Declare a command: the one way every command of coach is declared.

    The function runs inside :func:`guard`, so every error it raises becomes one line
    and its documented exit code; ``parent`` is a :func:`group`, else the application.
    """

    def declare(function: F) -> F:
        (parent or app).command(name, **options)(_guarded(function))
        return function

    return declare


def callback(parent: typer.Typer) -> Callable[[F], F]:
    """Declare what a group does when called without a command (``coach drafts``)."""

    def declare(function: F) -> F:
        parent.callback()(_guarded(function))
        return function

    return declare


def guarded(function: F) -> F:
    """``function`` run as every command runs (see :func:`command`): for code that is
    not a command itself, such as the home screen the root callback shows."""
    return _guarded(function)


def _guarded(function: F) -> F:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        from clientcoach.storage import safe

        safe.SKIPPED.clear()  # in-process runs share one interpreter
        try:
            with guard():
                return function(*args, **kwargs)
        finally:
            _name_skipped(safe.SKIPPED)

    return run  # type: ignore[return-value]  # same signature, through functools.wraps


def _name_skipped(folders: set["Path"]) -> None:
    """One line for each derived folder left alone because it is a link leading out."""
    if not folders:
        return  # the usual case: nothing to say, and Rich is not loaded for it
    from rich.text import Text

    for folder in sorted(folders):
        console().print(
            Text(
                _(
                    "Not used: {path} is a symbolic link leading out of the data directory "
                    "(coach doctor names it; make it a plain folder)."
                ).format(path=folder),
                style="yellow",
            ),
            soft_wrap=True,
        )
    folders.clear()


def fail(error: CoachError) -> typer.Exit:
    """Print ``error`` as one line; the exit to raise for it."""
    from clientcoach.ui.render import error_line

    error_line(console(), error.message, error.hint)
    return typer.Exit(int(error.exit_code))


@contextmanager
def guard() -> Iterator[None]:
    """Turn every failure into one line and its documented exit code: the only place."""
    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        # The reader went away (`coach playbooks | head -1`): nothing is wrong here.
        silence_stdout()
        raise typer.Exit(int(ExitCode.OK)) from None
    except CoachError as error:
        raise fail(error) from None
    except RunStopped as stop:
        raise typer.Exit(stop.exit_code) from None
    except DamagedSkipped:
        raise typer.Exit(int(ExitCode.DAMAGED)) from None
    except (KeyboardInterrupt, EOFError, typer.Abort):  # Abort: Ctrl-C in typer.confirm
        console().print(
            "\n" + _("Stopped. Nothing from this run was saved; earlier reflections are untouched.")
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except RecursionError:
        raise fail(
            DataError(
                _("the input is nested too deeply to be read"),
                _(
                    "look for a file nested thousands of levels deep (a config, answers file "
                    "or playbook) and fix it"
                ),
            )
        ) from None
    except MemoryError:
        raise fail(
            DataError(
                _("the input is too large to be held in memory"),
                _("look for a huge file given to coach, and give a smaller one"),
            )
        ) from None
    except UnicodeError as error:
        raise fail(
            UsageError(
                _("text that is not valid UTF-8, or cannot be written here ({reason})").format(
                    reason=error.reason if hasattr(error, "reason") else error
                ),
                _("give the text as UTF-8; nothing was saved from this step"),
            )
        ) from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise fail(
            StorageError(
                _("{where}{reason}").format(where=where, reason=error.strerror or error),
                _("check the file, free space and permissions, then run the command again"),
            )
        ) from None
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


def report_damaged(files: "Sequence[Damaged]", hidden: bool = False) -> None:
    """After a command's work: name each damaged file once (their names left out when
    ``hidden``, for ``--redact``); exit 7 if there were any."""
    if not files:
        return  # the usual case: Rich is not loaded for a command that prints JSON
    from clientcoach.ui.render import damaged

    if damaged(console(), files, hidden):
        raise DamagedSkipped()


def one_format(**chosen: bool) -> None:
    """Refuse two output formats at once (``--json`` with ``--markdown``)."""
    from clientcoach.errors import UsageError

    given = [f"--{name}" for name, on in chosen.items() if on]
    if len(given) > 1:
        raise UsageError(
            _("{first} and {second} cannot go together").format(first=given[0], second=given[1]),
            _("pick one"),
        )


def print_json(data: object) -> None:
    """``data`` as indented JSON on standard output."""
    typer.echo(_json(data))


def print_json_items(items: Iterable[object]) -> None:
    """A JSON array of ``items`` on standard output, the same text as :func:`print_json`
    of their list, written as they come: a history of 100,000 reflections is never held
    as one list of dicts, nor as one text.

    Each item falls back to the standard library on its own (see :func:`_json`), where
    the whole list did before: only a float of such an item may be written otherwise."""
    opened = False
    batch: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal opened, batch, size
        typer.echo(("," if opened else "[") + "\n" + ",\n".join(batch), nl=False)
        opened, batch, size = True, [], 0

    for item in items:
        # An item's lines go one level deeper; a newline inside a JSON string is written
        # \n, so each one here is between two of the item's lines.
        text = "  " + _json(item).replace("\n", "\n  ")
        batch.append(text)
        size += len(text)
        if size >= _BATCH:
            flush()
    if batch:
        flush()
    typer.echo("\n]" if opened else "[]")


# How much JSON text is written at once.
_BATCH = 1 << 16


def _json(data: object) -> str:
    import orjson  # here, not at the top: `coach --help` need not load it

    from clientcoach.ui.escape import json_text

    try:
        # The same text as the standard library's `json.dumps(indent=2,
        # ensure_ascii=False)` for what commands print, fifty times faster (25,000
        # follow-ups: 0.38 s against 8 ms). Floats keep their value; a tiny one is
        # written 1e-7 where `json` writes 1e-07.
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:
        # What orjson refuses (a lone surrogate, an integer beyond 64 bits, a key that is
        # not a string) goes through the standard library as before.
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False)
    return json_text(text)


def silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # no real descriptor (a test's captured stream): nothing more to write anyway


def watch_index() -> None:
    """Show a bar while the index is built over many files, when a person is watching."""
    from clientcoach.ui.progress import index_bar, on_terminal

    if on_terminal():
        from clientcoach.app import indexed

        indexed.PROGRESS["make"] = index_bar


def saved(reflection: "Reflection", path: "Path") -> None:
    """Say where the reflection went; its path alone on stdout when that is a pipe."""
    from clientcoach.ui.messages import saved as say_saved

    say_saved(reflection, path, show_path=sys.stdout.isatty())
    if not sys.stdout.isatty():
        typer.echo(str(path))  # for scripts: path=$(coach prep ACME --answers a.toml)
