"""The console-script entry point: ``coach --version`` answers before Typer is imported.

Importing the Typer application costs several times Python's own start-up, and a version
check (by a user, a script or a package manager) needs none of it. Everything else goes
to :func:`clientcoach.cli.main.main` unchanged.
"""

from __future__ import annotations

import sys

from clientcoach import version_line

# Flags that may stand beside --version without changing what it prints.
_QUIET_FLAGS = frozenset({"--version", "--debug", "--no-color"})


def _streams() -> None:
    """One way with the standard streams, for every command.

    A closed stream (``<&-``, ``>&-``, ``2>&-``) is None or closed: it becomes the null
    device, so nothing is a terminal there and nothing written to it fails. Output in an
    encoding that cannot hold a character (``PYTHONIOENCODING=ascii``) gets a
    replacement character instead of an error; input that is not UTF-8 is kept as
    surrogate escapes, which the input rule then refuses by name (never a crash that
    loses what was typed).
    """
    import contextlib
    import io
    import os

    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        stream = getattr(sys, name)
        if stream is None or getattr(stream, "closed", False):
            # Opened here for the whole run: the null device stands in for the stream.
            # (`open`, not pathlib: `coach --version` must not pay for importing it.)
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115, PTH123
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "replace")):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)
    if isinstance(sys.stdin, io.TextIOWrapper) and sys.stdin.errors == "strict":
        with contextlib.suppress(ValueError, OSError):
            sys.stdin.reconfigure(errors="surrogateescape")


def main(argv: list[str] | None = None) -> None:
    """Run ``coach`` with ``argv`` (default: the process's own arguments)."""
    _streams()
    args = sys.argv[1:] if argv is None else list(argv)
    if "--version" in args and _QUIET_FLAGS.issuperset(args):
        # Only the exact shapes Typer would answer eagerly; any other argument (a command,
        # an unknown option) goes through the full parser and its error messages.
        try:
            sys.stdout.write(version_line() + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return
    from clientcoach.cli.main import main as cli_main

    cli_main(args)
