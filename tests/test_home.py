"""`coach` with no command: the home screen, as text and as JSON, from real data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from clientcoach.model.draft import Draft, DraftPlaybook
from clientcoach.model.reflection import Meeting
from clientcoach.storage.store import Store
from tests.helpers import REPO, run_coach
from tests.review_records import Record, ans, debrief, follow_up, loop, record
from tests.review_records import write as write_record

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}
QUICK = REPO / "examples" / "debrief-quick-answers.toml"
DRAFT_ID = "20261124T093000-dr4ft1"


def write(home: Path, rec: Record) -> None:
    """A record saved as clientcoach lays it out, so `coach done` may mark it."""
    from clientcoach.model.reflection import file_text

    path = write_record(home, rec)
    path.write_text(file_text(rec), encoding="utf-8")


def _data(home: Path) -> dict[str, str]:
    """A data directory holding one of everything the home screen lists; their ids."""
    acme = debrief(
        "Acme",
        "2026-11-03",
        loop(
            "next_steps",
            "follow_up",
            [
                follow_up("Send the quote", "2026-11-10"),
                follow_up("Book the workshop", "2026-11-27"),
                follow_up("Share the plan", "2026-11-05", done="2026-11-04"),
            ],
        ),
    )
    globex = debrief("Globex", "2026-11-12", ans("next_touchpoint", "2027-02-01", kind="date"))
    write(home, acme)
    write(home, globex)
    # Hooli: met every two weeks until mid-September, then nothing: gone quiet.
    for day in ("2026-08-03", "2026-08-17", "2026-08-31", "2026-09-14"):
        write(home, record("prep", "Hooli", day, []))
    review = record("review", "", "2026-09-30", [])
    write(home, review)
    # A quick debrief with a hot moment, run for real: its deep-dive waits.
    quick = run_coach(
        "debrief",
        "Initech",
        "--quick",
        "--prep",
        "none",
        "-d",
        "2026-11-20",
        "-a",
        str(QUICK),
        env=NOW,
    )
    assert quick.code == 0, quick.stderr
    now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    Store(home).save_draft(
        Draft(
            id=DRAFT_ID,
            kind="prep",
            client="Umbrella",
            meeting=Meeting(date=date(2026, 11, 25)),
            playbook=DraftPlaybook(id="prep", version="1", language="en"),
            started_at=now,
            updated_at=now,
            app_version="0",
        )
    )
    tail = acme["id"].rsplit("-", 1)[-1]
    return {
        "overdue": f"{tail}.1",
        "upcoming": f"{tail}.2",
        "done": f"{tail}.3",
        "touchpoint": globex["id"].rsplit("-", 1)[-1] + ".t1",
        "review": review["meeting"]["date"],
    }


def _json(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_coach("--json", *args, env=env or NOW)
    assert result.code == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_each_item_is_shown_and_carried_by_json(home: Path) -> None:
    ids = _data(home)
    shown = run_coach(env=NOW)
    assert shown.code == 0, shown.stderr
    text = shown.stdout
    data = _json()

    assert [f["short_id"] for f in data["overdue"]] == [ids["overdue"]]
    assert data["overdue"][0]["due"] == "2026-11-10"
    upcoming = [f["short_id"] for f in data["upcoming"]]
    assert ids["upcoming"] in upcoming
    assert [f["short_id"] for f in data["touchpoints"]] == [ids["touchpoint"]]
    assert data["touchpoints"][0]["due"] == "2027-02-01"
    (dive,) = data["deep_dives"]
    assert dive["kind"] == "deep_dive"
    assert dive["client"] == "Initech"
    assert [d["id"] for d in data["drafts"]] == [DRAFT_ID]
    assert data["last_review"] == ids["review"]
    assert data["days_since_review"] == 55
    assert data["review_due"] is True
    assert [(q["client"], q["usual_days"], q["days_since"]) for q in data["quiet_clients"]] == [
        ("Hooli", 14, 71)
    ]
    assert data["next"] == {
        "action": "done",
        "ref": ids["overdue"],
        "command": f"coach done {ids['overdue']}",
        "theirs": False,
    }

    # Every item of the JSON is on the screen, by the same id and date.
    for name in ("overdue", "upcoming", "touchpoints", "deep_dives"):
        for item in data[name]:
            assert item["short_id"] in text, (name, text)
    assert "2026-11-10" in text
    assert "2027-02-01" in text
    assert ids["done"] not in text  # a follow-up already done is not due
    assert f"coach resume {DRAFT_ID}" in text
    assert "55 days ago (2026-09-30)" in text
    assert "Hooli" in text
    assert "71 days ago" in text
    assert "every 14 days" in text
    assert text.rstrip().endswith(f"Next: coach done {ids['overdue']}")
    assert "\x1b" not in text


def test_the_same_ids_as_followups_deepdive_and_review(home: Path) -> None:
    _data(home)
    data = _json()
    listed = json.loads(run_coach("followups", "--json", env=NOW).stdout)
    opened = {f["id"] for f in listed}
    on_home = {
        f["id"] for name in ("overdue", "upcoming", "touchpoints", "deep_dives") for f in data[name]
    }
    assert on_home <= opened
    assert {f["id"] for f in listed if f["kind"] == "deep_dive"} == {
        d["id"] for d in data["deep_dives"]
    }
    review = json.loads(run_coach("review", "--json", env=NOW).stdout)
    assert [q["client"] for q in review["quiet_clients"]] == [
        q["client"] for q in data["quiet_clients"]
    ]


def test_without_the_index_the_files_give_the_same_screen(home: Path) -> None:
    _data(home)
    with_index = run_coach(env=NOW)
    without = run_coach(env={**NOW, "CLIENTCOACH_INDEX": "0"})
    assert without.code == with_index.code == 0
    assert without.stdout == with_index.stdout


def test_next_step_moves_on_as_things_are_done(home: Path) -> None:
    ids = _data(home)
    assert run_coach("done", ids["overdue"], env=NOW).code == 0
    data = _json()
    assert data["overdue"] == []
    assert data["next"]["action"] == "deepdive"
    assert data["next"]["ref"] == data["deep_dives"][0]["short_id"]
    assert run_coach("done", data["deep_dives"][0]["short_id"], env=NOW).code == 0
    assert _json()["next"]["command"] == f"coach resume {DRAFT_ID}"
    assert run_coach("drafts", "discard", DRAFT_ID, "--yes").code == 0
    assert _json()["next"]["command"] == "coach review"


def test_an_empty_data_directory_gets_a_first_run_screen(home: Path) -> None:
    result = run_coach(env=NOW)
    assert result.code == 0, result.stderr
    assert "Welcome" in result.stdout
    assert "coach prep CLIENT" in result.stdout
    assert not home.exists()  # looking creates nothing
    data = _json()
    assert data["first_run"] is True
    assert data["next"]["command"] == "coach prep CLIENT"


def test_piped_output_has_no_escape_codes_even_with_colour_allowed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _data(home)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run_coach(env=NOW)
    assert result.code == 0
    assert "\x1b" not in result.stdout + result.stderr


def test_global_options_work_with_the_home_screen(home: Path) -> None:
    _data(home)
    for args in (["--no-color"], ["--debug"], ["--no-pager"], ["--lang", "en"]):
        result = run_coach(*args, env=NOW)
        assert result.code == 0, (args, result.stderr)
        assert "Next: coach done" in result.stdout


def test_in_french(home: Path) -> None:
    ids = _data(home)
    result = run_coach("--lang", "fr", env=NOW)
    assert result.code == 0, result.stderr
    assert "Actions en retard" in result.stdout
    assert "Prochaine étape\u00a0: coach done " + ids["overdue"] in result.stdout
    assert "remonte à 55 jours" in result.stdout
    english = run_coach(env=NOW).stdout
    assert "Overdue" not in result.stdout
    assert "Overdue" in english
    assert (
        "Bienvenue"
        in run_coach("--lang", "fr", env={**NOW, "CLIENTCOACH_HOME": str(home / "x")}).stdout
    )


def test_help_still_lists_the_commands(home: Path) -> None:
    result = run_coach("--help")
    assert result.code == 0
    for name in ("prep", "debrief", "followups", "review", "drafts"):
        assert f"\n  {name} " in result.stdout
    assert "--json" in result.stdout
    assert run_coach("--version").stdout.startswith("coach ")


def test_a_damaged_file_is_named_and_exits_7(home: Path) -> None:
    _data(home)
    bad = home / "reflections" / "2026-11" / "2026-11-21_debrief_acme_20261121T090000-broken.json"
    bad.write_text("{", encoding="utf-8")
    result = run_coach(env=NOW)
    assert result.code == 7
    assert result.stderr.count(bad.name) == 1
    assert "Next: coach done" in result.stdout


def test_json_before_a_command_is_refused(home: Path) -> None:
    result = run_coach("--json", "followups")
    assert result.code == 2
    assert "coach followups --json" in result.stderr


def test_next_is_the_first_late_item_listed_and_the_users_own_before_the_clients(
    home: Path,
) -> None:
    items = [
        follow_up("Their data sample", "2026-11-02", owner="client"),
        follow_up("Call back about the quote", "2026-11-06"),
        follow_up("Send the agenda", "2026-11-06", owner="both"),
    ]
    write(home, debrief("Acme", "2026-11-01", loop("next_steps", "follow_up", items)))
    data = _json()
    listed = [f["short_id"] for f in data["overdue"]]
    assert data["overdue"][0]["what"] == "Their data sample"
    # The oldest is the client's: the user's most overdue comes first, as listed.
    assert data["next"]["ref"] == listed[1]
    text = run_coach(env=NOW).stdout
    client_line = next(line for line in text.splitlines() if "Their data sample" in line)
    assert "(the client's)" in client_line
    assert "(the client's)" not in next(
        line for line in text.splitlines() if "Call back about the quote" in line
    )


def test_next_finds_the_users_own_item_after_eight_of_the_clients(home: Path) -> None:
    theirs = [follow_up(f"Their item {n}", f"2026-11-0{n}", owner="client") for n in range(1, 10)]
    mine = follow_up("My own item", "2026-11-10")
    write(home, debrief("Acme", "2026-11-01", loop("next_steps", "follow_up", [*theirs, mine])))
    data = _json()
    assert len(data["overdue"]) == 8  # cut for the screen
    assert data["totals"]["overdue"] == 10
    assert data["next"]["ref"].endswith(".10")


def test_on_a_narrow_terminal_a_long_line_wraps_under_its_own_text(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from clientcoach.ui import console as consoles
    from clientcoach.ui import home as screen
    from clientcoach.ui.nobreak import NoBreakConsole

    _data(home)
    drawn = io.StringIO()
    terminal = NoBreakConsole(file=drawn, width=60, color_system=None, highlight=False)
    monkeypatch.setattr(screen, "_stdout_terminal", lambda: True)
    monkeypatch.setattr(consoles, "out", lambda: terminal)
    assert run_coach(env=NOW).code == 0
    lines = drawn.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    assert all(line == line.rstrip() for line in lines)
    (start,) = [n for n, line in enumerate(lines) if "Send the quote" in line]
    assert lines[start].startswith("  ")
    assert lines[start + 1].startswith("    ")  # its continuation, under its text
    assert "(14 days late)" in " ".join(" ".join(lines[start : start + 2]).split())


def test_a_waiting_draft_comes_before_chasing_what_the_client_owes(home: Path) -> None:
    items = [follow_up("Their data sample", "2026-11-02", owner="client")]
    write(home, debrief("Acme", "2026-11-01", loop("next_steps", "follow_up", items)))
    assert _json()["next"]["command"].startswith("coach done ")  # nothing else: chase it
    now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    Store(home).save_draft(
        Draft(
            id=DRAFT_ID,
            kind="debrief",
            client="Acme",
            meeting=Meeting(date=date(2026, 11, 24)),
            playbook=DraftPlaybook(id="debrief", version="1", language="en"),
            started_at=now,
            updated_at=now,
            app_version="0",
        )
    )
    assert _json()["next"]["command"] == f"coach resume {DRAFT_ID}"


def test_next_marks_what_the_client_owes_as_theirs_to_chase(home: Path) -> None:
    items = [follow_up("Their data sample", "2026-11-02", owner="client")]
    write(home, debrief("Acme", "2026-11-01", loop("next_steps", "follow_up", items)))
    data = _json()
    assert data["next"]["action"] == "done"
    assert data["next"]["theirs"] is True
    text = run_coach(env=NOW).stdout
    (line,) = [line for line in text.splitlines() if line.startswith("Next: ")]
    assert line.endswith("(the client's: chase it, then mark it done)")
    mine = [follow_up("Call back", "2026-11-03")]
    write(home, debrief("Globex", "2026-11-01", loop("next_steps", "follow_up", mine)))
    assert _json()["next"]["theirs"] is False
    (line,) = [line for line in run_coach(env=NOW).stdout.splitlines() if "Next: " in line]
    assert "client's" not in line
