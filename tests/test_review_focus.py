"""The review's focus points: at most three, first, each naming its figure and period."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clientcoach.errors import ExitCode
from clientcoach.insights.review import FOCUS_ORDER, Headline, build, month_period, worsening
from tests.helpers import run_coach
from tests.review_records import november_set, october_prep, write

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}
KINDS = {*FOCUS_ORDER, "keep_reflecting"}


def coach(*args: str, **env: str) -> Any:
    return run_coach(*args, env={**NOW, **env})


@pytest.fixture
def november(home: Path) -> list[Path]:
    return [write(home, r) for r in [october_prep(), *november_set()]]


def test_the_json_document_opens_with_one_to_three_focus_points(november: list[Path]) -> None:
    data = json.loads(coach("review", "--json").stdout)
    assert "headline" in data
    assert "mistakes" in data
    points = data["focus"]
    assert 1 <= len(points) <= 3
    for point in points:
        assert point["kind"] in KINDS
        assert point["text"]
        evidence = point["evidence"]
        assert evidence["figure"]
        assert evidence["value"] is not None
        assert evidence["period"] == data["period"]["label"]
    # Ranked by the fixed order: the repeated mistake, the failed rule, what got worse.
    assert [p["kind"] for p in points] == ["repeated_mistake", "help_rule", "worsened"]
    mistake, rule, worse = points
    assert mistake["evidence"]["subject"] == "Talked too LONG"
    assert mistake["evidence"]["dates"] == ["2026-11-03", "2026-11-20"]
    assert (rule["evidence"]["value"], rule["evidence"]["total"]) == (1, 1)
    assert rule["evidence"]["figure"] == "help.most_failed"
    assert worse["evidence"]["figure"] == "headline.follow_ups_open"
    assert (worse["evidence"]["value"], worse["evidence"]["previous"]) == (2, 0)


def test_the_terminal_view_and_the_report_show_the_focus_before_the_first_table(
    november: list[Path], tmp_path: Path
) -> None:
    report = tmp_path / "review.md"
    result = coach("review", "--no-reflect", "--markdown", str(report), COLUMNS="80")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert text.index("Focus for next month") < text.index("Headline figures")
    assert "1. Prepare a different move for your most repeated mistake: Talked too LONG" in text
    assert "Follow-ups still open: 2 in November 2026" in " ".join(text.split())
    assert "3. " in text
    assert "4. " not in text
    markdown = report.read_text(encoding="utf-8")
    assert markdown.index("## Focus for next month") < markdown.index("## Headline figures")


def test_focus_alone(november: list[Path]) -> None:
    result = coach("review", "--focus", COLUMNS="80")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Focus for next month")
    assert "Headline figures" not in result.stdout
    assert "most-failed rule: failed in 1 of 1 check in " in " ".join(result.stdout.split())


def test_focus_as_json_prints_only_the_focus(november: list[Path]) -> None:
    result = coach("review", "--focus", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["focus"]
    assert data["focus"] == json.loads(coach("review", "--json").stdout)["focus"]


def test_focus_with_markdown_is_a_usage_error(november: list[Path], tmp_path: Path) -> None:
    result = coach("review", "--focus", "--markdown", str(tmp_path / "r.md"))
    assert result.code == ExitCode.USAGE
    assert "--focus" in result.stderr
    assert "--markdown" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_an_empty_period_has_no_focus(november: list[Path]) -> None:
    data = json.loads(coach("review", "--json", "--month", "2025-01").stdout)
    assert data["focus"] == []
    assert json.loads(coach("review", "--focus", "--json", "--month", "2025-01").stdout) == {
        "focus": []
    }
    shown = coach("review", "--focus", "--month", "2025-01")
    assert shown.code == 0
    assert "Focus for next month" not in shown.stdout + shown.stderr


def test_a_quiet_month_still_has_one_point() -> None:
    records = [november_set()[0]]  # one prep, nothing to work on
    review = build(records, month_period(2026, 11), datetime(2026, 11, 24, 10))
    assert [(p.kind, p.figure, p.value) for p in review.focus] == [
        ("keep_reflecting", "reflections", 1)
    ]


@pytest.mark.parametrize(
    ("figure", "kind", "value", "previous", "worse"),
    [
        ("next_steps_rate", "rate", 0.5, 0.75, True),
        ("next_steps_rate", "rate", 0.9, 0.75, False),
        ("repeated_mistakes", "count", 3, 1, True),
        ("repeated_mistakes", "count", 0, 1, False),
        ("energy", "mean", -1.0, 1.0, True),
        ("prepared", "count", 0, 5, False),  # activity, neither better nor worse
        ("calm_restored_rate", "rate", 0.5, None, False),  # nothing to compare with
    ],
)
def test_which_way_is_worse(
    figure: str, kind: Any, value: float, previous: float | None, worse: bool
) -> None:
    assert (worsening(Headline(figure, kind, value, previous, [])) > 0) is worse


def test_french_focus_sentences(november: list[Path]) -> None:
    data = json.loads(coach("review", "--json", "--lang", "fr").stdout)
    texts = [p["text"] for p in data["focus"]]
    assert texts[0] == (
        "Préparez une autre façon de faire pour votre erreur la plus répétée\u00a0: Talked too LONG"
    )
    assert all("\u00a0:" in t for t in texts)
    shown = coach("review", "--focus", "--lang", "fr", COLUMNS="100")
    assert shown.stdout.startswith("Points d'attention pour le mois prochain")
    assert "enfreinte 1 fois sur 1 vérification " in shown.stdout


def test_a_first_month_has_nothing_to_compare_with_and_nothing_got_worse() -> None:
    # Every record is in November: October had no reflection at all.
    review = build(november_set(), month_period(2026, 11), datetime(2026, 11, 24, 10))
    assert [h.previous for h in review.headline] == [None] * len(review.headline)
    assert "worsened" not in [p.kind for p in review.focus]


def test_a_review_of_other_days_than_a_month_leads_to_what_comes_next(
    november: list[Path], tmp_path: Path
) -> None:
    days = ("--since", "2026-11-01", "--until", "2026-11-20")
    result = coach("review", "--focus", *days, COLUMNS="80")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Focus for what comes next")
    assert "next month" not in result.stdout
    report = tmp_path / "range.md"
    written = coach("review", "--no-reflect", *days, "--markdown", str(report), COLUMNS="80")
    assert written.code == 0, written.stderr
    assert "## Focus for what comes next" in report.read_text(encoding="utf-8")
    french = coach("--lang", "fr", "review", "--focus", *days, COLUMNS="80")
    assert french.stdout.startswith("Points d'attention pour la suite")


def test_a_repeated_mistakes_dates_are_not_said_to_lie_in_the_period(
    november: list[Path],
) -> None:
    text = " ".join(coach("review", "--focus", COLUMNS="100").stdout.split())
    assert "most repeated mistake: 2 times (2026-11-03, 2026-11-20)" in text
    assert "2026-11-20) in November" not in text


def test_focus_points_name_the_command_that_acts_on_them() -> None:
    from typing import cast

    from clientcoach.insights.review import Focus, Review
    from clientcoach.ui.review import focus_text

    nothing = cast(Review, None)  # these two sentences read nothing else of the review
    overdue = focus_text(Focus("overdue_follow_ups", "follow_ups.overdue", 4), nothing)
    assert "coach followups --overdue" in overdue
    assert "coach done ID" in overdue
    not_tried = focus_text(Focus("commitments_not_kept", "commitments.not_tried", 2), nothing)
    assert "coach brief CLIENT" in not_tried
