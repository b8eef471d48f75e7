"""Client memory below the command line: insights, engine hooks, playbook checks, updates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clientcoach.core.engine import Earlier, Run
from clientcoach.errors import DataError, PlaybookError
from clientcoach.insights import clients as memory
from clientcoach.storage.playbooks import parse_playbook
from clientcoach.storage.store import Store, record_text

TODAY = date(2026, 11, 20)


def record(
    rid: str, day: str, kind: str = "debrief", client: str = "Acme", answers: Any = None
) -> dict[str, Any]:
    return {
        "schema": 1,
        "id": rid,
        "kind": kind,
        "client": client,
        "meeting": {"title": None, "date": day},
        "finished_at": f"{day}T10:00:00+00:00",
        "answers": answers or [],
    }


def follow_up_loop(*items: tuple[str, str, str | None]) -> dict[str, Any]:
    return {
        "step": "next_steps",
        "type": "loop",
        "role": "follow_up",
        "items": [
            [
                {"step": "what", "type": "text", "role": "what", "value": what},
                {"step": "owner", "type": "choice", "role": "owner", "value": owner},
                {"step": "due", "type": "date", "role": "due", "value": due},
            ]
            for what, owner, due in items
        ],
    }


def troll_loop(*topics: str) -> dict[str, Any]:
    return {
        "step": "trolls",
        "type": "loop",
        "role": "troll",
        "items": [
            [
                {
                    "step": "troll_episode",
                    "type": "include",
                    "answers": [
                        {"step": "topic", "type": "text", "role": "troll_topic", "value": t}
                    ],
                }
            ]
            for t in topics
        ],
    }


# --- insights -----------------------------------------------------------------------------


def test_overdue_is_strictly_before_today() -> None:
    loop = follow_up_loop(("Yesterday", "me", "2026-11-19"), ("Today", "client", "2026-11-20"))
    loop["items"].append([{"step": "what", "type": "text", "role": "what", "value": "Undated"}])
    found = memory.follow_ups([record("r1", "2026-11-01", answers=[loop])])
    assert [(f.what, f.overdue(TODAY)) for f in found] == [
        ("Yesterday", True),
        ("Today", False),
        ("Undated", False),
    ]
    assert [f.id for f in found] == ["r1.1", "r1.2", "r1.3"]
    assert [f.what for f in memory.open_first(reversed(found), TODAY)] == [
        "Yesterday",
        "Today",
        "Undated",
    ]


def test_brief_counts_trolls_and_keeps_the_latest_ratings() -> None:
    old = record(
        "a",
        "2026-10-01",
        answers=[
            troll_loop("Supply-chain delays", "budget"),
            {"step": "knowledge", "type": "rating", "role": "knowledge", "value": 2},
        ],
    )
    new = record(
        "b",
        "2026-11-10",
        answers=[
            troll_loop("supply-chain  delays"),
            {"step": "knowledge", "type": "rating", "role": "knowledge", "value": 4},
        ],
    )
    future = record("c", "2026-12-01", kind="prep")
    brief = memory.brief("acme", [new, old, future], TODAY)
    assert brief.trolls == [("supply-chain  delays", 2), ("budget", 1)]
    assert brief.troll_defaults() == ["supply-chain  delays", "budget"]
    assert brief.knowledge is not None
    assert brief.knowledge.value == 4
    assert brief.perception is None
    assert brief.last_meeting == date(2026, 11, 10)  # the prep is for a later meeting
    assert brief.client == "Acme"
    assert memory.brief("Nobody", [], TODAY).empty


def test_mark_done_writes_the_day_on_the_what_answer_once() -> None:
    rec = record("r", "2026-11-01", answers=[follow_up_loop(("Send", "me", None))])
    assert memory.mark_done(rec, 1, TODAY) == (True, "2026-11-20")
    assert rec["answers"][0]["items"][0][0]["done"] == "2026-11-20"
    assert memory.mark_done(rec, 1, date(2026, 12, 1)) == (False, "2026-11-20")
    with pytest.raises(IndexError):
        memory.mark_done(rec, 2, TODAY)


def test_follow_up_ids_accept_a_unique_start_of_either_form() -> None:
    rec = record("20261101T100000-abc123", "2026-11-01")
    rec["answers"] = [follow_up_loop(("One", "me", None), ("Two", "me", None))]
    found = memory.follow_ups([rec])
    assert memory.find_follow_up(found, "abc123.2").what == "Two"
    assert memory.find_follow_up(found, "20261101T100000-ABC123.1").what == "One"
    with pytest.raises(memory.FollowUpNotFound) as ambiguous:
        memory.find_follow_up(found, "abc1")
    assert len(ambiguous.value.candidates) == 2
    with pytest.raises(memory.FollowUpNotFound) as none:
        memory.find_follow_up(found, "zzz")
    assert none.value.candidates == []


def test_earlier_mistakes_newest_first_each_wording_once() -> None:
    def mistake(text: str) -> dict[str, Any]:
        return {
            "step": "mistakes",
            "type": "loop",
            "items": [[{"step": "mistake", "type": "text", "role": "mistake", "value": text}]],
        }

    found = memory.earlier_answers(
        [
            record("old", "2026-01-01", answers=[mistake("Talked price first")]),
            record("new", "2026-06-01", client="Globex", answers=[mistake("talked PRICE first")]),
            record("mid", "2026-03-01", answers=[mistake("Late")]),
            # The end punctuation aside, as the review counts a repeated mistake.
            record("dot", "2026-02-01", answers=[mistake("Talked price first.")]),
        ],
        "mistake",
    )
    assert [(e.reflection, e.text) for e in found] == [
        ("new", "talked PRICE first"),
        ("mid", "Late"),
    ]


def test_earlier_answers_are_read_when_first_offered_and_only_once() -> None:
    from clientcoach.app.memory import Offers

    said = Earlier("20260101T100000-aaaaaa", "Late", "Acme", "2026-01-01")
    reads: list[str] = []

    def mistakes() -> list[Earlier]:
        reads.append("mistake")
        return [said]

    offers = Offers({"mistake": mistakes})
    assert (list(offers), len(offers), reads) == (["mistake"], 1, [])
    assert offers.get("lesson", ()) == ()  # a role with nothing to offer reads nothing
    assert reads == []
    assert offers["mistake"] == [said]
    assert offers.get("mistake") == [said]
    assert reads == ["mistake"]


def test_client_matching_ignores_case_accents_spaces_and_punctuation() -> None:
    names = ["Société Générale", "Acme", "Acme Corp", "ACME"]
    assert memory.match_client("societe  GENERALE", names) == memory.ClientMatch(
        "Société Générale", []
    )
    assert memory.match_client("acm", names) == memory.ClientMatch(None, ["ACME", "Acme Corp"])
    assert memory.client_by_prefix("acme", names) == ["ACME"]  # exact wins, newest spelling
    assert memory.client_by_prefix("acme-c", names) == ["Acme Corp"]
    assert memory.client_by_prefix("ac", names) == ["ACME", "Acme Corp"]
    assert memory.client_by_prefix("x", names) == []


def test_history_grep_reaches_loop_items_and_includes() -> None:
    rec = record("r", "2026-11-01", answers=[troll_loop("the OUTAGE of spring")])
    rec["meeting"]["title"] = "Steering"
    hits = memory.search(rec, "outage")
    assert hits == [memory.Hit("trolls[1].troll_episode.topic", "the OUTAGE of spring")]
    assert memory.search(rec, "steer") == [memory.Hit("meeting.title", "Steering")]
    assert memory.history([rec], grep="nothing") == []
    assert memory.history([rec], since=date(2026, 11, 2)) == []


# --- the engine: defaults, plan, repeats -----------------------------------------------------

PLAYBOOK = """
schema = 1
id = "mini"
kind = "debrief"
title = "Mini"

