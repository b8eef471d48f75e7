"""Two review figures: knowing and sensing month by month, and clients gone quiet."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from clientcoach.insights.review import build, month_period
from tests.helpers import run_coach
from tests.review_records import ans, debrief, record, write

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=1)))
NOVEMBER = month_period(2026, 11, NOW.date())
ENV = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}


def rated(client: str, day: str, knowledge: int, perception: int) -> dict[str, object]:
    return debrief(
        client,
        day,
        ans("knowledge", knowledge, kind="rating"),
        ans("perception", perception, kind="rating"),
    )


def records() -> list[dict[str, object]]:
    return [
        # Acme: met every two weeks until mid-September, then nothing: gone quiet.
        record("prep", "Acme", "2026-08-03", []),
        debrief("Acme", "2026-08-17"),
        debrief("Acme", "2026-08-31"),
        debrief("Acme", "2026-09-14"),
        # Globex: monthly, last seen 24 days ago: within its rhythm.
        rated("Globex", "2026-09-01", 2, 1),
        rated("Globex", "2026-10-01", 3, 3),
        rated("Globex", "2026-10-31", 4, 3),
        rated("Globex", "2026-11-02", 4, 5),
        # Initech: only two meetings, no rhythm yet; a review is not a meeting.
        debrief("Initech", "2026-05-01"),
        debrief("Initech", "2026-05-08"),
        record("review", "Initech", "2026-11-20", []),
    ]


def test_knowledge_and_perception_are_followed_month_by_month() -> None:
    understanding = build(records(), NOVEMBER, NOW).understanding
    assert (understanding.knowledge, understanding.perception) == (4.0, 5.0)
    # The twelve months up to November: nothing before September, then one mean a month.
    assert understanding.knowledge_series[-3:] == [2.0, 3.5, 4.0]
    assert understanding.perception_series[-3:] == [1.0, 3.0, 5.0]
    assert understanding.knowledge_series[:9] == [None] * 9


def test_a_client_not_met_for_twice_their_usual_gap_is_listed() -> None:
    quiet = build(records(), NOVEMBER, NOW).quiet_clients
    assert [(q.client, q.usual_days, q.last_met.isoformat(), q.days_since) for q in quiet] == [
        ("Acme", 14, "2026-09-14", 71)
    ]


def test_a_past_month_is_judged_at_its_own_end() -> None:
    september = month_period(2026, 9, NOW.date())
    assert build(records(), september, NOW).quiet_clients == []


def test_the_review_shows_both_figures_in_the_terminal_and_in_json(home: Path) -> None:
    for rec in records():
        write(home, rec)
    data = json.loads(run_coach("review", "--json", env=ENV).stdout)
    assert data["understanding"]["knowledge_series"][-1] == 4.0
    assert data["quiet_clients"] == [
        {"client": "Acme", "usual_days": 14, "last_met": "2026-09-14", "days_since": 71}
    ]
    shown = run_coach("review", "--no-reflect", env={**ENV, "COLUMNS": "80"})
    assert shown.code == 0, shown.stderr
    text = shown.stdout
    assert "knowledge by month" in text
    assert "perception by month" in text
    quiet = text[text.index("Clients not met for longer than usual") :].splitlines()
    assert quiet[3].split() == ["Acme", "2026-09-14", "71", "14"]
    french = run_coach("review", "--no-reflect", "--lang", "fr", env={**ENV, "COLUMNS": "80"})
    assert french.code == 0, french.stderr
    assert "Clients pas vus depuis plus longtemps que d'habitude" in french.stdout
    assert "connaissance par mois" in french.stdout
