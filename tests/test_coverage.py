"""Coverage of the domain brief: at least 66 of its 79 ideas are carried, each by a
built-in playbook step that names it in ``refs`` or by a review figure declared in
``clientcoach.insights.review.IDEAS``; no ref names an id the brief does not have."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from clientcoach.insights.review import IDEAS as FIGURES
from clientcoach.insights.review import build, month_period
from tests import coverage
from tests.helpers import run_coach
from tests.review_records import november_set

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_the_brief_has_79_ideas_and_the_list_here_is_the_brief_s() -> None:
    assert len(coverage.IDEAS) == 79
    assert all(coverage.IDEA_ID.match(idea) for idea in coverage.IDEAS)
    found = coverage.domain_ids()
    if found is not None:  # the brief lies outside the repository, absent in CI
        assert found == list(coverage.IDEAS)


@pytest.mark.parametrize("folder", ["", "fr"])
def test_every_ref_names_an_id_of_the_brief(folder: str) -> None:
    refs = coverage.playbook_refs(coverage.PLAYBOOKS / folder)
    assert refs
    assert coverage.unknown_refs(refs) == []


def test_a_made_up_ref_is_caught(tmp_path: Path) -> None:
    (tmp_path / "odd.toml").write_text(
        'id = "odd"\n[[steps]]\nid = "a"\nrefs = ["S0-01", "S5-01"]\n'
        '[[steps]]\nid = "loop"\n[[steps.steps]]\nid = "inner"\nrefs = ["S2-99", "P1"]\n',
        encoding="utf-8",
    )
    refs = coverage.playbook_refs(tmp_path)
    assert refs == {"odd.a": ["S0-01", "S5-01"], "odd.loop": [], "odd.loop.inner": ["S2-99", "P1"]}
    assert coverage.unknown_refs(refs) == [("odd.a", "S5-01"), ("odd.loop.inner", "S2-99")]


def test_the_french_twins_name_the_same_ideas() -> None:
    english = coverage.playbook_refs()
    french = coverage.playbook_refs(coverage.PLAYBOOKS / "fr")
    assert french == english


def _resolve(value: Any, path: str) -> None:
    """Follow a figure's path through the review's dataclasses (into a list's first item)."""
    for name in path.split("."):
        if isinstance(value, list):
            assert value, f"{path}: no item to look into"
            value = value[0]
        assert is_dataclass(value), f"{path}: {name!r} is not inside a figure"
        assert name in {f.name for f in fields(value)}, f"{path}: no figure {name!r}"
        value = getattr(value, name)


def test_every_review_figure_named_exists_and_names_ideas_of_the_brief() -> None:
    review = build(november_set(), month_period(2026, 11, NOW.date()), NOW)
    for path, ideas in FIGURES.items():
        head, _, rest = path.partition(".")
        if head == "headline":
            assert rest in {h.id for h in review.headline}, path
        else:
            _resolve(review, path)
        assert ideas
        assert set(ideas) <= set(coverage.IDEAS), path


def test_at_least_66_ideas_are_carried() -> None:
    found = coverage.carriers()
    missing = [idea for idea, where in found.items() if not where]
    assert len(found) - len(missing) >= coverage.GOAL, f"not carried: {missing}"


def test_the_table_has_one_line_per_idea(capsys: pytest.CaptureFixture[str]) -> None:
    coverage.main()  # what python -m tests.coverage prints
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if re.match(r"^\| S[0-4]-\d{2} \|", line)]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == list(coverage.IDEAS)
    carried = sum("not carried" not in row for row in rows)
    assert printed.startswith(f"Carried: {carried} of 79 ideas.")
    assert "| S0-09 | a regular rhythm with each client | monthly.rhythm_client, " in printed
    assert "review: quiet_clients" in printed


def test_the_monthly_depth_is_asked_only_for_the_topics_picked() -> None:
    data = tomllib.loads((coverage.PLAYBOOKS / "monthly.toml").read_text(encoding="utf-8"))
    steps = data["steps"]
    pick = next(s for s in steps if s["id"] == "look_closer")
    topics = {c["value"] for c in pick["choices"]}
    after = steps[steps.index(pick) + 1 :]
    assert after
    for step in after:
        assert step["when"]["step"] == "look_closer", step["id"]
        assert step["when"]["equals"] in topics, step["id"]
    # Every topic opens at least one question.
    assert {s["when"]["equals"] for s in after} == topics


def test_a_scripted_monthly_reflection_answers_only_the_topics_picked(
    home: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "monthly.toml"
    answers.write_text(
        """
month_rating = 3
keep = ["Agenda the day before"]
stop = ["Long openings"]
try = ["One open question first"]
outside_practice = "Shadow a colleague"
practice_source = "peer"
look_closer = ["away", "habits"]
handover = ["Acme: the discount agreed by phone in March"]
backup_named = true
notes_updated = false
same_day_share = 80
""",
        encoding="utf-8",
    )
    result = run_coach(
        "review", "--answers", str(answers), env={"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}
    )
    assert result.code == 0, result.stderr
    (path,) = (home / "reflections").rglob("*_review_*.json")
    saved = {a["step"]: a.get("value") for a in json.loads(path.read_text("utf-8"))["answers"]}
    assert saved["look_closer"] == ["away", "habits"]
    assert saved["handover"] == ["Acme: the discount agreed by phone in March"]
    assert (saved["backup_named"], saved["notes_updated"], saved["same_day_share"]) == (
        True,
        False,
        80,
    )
    # Topics not picked are not asked, so nothing of them is saved.
    for step in ("rhythm_client", "secure_rating", "engagement", "safe_signs", "process_tweak"):
        assert step not in saved
