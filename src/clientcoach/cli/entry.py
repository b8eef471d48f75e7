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


def main(argv: list[str] | None = None) -> None:
    """Run ``coach`` with ``argv`` (default: the process's own arguments)."""
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
