"""A quick debrief typed in a real terminal: eight prompts at most on either path, then
saved; the offer to link a mistake as a repeat counts as a prompt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run_coach
from tests.pty_helpers import Spawn, Tree, answer_tree, load_json, saved_files

pytestmark = pytest.mark.e2e  # drives coach in a pseudo-terminal

Q = "debrief-quick"
OFFER = "Is it a repeat of one of these earlier ones?"


def _prompts(screen: str) -> tuple[int, int]:
    """(the last "Step N of about M" number, how many repeat offers were shown)."""
    steps = [int(n) for n in re.findall(r"Step (\d+) of about \d+", screen)]
    return max(steps), screen.count(OFFER)


def test_a_quick_debrief_with_a_hot_moment_asks_eight_questions(home: Path, spawn: Spawn) -> None:
    coach = spawn("debrief", "Acme", "--quick", "--prep", "none")
    expected: Tree = {}
    step: Tree = {}
    coach.answer(Q, "what", "Send the pilot plan", step)
    coach.answer(Q, "owner", "1", step, "me")
    coach.answer(Q, "due", "2030-01-15", step)
    expected["next_steps"] = [step]
    coach.answer(Q, "weakest", "2", expected, "authenticity")
    coach.answer(Q, "hot_moment", "the price rise", expected)
    coach.answer(Q, "calm_restored", "2", expected, "partly")
    coach.answer(Q, "troll_next_time", "Ask what the rise costs them first", expected)
    coach.answer(Q, "energy", "1", expected, 1)
    last_step = coach.last_step
    assert coach.save() == 0, coach.screen

    assert last_step == 8
    assert _prompts(coach.screen) == (8, 0)
    [path] = saved_files(home)
    record = load_json(path)
    assert record["playbook"]["id"] == Q
    assert answer_tree(record["answers"]) == expected


def test_a_quick_debrief_with_a_repeated_mistake_asks_eight_prompts(
    home: Path, spawn: Spawn, tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier.toml"
    earlier.write_text(
        'weakest = "process"\nmistake = "Talked price too early"\nenergy = 0\n', encoding="utf-8"
    )
    done = run_coach(
        "debrief", "Acme", "--quick", "--prep", "none", "-d", "2026-11-02", "-a", str(earlier)
    )
    assert done.code == 0, done.stderr

    coach = spawn("debrief", "Acme", "--quick", "--prep", "none")
    expected: Tree = {}
    step: Tree = {}
    coach.answer(Q, "what", "Send the revised quote", step)
    coach.answer(Q, "owner", "2", step, "client")
    coach.answer(Q, "due", "2030-01-15", step)
    expected["next_steps"] = [step]
    coach.answer(Q, "weakest", "1", expected, "process")
    coach.skip(Q, "hot_moment", expected)
    coach.answer(Q, "mistake", "Quoted a price before the need was clear", expected)
    coach.expect(OFFER)
    coach.expect_input()
    coach.type("1")
    coach.expect("Linked as a repeat.")
    coach.answer(Q, "energy", "-1", expected, -1)
    assert coach.save() == 0, coach.screen

    # Seven questions and the offer: eight prompts.
    assert _prompts(coach.screen) == (7, 1)
    newest = max(saved_files(home), key=lambda p: load_json(p)["finished_at"])
    record = load_json(newest)
    assert answer_tree(record["answers"]) == expected
    mistake = next(a for a in record["answers"] if a["step"] == "mistake")
    assert mistake["repeat_of"]["text"] == "Talked price too early"
