"""The learning loop closes (issue 14): what a debrief or review commits to comes back in
the brief before the next prep, as a question in the next debrief, and in the review."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from clientcoach.insights.clients import brief
from tests.helpers import REPO, reflection_files, run_coach

EXAMPLE = REPO / "examples" / "debrief-answers.toml"
LESSON = "Restate the need before talking numbers"  # the example's first lesson
FIRST = {"CLIENTCOACH_NOW": "2026-11-10T17:00"}
BRIEF = {"CLIENTCOACH_NOW": "2026-11-12T09:00"}
NEXT = {"CLIENTCOACH_NOW": "2026-11-20T17:00"}
LATER = {"CLIENTCOACH_NOW": "2026-11-25T09:00"}


def _answers(tmp_path: Path, name: str, **changes: Any) -> Path:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _debrief(home: Path, day: str) -> dict[str, Any]:
    (path,) = [p for p in reflection_files(home) if p.name.startswith(f"{day}_debrief")]
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def _answer(record: dict[str, Any], step: str) -> dict[str, Any]:
    (found,) = [a for a in record["answers"] if a["step"] == step]
    return found


def test_a_lesson_comes_back_in_the_brief_the_next_debrief_and_the_review(
    home: Path, tmp_path: Path
) -> None:
    # 1. A debrief with a lesson.
    first = run_coach("debrief", "Acme", "--answers", str(EXAMPLE), "--prep", "none", env=FIRST)
    assert first.code == 0, first.stderr
    assert "commitment_kept" not in json.dumps(_debrief(home, "2026-11-10"))  # nothing to ask

    # 2. The brief shows it, as JSON and as text.
    known = run_coach("brief", "Acme", "--json", env=BRIEF)
    assert known.code == 0, known.stderr
    commitments = json.loads(known.stdout)["commitments"]
    assert commitments["lesson"]["text"] == LESSON
    assert commitments["lesson"]["date"] == "2026-11-10"
    assert commitments["help_fix"]["text"]  # the example's healthy-help fix
    assert commitments["try"] is None
    text = run_coach("brief", "Acme", env=BRIEF)
    assert text.code == 0, text.stderr
    shown = text.stdout + text.stderr
    assert "Your commitments:" in shown
    assert f"Latest lesson: {LESSON}" in shown

    # 3. The next debrief asks about it; the answer keeps the lesson as planned.
    answers = _answers(
        tmp_path,
        "next.toml",
        commitment_kept="worked",
        commitment_outcome="They named their need first, and the price talk went calmly",
    )
    second = run_coach("debrief", "Acme", "--answers", str(answers), "--prep", "none", env=NEXT)
    assert second.code == 0, second.stderr
    assert f"Your latest lesson: {LESSON}" in second.stderr
    # What the client committed to is shown with the plan too, as it is asked about.
    assert "The client committed to: Their data, documents or figures" in second.stderr
    record = _debrief(home, "2026-11-20")
    kept = _answer(record, "commitment_kept")
    assert (kept["role"], kept["value"], kept["planned"]) == ("commitment_kept", "worked", LESSON)
    assert _answer(record, "commitment_outcome")["value"].startswith("They named")

    # 4. The review counts it: kept 1 of 1.
    review = run_coach("review", "--month", "2026-11", "--json", env=LATER)
    assert review.code == 0, review.stderr
    figures = json.loads(review.stdout)["commitments"]
    assert figures["kept"] == {"count": 1, "total": 1, "rate": 1.0}
    assert (figures["worked"], figures["failed"], figures["not_tried"]) == (1, 0, 0)
    report = tmp_path / "review.md"
    shown = run_coach("review", "--month", "2026-11", "--markdown", str(report), env=LATER)
    assert shown.code == 0, shown.stderr
    assert "Commitments kept" in shown.stdout + shown.stderr
    assert "| tried, of those asked about | 100% (1 of 1) |" in report.read_text(encoding="utf-8")


def test_the_commitment_question_is_optional_and_french_in_a_french_run(
    home: Path, tmp_path: Path
) -> None:
    first = run_coach("debrief", "Acme", "--answers", str(EXAMPLE), "--prep", "none", env=FIRST)
    assert first.code == 0, first.stderr
    # The example file does not answer it: the step is skipped, never refused.
    again = run_coach(
        "debrief", "Acme", "--answers", str(EXAMPLE), "--prep", "none", "--lang", "fr", env=NEXT
    )
    assert again.code == 0, again.stderr
    assert f"Votre dernière leçon\u00a0: {LESSON}" in again.stderr
    kept = _answer(_debrief(home, "2026-11-20"), "commitment_kept")
    assert kept["value"] is None
    assert kept["planned"] == LESSON
    assert kept["prompt"].startswith("La dernière fois, vous vouliez faire ceci.")
    # A review with a commitment skipped counts none.
    review = run_coach("review", "--month", "2026-11", "--json", env=LATER)
    assert json.loads(review.stdout)["commitments"]["kept"]["total"] == 0
    shown = run_coach("--lang", "fr", "review", "--month", "2026-11", "--no-reflect", env=LATER)
    assert "Engagements tenus" in shown.stdout + shown.stderr


def _record(kind: str, client: str, day: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": f"{day.replace('-', '')}T100000-{kind[:6]}",
        "kind": kind,
        "client": client,
        "meeting": {"date": day},
        "answers": answers,
    }


def test_the_brief_holds_the_latest_of_each_commitment() -> None:
    troll = {"role": "troll_plan", "value": "Breathe, then ask one open question"}
    older = _record("debrief", "Acme", "2026-10-01", [{"role": "lesson", "value": "Old lesson"}])
    newer = _record(
        "debrief",
        "Acme",
        "2026-10-20",
        [
            {"role": "troll", "items": [[troll]]},
            {"role": "lesson", "value": "New lesson"},
        ],
    )
    tries = [{"step": "try", "role": "try", "value": ["Ask for the agenda", "Send notes"]}]
    tries.append({"role": "mistake_commitment", "value": "Restate the need before a price"})
    monthly = _record("review", "", "2026-10-31", tries)
    other = _record("review", "Globex", "2026-11-02", [{"role": "try", "value": ["Not ours"]}])
    found = brief("Acme", [older, newer], date(2026, 11, 5), [monthly, other])
    assert {k: c.text for k, c in found.commitments.items()} == {
        "lesson": "New lesson",
        "troll_plan": "Breathe, then ask one open question",
        "try": "Ask for the agenda; Send notes",
        # The monthly move against the mistake that came back: the next prep shows it.
        "mistake_commitment": "Restate the need before a price",
    }
    data = found.to_json(date(2026, 11, 5))["commitments"]
    assert data["help_fix"] is None
    assert data["try"] == {
        "date": "2026-10-31",
        "text": "Ask for the agenda; Send notes",
        "reflection": "20261031T100000-review",
    }


def test_the_brief_shows_the_monthly_move_against_a_repeated_mistake() -> None:
    import io

    from rich.console import Console

    from clientcoach.ui.clients import brief as show

    debrief = _record("debrief", "Acme", "2026-10-20", [{"role": "lesson", "value": "Listen"}])
    said = [{"role": "mistake_commitment", "value": "Restate the need before a price"}]
    monthly = _record("review", "", "2026-10-31", said)
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    show(console, brief("Acme", [debrief], date(2026, 11, 5), [monthly]), date(2026, 11, 5))
    assert (
        "When the repeated mistake comes back: Restate the need before a price (2026-10-31)"
        in out.getvalue()
    )


# --- the healthy-help fix ----------------------------------------------------------------

FIX = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["help_fix"]


def _without_fix(tmp_path: Path, name: str, **changes: Any) -> Path:
    """The example debrief naming no new healthy-help fix, with ``changes``."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    del data["help_fix"]
    data.update(changes)
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _brief_fix(day_env: dict[str, str]) -> Any:
    known = run_coach("brief", "Acme", "--json", env=day_env)
    assert known.code == 0, known.stderr
    return json.loads(known.stdout)["commitments"]["help_fix"]


