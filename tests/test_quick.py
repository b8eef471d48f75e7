"""The quick forms: a two-minute debrief and a one-minute prep, chosen per run or by config.

The question budget is checked on every path through the playbooks, by driving the
engine itself; the review must count a quick debrief exactly as a full one with the same
answers.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from clientcoach.app import scripted
from clientcoach.app.workspace import library
from clientcoach.core.engine import Earlier, Question, Run
from clientcoach.model.playbook import (
    ChoiceStep,
    ConfirmStep,
    DateStep,
    InfoStep,
    ListStep,
    Playbook,
    RatingStep,
)
from tests.helpers import REPO, reflection_files, run_coach

EXAMPLES = REPO / "examples"
QUICK_DEBRIEF = EXAMPLES / "debrief-quick-answers.toml"
QUICK_PREP = EXAMPLES / "prep-quick-answers.toml"
NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00"}
TODAY = date(2026, 11, 24)

# The budgets: eight prompts on every path of the quick debrief, a hot moment included;
# six for the quick prep.
DEBRIEF_MOST = 8
PREP_MOST = 6
# An earlier mistake on record: writing a new one then offers to link it as a repeat,
# one more prompt a person sees, so every path is counted with it.
EARLIER = {"mistake": [Earlier("20261101T100000-abcdef", "Talked price too early")]}


def _playbook(home: Path, playbook_id: str, language: str = "en") -> Playbook:
    return library(home, language).get(playbook_id)


def _asked(run: Run) -> int:
    """Prompts a person saw so far: answers, "another one?" and the offer to link an
    answer to an earlier one as a repeat (shown after an answer that has earlier ones to
    repeat); not info steps."""
    prompts = 0
    for address in run.history:
        if isinstance(address[-1], int):
            prompts += 1  # "another one?"
            continue
        step = run.step_at(address)
        if isinstance(step, InfoStep):
            continue
        prompts += 1
        if run.answers.get(address) is not None and run.earlier.get(step.role or ""):
            prompts += 1
    return prompts


def _replay(playbook: Playbook, plan: dict[str, Any], moves: list[Any]) -> Run:
    run = Run(playbook, {}, TODAY, plan=plan, earlier=EARLIER)
    for move in moves:
        if move is None:
            run.skip()
        else:
            run.answer(move, typed=False)
    return run


def _options(question: Question) -> list[Any]:
    """One answer per way the rest of the run can go (None skips an optional step)."""
    step = question.step
    if question.kind == "more":
        return [True, False]
    if isinstance(step, ConfirmStep):
        found: list[Any] = [True, False]
    elif isinstance(step, ChoiceStep):
        found = [c.value for c in step.options]
    elif isinstance(step, RatingStep):
        found = [step.min, step.max]
    elif isinstance(step, DateStep):
        found = ["2026-12-01"]
    elif isinstance(step, ListStep):
        found = [["a topic"]]
    else:
        found = ["some words"]
    return found + ([None] if not step.required else [])


def _paths(playbook: Playbook, plan: dict[str, Any]) -> Iterator[Run]:
    """Every complete run of ``playbook`` (each branch taken once)."""
    pending: list[list[Any]] = [[]]
    while pending:
        moves = pending.pop()
        run = _replay(playbook, plan, moves)
        question = run.current()
        if question is None:
            yield run
            continue
        if question.kind == "info":
            pending.append([*moves, None])
            continue
        pending.extend([*moves, option] for option in _options(question))


def _hot(run: Run) -> bool:
    return run.answers.get(("hot_moment",)) is not None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_path_of_the_quick_debrief_keeps_to_its_budget(home: Path, language: str) -> None:
    playbook = _playbook(home, "debrief-quick", language)
    counts: dict[tuple[bool, bool], int] = {}
    for plan in ({}, {"goal": "Agree the pilot scope"}):
        for run in _paths(playbook, plan):
            key = (bool(plan), _hot(run))
            counts[key] = max(counts.get(key, 0), _asked(run))
    # With or without a linked prep, with or without a hot moment: at most 8 prompts,
    # the offer to link a mistake as a repeat included.
    assert set(counts) == {(False, False), (True, False), (False, True), (True, True)}
    assert all(most <= DEBRIEF_MOST for most in counts.values()), counts
    assert max(counts.values()) == DEBRIEF_MOST  # the header comment says so


def test_every_path_of_the_quick_prep_asks_at_most_six_questions(home: Path) -> None:
    for language in ("en", "fr"):
        playbook = _playbook(home, "prep-quick", language)
        assert max(_asked(run) for run in _paths(playbook, {})) <= PREP_MOST


def _scripted_count(home: Path, playbook_id: str, answers: Path, plan: dict[str, Any]) -> int:
    run = Run(_playbook(home, playbook_id), {}, TODAY, plan=plan)
    scripted.ask_from_answers(run, scripted.load_answers(answers), str(answers))
    assert run.done
    return _asked(run)


def _only(home: Path, kind: str) -> dict[str, Any]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in reflection_files(home)]
    mine = [r for r in found if r["kind"] == kind]
    assert len(mine) == 1, [r["kind"] for r in found]
    record: dict[str, Any] = mine[0]
    return record


def test_a_scripted_quick_debrief_is_saved_with_its_roles(home: Path) -> None:
    result = run_coach(
        "debrief", "Acme", "--quick", "--answers", str(QUICK_DEBRIEF), "--prep", "none", env=NOW
    )
    assert result.code == 0, result.stderr
    assert "Saved your debrief for Acme" in result.stderr
    record = _only(home, "debrief")
    assert record["playbook"]["id"] == "debrief-quick"
    roles = [a.get("role") for a in record["answers"]]
    assert roles == [
        "follow_up",
        "weakest_piece",
        "troll_topic",
        "calm_restored",
        "troll_plan",
        "energy",
    ]
    # The example walks a longest path: a next step, no prep, a hot moment.
    assert _scripted_count(home, "debrief-quick", QUICK_DEBRIEF, {}) == DEBRIEF_MOST
    # Without its hot moment, one thing to do differently is asked instead.
    calm = tomllib.loads(QUICK_DEBRIEF.read_text(encoding="utf-8"))
    for key in ("hot_moment", "calm_restored", "troll_next_time"):
        del calm[key]
    calm["mistake"] = "Stayed on my slides instead of asking what worried them"
    calm_file = home.parent / "calm.toml"
    calm_file.write_text(tomli_w.dumps(calm), encoding="utf-8")
    assert _scripted_count(home, "debrief-quick", calm_file, {}) == DEBRIEF_MOST - 1
    # An answer the hot path never asks is refused, nothing saved.
    both = dict(tomllib.loads(QUICK_DEBRIEF.read_text(encoding="utf-8")), mistake="x")
    both_file = home.parent / "both.toml"
    both_file.write_text(tomli_w.dumps(both), encoding="utf-8")
    refused = run_coach("debrief", "Acme", "--quick", "-a", str(both_file), "--prep", "none")
    assert refused.code != 0
    assert "mistake" in refused.stderr
    assert len(reflection_files(home)) == 1

    # The follow-up it created is one `coach followups` knows.
    followups = run_coach("followups", "--json", env=NOW)
    assert followups.code == 0, followups.stderr
    item, dive = json.loads(followups.stdout)
    assert (item["what"], item["owner"], item["due"]) == ("Send the pilot plan", "me", "2026-12-01")
    # The hot moment's replay waits for later (tests/test_deepdive.py).
    assert (dive["kind"], dive["playbook"]) == ("deep_dive", "troll-bridge")
    # The hot moment is one the next prep remembers, and offers as expected.
    brief = run_coach("brief", "Acme", "--json", env=NOW)
    assert json.loads(brief.stdout)["trolls"] == [{"topic": "supply-chain delays", "count": 1}]


def test_a_scripted_quick_prep_is_saved_and_its_goal_read_by_the_quick_debrief(
    home: Path,
) -> None:
    assert _scripted_count(home, "prep-quick", QUICK_PREP, {}) <= PREP_MOST
    prep = run_coach("prep", "Acme", "--quick", "--answers", str(QUICK_PREP), env=NOW)
    assert prep.code == 0, prep.stderr
    record = _only(home, "prep")
    assert record["playbook"]["id"] == "prep-quick"
    assert [a["role"] for a in record["answers"]] == [
        "goal",
        "next_step_target",
        "risk",
        "need_confirmed",
        "troll_expected",
        "troll_intention",
    ]

    # After a prep with a goal, the debrief compares with it instead of asking the weakest
    # piece: still eight questions at most.
    answers = tomllib.loads(QUICK_DEBRIEF.read_text(encoding="utf-8"))
    del answers["weakest"]
    answers["goal_reached"] = "partly"
    path = home.parent / "after-prep.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    debrief = run_coach("debrief", "Acme", "--quick", "--answers", str(path), env=NOW)
    assert debrief.code == 0, debrief.stderr
    saved = _only(home, "debrief")
    assert saved["links"]["prep"] == record["id"]
    goal = next(a for a in saved["answers"] if a["step"] == "goal_reached")
    assert goal["planned"] == "Agree the scope of the pilot"
    assert goal["value"] == "partly"
    plan = {"goal": "Agree the scope of the pilot"}
    assert _scripted_count(home, "debrief-quick", path, plan) == DEBRIEF_MOST


# --- the review counts a quick debrief as a full one -----------------------------------

MISTAKE = "Answered the price question before understanding the need"
REPEATED = "Jumped to pricing again before the need was clear"

FULL_PREP: dict[str, Any] = {
    "goal": "Agree the scope of the pilot",
    "next_step_target": "They send the data sample by Friday",
    "channel": "video",
    "risk": "The new CFO may question the budget",
    "client_interest_first": True,
    "need_confirmed": True,
    "technically_prepared": True,
    "different_approach": False,
    "knowledge": 4,
    "perception": 3,
    "first_impression": "facts",
    "bad_intent": False,
    "trolls_expected": ["supply-chain delays"],
    "help_offered": False,
}

# What a full debrief asks beyond the quick one, answered without opening a deep-dive
# that has a headline figure of its own (help, lost deal).
FULL_REST: dict[str, Any] = {
    "client_advance": "none",
    "process": 4,
    "authenticity": 4,
    "productivity": 4,
    "went_well": ["process"],
    "talk_share": 40,
    "open_questions": 3,
    "knowledge": 4,
    "perception": 3,
    "outcome": "progressing",
}


def _full_debrief(quick: dict[str, Any]) -> dict[str, Any]:
    """The full debrief's answers saying what a quick debrief's answers say."""
    full: dict[str, Any] = dict(FULL_REST)
    agreed = [item for item in quick.get("next_steps", []) if item.get("what")]
    full["next_steps_agreed"] = bool(agreed)
    if agreed:
        full["next_steps"] = agreed
    if "goal_reached" in quick:
        full["goal_reached"] = quick["goal_reached"]
    came_up = []
    if quick.get("hot_moment"):
        came_up.append("troll")
        full["trolls"] = [
            {
                "topic": quick["hot_moment"],
                "loop_steps": ["pause", "say-little"],
                "passes": 1,
                "calm_restored": quick["calm_restored"],
                "troll_next_time": quick["troll_next_time"],
            }
        ]
    mistake = quick.get("mistake")
    if isinstance(mistake, dict):  # linked to an earlier one: a repeat, linked the same way
        full["mistakes"] = [{"mistake": dict(mistake), "repeat": "repeat"}]
    elif mistake:
        full["mistakes"] = [{"mistake": mistake, "repeat": "new", "lesson_scope": "universal"}]
    if mistake:
        came_up.append("mistake")
    for item in full.get("mistakes", []):
        item["lesson"] = "Restate the need before any number"
    if came_up:
        full["came_up"] = came_up
    full["energy"] = quick["energy"]
    return full


def _write(folder: Path, name: str, answers: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    return str(path)


def _review(env: dict[str, str]) -> dict[str, Any]:
    result = run_coach("review", "--json", env=env)
    assert result.code == 0, result.stderr
    review: dict[str, Any] = json.loads(result.stdout)
    return review


def test_the_review_counts_a_quick_debrief_as_a_full_one(home: Path, tmp_path: Path) -> None:
    # A tense meeting after a prep: a next step, the goal partly reached, a hot moment
    # whose first move next time is the one thing to change.
    first = tomllib.loads(QUICK_DEBRIEF.read_text(encoding="utf-8"))
    del first["weakest"]
    first["goal_reached"] = "partly"
    # A second meeting: no next step (its text left out), no hot moment, a mistake.
    second: dict[str, Any] = {
        "next_steps": [{}],
        "weakest": "process",
        "mistake": MISTAKE,
        "energy": -2,
    }
    # A third: no next step, the same mistake reworded and linked as a repeat.
    third: dict[str, Any] = {
        "weakest": "authenticity",
        "mistake": {"value": REPEATED, "repeat_of": MISTAKE},
        "energy": 0,
    }
    quick_env = dict(NOW)
    full_env = {**NOW, "CLIENTCOACH_HOME": str(tmp_path / "full-data")}
    runs = [
        (quick_env, ["prep", "--quick"], _write(tmp_path, "qp.toml", _quick_prep())),
        (quick_env, ["debrief", "--quick"], _write(tmp_path, "q1.toml", first)),
        (full_env, ["prep", "--full"], _write(tmp_path, "fp.toml", FULL_PREP)),
        (full_env, ["debrief", "--full"], _write(tmp_path, "f1.toml", _full_debrief(first))),
    ]
    for env, command, answers in runs:
        done = run_coach(*command, "Acme", "-d", "2026-11-10", "--answers", answers, env=env)
        assert done.code == 0, done.stderr
    later = [
        (quick_env, "--quick", "2026-11-18", _write(tmp_path, "q2.toml", second)),
        (full_env, "--full", "2026-11-18", _write(tmp_path, "f2.toml", _full_debrief(second))),
        (quick_env, "--quick", "2026-11-20", _write(tmp_path, "q3.toml", third)),
        (full_env, "--full", "2026-11-20", _write(tmp_path, "f3.toml", _full_debrief(third))),
    ]
    for env, flag, day, answers in later:
        done = run_coach(
            "debrief", "Acme", flag, "-d", day, "--prep", "none", "-a", answers, env=env
        )
        assert done.code == 0, done.stderr

    quick, full = _review(quick_env), _review(full_env)
    assert {h: quick["headline"][h]["value"] for h in quick["headline"]} == {
        h: full["headline"][h]["value"] for h in full["headline"]
    }
    figures = {h: v["value"] for h, v in quick["headline"].items()}
    assert figures["debriefed"] == 3
    assert figures["debriefed_after_prep"] == 1
    assert figures["next_steps_rate"] == pytest.approx(1 / 3, abs=0.01)
    assert figures["follow_ups_created"] == figures["follow_ups_open"] == 1
    assert figures["troll_episodes"] == 1  # an empty hot moment is none
    assert figures["calm_restored_rate"] == 0.0  # calm came back only partly
    assert figures["mistakes"] == 2
    assert figures["repeated_mistakes"] == 1
    assert figures["energy"] == pytest.approx(-1 / 3, abs=0.01)
    # The reworded repeat is grouped with the mistake it is linked to: both dates.
    (repeated,) = quick["mistakes"]["repeated_list"]
    assert (repeated["count"], repeated["dates"]) == (2, ["2026-11-18", "2026-11-20"])
    assert quick["next_steps"] == full["next_steps"]
    assert quick["next_steps"]["count"] == 1
    for section in ("follow_ups", "mistakes"):
        assert quick[section] == full[section]
    assert quick["trolls"]["top_topics"] == full["trolls"]["top_topics"]
    assert quick["trolls"]["top_topics"] == [{"value": "supply-chain delays", "count": 1}]
    assert quick["trolls"]["calm_restored"] == full["trolls"]["calm_restored"]
    # The first move next time is the troll plan the client's brief shows, either way.
    for env in (quick_env, full_env):
        brief = json.loads(run_coach("brief", "Acme", "--json", env=env).stdout)
        assert brief["commitments"]["troll_plan"]["text"] == first["troll_next_time"]
        assert brief["trolls"] == [{"topic": "supply-chain delays", "count": 1}]


def _quick_prep() -> dict[str, Any]:
    return tomllib.loads(QUICK_PREP.read_text(encoding="utf-8"))


# --- French --------------------------------------------------------------------------


def test_a_quick_debrief_in_french_saves_french_prompts(home: Path) -> None:
    result = run_coach(
        "--lang", "fr", "debrief", "Acme", "--quick", "-a", str(QUICK_DEBRIEF), "--prep", "none"
    )
    assert result.code == 0, result.stderr
    assert "Enregistré\u00a0: votre débrief pour Acme" in result.stderr
    record = _only(home, "debrief")
    assert record["playbook"] == {"id": "debrief-quick", "version": "2.0", "language": "fr"}
    french = tomllib.loads((REPO / "playbooks/fr/debrief-quick.toml").read_text("utf-8"))
    wanted = {s["id"]: s["prompt"] for s in french["steps"]}
    for answer in record["answers"]:
        assert answer["prompt"] == wanted[answer["step"]]
    assert record["answers"][2]["prompt"] == (
        "Y a-t-il eu un moment chaud, où l'émotion a mené l'échange\u00a0? À quel sujet\u00a0?"
    )


def test_french_quick_playbooks_use_non_breaking_spaces() -> None:
    for name in ("debrief-quick", "prep-quick"):
        text = (REPO / "playbooks" / "fr" / f"{name}.toml").read_text(encoding="utf-8")
        strings = [
            line.partition("=")[2]
            for line in text.splitlines()
            if not line.lstrip().startswith("#") and "=" in line
        ]
        for value in strings:
            for mark in "?!:;»":
                assert f" {mark}" not in value, f"{name}: a plain space before {mark}: {value}"
            assert "« " not in value, f"{name}: a plain space after «: {value}"


# --- choosing per run, or by config --------------------------------------------------


def _walked(home: Path, *args: str, answers: Path = QUICK_DEBRIEF) -> str:
    for path in reflection_files(home):
        path.unlink()
    result = run_coach(
        *args, "-a", str(answers), *(["--prep", "none"] if "debrief" in args else [])
    )
    assert result.code == 0, result.stderr
    return str(_only(home, args[0])["playbook"]["id"])


FULL_DEBRIEF = EXAMPLES / "debrief-answers.toml"
FULL_PREP_FILE = EXAMPLES / "prep-answers.toml"


def test_quick_and_full_per_run_and_the_mode_setting(home: Path) -> None:
    # The default is the full playbooks: nothing changes for someone who sets nothing.
    assert _walked(home, "debrief", "Acme", answers=FULL_DEBRIEF) == "debrief"
    assert _walked(home, "debrief", "Acme", "--quick") == "debrief-quick"
    assert _walked(home, "prep", "Acme", "--quick", answers=QUICK_PREP) == "prep-quick"

    shown = run_coach("config", "list", "--json")
    assert json.loads(shown.stdout)["settings"]["mode"] == {"value": "full", "source": "default"}
    assert run_coach("config", "set", "mode", "quick").code == 0
    assert run_coach("config", "get", "mode").stdout.strip() == "quick"
    shown = run_coach("config", "list", "--json")
    assert json.loads(shown.stdout)["settings"]["mode"] == {"value": "quick", "source": "config"}

    assert _walked(home, "debrief", "Acme") == "debrief-quick"
    assert _walked(home, "prep", "Acme", answers=QUICK_PREP) == "prep-quick"
    assert _walked(home, "debrief", "Acme", "--full", answers=FULL_DEBRIEF) == "debrief"
    assert _walked(home, "prep", "Acme", "--full", answers=FULL_PREP_FILE) == "prep"
    # --playbook names the playbook whatever the mode.
    assert _walked(home, "debrief", "Acme", "-p", "debrief", answers=FULL_DEBRIEF) == "debrief"

    # A configured default playbook wins over the mode, and --full keeps to it; --quick,
    # on the command line, wins over both.
    assert run_coach("config", "set", "playbook.debrief", "debrief").code == 0
    assert _walked(home, "debrief", "Acme", answers=FULL_DEBRIEF) == "debrief"
    assert _walked(home, "debrief", "Acme", "--full", answers=FULL_DEBRIEF) == "debrief"
    assert _walked(home, "debrief", "Acme", "--quick") == "debrief-quick"
    assert run_coach("config", "set", "playbook.debrief", "debrief-quick").code == 0
    assert run_coach("config", "set", "mode", "full").code == 0
    assert _walked(home, "debrief", "Acme") == "debrief-quick"


@pytest.mark.parametrize(
    "args",
    [
        ["--quick", "--playbook", "debrief"],
        ["-p", "debrief", "--full"],
        ["--quick", "--full"],
    ],
)
def test_conflicting_choices_are_a_usage_error(home: Path, args: list[str]) -> None:
    result = run_coach("debrief", "Acme", *args, "-a", str(QUICK_DEBRIEF), "--prep", "none")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("coach: error: --")
    assert reflection_files(home) == []


def test_a_bad_mode_is_refused(home: Path) -> None:
    result = run_coach("config", "set", "mode", "fast")
    assert result.code == 2
    assert "mode: 'fast' is not a mode (use one of: full, quick)" in result.stderr
    config = Path(home.parent / "config" / "config.toml")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('mode = "short"\n', encoding="utf-8")
    walked = run_coach("debrief", "Acme", "-a", str(QUICK_DEBRIEF), "--prep", "none")
    assert walked.code == 2
    assert "mode: 'short' is not a mode" in walked.stderr


def test_help_shows_the_choice_in_both_languages() -> None:
    shown = run_coach("debrief", "--help")
    assert "--quick" in shown.stdout
    assert "--full" in shown.stdout
    french = run_coach("--lang", "fr", "prep", "--help")
    assert "Parcourir cette fois le playbook express" in french.stdout
