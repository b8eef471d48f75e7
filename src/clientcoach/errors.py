"""Errors the user can act on, each with its documented exit code.

Every error raised by the core is a :class:`CoachError`; the command line turns it into
one line on standard error and the exit code of its class. Anything else is a bug and
is reported as such (exit 1), with the traceback only under ``--debug``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, one per class of problem (listed in the README)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    PLAYBOOK = 3
    ANSWERS = 4
    DATA = 5
    STORAGE = 6
    # The command did its work, but some data files were damaged and were skipped.
    DAMAGED = 7
    # 128 + the signal's number, as shells report a process ended by that signal; the
    # answers so far are kept as a draft in all three cases.
    HANGUP = 129
    INTERRUPTED = 130
    TERMINATED = 143


class CoachError(Exception):
    """A problem the user can fix; ``hint`` says what to do next."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(CoachError):
    """A command was called with options that cannot work together."""

    exit_code = ExitCode.USAGE


class PlaybookError(CoachError):
    """A playbook could not be found, read or validated."""

    exit_code = ExitCode.PLAYBOOK


class AnswersError(CoachError):
    """An answer is missing or invalid: answers file, or no terminal to ask on."""

    exit_code = ExitCode.ANSWERS


class DataError(CoachError):
    """A saved reflection is missing, ambiguous or unreadable."""

    exit_code = ExitCode.DATA


class StorageError(CoachError):
    """The data directory could not be written."""

    exit_code = ExitCode.STORAGE


class RunStopped(Exception):
    """A run was stopped by the user or a signal after saying so; its draft is kept.

    Not a :class:`CoachError`: the asker has already told the user what happened and how
    to resume, so the command line only turns it into its exit code.
    """

    def __init__(self, exit_code: ExitCode | int) -> None:
        super().__init__(int(exit_code))
        self.exit_code = int(exit_code)


class DamagedSkipped(Exception):
    """A command did its work, but skipped damaged files (already named): exit 7."""

    exit_code = ExitCode.DAMAGED
