"""The full debrief that fits the moment: its question budget, the after-action core,
wins, the client's commitment and the pitching self-measures, and how the review
counts them.

Questions are counted by driving the engine itself with the answers file, the way
tests/test_quick.py counts the quick forms: every prompt a person would see, loop
prompts ("another one?") and skipped optional steps included, information steps not.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from clientcoach.app import scripted
from clientcoach.app.workspace import library
from clientcoach.core.engine import Run
from clientcoach.model.playbook import IncludeStep, InfoStep, Playbook, walk
from tests.helpers import REPO, reflection_files, run_coach

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00"}
TODAY = date(2026, 11, 24)

# The tense meeting of issue 14: two next steps, one hot moment that took two passes
# round the loop, help beyond the scope, a repeated mistake. It used to ask 76 prompts.
TENSE_MOST = 40
# A linked prep adds its goal, its closing and its expected hot topics; an earlier debrief
# with this client adds last time's lesson (and what happened) and the client's commitment;
# a healthy-help fix still open (the prep's, or an earlier debrief's) adds whether it was
# put right.
PLAN_ADDS = 7
PLAIN_MOST = 17

TENSE: dict[str, Any] = {
    "next_steps_agreed": True,
    "next_steps": [
        {"what": "Send the pilot plan", "owner": "me", "due": "2026-12-01"},
        {"what": "Share the data sample", "owner": "client", "due": "2026-11-28"},
    ],
    "client_advance": "data",
    "process": 3,
    "authenticity": 4,
    "productivity": 3,
    "gap_cause": ["perception", "pitching"],
    "went_well": ["listened", "trust"],
    "talk_share": 40,
    "open_questions": 4,
    "knowledge": 4,
    "perception": 3,
    "came_up": ["troll", "help", "drama", "mistake"],
    "trolls": [
        {
            "topic": "supply-chain delays",
            "loop_steps": ["spot", "pause", "listen", "check"],
            "passes": 2,
            "calm_restored": "yes",
            "troll_next_time": "Breathe, then ask one open question",
        }
    ],
    "help_what": "Free architecture review of their data platform",
    "help_rules": ["r2_framed", "r4_half_way", "r5_autonomy"],
    "help_fix": "Ask whether they want it, and for a reference in return",
    "drama_role": "rescuer",
    "client_drama_role": "victim",
    "role_switch": False,
    "mistakes": [
        {
            "mistake": "Answered the price question before understanding the need",
            "repeat": "repeat",
            "mistake_cause": "I want to look helpful at once",
            "lesson": "Restate the need before talking numbers",
        }
    ],
    "outcome": "progressing",
    "energy": -1,
}

PLAIN: dict[str, Any] = {
    "next_steps_agreed": True,
    "next_steps": [{"what": "Send the minutes", "owner": "me", "due": "2026-11-26"}],
    "client_advance": "none",
    "process": 4,
    "authenticity": 4,
    "productivity": 4,
    "went_well": ["process"],
    "talk_share": 35,
    "open_questions": 5,
    "knowledge": 4,
    "perception": 4,
    "outcome": "progressing",
    "energy": 1,
}

PLAN: dict[str, Any] = {
    "goal": "Agree the scope of the pilot",
    "next_step_target": "They send the data sample by Friday",
    "troll_expected": ["supply-chain delays"],
    "commitment": "Restate the need before talking numbers",
    "client_advance": "A meeting with someone who decides",
    "help_fix": "Ask whether they want it, and for a reference in return",
}


def _asked(run: Run) -> int:
    return sum(
        1
        for address in run.history
        if isinstance(address[-1], int) or not isinstance(run.step_at(address), InfoStep)
    )


def _included(home: Path, playbook: Playbook, language: str) -> dict[str, Playbook]:
    found: dict[str, Playbook] = {}
    pending = [playbook]
    while pending:
        for step in walk(list(pending.pop().steps)):
            if isinstance(step, IncludeStep) and step.playbook not in found:
                found[step.playbook] = library(home, language).get(step.playbook)
                pending.append(found[step.playbook])
    return found


def _count(home: Path, answers: dict[str, Any], plan: dict[str, Any], language: str = "en") -> int:
    playbook = library(home, language).get("debrief")
    run = Run(playbook, _included(home, playbook, language), TODAY, plan=plan)
    path = _write(home.parent, "counted.toml", answers)
    scripted.ask_from_answers(run, scripted.load_answers(Path(path)), path)
    assert run.done
    return _asked(run)


def _write(folder: Path, name: str, answers: dict[str, Any]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    return str(path)


def _saved(home: Path, client: str, day: str, answers: dict[str, Any]) -> None:
    """A full debrief of ``client`` on ``day`` with these answers, saved."""
    path = _write(home.parent, f"{client}-{day}.toml", answers)
    done = run_coach("debrief", client, "--full", "-a", path, "-d", day, env=NOW)
    assert done.code == 0, done.stderr


def _debriefs(home: Path) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in reflection_files(home)]
    return sorted((r for r in found if r["kind"] == "debrief"), key=lambda r: r["meeting"]["date"])


def _review(*args: str, env: dict[str, str] = NOW) -> dict[str, Any]:
    result = run_coach("review", "--json", *args, env=env)
    assert result.code == 0, result.stderr
    review: dict[str, Any] = json.loads(result.stdout)
    return review


def _by_step(answers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["step"]: a for a in answers}


# --- the budget -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tense_full_debrief_asks_at_most_forty_prompts(home: Path, language: str) -> None:
    answers = _write(home.parent, "tense.toml", TENSE)
    done = run_coach(
        "--lang",
        language,
        "debrief",
        "ACME",
        "--full",
        "--answers",
        answers,
        "--prep",
        "none",
        env=NOW,
    )
    assert done.code == 0, done.stderr
    assert _count(home, TENSE, {}, language) <= TENSE_MOST
    # After a linked prep and a debrief that set a lesson, a client commitment and a help
    # fix, every step that compares plan and outcome is asked too: seven more at most.
    after = {
        **TENSE,
        "goal_reached": "partly",
        "next_step_reached": "different",
        "expected_trolls_seen": "all",
        "commitment_kept": "worked",
        "commitment_outcome": "They named their need first",
        "client_follow_through": "done",
        "help_fix_kept": "partly",
    }
    assert _count(home, after, PLAN, language) <= TENSE_MOST + PLAN_ADDS


def test_a_plain_full_debrief_stays_short(home: Path) -> None:
    asked = _count(home, PLAIN, {})
    assert asked <= PLAIN_MOST
    # Nothing came up: none of the deeper sections was opened.
    answers = _write(home.parent, "plain.toml", PLAIN)
    assert run_coach("debrief", "Acme", "--full", "-a", answers, env=NOW).code == 0
    (record,) = _debriefs(home)
    steps = {a["step"] for a in record["answers"]}
    assert not steps & {"trolls", "help_rules", "drama_role", "mistakes", "gap_cause"}


def test_the_tense_debrief_keeps_every_role_the_review_reads(home: Path) -> None:
    answers = _write(home.parent, "tense.toml", TENSE)
    assert run_coach("debrief", "Acme", "--full", "-a", answers, env=NOW).code == 0
    (record,) = _debriefs(home)
    roles = {a.get("role") for a in record["answers"]}
    assert {
        "next_steps_agreed",
        "follow_up",
        "client_advance",
        "gap_cause",
        "went_well",
        "talk_share",
        "open_questions",
        "knowledge",
        "perception",
        "troll",
        "help_rules",
        "help_fix",
        "drama_role",
        "mistakes",
        "outcome",
        "energy",
    } <= roles
    (troll,) = _by_step(record["answers"])["trolls"]["items"]
    assert [a["role"] for a in troll] == [
        "troll_topic",
        "troll_loop_steps",
        "troll_pass_count",
        "calm_restored",
        "troll_plan",
    ]
    # The drama-triangle roles and the five rules are named where they are asked.
    rules = _by_step(record["answers"])["help_rules"]
    assert rules["label"][0].startswith("Framed:")
    assert "Rescuer" in _by_step(record["answers"])["drama_role"]["label"]

    review = _review()
    assert review["trolls"]["episodes"] == 1
    assert review["trolls"]["calm_restored"]["rate"] == 1.0
    assert review["trolls"]["paused_first"] == {"count": 1, "total": 1, "rate": 1.0}
    # "say a little" was not ticked: said too much.
    assert review["trolls"]["said_too_much"] == {"count": 1, "total": 1, "rate": 1.0}
    failed = {r["rule"]: r["failed"] for r in review["help"]["rules"]}
    assert failed == {
        "r1_asked": 1,
        "r2_framed": 0,
        "r3_counterpart": 1,
        "r4_half_way": 0,
        "r5_autonomy": 0,
    }
    assert review["help"]["most_failed"] == "r1_asked"
    assert review["mistakes"]["repeated"] == 1


def test_the_pass_by_pass_replay_is_walkable_on_its_own(home: Path) -> None:
    replay = {
        "topic": "supply-chain delays",
        "recurring": "recurring",
        "source": "client",
        "trigger": "topic",
        "passes": [
            {"paused": True, "said_little": False, "calm_back": "not-yet"},
            {"paused": True, "said_little": True, "calm_back": "yes"},
        ],
        "calm_restored": "yes",
        "paused_first": False,
        "said_too_much": True,
        "named_difficulty": True,
        "bad_intent": False,
        "ended_next_steps": True,
    }
    answers = _write(home.parent, "replay.toml", replay)
    done = run_coach("debrief", "Acme", "--playbook", "troll-bridge", "-a", answers, env=NOW)
    assert done.code == 0, done.stderr
    (record,) = _debriefs(home)
    assert record["playbook"]["id"] == "troll-bridge"
    review = _review()
    assert review["trolls"]["episodes"] == 1
    assert review["trolls"]["paused_first"]["count"] == 0  # the replay's own answer
    assert review["trolls"]["recurring"][0]["topic"] == "supply-chain delays"


# --- the after-action core ------------------------------------------------------------


def test_the_after_action_core_shows_the_plan_and_asks_why_the_gap(home: Path) -> None:
    prep = str(REPO / "examples" / "prep-answers.toml")
    assert run_coach("prep", "Acme", "--full", "-a", prep, "-d", "2026-11-20", env=NOW).code == 0
    answers = {
        **PLAIN,
        "goal_reached": "partly",
        "next_step_reached": "as-planned",
        "gap_cause": ["internal", "hunch"],
        "went_well": ["listened", "other"],
        "keep": "Opened with their figures, not ours",
    }
    path = _write(home.parent, "after.toml", answers)
    done = run_coach("debrief", "Acme", "--full", "-a", path, "-d", "2026-11-20", env=NOW)
    assert done.code == 0, done.stderr
    (record,) = _debriefs(home)
    by_step = _by_step(record["answers"])
    assert by_step["goal_reached"]["planned"] == "Agree the scope of the pilot"
    assert by_step["gap_cause"]["value"] == ["internal", "hunch"]
    assert by_step["keep"]["role"] == "keep"
    # Without a plan missed and with every piece good, the gap question is not asked.
    assert _count(home, PLAIN, {}) == _count(home, {**PLAIN, "went_well": []}, {})
    with pytest.raises(Exception, match="never asked"):
        _count(home, {**PLAIN, "gap_cause": ["other"]}, {})


# --- wins -----------------------------------------------------------------------------

WON: dict[str, Any] = {
    **PLAIN,
    "outcome": "won",
    "won_deal": {
        "win_reasons": ["need-understood", "trust-relationship"],
        "nearly_lost": "The late security questionnaire",
        "lost_before": True,
        "win_repeat": "Confirm the need in writing before the proposal",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_won_deal_is_analysed_and_split_from_losses_in_the_review(
    home: Path, language: str
) -> None:
    won = _write(home.parent, "won.toml", WON)
    lost = _write(
        home.parent,
        "lost.toml",
        {
            **PLAIN,
            "outcome": "lost",
            "lost_deal": {
                "asked_why": False,
                "price_stated": True,
                "price_believed": False,
                "loss_outcome": "lost-competitor",
                "believed_reason": "need",
                "loss_reasons_need": ["need-misunderstood"],
                "reason_confidence": 2,
                "door_open": False,
                "loss_lesson": "Check the need with them before writing",
                "loss_lesson_scope": "universal",
            },
        },
    )
    lang = ["--lang", language]
    assert run_coach(*lang, "debrief", "Acme", "--full", "-a", won, env=NOW).code == 0
    assert run_coach(*lang, "debrief", "Globex", "--full", "-a", lost, env=NOW).code == 0
    record = next(r for r in _debriefs(home) if r["client"] == "Acme")
    included = _by_step(record["answers"])["won_deal"]
    assert included["playbook"] == "won-deal"
    # Short: why we won, what nearly lost it, what to repeat, lost to them before.
    assert [a["role"] for a in included["answers"]] == [
        "win_reason",
        "near_loss",
        "lesson",
        "won_after_loss",
    ]

    review = _review(*lang)
    deals = review["lost_deals"]
    assert (deals["won"], deals["count"], deals["wins_analysed"]) == (1, 1, 1)
    assert [(c["value"], c["count"]) for c in deals["win_reasons"]] == [
        ("need-understood", 1),
        ("trust-relationship", 1),
    ]
    assert {c["value"] for c in deals["win_areas"]} == {"need", "trust"}
    assert deals["reasons"] == [{"value": "need-misunderstood", "count": 1}]
    terminal = run_coach(*lang, "review", env={**NOW, "COLUMNS": "120"})
    why = "why deals were won" if language == "en" else "pourquoi les affaires ont été gagnées"
    assert why in terminal.stdout


def test_the_won_deal_lesson_is_asked_about_at_the_next_debrief(home: Path) -> None:
    won = _write(home.parent, "won.toml", WON)
    assert run_coach("debrief", "Acme", "--full", "-a", won, "-d", "2026-11-10", env=NOW).code == 0
    nxt = _write(home.parent, "next.toml", {**PLAIN, "commitment_kept": "worked"})
    done = run_coach("debrief", "Acme", "--full", "-a", nxt, "-d", "2026-11-20", env=NOW)
    assert done.code == 0, done.stderr
    kept = _by_step(_debriefs(home)[-1]["answers"])["commitment_kept"]
    assert kept["planned"] == "Confirm the need in writing before the proposal"


# --- the client's commitment ----------------------------------------------------------


def test_the_clients_commitment_is_asked_about_at_the_next_debrief(home: Path) -> None:
    _saved(home, "Acme", "2026-11-05", {**PLAIN, "client_advance": "decision-maker"})
    # Another client made no commitment: nothing to ask them next time.
    _saved(home, "Initech", "2026-11-06", PLAIN)

    second = _write(home.parent, "second.toml", {**PLAIN, "client_follow_through": "done"})
    done = run_coach("debrief", "Acme", "--full", "-a", second, "-d", "2026-11-19", env=NOW)
    assert done.code == 0, done.stderr
    acme = [r for r in _debriefs(home) if r["client"] == "Acme"]
    asked = _by_step(acme[-1]["answers"])["client_follow_through"]
    assert asked["planned"] == "A meeting with someone who decides"
    assert asked["value"] == "done"
    # The other client's next debrief does not ask it: answering it is refused.
    again = _write(home.parent, "again.toml", {**PLAIN, "client_follow_through": "done"})
    refused = run_coach("debrief", "Initech", "--full", "-a", again, env=NOW)
    assert refused.code != 0
    assert "client_follow_through" in refused.stderr

    # A third debrief: the commitment of the second (none) is a continuation, not asked.
    _saved(home, "Acme", "2026-11-21", {**PLAIN, "client_advance": "access"})
    _saved(home, "Acme", "2026-11-23", {**PLAIN, "client_follow_through": "not-done"})

    c = _review()["client_commitments"]
    # Advances: decision-maker and access, of five debriefs that asked.
    assert c["advances"] == {"count": 2, "total": 5, "rate": 0.4}
    assert c["follow_through"] == {"count": 1, "total": 2, "rate": 0.5}
    assert (c["done"], c["not_done"], c["not_due"]) == (1, 1, 0)
    terminal = run_coach("review", env={**NOW, "COLUMNS": "120"})
    assert "client follow-through (done, of those due)  50% (1 of 2)" in terminal.stdout


# --- the pitching self-measures -------------------------------------------------------


def test_the_pitching_self_measures_have_a_trend_month_by_month(home: Path) -> None:
    october = {**PLAIN, "talk_share": 70, "open_questions": 1, "longest_monologue": 12}
    november = {**PLAIN, "talk_share": 40, "open_questions": 6}
    for day, answers in (("2026-10-14", october), ("2026-11-12", november)):
        path = _write(home.parent, f"{day}.toml", answers)
        assert run_coach("debrief", "Acme", "--full", "-a", path, "-d", day, env=NOW).code == 0
    # Talked half the time or more: the longest monologue was asked; under half, not.
    asked = [_count(home, october, {}), _count(home, november, {})]
    assert asked[0] == asked[1] + 1

    review = _review()
    pitching = {h["id"]: h for h in review["pitching"]}
    assert pitching["talk_share"]["value"] == 40
    assert pitching["talk_share"]["previous"] == 70
    assert pitching["talk_share"]["series"][-2:] == [70, 40]
    assert pitching["open_questions"]["series"][-2:] == [1, 6]
    assert pitching["longest_monologue"]["series"][-2:] == [12, None]
    assert pitching["longest_monologue"]["value"] is None
    terminal = run_coach("review", env={**NOW, "COLUMNS": "120"})
    assert "My share of the talking (%)" in terminal.stdout
    french = run_coach("--lang", "fr", "review", env={**NOW, "COLUMNS": "120"})
    assert "Ma part du temps de parole (%)" in french.stdout


@pytest.mark.parametrize("index", ["1", "0"])
def test_last_times_lesson_and_commitment_come_from_the_newest_debrief_that_has_them(
    home: Path, index: str
) -> None:
    """The index reads the client's debriefs newest first and stops once both are known;
    the files (CLIENTCOACH_INDEX=0) read them all: the same plan either way."""

    def mistake(lesson: str) -> dict[str, Any]:
        item = {"mistake": "Talked too long", "repeat": "new"}
        item["lesson_scope"] = "this-client"
        return {"came_up": ["mistake"], "mistakes": [{**item, "lesson": lesson}]}

    _saved(home, "Acme", "2026-11-02", {**PLAIN, **mistake("Oldest lesson")})
    _saved(home, "Acme", "2026-11-09", {**PLAIN, **mistake("Latest lesson")})
    _saved(home, "Acme", "2026-11-12", {**PLAIN, "client_advance": "access"})
    _saved(home, "Acme", "2026-11-14", PLAIN)  # no lesson; its commitment: none
    _saved(home, "Initech", "2026-11-16", {**PLAIN, **mistake("Another client's")})

    env = {**NOW, "CLIENTCOACH_INDEX": index}
    after = {**PLAIN, "commitment_kept": "worked", "commitment_outcome": "It went better"}
    path = _write(home.parent, "after.toml", after)
    done = run_coach("debrief", "Acme", "--full", "-a", path, "-d", "2026-11-19", env=env)
    assert done.code == 0, done.stderr
    newest = [r for r in _debriefs(home) if r["client"] == "Acme"][-1]
    asked = _by_step(newest["answers"])
    assert asked["commitment_kept"]["planned"] == "Latest lesson"
    # The newest debrief asked about the client's commitment and had none: not asked.
    assert "client_follow_through" not in asked
