"""A new user's first meeting, end to end, in a real terminal.

`coach` is found on the PATH (the installed console script), the home folder is empty,
no clientcoach variable is set and colour is on: the data must land in the platform's
data folder, and both the screen and the saved files are checked.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.pty_helpers import TIMEOUT, Coach, answer_tree, load_json, saved_files
from tests.test_terminal import run_debrief, run_prep

pytestmark = pytest.mark.e2e  # a new user's whole first session, in a real terminal

BIN = Path(sys.executable).parent


class NewUser(Coach):
    """``coach ARGS`` typed in a terminal by someone who just installed it."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {
            "HOME": str(home),
            "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        }
        self.args = args
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            "coach",
            list(args),
            env=env,
            cwd=str(home),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 200),
        )
        self.child.logfile_read = self.transcript
        self.last_step = None


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def _private(path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def _one(data: Path, kind: str) -> tuple[Path, dict[str, Any]]:
    found = [(p, load_json(p)) for p in saved_files(data) if load_json(p)["kind"] == kind]
    assert len(found) == 1, found
    return found[0]


def test_first_prep_then_debrief_as_a_new_user(user_home: Path) -> None:
    data = user_home / ".local" / "share" / "clientcoach"

    first = NewUser(user_home, "--help")
    assert first.finish() == 0
    for command in ("prep", "debrief", "playbooks"):
        assert command in first.screen

    prep_run = NewUser(user_home, "prep", "Acme Corp", "--meeting", "Q4 steering")
    expected_prep = run_prep(prep_run)
    summary = prep_run.summary()  # every answer, numbered, before anything is saved
    assert "1. " in summary
    assert "Agree the pilot scope" in summary
    prep_run.type("")
    prep_run.expect("Acme Corp")
    assert prep_run.finish() == 0, prep_run.screen
    screen = prep_run.screen
    assert "Saved" in screen
    assert "coach debrief 'Acme Corp'" in screen  # what to run next, ready to paste
    assert "\x1b[" in screen  # a terminal gets colour

    prep_path, prep = _one(data, "prep")
    assert str(prep_path) in screen.replace("\r\n", "")  # stdout is the terminal: path shown
    _private(prep_path)
    assert prep["client"] == "Acme Corp"
    assert prep["meeting"]["title"] == "Q4 steering"
    assert answer_tree(prep["answers"]) == expected_prep

    debrief_run = NewUser(user_home, "debrief", "acme corp")
    debrief_run.expect(prep["id"])  # it says which prep it follows
    expected_debrief = run_debrief(debrief_run)
    assert debrief_run.save() == 0, debrief_run.screen
    assert "coach prep" in debrief_run.screen

    debrief_path, debrief = _one(data, "debrief")
    _private(debrief_path)
    assert debrief["links"]["prep"] == prep["id"]
    assert debrief["meeting"]["title"] == "Q4 steering"  # taken from the prep
    assert answer_tree(debrief["answers"]) == expected_debrief
    assert len(saved_files(data)) == 2

    # At the end of the month: the review shows this month's figures, then offers the
    # monthly reflection, which this user declines for now.
    review_run = NewUser(user_home, "review")
    review_run.expect("Review of ")
    review_run.expect("Ended on agreed next steps")
    review_run.expect("Reflect on this period now?")
    review_run.type("n")
    assert review_run.finish() == 0, review_run.screen
    assert "Traceback" not in review_run.screen
    assert len(saved_files(data)) == 2  # declining saves nothing
    # Nothing but the data folder was written in the new home.
    assert {p.name for p in user_home.iterdir()} == {".local"}