[[steps]]
id = "goal_met"
type = "confirm"
plan = "goal"
prompt = "Did you reach it?"
required = false

[[steps]]
id = "trolls"
type = "list"
prompt = "Trolls?"
required = false

[[steps]]
id = "mistakes"
type = "loop"
prompt = "Another?"
  [[steps.steps]]
  id = "mistake"
  type = "text"
  role = "mistake"
  prompt = "What happened?"
  [[steps.steps]]
  id = "repeat"
  type = "choice"
  role = "mistake_repeat"
  prompt = "New or repeat?"
  choices = ["new", "repeat"]
"""


def mini() -> Any:
    return parse_playbook(PLAYBOOK, "mini.toml")


def test_a_plan_step_is_asked_only_when_the_prep_has_that_answer() -> None:
    playbook = mini()
    without = Run(playbook, {"mini": playbook}, TODAY)
    question = without.current()
    assert question is not None
    assert question.step.id == "trolls"

    run = Run(playbook, {"mini": playbook}, TODAY, plan={"goal": "Agree the scope"})
    question = run.current()
    assert question is not None
    assert question.step.id == "goal_met"
    assert question.planned == "Agree the scope"
    run.answer("y")
    run.skip()
    run.answer("n")
    (goal, *_rest) = run.records()
    assert goal.planned == "Agree the scope"
    assert goal.value is True


def test_defaults_from_history_and_repeat_links() -> None:
    playbook = mini()
    earlier = Earlier("r1", "Talked price first", "Acme", "2026-10-01")
    run = Run(
        playbook,
        {"mini": playbook},
        TODAY,
        defaults={("trolls",): ["budget", "delays"]},
        earlier={"mistake": [earlier]},
    )
    question = run.current()
    assert question is not None
    assert run.default_for(question) == ["budget", "delays"]
    run.answer(["budget"], typed=False)
    run.answer(True)  # one mistake
    question = run.current()
    assert question is not None
    assert list(run.offers(question)) == [earlier]
    run.answer("Priced too early")
    run.link_repeat(("mistakes", 0, "mistake"), earlier)
    question = run.current()
    assert question is not None
    assert run.default_for(question) == "repeat"

    run.back()  # dropping the answer drops its link
    assert run.repeats == {}
    run.answer("Priced too early")
    run.link_repeat(("mistakes", 0, "mistake"), earlier)
    run.answer("repeat")
    run.skip()
    loop = run.records()[1]
    assert loop.items is not None
    assert loop.items[0][0].repeat_of == {"reflection": "r1", "text": "Talked price first"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ('kind = "debrief"', ""),
        ('kind = "prep"', "reads the prep a debrief follows, and a prep playbook has none"),
    ],
)
def test_plan_is_checked_by_playbook_kind(change: str, problem: str) -> None:
    text = PLAYBOOK.replace('kind = "debrief"', change)
    if not problem:
        parse_playbook(text, "mini.toml")
        return
    with pytest.raises(PlaybookError, match=problem):
        parse_playbook(text, "mini.toml")


def test_plan_on_a_loop_is_refused() -> None:
    text = PLAYBOOK.replace('prompt = "Another?"', 'prompt = "Another?"\nplan = "goal"')
    with pytest.raises(
        PlaybookError, match="'plan' goes on a question or info step, not on a loop"
    ):
        parse_playbook(text, "mini.toml")


def test_the_built_in_debrief_uses_plans_of_roles_the_prep_has() -> None:
    import tomllib

    from tests.helpers import REPO

    prep = tomllib.loads((REPO / "playbooks" / "prep.toml").read_text(encoding="utf-8"))
    debrief = tomllib.loads((REPO / "playbooks" / "debrief.toml").read_text(encoding="utf-8"))
    prep_roles = {s.get("role") for s in prep["steps"]}
    plans = [s["plan"] for s in debrief["steps"] if "plan" in s]
    assert plans == [
        "goal",
        "next_step_target",
        "troll_expected",
        "commitment",
        "client_advance",
        "help_fix",
    ]
    # All but the commitments: the latest lesson and the client's latest commitment of an
    # earlier debrief; the healthy-help fix comes from the check the prep includes, or from
    # an earlier debrief.
    assert set(plans) - {"commitment", "client_advance", "help_fix"} <= prep_roles
    helping = tomllib.loads((REPO / "playbooks" / "healthy-help.toml").read_text(encoding="utf-8"))
    assert any(s.get("playbook") == "healthy-help" for s in prep["steps"])
    assert "help_fix" in {s.get("role") for s in helping["steps"]}
    lessons = [s for top in debrief["steps"] for s in top.get("steps", []) if s["id"] == "lesson"]
    assert [s["role"] for s in lessons] == ["lesson"]


# --- Store.update ---------------------------------------------------------------------------


def saved(tmp_path: Path) -> tuple[Store, Path, dict[str, Any]]:
    store = Store(tmp_path / "data")
    folder = store.reflections / "2026-11"
    folder.mkdir(parents=True)
    data = record("20261120T100000-abcdef", "2026-11-20")
    data["answers"] = [follow_up_loop(("Send", "me", None))]
    path = folder / "2026-11-20_debrief_acme_20261120T100000-abcdef.json"
    path.write_text(record_text(data), encoding="utf-8")
    path.chmod(0o600)
    return store, path, data


def test_update_rewrites_only_when_something_changed(tmp_path: Path) -> None:
    store, path, _data = saved(tmp_path)
    before = path.read_bytes()
    assert store.update(path, lambda rec: None) == (None, False)
    assert path.read_bytes() == before
    result = store.update(path, lambda rec: memory.mark_done(rec, 1, TODAY))
    assert result == ((True, "2026-11-20"), True)
    assert json.loads(path.read_bytes())["answers"][0]["items"][0][0]["done"] == "2026-11-20"
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_update_never_overwrites_a_change_made_meanwhile(tmp_path: Path) -> None:
    store, path, data = saved(tmp_path)
    calls: list[int] = []

    def change(rec: dict[str, Any]) -> None:
        calls.append(1)
        if len(calls) == 1:
            # another process saves its own change after we read the file
            other = json.loads(path.read_bytes())
            other["meeting"]["title"] = "Changed elsewhere"
            path.write_text(record_text(other), encoding="utf-8")
        memory.mark_done(rec, 1, TODAY)

    store.update(path, change)
    final = json.loads(path.read_bytes())
    assert len(calls) == 2  # read again, change applied again
    assert final["meeting"]["title"] == "Changed elsewhere"
    assert final["answers"][0]["items"][0][0]["done"] == "2026-11-20"
    assert data["meeting"]["title"] is None


def test_update_gives_up_when_the_file_keeps_changing(tmp_path: Path) -> None:
    from clientcoach.errors import StorageError

    store, path, _data = saved(tmp_path)
    writes: list[int] = []

    def change(rec: dict[str, Any]) -> None:
        writes.append(1)
        other = json.loads(path.read_bytes())
        other["meeting"]["title"] = f"change {len(writes)}"
        path.write_text(record_text(other), encoding="utf-8")
        rec["meeting"]["title"] = "mine"

    with pytest.raises(StorageError, match="kept changing"):
        store.update(path, change)
    assert json.loads(path.read_bytes())["meeting"]["title"] != "mine"


def test_update_refuses_damaged_files(tmp_path: Path) -> None:
    store, path, _data = saved(tmp_path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        store.update(path, lambda rec: None)


@pytest.mark.parametrize("playbook_id", ["prep", "prep-quick"])
def test_a_prep_offers_the_latest_troll_plan_as_its_first_move(
    home: Path, playbook_id: str
) -> None:
    """ "If a troll shows up, what will you do first?": what the client's latest debrief
    or replay said to do next time is the default, as the trolls seen are for the
    expected ones."""
    from clientcoach.app.memory import recall
    from clientcoach.app.workspace import library
    from clientcoach.storage.store import Store
    from tests.review_records import ans, debrief, write

    plan = ans("troll_next_time", "Pause, then one open question", role="troll_plan")
    hot = ans("hot_moment", "delays", role="troll_topic")
    write(home, debrief("Zeta", "2026-11-10", hot, plan))
    books = library(home)
    playbook = books.get(playbook_id)
    memory = recall("prep", Store(home), "Zeta", playbook, books.resolve(playbook), None, TODAY)
    step = next(s for s in playbook.steps if s.role == "troll_intention")
    assert memory.defaults[(step.id,)] == "Pause, then one open question"
    assert memory.defaults[(next(s for s in playbook.steps if s.role == "troll_expected").id,)] == [
        "delays"
    ]


def test_a_long_commitment_wraps_under_its_own_text_on_a_terminal() -> None:
    import io

    from clientcoach.insights.clients import Brief, Commitment
    from clientcoach.ui.clients import brief as draw
    from clientcoach.ui.nobreak import NoBreakConsole

    fix = "Write down the end date of the free help and tell them what it costs after that"
    memory = Brief(client="Acme", records=1, last_meeting=date(2026, 11, 10))
    memory.commitments["help_fix"] = Commitment(date(2026, 11, 10), fix, "r1")
    for terminal, width in ((True, 50), (False, 50)):
        drawn = io.StringIO()
        con = NoBreakConsole(file=drawn, width=width, force_terminal=terminal, color_system=None)
        draw(con, memory, TODAY)
        lines = drawn.getvalue().splitlines()
        (start,) = [n for n, line in enumerate(lines) if "Help to put right" in line]
        if terminal:
            assert all(len(line) <= width for line in lines), lines
            assert lines[start + 1].startswith("    ")  # under its own text
            assert fix in " ".join(" ".join(lines[start : start + 3]).split())
        else:  # piped: one line per item, whatever the width
            assert fix in lines[start]