@pytest.mark.parametrize("index", ["1", "0"], ids=["indexed", "files"])
def test_a_healthy_help_fix_comes_back_until_it_is_put_right(
    home: Path, tmp_path: Path, index: str
) -> None:
    def on(day: str) -> dict[str, str]:
        return {"CLIENTCOACH_NOW": f"{day}T17:00", "CLIENTCOACH_INDEX": index}

    def debrief(day: str, answers: Path) -> dict[str, Any]:
        done = run_coach("debrief", "Acme", "-a", str(answers), "--prep", "none", env=on(day))
        assert done.code == 0, done.stderr
        return {"stderr": done.stderr, "record": _debrief(home, day)}

    # 1. A debrief names a fix: the brief holds it.
    debrief("2026-11-02", EXAMPLE)
    assert _brief_fix(on("2026-11-03"))["text"] == FIX

    # 2. The next debrief shows it and asks; "not yet" keeps it open.
    second = debrief("2026-11-09", _without_fix(tmp_path, "b.toml", help_fix_kept="not-yet"))
    assert f"Help to put right: {FIX}" in second["stderr"]
    asked = _answer(second["record"], "help_fix_kept")
    assert (asked["value"], asked["planned"], asked["role"]) == ("not-yet", FIX, "help_fix_kept")
    # Still open: the brief holds it, dated by the debrief that last asked about it.
    assert _brief_fix(on("2026-11-10")) == {
        "text": FIX,
        "date": "2026-11-09",
        "reflection": second["record"]["id"],
    }

    # 3. Asked again; "done" closes it: the brief and the next debrief drop it.
    third = debrief("2026-11-16", _without_fix(tmp_path, "c.toml", help_fix_kept="done"))
    assert _answer(third["record"], "help_fix_kept")["planned"] == FIX
    assert _brief_fix(on("2026-11-17")) is None
    fourth = debrief("2026-11-23", _without_fix(tmp_path, "d.toml"))
    assert "Help to put right" not in fourth["stderr"]
    assert "help_fix_kept" not in [a["step"] for a in fourth["record"]["answers"]]

    # 4. A new fix opens again, whatever the answer about the old one.
    debrief("2026-11-24", _answers(tmp_path, "e.toml", help_fix="Name an end date"))
    assert _brief_fix(on("2026-11-25"))["text"] == "Name an end date"


