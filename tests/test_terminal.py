"""Real terminal sessions: ``coach prep`` / ``coach debrief`` in a pseudo-terminal.

Each test spawns the program as a person would run it and waits for every step's
prompt (read from the playbook files) before typing, then checks the saved reflection
holds exactly what was typed.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.pty_helpers import (
    Coach,
    Spawn,
    Tree,
    answer_tree,
    choice_count,
    find_step,
    help_of,
    load_json,
    needle,
    prompt_of,
    saved_files,
)

pytestmark = pytest.mark.e2e  # every test drives coach in a pseudo-terminal

P = "prep"
D = "debrief"
T = "troll-bridge"


def only_file(home: Path, kind: str) -> tuple[Path, dict[str, Any]]:
    found = [(p, load_json(p)) for p in saved_files(home)]
    mine = [(p, data) for p, data in found if data["kind"] == kind]
    assert len(mine) == 1, f"expected one {kind} file, found {[str(p) for p, _ in found]}"
    return mine[0]


def assert_private(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600, f"{path} has mode {oct(mode)}, not 0o600"


# The shortest way through the prep: required steps only, no branch opened.
# (step id, what is typed, value saved); "" skips an optional step, None is an info step.
QUIET_PREP: list[tuple[str, str | None, object]] = [
    ("goal", "Agree the pilot scope", "Agree the pilot scope"),
    ("next_step_target", "They send the data by Friday", "They send the data by Friday"),
    ("channel", "1", "in-person"),
    ("risk", "The budget", "The budget"),
    ("common_project", "", None),
    ("client_interest_first", "y", True),
    ("interest_in_us", "", None),
    ("need_confirmed", "y", True),
    ("technically_prepared", "y", True),
    ("different_approach", "n", False),
    ("knowledge", "3", 3),
    ("perception", "3", 3),
    ("first_impression", "1", "facts"),
    ("bad_intent", "n", False),
    ("trolls_intro", None, None),
    ("trolls_expected", "", None),
    ("triggers_today", "", None),
    ("troll_intention", "", None),
    ("help_offered", "n", False),
]


def walk_prep_quietly(
    coach: Coach, into: Tree, start: str = "goal", stop: str | None = None
) -> None:
    """Walk the quiet path of the prep from step ``start`` to the end (or to ``stop``)."""
    ids = [step_id for step_id, _, _ in QUIET_PREP]
    last = ids.index(stop) if stop is not None else len(ids)
    for step_id, typed, value in QUIET_PREP[ids.index(start) : last]:
        if typed is None:
            coach.info(P, step_id)
        elif typed == "":
            coach.skip(P, step_id, into)
        else:
            coach.answer(P, step_id, typed, into, value)


def walk_debrief_quietly_from_advance(coach: Coach, into: Tree) -> None:
    """The rest of a debrief with no branch opened: good ratings, nothing came up."""
    coach.answer(D, "client_advance", "6", into, "none")
    coach.answer(D, "process", "4", into, 4)
    coach.answer(D, "authenticity", "4", into, 4)
    coach.answer(D, "productivity", "4", into, 4)
    coach.skip(D, "went_well", into)
    coach.answer(D, "talk_share", "40", into, 40)
    coach.answer(D, "open_questions", "3", into, 3)
    coach.answer(D, "knowledge", "3", into, 3)
    coach.answer(D, "perception", "3", into, 3)
    coach.skip(D, "came_up", into)
    coach.answer(D, "outcome", "1", into, "progressing")
    coach.answer(D, "energy", "0", into, 0)


# --- 1. the acceptance walkthrough ----------------------------------------------------


def run_prep(coach: Coach) -> Tree:
    """A prep with help asked once and one step gone back to and answered differently."""
    prep: Tree = {}
    coach.at_step(P, "goal")
    assert coach.last_step == 1
    coach.ask_help(P, "goal")
    coach.type("Agree the pilot scope")
    prep["goal"] = "Agree the pilot scope"
    coach.answer(P, "next_step_target", "They send the data by Friday, I plan the week after", prep)
    coach.answer(P, "channel", "2", prep, "video")
    coach.answer(P, "risk", "Their CTO may block it", prep)
    coach.skip(P, "common_project", prep)
    coach.answer(P, "client_interest_first", "y", prep, True)
    coach.answer(P, "interest_in_us", "They asked for our case study twice", prep)

    # No, then back from the follow-up it opened, and yes instead: the follow-up is gone.
    coach.answer(P, "need_confirmed", "n", prep, False)
    asked_at = coach.last_step
    coach.at_step(P, "need_check")
    coach.go_back()
    coach.answer(P, "need_confirmed", "yes", prep, True)
    assert coach.last_step == asked_at, "going back should show the same step number again"

    coach.answer(P, "technically_prepared", "y", prep, True)
    coach.answer(P, "different_approach", "y", prep, True)
    coach.answer(P, "approach_as_option", "y", prep, True)
    coach.answer(P, "answers_request", "n", prep, False)
    coach.answer(P, "knowledge", "3", prep, 3)
    coach.answer(P, "perception", "2", prep, 2)
    coach.answer(P, "first_impression", "2", prep, "mixed")
    coach.skip(P, "fact_to_check", prep)
    coach.answer(P, "bad_intent", "n", prep, False)
    coach.info(P, "trolls_intro")
    coach.lines(P, "trolls_expected", ["price", "last spring's outage"], prep)
    coach.skip(P, "triggers_today", prep)
    coach.answer(P, "troll_intention", "Pause, then ask one open question", prep)
    coach.answer(P, "help_offered", "n", prep, False)
    return prep


def run_troll_episode_one(coach: Coach) -> Tree:
    """A difficult moment replayed in two passes: calm came back on the second."""
    episode: Tree = {}
    coach.info(T, "troll_reminder")
    coach.answer(T, "topic", "the price increase", episode)
    coach.answer(T, "recurring", "1", episode, "recurring")
    coach.answer(T, "source", "1", episode, "client")
    coach.answer(T, "trigger", "3", episode, "tone")
    item = find_step(T, "passes")["item"]

    first: Tree = {}
    coach.expect(f"{item} 1")
    coach.answer(T, "spot_signs", "Raised voice, the same point three times", first)
    coach.answer(T, "paused", "n", first, False)
    coach.skip(T, "real_difficulty", first)
    coach.answer(T, "listened", "Asked what the budget allowed; heard fear of the CFO", first)
    coach.answer(T, "said_little", "y", first, True)
    coach.answer(T, "calm_back", "2", first, "not-yet")

    second: Tree = {}
    coach.expect(f"{item} 2")
    coach.skip(T, "spot_signs", second)
    coach.answer(T, "paused", "y", second, True)
    coach.answer(T, "real_difficulty", "A budget freeze, not our price", second)
    coach.skip(T, "listened", second)
    coach.answer(T, "said_little", "y", second, True)
    coach.answer(T, "calm_back", "yes", second, "yes")
    episode["passes"] = [first, second]

    coach.answer(T, "calm_restored", "2", episode, "partly")
    coach.answer(T, "paused_first", "n", episode, False)
    coach.answer(T, "said_too_much", "y", episode, True)
    coach.answer(T, "named_difficulty", "y", episode, True)
    coach.answer(T, "bad_intent", "n", episode, False)
    coach.answer(T, "ended_next_steps", "y", episode, True)
    coach.answer(T, "troll_next_time", "Pause before the first reply", episode)
    return episode


def run_compact_troll(coach: Coach, topic: str, ticked: str, value: list[str]) -> Tree:
    """One hot moment in the full debrief: its compact form."""
    episode: Tree = {}
    coach.answer(D, "topic", topic, episode)
    coach.answer(D, "loop_steps", ticked, episode, value)
    coach.answer(D, "passes", "2", episode, 2)
    coach.answer(D, "calm_restored", "2", episode, "partly")
    coach.answer(D, "troll_next_time", "Pause before the first reply", episode)
    return episode


def run_debrief(coach: Coach) -> Tree:
    """Two next steps, plan against outcome, two hot moments, one mistake."""
    debrief: Tree = {}
    coach.answer(D, "next_steps_agreed", "y", debrief, True)

    first: Tree = {}
    coach.answer(D, "what", "Send the revised quote", first)
    coach.answer(D, "owner", "1", first, "me")
    coach.answer(D, "due", "2030-01-15", first)
    coach.more(D, "next_steps", "y")
    second: Tree = {}
    coach.answer(D, "what", "Book the pilot workshop", second)
    coach.answer(D, "owner", "client", second, "client")
    coach.skip(D, "due", second)
    coach.more(D, "next_steps", "")  # Enter = no more
    debrief["next_steps"] = [first, second]
    coach.answer(D, "client_advance", "2", debrief, "decision-maker")

    # The prep it follows has a plan, so the plan-versus-outcome steps are asked.
    assert "Planned: Agree the pilot scope" in coach.at_step(D, "goal_reached")
    coach.type("2")
    debrief["goal_reached"] = "partly"
    coach.skip(D, "next_step_reached", debrief)
    coach.answer(D, "expected_trolls_seen", "3", debrief, "none")

    coach.answer(D, "process", "4", debrief, 4)
    coach.answer(D, "authenticity", "3", debrief, 3)
    coach.answer(D, "productivity", "2", debrief, 2)
    coach.answer(D, "gap_cause", "2,3", debrief, ["perception", "hunch"])
    coach.answer(D, "went_well", "1 8", debrief, ["listened", "other"])
    coach.answer(D, "keep", "Asked about their month-end close first", debrief)
    coach.answer(D, "talk_share", "60", debrief, 60)
    coach.answer(D, "open_questions", "2", debrief, 2)
    coach.answer(D, "longest_monologue", "10", debrief, 10)
    coach.answer(D, "asked_impressions", "n", debrief, False)
    coach.answer(D, "client_as_person", "y", debrief, True)
    coach.answer(D, "knowledge", "4", debrief, 4)
    coach.answer(D, "perception", "3", debrief, 3)
    coach.answer(D, "came_up", "1,4", debrief, ["troll", "mistake"])

    item = find_step(D, "trolls")["item"]
    coach.expect(f"{item} 1")
    one = run_compact_troll(coach, "the price increase", "1,2,6", ["spot", "pause", "check"])
    coach.more(D, "trolls", "y")
    two = run_compact_troll(coach, "delivery delays", "5", ["say-little"])
    coach.more(D, "trolls", "n")
    debrief["trolls"] = [one, two]

    mistake: Tree = {}
    coach.answer(D, "mistake", "I talked for ten minutes straight", mistake)
    coach.answer(D, "repeat", "2", mistake, "repeat")
    coach.skip(D, "mistake_cause", mistake)
    coach.answer(D, "lesson", "Stop after two sentences and ask", mistake)
    coach.more(D, "mistakes", "")
    debrief["mistakes"] = [mistake]

    coach.answer(D, "outcome", "1", debrief, "progressing")
    coach.answer(D, "energy", "1", debrief, 1)
    return debrief


def test_prep_then_debrief_saves_exactly_the_answers_given(home: Path, spawn: Spawn) -> None:
    coach = spawn("prep", "Acme")
    expected_prep = run_prep(coach)
    assert coach.save() == 0, coach.screen
    prep_path, prep = only_file(home, "prep")

    assert prep["client"] == "Acme"
    assert prep["playbook"]["id"] == "prep"
    assert answer_tree(prep["answers"]) == expected_prep
    assert "need_check" not in answer_tree(prep["answers"])  # closed by going back
    assert_private(prep_path)

    coach = spawn("debrief", "Acme")
    coach.expect(str(prep["id"]))  # the debrief says which prep it follows
    expected_debrief = run_debrief(coach)
    assert coach.save() == 0, coach.screen
    debrief_path, debrief = only_file(home, "debrief")

    assert debrief["client"] == "Acme"
    assert debrief["playbook"]["id"] == "debrief"
    assert debrief["links"]["prep"] == prep["id"]
    assert answer_tree(debrief["answers"]) == expected_debrief
    assert_private(debrief_path)
    assert len(saved_files(home)) == 2


def test_the_pass_by_pass_troll_replay_is_walked_on_its_own(home: Path, spawn: Spawn) -> None:
    """The full debrief asks a compact form per hot moment; the replay stays whole."""
    coach = spawn("debrief", "Acme", "--playbook", "troll-bridge", "--prep", "none")
    expected = run_troll_episode_one(coach)
    assert coach.save() == 0, coach.screen
    _, saved = only_file(home, "debrief")
    assert saved["playbook"]["id"] == "troll-bridge"
    assert answer_tree(saved["answers"]) == expected


# --- 2. stopping ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_stopping_before_any_answer_saves_nothing(home: Path, spawn: Spawn, key: str) -> None:
    """Stopped at the first step: no reflection, no draft (see test_drafts.py for later)."""
    coach = spawn("prep", "Acme")
    coach.at_step(P, "goal")
    if key == "ctrl-c":
        coach.interrupt()
    else:
        coach.end_input()
    coach.expect_re(r"[Nn]othing[^\r\n]* saved")
    assert coach.finish() == 130
    left = [p for p in home.rglob("*") if p.is_file()] if home.exists() else []
    assert left == []


# --- 3. playbook text is plain text ---------------------------------------------------

INJECT_PROMPT = "__import__('os').system('touch PWNED')"
INJECT_HELP = "[bold red]not markup[/bold red] {0} %s"
INJECT_WHY = "$(touch PWNED) `touch PWNED` ${HOME} [link=file:///etc/passwd]x[/link]"
INJECT_ANSWER = "[i]typed[/i] {0} %s $(touch PWNED)"


def test_playbook_and_typed_text_are_shown_and_saved_literally(
    home: Path, tmp_path: Path, spawn: Spawn
) -> None:
    folder = home / "playbooks"
    folder.mkdir(parents=True)
    playbook = folder / "inject.toml"
    playbook.write_text(
        tomli_w.dumps(
            {
                "schema": 1,
                "id": "inject",
                "kind": "prep",
                "title": "Injection [b]check[/b]",
                "steps": [
                    {
                        "id": "payload",
                        "type": "text",
                        "prompt": INJECT_PROMPT,
                        "help": INJECT_HELP,
                        "why": INJECT_WHY,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )

    coach = spawn("prep", "Acme", "--playbook", "inject", cwd=tmp_path)
    coach.expect("Injection [b]check[/b]")
    assert prompt_of(playbook, "payload") == INJECT_PROMPT
    coach.expect("\n" + INJECT_PROMPT)  # the whole prompt line, as written
    assert coach.expect_input() == "\r"
    coach.type("?")
    coach.expect("How to answer: " + INJECT_HELP + "\r\n")
    coach.expect("Why it matters: " + INJECT_WHY + "\r\n")
    coach.expect_input()
    coach.type(INJECT_ANSWER)
    assert coach.save() == 0, coach.screen

    assert not (tmp_path / "PWNED").exists()
    assert not list(tmp_path.rglob("PWNED"))
    _, saved = only_file(home, "prep")
    assert saved["playbook"]["id"] == "inject"
    records = saved["answers"]
    assert isinstance(records, list)
    assert [(r["step"], r["prompt"], r["value"]) for r in records] == [
        ("payload", INJECT_PROMPT, INJECT_ANSWER)
    ]


# --- 4. validation --------------------------------------------------------------------


def test_invalid_answers_are_refused_and_the_step_asked_again(home: Path, spawn: Spawn) -> None:
    coach = spawn("prep", "Acme")
    expected: Tree = {}

    coach.at_step(P, "goal")
    coach.reject("", "needs an answer")
    coach.reject("   ", "needs an answer")
    coach.type("Agree the pilot scope")
    expected["goal"] = "Agree the pilot scope"

    coach.answer(P, "next_step_target", "They send the data by Friday", expected)

    coach.at_step(P, "channel")
    choices = choice_count(P, "channel")
    coach.reject(str(choices + 1), f"1 to {choices}")
    coach.reject("0", f"1 to {choices}")
    coach.reject("carrier pigeon", f"1 to {choices}")
    coach.type("video call")  # a choice's label, in any case, is taken too
    expected["channel"] = "video"

    coach.answer(P, "risk", "The budget", expected)
    coach.skip(P, "common_project", expected)

    coach.at_step(P, "client_interest_first")
    coach.reject("maybe", "yes or no")
    coach.type("yes")
    expected["client_interest_first"] = True

    coach.skip(P, "interest_in_us", expected)
    coach.answer(P, "need_confirmed", "y", expected, True)
    coach.answer(P, "technically_prepared", "y", expected, True)
    coach.answer(P, "different_approach", "n", expected, False)

    coach.at_step(P, "knowledge")
    rating = find_step(P, "knowledge")
    scale = f"{rating['min']} to {rating['max']}"
    coach.reject(str(rating["max"] + 4), scale)
    coach.reject(str(rating["min"] - 1), scale)
    coach.reject("3.5", scale)
    coach.reject("three")
    coach.type("4")
    expected["knowledge"] = 4

    coach.answer(P, "perception", "3", expected, 3)
    coach.answer(P, "first_impression", "1", expected, "facts")
    coach.answer(P, "bad_intent", "n", expected, False)
    coach.info(P, "trolls_intro")
    coach.skip(P, "trolls_expected", expected)
    coach.skip(P, "triggers_today", expected)
    coach.skip(P, "troll_intention", expected)
    coach.at_step(P, "help_offered")
    coach.reject("", "needs an answer")
    coach.type("n")
    expected["help_offered"] = False
    assert coach.save() == 0, coach.screen

    _, saved = only_file(home, "prep")
    assert answer_tree(saved["answers"]) == expected


# --- 5. the client, asked when missing ------------------------------------------------


def test_client_is_asked_when_missing_and_kept_as_typed(home: Path, spawn: Spawn) -> None:
    coach = spawn("prep")
    ask_client = r"(?i)client[^\r\n]*\? "
    coach.expect_re(ask_client)
    coach.type("")
    coach.expect_re(ask_client)  # an empty name is not taken: asked again
    coach.type("  Société   Générale ")
    coach.expect("Société Générale")  # shown in the title
    expected: Tree = {}
    walk_prep_quietly(coach, expected)
    assert coach.save() == 0, coach.screen

    path, saved = only_file(home, "prep")
    assert saved["client"] == "Société Générale"
    assert "Société Générale" in path.read_text(encoding="utf-8")  # not \u-escaped
    assert "societe-generale" in path.name
    assert answer_tree(saved["answers"]) == expected


def test_control_characters_typed_are_never_saved(home: Path, spawn: Spawn) -> None:
    """Arrow keys either edit the line or the answer is refused: no escape codes are kept.

    Pressing Left before Enter sends ESC [ D. A terminal program either edits the line
    with it (readline) or must refuse it; saving it puts raw terminal control codes in
    the reflection, to be replayed on whatever terminal shows it later.
    """
    coach = spawn("prep", "Acme")
    expected: Tree = {}
    coach.at_step(P, "goal")
    coach.type("Agree the pilot scope\x1b[D")  # the typist pressed Left, then Enter
    shown = coach.expect_input()
    expected["goal"] = "Agree the pilot scope"
    if needle(prompt_of(P, "next_step_target")) in shown:
        # Taken: then it must have been edited, and is now the plain text.
        _, typed, value = QUIET_PREP[1]
        assert typed is not None
        coach.type(typed)
        expected["next_step_target"] = value
        walk_prep_quietly(coach, expected, start="channel")
    else:
        # Refused: the same step waits for a clean answer.
        coach.type("Agree the pilot scope")
        walk_prep_quietly(coach, expected, start="next_step_target")
    assert coach.save() == 0, coach.screen

    path, saved = only_file(home, "prep")
    assert answer_tree(saved["answers"]) == expected
    assert "\\u001b" not in path.read_text(encoding="utf-8")


def test_going_back_from_after_a_loop_reopens_it(home: Path, spawn: Spawn) -> None:
    coach = spawn("debrief", "Acme", "--prep", "none")
    debrief: Tree = {}
    coach.answer(D, "next_steps_agreed", "y", debrief, True)
    first: Tree = {}
    coach.answer(D, "what", "Send the quote", first)
    coach.answer(D, "owner", "3", first, "both")
    coach.answer(D, "due", "2030-02-01", first)
    coach.more(D, "next_steps", "")  # no more...
    asked_at = coach.last_step
    coach.at_step(D, "client_advance")
    coach.go_back()  # ...then yes, one more after all
    coach.more(D, "next_steps", "y")
    assert coach.last_step == asked_at
    second: Tree = {}
    coach.answer(D, "what", "Call their CFO", second)
    coach.answer(D, "owner", "me", second, "me")
    coach.skip(D, "due", second)
    coach.more(D, "next_steps", "n")
    debrief["next_steps"] = [first, second]
    walk_debrief_quietly_from_advance(coach, debrief)
    assert coach.save() == 0, coach.screen

    _, saved = only_file(home, "debrief")
    assert saved["links"] == {"prep": None}
    assert answer_tree(saved["answers"]) == debrief


def test_help_on_optional_steps_loop_questions_and_why_only_steps(spawn: Spawn) -> None:
    """``?`` works on an optional step, a loop's "another?" question, a step with only a why."""
    coach = spawn("debrief", "Acme", "--prep", "none")
    debrief: Tree = {}
    coach.answer(D, "next_steps_agreed", "y", debrief, True)
    item: Tree = {}
    coach.answer(D, "what", "Send the quote", item)
    coach.answer(D, "owner", "1", item, "me")
    coach.at_step(D, "due")
    coach.ask_help(D, "due")
    coach.type("")
    coach.expect("Skipped.")
    coach.at_step(D, "next_steps")
    coach.ask_help(D, "next_steps")
    coach.type("n")
    coach.answer(D, "client_advance", "6", debrief, "none")
    coach.at_step(D, "process")
    assert help_of(D, "process") is None
    coach.type("?")
    coach.expect("Why it matters: " + needle(str(find_step(D, "process")["why"])))
    coach.expect_input()
    coach.interrupt()
    assert coach.finish() == 130


@pytest.mark.parametrize(("typed", "saved_one"), [("y", True), ("", False)])
def test_a_future_debrief_date_is_confirmed_on_a_terminal(
    home: Path, spawn: Spawn, typed: str, saved_one: bool
) -> None:
    coach = spawn("debrief", "Acme", "--quick", "--date", "+3d")
    coach.expect("is in the future. Debrief a meeting on that date anyway?")
    coach.type(typed)
    if saved_one:
        coach.expect_input()  # the first question: the run goes on
        coach.interrupt()
        assert coach.finish() == 130
    else:
        assert coach.finish() == 2
        assert "a debrief is about a meeting that has happened" in coach.screen
    assert saved_files(home) == []


def test_a_choice_typed_by_number_is_echoed_by_its_label(
    home: Path, spawn: Spawn, tmp_path: Path
) -> None:
    playbook = tmp_path / "pick.toml"
    playbook.write_text(
        'schema = 1\nid = "pick"\nkind = "debrief"\nversion = "1"\nlanguage = "en"\n'
        'title = "Pick"\n[[steps]]\nid = "how"\ntype = "choice"\nprompt = "How did it go?"\n'
        'choices = [{ value = "good", label = "Rather well" }, '
        '{ value = "bad", label = "Rather badly" }]\n'
        '[[steps]]\nid = "which"\ntype = "multichoice"\nprompt = "Which ones?"\n'
        'choices = ["alpha", "beta", "gamma"]\n',
        encoding="utf-8",
    )
    coach = spawn("debrief", "Acme", "-p", str(playbook))
    coach.expect("How did it go?")
    coach.type("2")
    coach.expect("= Rather badly")
    coach.expect("Which ones?")
    coach.type("1,3")
    coach.expect("= alpha; gamma")
    assert coach.save() == 0, coach.screen
    (record,) = [json.loads(p.read_text(encoding="utf-8")) for p in saved_files(home)]
    assert [a["value"] for a in record["answers"]] == ["bad", ["alpha", "gamma"]]


def test_the_summary_wraps_under_each_answer_and_groups_a_loops_items(
    home: Path, spawn: Spawn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    long_words = " ".join(f"word{n}" for n in range(12))  # wider than the terminal
    playbook = tmp_path / "sum.toml"
    playbook.write_text(
        'schema = 1\nid = "sum"\nkind = "debrief"\nversion = "1"\nlanguage = "en"\n'
        'title = "Sum"\n[[steps]]\nid = "story"\ntype = "text"\n'
        f'prompt = "What happened? {long_words}"\n'
        '[[steps]]\nid = "steps"\ntype = "loop"\nprompt = "Another?"\nitem = "Step"\n'
        "min_items = 1\nmax_items = 1\n"
        '  [[steps.steps]]\n  id = "what"\n  type = "text"\n  prompt = "What?"\n',
        encoding="utf-8",
    )
    coach = spawn("debrief", "Acme", "-p", str(playbook))
    coach.expect("What happened?")
    coach.type("A long story")
    coach.expect("What?")
    coach.type("Send the plan")
    lines = [line.rstrip() for line in coach.summary().splitlines()]
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1. What happened?"))
    # The answer's next line starts under the text, not at the margin.
    assert lines[first + 1].startswith(" " * 5)
    assert lines[first + 1].strip().startswith("word")
    heading = lines.index("Step 1")
    assert lines[heading + 1].startswith("    2. What? Send the plan")
    assert coach.type("") is None
    assert coach.finish() == 0
