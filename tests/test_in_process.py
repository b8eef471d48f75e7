"""The in-process runner: each run sees only its own arguments, streams, env and cwd.

Most tests run ``coach`` in this process (``tests.helpers.run_coach``); these check that
one run leaves nothing behind that a real process would not have kept.
"""

from __future__ import annotations

import gettext
import os
import sys
from pathlib import Path

import pytest
import typer.core

from clientcoach import i18n
from clientcoach.cli.common import STATE
from clientcoach.ui.console import STYLE
from tests.helpers import REPO, run_coach

PREP = REPO / "examples" / "prep-answers.toml"


def test_env_cwd_and_streams_are_the_runs_own_and_put_back(home: Path, tmp_path: Path) -> None:
    before = (dict(os.environ), Path.cwd(), sys.stdin, sys.stdout, sys.stderr, sys.argv)
    result = run_coach("config", "path", env={"CLIENTCOACH_CONFIG": str(tmp_path / "c.toml")})
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "c.toml")
    assert (dict(os.environ), Path.cwd(), sys.stdin, sys.stdout, sys.stderr, sys.argv) == before

    # A relative answers path is read from the run's working directory.
    (tmp_path / "a.toml").write_bytes(PREP.read_bytes())
    saved = run_coach("prep", "Acme", "--answers", "a.toml", cwd=tmp_path)
    assert saved.code == 0, saved.stderr
    assert Path.cwd() == before[1]


def test_standard_input_is_the_given_text_and_not_a_terminal(home: Path) -> None:
    result = run_coach("prep", "Acme")
    assert result.code == 4  # not a terminal: nothing is asked
    assert "not a terminal" in result.stderr


def test_a_french_run_leaves_english_behind(home: Path) -> None:
    english = run_coach("prep", "--help")
    french = run_coach("--lang", "fr", "prep", "--help")
    assert french.stdout != english.stdout
    assert run_coach("prep", "--help").stdout == english.stdout
    assert run_coach("--help").stdout.count("Commands") == 1  # Typer's heading in English
    assert i18n.language() == "en"
    assert typer.core._ is gettext.gettext  # type: ignore[attr-defined]


@pytest.mark.parametrize("flag", ["--debug", "--no-color"])
def test_global_flags_last_one_run(home: Path, flag: str) -> None:
    assert run_coach(flag, "prep", "Acme", "--answers", str(PREP)).code == 0
    assert (STATE.debug, STYLE.no_color) == (False, False)


def test_exit_codes_come_from_system_exit(home: Path) -> None:
    assert run_coach("--version").code == 0
    assert run_coach("prep", "Acme", "--colour").code == 2  # Click's usage error
    assert run_coach("show", "nope").code == 5  # the product's own exit code