def _prep_with_fixes(tmp_path: Path, day_env: dict[str, str]) -> str:
    """A prep whose help misses rules 2 and 3 (rule 1 holds: its fix is never asked)."""
    prep = tomllib.loads((REPO / "examples" / "prep-answers.toml").read_text(encoding="utf-8"))
    prep["help_offered"] = True
    prep["healthy_help"] = {
        "help_what": "A free workshop",
        "r1_asked": True,
        "r2_framed": False,
        "r2_follow_up": "Write the scope and the end date",
        "r3_counterpart": False,
        "r3_follow_up": "Ask for a reference in return",
        "r4_half_way": True,
        "r5_autonomy": True,
    }
    prep_file = tmp_path / "prep.toml"
    prep_file.write_text(tomli_w.dumps(prep), encoding="utf-8")
    planned = run_coach("prep", "Acme", "-a", str(prep_file), env=day_env)
    assert planned.code == 0, planned.stderr
    return "Write the scope and the end date; Ask for a reference in return"


def test_a_fix_the_linked_prep_planned_is_asked_about_until_it_is_put_right(
    home: Path, tmp_path: Path
) -> None:
    first = run_coach("debrief", "Acme", "-a", str(EXAMPLE), "--prep", "none", env=FIRST)
    assert first.code == 0, first.stderr
    fixes = _prep_with_fixes(tmp_path, BRIEF)  # every fix the prep wrote, not the first only
    # The brief holds it at once: planned before the meeting, it is the one to put right.
    assert _brief_fix(BRIEF)["text"] == fixes
    # The prep's fix is the newer intention: it is the one shown and asked about.
    answers = _without_fix(tmp_path, "next.toml", help_fix_kept="partly")
    second = run_coach("debrief", "Acme", "-a", str(answers), env=NEXT)
    assert second.code == 0, second.stderr
    assert f"Help to put right: {fixes}" in second.stderr
    asked = _answer(_debrief(home, "2026-11-20"), "help_fix_kept")
    assert (asked["value"], asked["planned"]) == ("partly", fixes)
    # Partly put right: it stays open, in the brief and at the next debrief.
    assert _brief_fix(LATER)["text"] == fixes
    done = _without_fix(tmp_path, "done.toml", help_fix_kept="done")
    third = run_coach("debrief", "Acme", "-a", str(done), "--prep", "none", env=LATER)
    assert third.code == 0, third.stderr
    assert _answer(_debrief(home, "2026-11-25"), "help_fix_kept")["planned"] == fixes
    assert _brief_fix({"CLIENTCOACH_NOW": "2026-11-26T09:00"}) is None


