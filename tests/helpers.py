"""Helpers shared by the tests: run the real command, find saved files.

:func:`run_coach` runs ``coach`` in this process: the real entry point with its argument
list, standard streams that are not terminals, the environment and working directory
given, and ``SystemExit`` turned into an exit code. It is what most tests need and costs
milliseconds. :func:`run_coach_process` starts ``python -m clientcoach`` in a real
subprocess, for what only a real process shows (start-up, signals, real pipes); tests
using it are marked ``e2e``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


# Set by an autouse fixture (conftest.py): whether the running test is marked e2e. Only
# those may start a process of coach, so the default run (-m 'not e2e') never pays for one.
E2E = {"allowed": True}


def require_e2e(what: str) -> None:
    assert E2E["allowed"], f"{what} starts a real process: mark the test @pytest.mark.e2e"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def reset_global_state() -> None:
    """Put back what one run of ``coach`` may change in this process.

    A real process starts with all of this fresh; in-process runs share one interpreter,
    so a French run, ``--debug`` or ``--no-color`` must not leak into the next run.
    """
    from clientcoach import i18n
    from clientcoach.cli import compat, language
    from clientcoach.cli.common import STATE
    from clientcoach.ui.console import STYLE

    STATE.debug = False
    STYLE.no_color = False
    STYLE.no_pager = False
    i18n.set_language(i18n.DEFAULT)
    language.reset()
    # cli.main() points Typer's headings at our catalogue for a French run.
    compat.reset_typer_headings()


class _Output(io.TextIOWrapper):
    """A standard output or error stream that is not a terminal, kept in memory."""

    def __init__(self, name: str, errors: str) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors=errors, write_through=True)
        self._name = name

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    def text(self) -> str:
        self.flush()
        data = self.buffer.getvalue()  # type: ignore[attr-defined]
        # What subprocess.run(text=True) gives: universal newlines.
        return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _exit_code(code: object, stderr: io.TextIOBase) -> int:
    """The status a process would end with after ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    stderr.write(f"{code}\n")  # as the interpreter does for sys.exit("message")
    return 1


def run_coach(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Result:
    """Run ``coach ARGS`` in this process, as a shell would without a terminal.

    Standard input is ``stdin`` (empty when not given), never a terminal; ``env`` is
    added to the environment and ``cwd`` is the working directory, both only for this
    run. ``timeout`` is accepted for the callers of :func:`run_coach_process`.
    """
    from clientcoach.cli.entry import main

    del timeout  # in-process runs cannot hang on a pipe; pytest's own limits apply
    stdout = _Output("<stdout>", "surrogateescape")
    stderr = _Output("<stderr>", "backslashreplace")
    source = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    reset_global_state()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        if cwd is not None:
            patch.chdir(cwd)
        patch.setattr(sys, "stdin", source)
        patch.setattr(sys, "stdout", stdout)
        patch.setattr(sys, "stderr", stderr)
        patch.setattr(sys, "argv", ["coach", *args])
        try:
            main(list(args))
            code = 0
        except SystemExit as exit:
            code = _exit_code(exit.code, stderr)
        except Exception:
            # What the interpreter does with an uncaught exception.
            traceback.print_exc(file=stderr)
            code = 1
        finally:
            reset_global_state()
    return Result(code, stdout.text(), stderr.text())


def run_coach_process(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Result:
    """Run ``python -m clientcoach`` in a real subprocess, as a user's shell would."""
    require_e2e("run_coach_process")
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "clientcoach", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def reflection_files(data: Path) -> list[Path]:
    return (
        sorted((data / "reflections").glob("*/*.json")) if (data / "reflections").exists() else []
    )
