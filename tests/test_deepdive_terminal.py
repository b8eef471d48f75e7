"""A deep-dive walked later in a real terminal: picked from those waiting, its questions
asked with the debrief's answers as defaults, saved linked to the debrief."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import REPO, reflection_files, run_coach
from tests.pty_helpers import INPUT_MARK, Spawn

pytestmark = pytest.mark.e2e  # drives coach in a pseudo-terminal

QUICK = REPO / "examples" / "debrief-quick-answers.toml"
MOST_PROMPTS = 120  # far more than any deep-dive playbook asks: a loop that never ends fails


def _reply(shown: str, prompt: str) -> str:
    """An answer to whatever the deep-dive asks, read from the screen, so the test does
    not depend on the exact steps of the playbook it walks (troll-bridge is rewritten
    on its own): defaults and optional steps take Enter, a choice its first option."""
    if prompt.strip() == "»" or "Enter = " in shown or "(optional)" in shown:
        return ""
    if re.search(r"^\s*1\. ", shown, re.M):
        return "1"
    if "y / n" in shown:
        return "y"
    scale = re.search(r"(-?\d+) to (-?\d+)", shown)
    if scale:
        return scale.group(1)
    if "YYYY-MM-DD" in shown:
        return "2030-01-15"
    if "a number" in shown:
        return "1"
    return "A few words"


def test_a_deep_dive_is_picked_and_walked_in_a_terminal(home: Path, spawn: Spawn) -> None:
    made = run_coach("debrief", "Acme", "--quick", "--prep", "none", "-a", str(QUICK))
    assert made.code == 0, made.stderr
    debrief = json.loads(reflection_files(home)[0].read_text(encoding="utf-8"))

    coach = spawn("deepdive")
    coach.expect("Which deep-dive do you want to walk now?")
    listed = coach.expect_input()
    assert "Deep-dive: replay the hot moment (supply-chain delays)" in listed
    coach.type("1")
    coach.expect("left for later by your debrief of")

    topic_default = False
    for _prompt in range(MOST_PROMPTS):
        index = coach.child.expect([INPUT_MARK, "Your answers"])
        shown = coach.child.before
        if index == 1:
            break
        topic_default = topic_default or "Enter = supply-chain delays" in shown
        coach.type(_reply(shown, coach.child.after))
    else:
        pytest.fail(f"more than {MOST_PROMPTS} prompts:\n{coach.screen[-3000:]}")
    coach.expect_input()
    coach.type("")  # save
    assert coach.finish() == 0, coach.screen
    assert topic_default, "the debrief's topic was not offered as the default"

    saved = [json.loads(p.read_text(encoding="utf-8")) for p in reflection_files(home)]
    (deeper,) = [r for r in saved if r["id"] != debrief["id"]]
    assert deeper["links"]["deepdive_of"] == debrief["id"]
    assert deeper["playbook"]["id"] == "troll-bridge"
    assert "supply-chain delays" in [a.get("value") for a in deeper["answers"]]
    assert "Saved your deep-dive for Acme" in coach.screen
    # No longer waiting.
    again = run_coach("deepdive")
    assert "No deep-dive is waiting." in again.stderr