def test_a_quick_debrief_does_not_show_a_fix_it_never_asks_about(
    home: Path, tmp_path: Path
) -> None:
    _prep_with_fixes(tmp_path, BRIEF)
    quick = tomllib.loads((REPO / "examples" / "debrief-quick-answers.toml").read_text("utf-8"))
    del quick["weakest"]
    quick["goal_reached"] = "partly"
    path = tmp_path / "quick.toml"
    path.write_text(tomli_w.dumps(quick), encoding="utf-8")
    done = run_coach("debrief", "Acme", "--quick", "-a", str(path), env=NEXT)
    assert done.code == 0, done.stderr
    assert "Goal: Agree the scope of the pilot" in done.stderr  # the plan is shown...
    assert "Help to put right" not in done.stderr  # ...without what no step asks


def test_a_meeting_debriefed_late_is_not_asked_about_what_a_later_one_set(
    home: Path, tmp_path: Path
) -> None:
    first = run_coach("debrief", "Acme", "-a", str(EXAMPLE), "--prep", "none", env=FIRST)
    assert first.code == 0, first.stderr
    answers = _without_fix(tmp_path, "late.toml")
    late = run_coach(
        "debrief", "Acme", "-a", str(answers), "--prep", "none", "--date", "2026-11-05", env=NEXT
    )
    assert late.code == 0, late.stderr
    assert "Help to put right" not in late.stderr
    assert "Your latest lesson" not in late.stderr
    steps = [a["step"] for a in _debrief(home, "2026-11-05")["answers"]]
    assert "help_fix_kept" not in steps
    assert "commitment_kept" not in steps
    # The brief still holds the fix of the 10th: the late debrief did not close it.
    assert _brief_fix(LATER)["date"] == "2026-11-10"


def test_the_open_fix_is_the_newest_unless_a_later_debrief_closed_it() -> None:
    from clientcoach.insights.recall import open_help_fix

    def fix(text: str) -> dict[str, Any]:
        return {"role": "help_fix", "value": text}

    def kept(value: str) -> dict[str, Any]:
        return {"role": "help_fix_kept", "value": value}

    old = _record("debrief", "Acme", "2026-10-01", [fix("Old fix")])
    partly = _record("debrief", "Acme", "2026-10-08", [kept("partly")])
    dropped = _record("debrief", "Acme", "2026-10-15", [kept("dropped")])
    both = _record("debrief", "Acme", "2026-10-22", [kept("done"), fix("New"), fix("Second")])

    def found(*newest_first: dict[str, Any]) -> tuple[str, str] | None:
        hit = open_help_fix(newest_first)
        return None if hit is None else (hit[0]["meeting"]["date"], hit[1])

    assert found(partly, old) == ("2026-10-01", "Old fix")
    assert found(dropped, partly, old) is None
    assert found(both, dropped, partly, old) == ("2026-10-22", "New; Second")
    assert found() is None
    # An answer about the fix that is not one value (a hand edit, a user's own playbook)
    # closes nothing, and crashes nothing.
    odd = _record("debrief", "Acme", "2026-10-29", [{**kept("done"), "value": ["done"]}])
    assert found(odd, old) == ("2026-10-01", "Old fix")


