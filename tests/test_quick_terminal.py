"""A quick debrief typed in a real terminal: eight questions at most, then saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pty_helpers import Spawn, Tree, answer_tree, load_json, saved_files

pytestmark = pytest.mark.e2e  # drives coach in a pseudo-terminal

Q = "debrief-quick"


def test_a_quick_debrief_in_a_terminal_asks_at_most_eight_questions(
    home: Path, spawn: Spawn
) -> None:
    coach = spawn("debrief", "Acme", "--quick", "--prep", "none")
    expected: Tree = {}
    coach.answer(Q, "next_steps_agreed", "y", expected, True)
    step: Tree = {}
    coach.answer(Q, "what", "Send the pilot plan", step)
    coach.answer(Q, "owner", "1", step, "me")
    coach.answer(Q, "due", "2030-01-15", step)
    expected["next_steps"] = [step]
    coach.answer(Q, "weakest", "2", expected, "authenticity")
    coach.more(Q, "trolls", "")  # Enter = no hot moment
    expected["trolls"] = []
    coach.answer(Q, "mistake", "Stayed on my slides too long", expected)
    coach.answer(Q, "energy", "1", expected, 1)
    last_step = coach.last_step
    assert coach.save() == 0, coach.screen

    # Each question is headed "Step N of about M": the last one was the eighth at most.
    steps = [int(n) for n in re.findall(r"Step (\d+) of about \d+", coach.screen)]
    assert last_step == max(steps) == 8, steps
    [path] = saved_files(home)
    record = load_json(path)
    assert record["playbook"]["id"] == Q
    assert answer_tree(record["answers"]) == expected
