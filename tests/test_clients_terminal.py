"""Client memory in a real terminal: the brief, known trolls as the default, repeat links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, reflection_files, run_coach
from tests.pty_helpers import Spawn, Tree, answer_tree, needle, prompt_of
from tests.test_terminal import walk_prep_quietly

pytestmark = pytest.mark.e2e  # every test drives coach in a pseudo-terminal

P = "prep"
D = "debrief"
DEBRIEF = REPO / "examples" / "debrief-answers.toml"


def test_prep_shows_the_brief_first_and_offers_the_known_trolls(home: Path, spawn: Spawn) -> None:
    assert run_coach("debrief", "Acme", "--answers", str(DEBRIEF), "--prep", "none").code == 0

    coach = spawn("prep", "acme")
    before = coach.expect(needle(prompt_of(P, "goal")))
    assert "What you know about Acme" in before
    assert "Send the pilot plan" in before
    assert "Share the data sample" in before
    assert "supply-chain delays (once)" in before
    assert before.index("What you know") < before.index("Step 1 of about")

    expected: Tree = {}
    coach.expect_input()
    coach.type("Agree the pilot scope")
    expected["goal"] = "Agree the pilot scope"
    walk_prep_quietly(coach, expected, start="next_step_target", stop="trolls_expected")
    hints = coach.at_step(P, "trolls_expected")
    assert "Enter = budget freeze, supply-chain delays" in hints
    coach.type("")  # take the default
    expected["trolls_expected"] = ["budget freeze", "supply-chain delays"]
    walk_prep_quietly(coach, expected, start="triggers_today", stop="troll_intention")
    # The first move the debrief planned for the next troll is this one's default.
    hints = coach.at_step(P, "troll_intention")
    assert "Enter = Breathe, then ask what worries them most" in hints
    coach.type("")
    expected["troll_intention"] = "Breathe, then ask what worries them most"
    walk_prep_quietly(coach, expected, start="help_offered")
    assert coach.save() == 0, coach.screen

    (prep,) = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in reflection_files(home)
        if "_prep_" in p.name
    ]
    assert answer_tree(prep["answers"]) == expected


def test_a_logged_mistake_is_offered_as_a_repeat_of_an_earlier_one(
    home: Path, spawn: Spawn
) -> None:
    assert run_coach("debrief", "Globex", "--answers", str(DEBRIEF), "--prep", "none").code == 0
    (earlier,) = [json.loads(p.read_text(encoding="utf-8")) for p in reflection_files(home)]

    coach = spawn("debrief", "Acme", "--prep", "none")
    coach.answer(D, "next_steps_agreed", "n", {}, False)
    coach.skip(D, "no_next_steps", {})
    for step, typed in [
        ("client_advance", "6"),
        ("process", "4"),
        ("authenticity", "4"),
        ("productivity", "4"),
    ]:
        coach.answer(D, step, typed, {})
    coach.skip(D, "went_well", {})
    for step, typed in [
        ("talk_share", "30"),
        ("open_questions", "5"),
        ("knowledge", "3"),
        ("perception", "3"),
        ("came_up", "4"),  # a mistake of mine
    ]:
        coach.answer(D, step, typed, {})
    coach.answer(D, "mistake", "Talked price before the need, again", {})
    offer = coach.expect_input()
    assert "Is it a repeat of one of these earlier ones?" in offer
    assert "1. Answered the price question before understanding the need" in offer
    coach.type("7")
    assert "Type 1, or Enter." in coach.expect_input()  # one choice: not "from 1 to 1"
    coach.type("1")
    coach.expect("Linked as a repeat.")
    hints = coach.at_step(D, "repeat")
    assert "Enter = A repeat" in hints  # the label, as the choices show it
    coach.type("")
    coach.skip(D, "mistake_cause", {})
    coach.answer(D, "lesson", "Restate the need first", {})
    coach.more(D, "mistakes", "n")
    coach.answer(D, "outcome", "1", {})
    coach.answer(D, "energy", "0", {})
    assert coach.save() == 0, coach.screen

    (saved,) = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in reflection_files(home)
        if "_acme_" in p.name
    ]
    (loop,) = [a for a in saved["answers"] if a["step"] == "mistakes"]
    mistake, repeat = loop["items"][0][0], loop["items"][0][1]
    assert mistake["repeat_of"] == {
        "reflection": earlier["id"],
        "text": "Answered the price question before understanding the need",
    }
    assert repeat["value"] == "repeat"


def test_a_resumed_debrief_keeps_the_plan_of_its_prep(home: Path, spawn: Spawn) -> None:
    prep_answers = REPO / "examples" / "prep-answers.toml"
    assert run_coach("prep", "Acme", "--answers", str(prep_answers)).code == 0

    coach = spawn("debrief", "Acme")
    tree: Tree = {}
    coach.answer(D, "next_steps_agreed", "n", tree, False)
    coach.answer(D, "no_next_steps", "Send a proposal by email", tree)
    coach.answer(D, "client_advance", "6", tree, "none")
    coach.answer(D, "goal_reached", "2", tree, "partly")
    coach.at_step(D, "next_step_reached")
    coach.interrupt()
    assert coach.finish() == 130

    resumed = spawn("resume")
    # The plan is shown with the question again, and the run goes on where it stopped.
    resumed.answer(D, "next_step_reached", "3", tree, "none")
    resumed.at_step(D, "expected_trolls_seen")
    resumed.interrupt()
    assert resumed.finish() == 130
    (draft_file,) = (home / "drafts").glob("*.json")
    draft = json.loads(draft_file.read_text(encoding="utf-8"))
    answered = {a["at"][0]: a["value"] for a in draft["answers"]}
    assert answered["goal_reached"] == "partly"
    assert answered["next_step_reached"] == "none"
