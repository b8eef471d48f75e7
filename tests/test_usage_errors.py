"""Usage errors from the command-line parser, in English as Click writes them and in
French from the catalogue, with the same exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run_coach

# Words Click and Typer write in their own usage errors.
ENGLISH = [
    "Usage",
    "Try ",
    "Error",
    "Did you mean",
    "No such",
    "for help",
    "requires",
    "Missing",
    "unexpected",
    "Invalid value",
    "Possible options",
    "COMMAND",
    "ARGS",
]


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (["prpe"], "Commande inconnue : 'prpe'. Vouliez-vous dire 'prep'"),
        (["prep", "--nope"], "Option inconnue : --nope"),
        (["history", "--jsn"], "options possibles : --json"),
        (["history", "--kind"], "L'option '--kind' attend une valeur."),
        (["brief"], "Argument manquant : 'CLIENT'."),
        (["brief", "a", "b"], "Argument(s) en trop : b"),
        (["history", "--json=yes"], "ne prend pas de valeur"),
    ],
)
def test_a_french_run_prints_parser_errors_in_french(
    home: Path, args: list[str], french: str
) -> None:
    result = run_coach("--lang", "fr", *args)
    english = run_coach(*args)
    assert result.code == english.code == 2
    text = result.stderr.replace("\u00a0", " ").replace("\u202f", " ")
    assert french in text
    assert "Erreur : " in text
    assert [w for w in ENGLISH if re.search(rf"\b{re.escape(w.strip())}\b", text)] == []
    assert result.stdout == ""


def test_an_english_run_keeps_clicks_own_words(home: Path) -> None:
    result = run_coach("prpe")
    assert result.code == 2
    assert "Usage: coach [OPTIONS] COMMAND [ARGS]..." in result.stderr
    assert "Error: No such command 'prpe'. Did you mean 'prep'?" in result.stderr


def test_a_french_run_still_exits_with_the_commands_own_code(home: Path) -> None:
    assert run_coach("--lang", "fr", "show", "nope").code == 5
    assert run_coach("--lang", "fr", "history", "--json").code == 0
    assert run_coach("--lang", "fr", "--version").code == 0
    assert run_coach("--lang", "fr").code == 0  # no command: the home screen, as in English


def test_a_french_usage_error_shows_typed_control_characters_as_stand_ins(home: Path) -> None:
    result = run_coach("--lang", "fr", "brief", "a", "b\x1b[31mred\u202e")
    assert result.code == 2
    assert "\x1b" not in result.stderr
    assert "\u202e" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["history"],
        ["history", "--json"],
        ["review", "--json"],
        ["export", "-f", "csv", "-o", "-"],
    ],
)
def test_a_range_that_ends_before_it_starts_is_refused_by_every_command(
    home: Path, command: list[str]
) -> None:
    result = run_coach(*command, "--since", "2026-11-10", "--until", "2026-11-01")
    assert result.code == 2, result.stderr
    assert "--since 2026-11-10 is after --until 2026-11-01" in result.stderr
    assert "swap the dates" in result.stderr
    assert result.stdout == ""
    # The same days the right way round are a range like any other.
    assert run_coach(*command, "--since", "2026-11-01", "--until", "2026-11-10").code == 0


@pytest.mark.parametrize(
    ("typed", "pointer"),
    [
        ("language", "coach config set language fr"),
        ("log", "coach history"),
        ("todo", "coach followups"),
        ("stats", "coach review"),
    ],
)
def test_a_command_users_guess_points_to_the_one_that_does_it(
    home: Path, typed: str, pointer: str
) -> None:
    """Not close enough to a command for Click's "did you mean", yet what users type."""
    for lang in ("en", "fr"):
        result = run_coach("--lang", lang, typed, "x")
        assert result.code == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(("coach: error:", "coach: erreur\u00a0:")), line
        assert repr(typed) in line
        assert pointer in line
    assert "Did you mean 'history'" in run_coach("histroy").stderr  # Click's own stays
