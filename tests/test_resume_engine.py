"""The pure parts of resuming and changing answers: Run.fill, Run.change, draft.compare."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from clientcoach.core.engine import AnswerError, Run
from clientcoach.model.draft import Draft, DraftPlaybook, compare, fingerprint, step_paths
from clientcoach.model.reflection import Meeting
from clientcoach.storage.playbooks import Library, parse_playbook

TODAY = date(2026, 11, 24)
TEXT = """
schema = 1
id = "small"
kind = "prep"
title = "Small"
[[steps]]
id = "goal"
type = "text"
prompt = "Goal?"
[[steps]]
id = "worried"
type = "confirm"
prompt = "Worried?"
[[steps]]
id = "worry"
type = "text"
prompt = "What?"
when = { step = "worried", equals = true }
[[steps]]
id = "mood"
type = "rating"
prompt = "Mood?"
"""


def small_run() -> Run:
    playbook = parse_playbook(TEXT, "small.toml")
    return Run(playbook, {"small": playbook}, TODAY)


def test_fill_links_a_replayed_answer_to_the_earlier_one_it_repeats_unless_refused() -> None:
    from clientcoach.core.earlier import Earlier

    run = small_run()
    said = Earlier("20261101T090000-abcdef", "Talked over them", "Acme", "2026-11-01")
    pending = {("goal",): "Sign", ("worried",): True, ("worry",): "x" * 10_000}
    links = {("goal",): said, ("worry",): said}
    refused = run.fill(pending, links)
    assert [q.address for q, _reason in refused] == [("worry",)]  # over the text limit
    assert run.repeats == {("goal",): said}
    assert links == {}  # taken with their answers, the refused one's dropped


def test_fill_replays_in_order_and_stops_at_the_first_gap() -> None:
    run = small_run()
    pending = {("goal",): "Sign", ("worried",): False, ("mood",): 4}
    assert run.fill(pending) == []
    assert run.done
    assert pending == {}
    assert [q.address for q in run.answered()] == [("goal",), ("worried",), ("mood",)]

    run = small_run()
    pending = {("goal",): "Sign", ("worried",): True, ("mood",): 4}
    run.fill(pending)
    question = run.current()
    assert question is not None
    assert question.address == ("worry",)  # a gap: asked, then the rest replays
    run.answer("Budget")
    assert run.fill(pending) == []
    assert run.done


def test_fill_drops_an_answer_that_no_longer_fits() -> None:
    run = small_run()
    pending = {("goal",): "Sign", ("worried",): False, ("mood",): 9}
    refused = run.fill(pending)
    assert [(q.address, "whole number" in why) for q, why in refused] == [(("mood",), True)]
    assert run.current() is not None
    assert run.current().address == ("mood",)  # type: ignore[union-attr]


def test_change_keeps_later_answers_and_opens_what_the_new_value_needs() -> None:
    run = small_run()
    run.fill({("goal",): "Sign", ("worried",): False, ("mood",): 4})
    assert run.change(("worried",), "y") is True
    assert run.current() is not None
    assert run.current().address == ("worry",)  # type: ignore[union-attr]
    run.answer("Budget")
    assert run.done
    assert [r.step for r in run.records()] == ["goal", "worried", "worry", "mood"]
    run.change(("worried",), "n")
    assert [r.step for r in run.records()] == ["goal", "worried", "mood"]
    with pytest.raises(AnswerError, match="required"):
        run.change(("goal",), None)
    with pytest.raises(AnswerError, match="no answer there"):
        run.change(("nope",), "x")


def test_compare_names_dropped_and_added_steps() -> None:
    lib = Library([])
    debrief = lib.get("debrief")
    included = lib.resolve(debrief)
    paths = step_paths(debrief, included)
    assert "next_steps.owner" in paths
    assert "trolls.loop_steps" in paths
    assert any(p.startswith("lost_deal.") for p in paths)  # includes walked into
    now = datetime(2026, 11, 24, tzinfo=UTC)
    draft = Draft(
        id="x",
        kind="debrief",
        client="Acme",
        meeting=Meeting(date=TODAY),
        playbook=DraftPlaybook(
            id="debrief",
            version="0",
            language="en",
            steps=[*paths[1:], "gone"],
            fingerprint="old",
        ),
        started_at=now,
        updated_at=now,
        app_version="0",
    )
    draft = Draft.model_validate({**draft.data(), "answers": [
        {"at": ["gone"], "value": "x"}, {"at": ["next_steps", 0, "what"], "value": "Quote"},
    ]})  # fmt: skip
    changes = compare(draft, debrief, included)
    assert changes.dropped == ["gone"]
    assert changes.added == [paths[0]]
    assert changes.lost_answers == 1
    same = draft.replace(
        playbook=draft.playbook.replace(fingerprint=fingerprint(debrief, included))
    )
    assert not compare(same, debrief, included).any


def test_a_draft_counts_the_answers_given_not_skips_or_info_steps() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    draft = Draft.model_validate(
        {
            "schema": 1,
            "id": "x",
            "kind": "prep",
            "client": "Acme",
            "meeting": {"date": "2026-11-24"},
            "playbook": {"id": "prep", "version": "0", "language": "en"},
            "started_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "app_version": "0",
            "answers": [
                {"at": ["trolls_intro"], "value": None},
                {"at": ["goal"], "value": "Agree the scope"},
                {"at": ["risk"], "value": None},
                {"at": ["channel"], "value": "video"},
            ],
        }
    )
    assert draft.count == 2
