"""An answers file with several problems: every one is reported in one run."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_coach

PLAYBOOK = """\
schema = 1
id = "three"
kind = "debrief"
version = "1"
language = "en"
title = "Three"

[[steps]]
id = "energy"
type = "rating"
min = -2
max = 2
prompt = "Energy?"
required = false

[[steps]]
id = "outcome"
type = "choice"
prompt = "Where does it stand?"
choices = [{ value = "won", label = "Won" }, { value = "open", label = "Open" }]

[[steps]]
id = "lesson"
type = "text"
prompt = "One lesson?"
"""


def test_an_answers_file_with_three_problems_reports_all_three(home: Path) -> None:
    playbook = home.parent / "three.toml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    answers = home.parent / "answers.toml"
    # A typo in a key, an optional answer out of range, a required answer missing.
    answers.write_text('enrgy = 1\nenergy = 7\nlesson = "ask first"\n', encoding="utf-8")
    result = run_coach("debrief", "Acme", "-p", str(playbook), "-a", str(answers))
    assert result.code == 4, result.stderr
    assert "3 problems in the answers file:" in result.stderr
    assert "no step 'enrgy' in playbook 'three' (did you mean 'energy'?)" in result.stderr
    assert "step 'energy':" in result.stderr
    assert "no answer for required step 'outcome'" in result.stderr
    assert not [p for p in home.rglob("*.json") if "_debrief_" in p.name]


def test_one_problem_is_one_line(home: Path) -> None:
    playbook = home.parent / "three.toml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    answers = home.parent / "answers.toml"
    answers.write_text('outcome = "won"\nlesson = "x"\nlessons = "y"\n', encoding="utf-8")
    result = run_coach("debrief", "Acme", "-p", str(playbook), "-a", str(answers))
    assert result.code == 4
    assert result.stderr.count("\n") == 1
    assert "no step 'lessons'" in result.stderr


def test_wrong_values_for_required_steps_are_all_reported(home: Path) -> None:
    playbook = home.parent / "three.toml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    answers = home.parent / "answers.toml"
    # Two required steps, both wrong: the walk goes on past the first to find the second.
    answers.write_text('outcome = "maybe"\nlesson = ""\nenergy = 1\n', encoding="utf-8")
    result = run_coach("debrief", "Acme", "-p", str(playbook), "-a", str(answers))
    assert result.code == 4
    assert "2 problems in the answers file:" in result.stderr
    assert "step 'outcome': 'maybe' is not one of" in result.stderr
    assert "step 'lesson':" in result.stderr
    assert not [p for p in home.rglob("*.json") if "_debrief_" in p.name]