def test_a_deep_dive_s_fixes_come_back_too() -> None:
    from clientcoach.insights.recall import commitment_plan

    named = _record("debrief", "Acme", "2026-10-01", [{"role": "help_fix", "value": "Old"}])
    # The healthy-help check walked in full later, for the same meeting (kind "any").
    walked = _record(
        "any",
        "Acme",
        "2026-10-01",
        [
            {"role": "help_fix", "value": "Write the end date"},
            {"role": "help_fix", "value": "Ask for a reference"},
        ],
    )
    walked["finished_at"] = "2026-10-02T09:00:00+00:00"
    named["finished_at"] = "2026-10-01T18:00:00+00:00"
    both = "Write the end date; Ask for a reference"
    assert commitment_plan([named, walked])["help_fix"] == both
    shown = brief("Acme", [named, walked], date(2026, 10, 5)).commitments["help_fix"]
    assert (shown.text, shown.reflection) == (both, walked["id"])


def test_a_deep_dive_s_plan_and_lesson_are_the_newest_commitments() -> None:
    """The troll-bridge replay walked later sets a new first move; a lost deal's
    analysis a new lesson: the brief shows those, and the next debrief asks about the
    lesson, before what the debrief they deepen said."""
    from clientcoach.insights.recall import commitment_plan

    debriefed = _record(
        "debrief",
        "Zeta",
        "2026-11-10",
        [{"role": "troll_plan", "value": "OLD PLAN"}, {"role": "lesson", "value": "Old lesson"}],
    )
    replayed = _record("any", "Zeta", "2026-11-10", [{"role": "troll_plan", "value": "NEW PLAN"}])
    analysed = _record("any", "Zeta", "2026-11-10", [{"role": "lesson", "value": "Ask why"}])
    debriefed["finished_at"] = "2026-11-10T15:00:00+00:00"
    replayed["finished_at"] = "2026-11-12T09:00:00+00:00"
    analysed["finished_at"] = "2026-11-13T09:00:00+00:00"
    replayed["id"], analysed["id"] = "20261112T090000-replay", "20261113T090000-lossdd"
    records = [debriefed, replayed, analysed]
    shown = brief("Zeta", records, date(2026, 11, 14)).commitments
    assert (shown["troll_plan"].text, shown["troll_plan"].reflection) == (
        "NEW PLAN",
        replayed["id"],
    )
    assert shown["lesson"].text == "Ask why"
    assert commitment_plan(records)["commitment"] == "Ask why"


def test_a_replay_s_new_first_move_reaches_the_brief(home: Path, tmp_path: Path) -> None:
    quick = tmp_path / "quick.toml"
    quick.write_text(
        'weakest = "authenticity"\nhot_moment = "delays"\ncalm_restored = "no"\n'
        'troll_next_time = "OLD PLAN"\nenergy = 0\n',
        encoding="utf-8",
    )
    replay = tmp_path / "replay.toml"
    replay.write_text(
        tomli_w.dumps(
            {
                "recurring": "new",
                "source": "client",
                "trigger": "tone",
                "calm_restored": "no",
                "paused_first": False,
                "said_too_much": True,
                "named_difficulty": False,
                "bad_intent": False,
                "ended_next_steps": False,
                "troll_next_time": "NEW PLAN",
                "passes": [{"paused": False, "said_little": False, "calm_back": "break"}],
            }
        ),
        encoding="utf-8",
    )
    debrief = ["debrief", "Zeta", "--quick", "--prep", "none", "-a", str(quick)]
    assert run_coach(*debrief, env={"CLIENTCOACH_NOW": "2026-11-10T15:00"}).code == 0
    walked = run_coach("deepdive", "Zeta", "-a", str(replay), env=BRIEF)
    assert walked.code == 0, walked.stderr
    for index in ("1", "0"):
        env = {"CLIENTCOACH_NOW": "2026-11-13T09:00", "CLIENTCOACH_INDEX": index}
        shown = json.loads(run_coach("brief", "Zeta", "--json", env=env).stdout)
        assert shown["commitments"]["troll_plan"]["text"] == "NEW PLAN", index
