"""Deep-dives later: a quick debrief's hot moment waits as a pending deep-dive, listed by
`coach followups` and the client's brief, walked later by `coach deepdive`, saved linked
to the debrief, and then no longer pending; the review counts the episode once."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from clientcoach.insights.deepdives import deep_dives
from tests.helpers import REPO, reflection_files, run_coach

QUICK = REPO / "examples" / "debrief-quick-answers.toml"
NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00"}
TOPIC = "supply-chain delays"

# The troll-bridge replay, its topic and calm left out: the debrief's answers are their
# defaults.
REPLAY: dict[str, Any] = {
    "recurring": "new",
    "source": "client",
    "trigger": "topic",
    "passes": [{"paused": True, "said_little": True, "calm_back": "yes"}],
    "paused_first": True,
    "said_too_much": False,
    "named_difficulty": True,
    "bad_intent": False,
    "ended_next_steps": True,
}


def _write(folder: Path, name: str, answers: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    return str(path)


def _quick(tmp_path: Path, client: str = "Acme", day: str = "2026-11-20", **change: Any) -> str:
    """A quick debrief with a hot moment (or as changed); its id."""
    answers = tomllib.loads(QUICK.read_text(encoding="utf-8")) | change
    answers = {k: v for k, v in answers.items() if v is not None}
    path = _write(tmp_path, f"quick-{client}-{day}.toml", answers)
    done = run_coach("debrief", client, "--quick", "--prep", "none", "-d", day, "-a", path, env=NOW)
    assert done.code == 0, done.stderr
    (made,) = [r for r in _records(client) if r["meeting"]["date"] == day]
    return str(made["id"])


def _records(client: str | None = None) -> list[dict[str, Any]]:
    found = []
    for path in reflection_files_now():
        record = json.loads(path.read_text(encoding="utf-8"))
        if client is None or record["client"] == client:
            found.append(record)
    return sorted(found, key=lambda r: r["finished_at"])


def reflection_files_now() -> list[Path]:
    import os

    return reflection_files(Path(os.environ["CLIENTCOACH_HOME"]))


def _followups(*args: str) -> list[dict[str, Any]]:
    result = run_coach("followups", "--json", *args, env=NOW)
    assert result.code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def _dives(*args: str) -> list[dict[str, Any]]:
    return [f for f in _followups(*args) if f["kind"] == "deep_dive"]


def test_a_hot_moment_waits_as_a_deep_dive_where_the_user_looks(tmp_path: Path) -> None:
    debrief = _quick(tmp_path)
    short = debrief.rsplit("-", 1)[-1]

    # coach followups --json: beside the next step, the deep-dive, linked to the debrief.
    (dive,) = _dives()
    assert dive["id"] == f"{debrief}.d1"
    assert dive["short_id"] == f"{short}.d1"
    assert dive["reflection"] == debrief
    assert dive["playbook"] == "troll-bridge"
    assert dive["what"] == f"Deep-dive: replay the hot moment ({TOPIC})"
    assert (dive["client"], dive["meeting_date"]) == ("Acme", "2026-11-20")
    assert (dive["owner"], dive["due"], dive["done"], dive["overdue"]) == ("me", None, None, False)
    assert [f["kind"] for f in _followups()] == ["follow_up", "deep_dive"]
    assert _dives("--overdue") == []  # never late: it has no date

    # The text view says how to walk it.
    shown = run_coach("followups", env=NOW)
    assert f"{short}.d1" in shown.stdout
    assert "Walk a deep-dive with: coach deepdive ID" in shown.stderr

    # The client's brief, alone and before a prep.
    brief = run_coach("brief", "Acme", "--json", env=NOW)
    assert [d["id"] for d in json.loads(brief.stdout)["deep_dives"]] == [dive["id"]]
    text = run_coach("brief", "Acme", env=NOW).stdout
    assert "Deep-dives waiting:" in text
    assert f"[coach deepdive {short}.d1]" in text
    prep = run_coach(
        "prep", "Acme", "--quick", "-a", str(REPO / "examples/prep-quick-answers.toml"), env=NOW
    )
    assert prep.code == 0, prep.stderr
    assert f"Deep-dive: replay the hot moment ({TOPIC})" in prep.stderr


def test_a_quick_debrief_without_a_hot_moment_leaves_no_deep_dive(tmp_path: Path) -> None:
    _quick(
        tmp_path,
        hot_moment=None,
        calm_restored=None,
        troll_next_time=None,
        mistake="Talked too much",
    )
    assert _dives() == []
    none = run_coach("deepdive", env=NOW)
    assert none.code == 0, none.stderr
    assert "No deep-dive is waiting." in none.stderr
    assert len(_records()) == 1  # nothing saved


def test_walking_it_saves_a_linked_reflection_and_it_is_no_longer_pending(
    tmp_path: Path,
) -> None:
    debrief = _quick(tmp_path)
    replay = _write(tmp_path, "replay.toml", REPLAY)
    walked = run_coach("deepdive", "acme", "-a", replay, env=NOW)
    assert walked.code == 0, walked.stderr
    assert "left for later by your debrief of 2026-11-20 with Acme" in walked.stderr
    assert "Saved your deep-dive for Acme" in walked.stderr

    (deeper,) = [r for r in _records() if r["kind"] == "any"]
    assert deeper["links"]["deepdive_of"] == debrief
    assert deeper["playbook"]["id"] == "troll-bridge"
    # The debrief's meeting, and what it already said as the replay's defaults.
    assert (deeper["client"], deeper["meeting"]["date"]) == ("Acme", "2026-11-20")
    answers = {a["step"]: a.get("value") for a in deeper["answers"]}
    assert answers["topic"] == TOPIC
    assert answers["calm_restored"] == "partly"
    assert answers["paused_first"] is True

    # No longer pending: not in followups, the brief, nor `coach deepdive`; --all shows it
    # done on the day it was walked.
    assert _dives() == []
    (done,) = _dives("--all")
    assert done["done"] == "2026-11-24"
    brief = json.loads(run_coach("brief", "Acme", "--json", env=NOW).stdout)
    assert brief["deep_dives"] == []
    again = run_coach("deepdive", env=NOW)
    assert (again.code, "No deep-dive is waiting." in again.stderr) == (0, True)
    assert run_coach("deepdive", "acme", "-a", replay, env=NOW).code == 5
    history = run_coach("history", env=NOW).stdout
    assert "deep-dive" in history

    # One episode in the review, told by the replay; one debrief, not two.
    review = json.loads(run_coach("review", "--json", env=NOW).stdout)
    figures = {h: v["value"] for h, v in review["headline"].items()}
    assert figures["debriefed"] == 1
    assert figures["troll_episodes"] == 1
    assert figures["calm_restored_rate"] == 0.0
    assert review["trolls"]["paused_first"]["count"] == 1
    assert review["trolls"]["top_topics"] == [{"value": TOPIC, "count": 1}]
    # The client memory counts the hot moment once too.
    assert brief["trolls"] == [{"topic": TOPIC, "count": 1}]


def test_picking_one_of_several_by_id_and_dismissing_one(tmp_path: Path) -> None:
    first = _quick(tmp_path, "Acme", "2026-11-18")
    second = _quick(tmp_path, "Initech", "2026-11-19", hot_moment="the new SLA")
    replay = _write(tmp_path, "replay.toml", REPLAY)

    # Two waiting and no terminal: name one.
    several = run_coach("deepdive", "-a", replay, env=NOW)
    assert several.code == 2
    (line,) = several.stderr.strip().splitlines()
    assert "2 deep-dives are waiting" in line
    assert "name one: coach deepdive ID" in line
    unknown = run_coach("deepdive", "Globex", "-a", replay, env=NOW)
    assert unknown.code == 5
    assert "no deep-dive waiting matches 'Globex'" in unknown.stderr

    # By the debrief's short id: that one, with its own topic.
    walked = run_coach("deepdive", second.rsplit("-", 1)[-1], "-a", replay, env=NOW)
    assert walked.code == 0, walked.stderr
    (deeper,) = [r for r in _records("Initech") if r["kind"] == "any"]
    assert deeper["links"]["deepdive_of"] == second
    assert {a["step"]: a.get("value") for a in deeper["answers"]}["topic"] == "the new SLA"

    # `coach done` dismisses the other without walking it.
    (left,) = _dives()
    assert left["reflection"] == first
    dismissed = run_coach("done", left["short_id"], env=NOW)
    assert dismissed.code == 0, dismissed.stderr
    assert _dives() == []
    assert {d["reflection"]: d["done"] for d in _dives("--all")} == {
        first: "2026-11-24",
        second: "2026-11-24",
    }
    assert run_coach("deepdive", env=NOW).code == 0
    # Dismissed by mistake: `done --undo` puts it back among those waiting.
    assert run_coach("done", left["short_id"], "--undo", env=NOW).code == 0
    assert [d["reflection"] for d in _dives()] == [first]
    # Walked, it stays done: the walk is what says so, and undo says that.
    (walked_one,) = [d for d in _dives("--all") if d["reflection"] == second]
    refused = run_coach("done", walked_one["short_id"], "--undo", env=NOW)
    assert refused.code == 5, refused.stderr
    assert "was walked on 2026-11-24, so it stays done" in refused.stderr


def test_flags_are_read_by_role_and_need_a_playbook_to_walk_them() -> None:
    def debrief(answers: list[dict[str, Any]], kind: str = "debrief") -> dict[str, Any]:
        return {
            "id": "20261120T100000-abcdef",
            "kind": kind,
            "client": "Acme",
            "meeting": {"date": "2026-11-20"},
            "answers": answers,
        }

    flags = [
        {"step": "topic", "role": "troll_topic", "value": "price"},
        {"step": "help", "role": "help_given", "value": True},
        {"step": "outcome", "role": "outcome", "value": "won", "type": "choice"},
    ]
    every = {"troll-bridge", "healthy-help", "lost-deal", "won-deal"}
    found = deep_dives([debrief(flags)], every.__contains__)
    assert [(d.number, d.playbook) for d in found] == [
        (1, "troll-bridge"),
        (2, "healthy-help"),
        (4, "won-deal"),
    ]
    # Without a won-deal playbook in the library, no won-deal deep-dive.
    assert [
        d.playbook for d in deep_dives([debrief(flags)], (every - {"won-deal"}).__contains__)
    ] == [
        "troll-bridge",
        "healthy-help",
    ]
    # A debrief that already holds the playbook (the full one includes the lost-deal
    # questions and replays hot moments in its loop) leaves nothing for later.
    full = [
        {"step": "outcome", "role": "outcome", "value": "lost", "type": "choice"},
        {"step": "lost_deal", "type": "include", "playbook": "lost-deal", "answers": []},
        {
            "step": "trolls",
            "type": "loop",
            "role": "troll",
            "items": [[{"step": "topic", "role": "troll_topic", "value": "price"}]],
        },
    ]
    assert deep_dives([debrief(full)], every.__contains__) == []
    # An empty topic, or a prep, flags nothing.
    assert deep_dives([debrief([{"role": "troll_topic", "value": None}])], every.__contains__) == []
    assert deep_dives([debrief(flags, kind="prep")], every.__contains__) == []


def test_deepdive_help_shows_an_example_in_both_languages() -> None:
    english = run_coach("deepdive", "--help")
    assert english.code == 0
    assert "Example: coach deepdive acme" in english.stdout
    french = run_coach("--lang", "fr", "deepdive", "--help")
    assert "Exemple\u00a0: coach deepdive acme" in french.stdout
    listed = run_coach("--lang", "fr", "deepdive")
    assert "Aucun approfondissement en attente." in listed.stderr


def test_a_resumed_deep_dive_offers_what_its_debrief_said_again(tmp_path: Path) -> None:
    from datetime import datetime

    from clientcoach.app import resume, session
    from clientcoach.app.workspace import library
    from clientcoach.storage.store import Store

    debrief_id = _quick(tmp_path)
    store = Store(Path(os.environ["CLIENTCOACH_HOME"]))
    playbook = library(store.root, "en").get("troll-bridge")
    started = datetime(2026, 11, 24, 10, tzinfo=UTC)
    meta = session.Meta(
        kind="any",
        client="Acme",
        title=None,
        day=date(2026, 11, 20),
        playbook=playbook,
        included=library(store.root, "en").resolve(playbook),
        prep=None,
        started_at=started,
        deepdive_of=debrief_id,
    )
    draft = session.new_draft(meta)  # stopped before its first answer
    store.save_draft(draft)
    resumed = resume.resume(store, draft, terminal=True, language_given=False, now=started)
    defaults = {address[-1]: value for address, value in resumed.run.defaults.items()}
    assert defaults["topic"] == TOPIC
    assert defaults["calm_restored"] == "partly"


def test_walking_a_deep_dive_again_names_the_draft_that_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from clientcoach.cli.main import app

    _quick(tmp_path)
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    first = CliRunner().invoke(app, ["deepdive", "acme"], input="\n")  # one answer, then EOF
    assert first.exit_code == 130, first.output
    (draft,) = (Path(os.environ["CLIENTCOACH_HOME"]) / "drafts").glob("*.json")
    again = CliRunner().invoke(app, ["deepdive", "acme"], input="")
    assert "You have an unfinished deep-dive for Acme" in again.stderr
    assert f"coach resume {draft.stem}" in again.stderr


def test_a_typo_of_a_client_with_a_deep_dive_waiting_is_offered(tmp_path: Path) -> None:
    _quick(tmp_path, client="Initech Corp")
    typo = run_coach("deepdive", "initek", env=NOW)
    assert typo.code == 5, typo.stderr
    assert "no deep-dive waiting matches 'initek'" in typo.stderr
    assert "did you mean Initech Corp?" in typo.stderr


QUICK_HOT = (
    'weakest = "authenticity"\nhot_moment = "delays"\ncalm_restored = "no"\n'
    'troll_next_time = "OLD PLAN"\nenergy = 0\n'
)


def _quick_with_a_hot_moment(home: Path, tmp_path: Path) -> str:
    quick = tmp_path / "quick.toml"
    quick.write_text(QUICK_HOT, encoding="utf-8")
    env = {"CLIENTCOACH_NOW": "2026-11-10T15:00"}
    made = run_coach("debrief", "Zeta", "--quick", "--prep", "none", "-a", str(quick), env=env)
    assert made.code == 0, made.stderr
    waiting = json.loads(run_coach("followups", "--json").stdout)
    (dive,) = [f for f in waiting if f["kind"] == "deep_dive"]
    return str(dive["short_id"])


def test_a_replay_walked_as_a_debrief_of_its_own_says_the_deep_dive_stays(
    home: Path, tmp_path: Path
) -> None:
    short = _quick_with_a_hot_moment(home, tmp_path)
    replay = tmp_path / "replay.toml"
    answers = {"topic": "budget", **REPLAY, "calm_restored": "no"}
    replay.write_text(tomli_w.dumps(answers), encoding="utf-8")
    env = {"CLIENTCOACH_NOW": "2026-11-18T10:00"}
    walked = run_coach("debrief", "Zeta", "--playbook", "troll-bridge", "-a", str(replay), env=env)
    assert walked.code == 0, walked.stderr
    assert "left for later by your debrief of 2026-11-10" in walked.stderr
    assert f"`coach deepdive {short}` walks it linked to that debrief" in walked.stderr
    still = json.loads(run_coach("followups", "--json").stdout)
    assert [f["short_id"] for f in still if f["kind"] == "deep_dive"] == [short]


def test_at_a_terminal_a_replay_walked_as_a_debrief_is_offered_as_the_deep_dive(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from clientcoach.cli.main import app

    _quick_with_a_hot_moment(home, tmp_path)
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-18T10:00")
    # Enter takes the offer; the deep-dive's walk then starts, with the debrief's topic as
    # its default (Enter again), and stops at the end of the input, its draft kept.
    shown = CliRunner().invoke(app, ["debrief", "Zeta", "--playbook", "troll-bridge"], input="\n\n")
    assert "Walk it now, linked to that debrief, instead?" in shown.output
    assert "left for later by your debrief of 2026-11-10 with Zeta" in shown.output  # its intro
    (draft,) = [json.loads(p.read_text(encoding="utf-8")) for p in (home / "drafts").glob("*.json")]
    assert draft["kind"] == "any"
    assert draft["links"]["deepdive_of"].startswith("20261110T150000")
