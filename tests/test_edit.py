"""``coach edit``: a reflection's answers in the user's editor, checked, saved safely.

The editor is a small Python script written by each test (``EDITOR``): it is started as
a process by coach, as a real editor would be, while coach itself runs in this process.
"""

from __future__ import annotations

import json
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from clientcoach.errors import ExitCode
from tests.helpers import REPO, run_coach
from tests.pty_helpers import Spawn

DEBRIEF = REPO / "examples" / "debrief-answers.toml"
NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}


@pytest.fixture(autouse=True)
def _no_visual(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)


def saved(home: Path) -> Path:
    result = run_coach("debrief", "Acme", "--answers", str(DEBRIEF), env=NOW)
    assert result.code == 0, result.stderr
    (path,) = (home / "reflections").glob("*/*.json")
    return path


def editor(tmp_path: Path, body: str, name: str = "editor.py") -> str:
    """An EDITOR command running ``body`` with ``path`` (the file) and ``text`` (its text)
    set; ``calls`` counts the runs (a file beside the script)."""
    script = tmp_path / name
    script.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text(encoding='utf-8')\n"
        f"counter = pathlib.Path({str(tmp_path / (name + '.calls'))!r})\n"
        "calls = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "counter.write_text(str(calls))\n" + body,
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


def rid(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1]


def step(answers: list[dict[str, Any]], step_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in answers if a["step"] == step_id)
    return found


def item(record: dict[str, Any], loop: str, number: int) -> list[dict[str, Any]]:
    items: list[list[dict[str, Any]]] = step(record["answers"], loop)["items"]
    return items[number]


def test_changing_an_answer_saves_it_keeps_the_old_version_and_updates_the_index(
    home: Path, tmp_path: Path
) -> None:
    path = saved(home)
    before = path.read_bytes()
    # The index is built before the edit, so the edit must reach it to be found.
    assert run_coach("history", "--grep", "pilot").code == 0
    assert (home / "cache" / "index.sqlite3").is_file()
    command = editor(
        tmp_path,
        "text = text.replace('\"Send the pilot plan\"', '\"Send the Zanzibar plan\"', 1)\n"
        "text = text.replace('owner = \"me\"', 'owner = \"both\"', 1)\n"
        "path.write_text(text, encoding='utf-8')\n",
    )
    result = run_coach(
        "edit", rid(path)[:12], env={"EDITOR": command, "CLIENTCOACH_NOW": "2026-12-02T10:00"}
    )
    assert result.code == 0, result.stderr
    assert "Saved your changes" in result.stderr

    record = json.loads(path.read_text(encoding="utf-8"))
    first = item(record, "next_steps", 0)
    assert step(first, "what")["value"] == "Send the Zanzibar plan"
    owner = step(first, "owner")
    assert (owner["value"], owner["label"]) == ("both", "Both of us")
    assert record["edited"].startswith("2026-12-02T")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    (kept,) = (home / "edits" / record["id"]).glob("*.json")
    assert kept.read_bytes() == before
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    found = run_coach("history", "--grep", "zanzibar", "--json")
    assert [f["id"] for f in json.loads(found.stdout)] == [record["id"]], found.stderr
    assert json.loads(run_coach("history", "--grep", "pilot plan", "--json").stdout) == []
    shown = run_coach("show", rid(path))
    assert "Send the Zanzibar plan" in shown.stdout
    assert f"edited: {record['edited']}" in shown.stdout
    shown_json = json.loads(run_coach("show", rid(path), "--json").stdout)
    assert shown_json["edited"] == record["edited"]


def test_an_editor_that_saves_a_byte_order_mark_is_read(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    command = editor(
        tmp_path,
        "text = text.replace('\"Send the pilot plan\"', '\"Send the BOM plan\"', 1)\n"
        "path.write_text(text, encoding='utf-8-sig')\n",
    )
    result = run_coach("edit", rid(path), env={"EDITOR": command})
    assert result.code == 0, result.stderr
    record = json.loads(path.read_text(encoding="utf-8"))
    assert step(item(record, "next_steps", 0), "what")["value"] == "Send the BOM plan"


def test_the_text_has_each_prompt_and_the_choices_as_comments(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    copy = tmp_path / "seen.toml"
    command = editor(tmp_path, f"pathlib.Path({str(copy)!r}).write_text(text)\n")
    assert run_coach("edit", rid(path), env={"EDITOR": command}).code == 0
    text = copy.read_text()
    data = tomllib.loads(text)
    assert data["process"] == 4
    assert data["next_steps"][1]["what"] == "Share the data sample"
    assert data["lost_deal"]["competitor"] == "Globex"
    assert "# Who owns it?" in text
    assert '#     "both": Both of us' in text
    assert "# (no answer: to give one, remove the # and write it after the =)" in text
    assert "# troll_next_time = " in text
    assert "Acme" in text.splitlines()[0]


def test_quitting_without_a_change_changes_nothing(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    before = path.read_bytes()
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, "")})
    assert result.code == 0, result.stderr
    assert "Nothing changed." in result.stderr
    assert path.read_bytes() == before
    assert not (home / "edits").exists()


def test_an_edit_that_changes_no_value_changes_nothing(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    before = path.read_bytes()
    # Comments and layout change, values do not.
    body = "path.write_text(text.replace('# ', '#  ') + '\\n# a note\\n')\n"
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body)})
    assert result.code == 0, result.stderr
    assert "Nothing changed." in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "body",
    [
        "path.write_text('}}} not toml')",
        "path.write_text(text.replace('process = 4', 'process = 9'))",
        "path.write_text(text.replace('process = 4', 'process = \"good\"'))",
        "path.write_text(text.replace('owner = \"me\"', 'owner = \"nobody\"'))",
        "path.write_text(text.replace('due = \"2026-12-01\"', 'due = \"someday\"'))",
        "path.write_text(text.replace('next_steps_agreed = true', 'next_steps_agreed = 3'))",
        "path.write_text(text.replace('process = 4', 'proces = 4'))",
        "path.write_text(text.replace('process = 4', ''))",
        "path.write_text(text + '\\n[[mistakes]]\\nmistake = \"another\"\\n')",
    ],
    ids=[
        "not-toml",
        "out-of-range",
        "not-a-number",
        "unknown-choice",
        "not-a-date",
        "not-yes-no",
        "unknown-step",
        "removed-step",
        "added-item",
    ],
)
def test_an_invalid_edit_without_a_terminal_changes_nothing(
    home: Path, tmp_path: Path, body: str
) -> None:
    path = saved(home)
    before = path.read_bytes()
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body + "\n")})
    assert result.code == ExitCode.ANSWERS, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("coach: error: the edit was not saved: "), line
    assert path.read_bytes() == before
    assert not (home / "edits").exists()
    assert (tmp_path / "editor.py.calls").read_text() == "1"  # never reopened


def test_an_invalid_edit_on_a_terminal_reopens_with_the_problems_then_can_be_abandoned(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientcoach.ui import console

    monkeypatch.setattr(console, "is_terminal", lambda: True)
    path = saved(home)
    before = path.read_bytes()
    second = tmp_path / "second.toml"
    body = (
        "if calls == 1:\n"
        "    path.write_text(text.replace('process = 4', 'process = 9'))\n"
        "else:\n"
        f"    pathlib.Path({str(second)!r}).write_text(text)\n"  # quit without saving
    )
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body)})
    assert result.code == 0, result.stderr
    assert "Nothing changed." in result.stderr
    assert path.read_bytes() == before
    reopened = second.read_text()
    assert reopened.startswith("# ! Not saved")
    assert "# !   process: give a whole number from 1 to 5" in reopened
    assert "process = 9" in reopened  # the user's text is kept, to fix it


def test_an_emptied_file_changes_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientcoach.ui import console

    monkeypatch.setattr(console, "is_terminal", lambda: True)
    path = saved(home)
    before = path.read_bytes()
    body = "if calls == 1:\n    path.write_text('garbage = = =')\nelse:\n    path.write_text('')\n"
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body)})
    assert result.code == 0, result.stderr
    assert "Nothing changed." in result.stderr
    assert path.read_bytes() == before


def test_an_optional_answer_left_out_is_cleared_as_if_skipped(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    before = json.loads(path.read_text(encoding="utf-8"))
    assert step(before["answers"], "gap_cause")["value"] == ["perception", "internal"]
    command = editor(
        tmp_path,
        "import re\n"
        "text = re.sub(r'\\ngap_cause = \\[[^\\]]*\\]', '', text)\n"
        "path.write_text(text, encoding='utf-8')\n",
    )
    result = run_coach("edit", rid(path), env={"EDITOR": command, **NOW})
    assert result.code == 0, result.stderr
    record = json.loads(path.read_text(encoding="utf-8"))
    cleared = step(record["answers"], "gap_cause")
    assert cleared["value"] is None
    assert "label" not in cleared
    assert step(record["answers"], "went_well") == step(before["answers"], "went_well")
    assert list((home / "edits" / record["id"]).glob("*.json"))
    # The text offers it again as an answer to give, like any skipped one.
    seen = tmp_path / "seen.toml"
    shown = editor(tmp_path, f"pathlib.Path({str(seen)!r}).write_text(text)\n", name="show.py")
    again = run_coach("edit", rid(path), env={"EDITOR": shown, **NOW})
    assert again.code == 0, again.stderr
    assert "To clear an optional answer, delete its line." in seen.read_text()
    assert "\n# gap_cause = " in seen.read_text()


def test_an_optional_answer_emptied_is_cleared_and_a_required_one_refused(
    home: Path, tmp_path: Path
) -> None:
    path = saved(home)
    assert step(json.loads(path.read_text(encoding="utf-8"))["answers"], "help_fix")["value"]
    emptied = editor(
        tmp_path,
        "import re\n"
        "text = re.sub(r'\\nhelp_fix = .*', '\\nhelp_fix = \"\"', text)\n"
        "path.write_text(text, encoding='utf-8')\n",
    )
    result = run_coach("edit", rid(path), env={"EDITOR": emptied, **NOW})
    assert result.code == 0, result.stderr
    record = json.loads(path.read_text(encoding="utf-8"))
    assert step(record["answers"], "help_fix")["value"] is None
    before = path.read_bytes()
    required = editor(
        tmp_path,
        "path.write_text(text.replace('process = 4', 'process = \"\"'), encoding='utf-8')\n",
        name="required.py",
    )
    refused = run_coach("edit", rid(path), env={"EDITOR": required, **NOW})
    assert refused.code == ExitCode.ANSWERS, refused.stderr
    assert path.read_bytes() == before


QUICK = REPO / "examples" / "debrief-quick-answers.toml"


@pytest.mark.parametrize(
    ("answers", "body", "named"),
    [
        # The lost deal's questions would no longer be asked, their answers still counted.
        (
            DEBRIEF,
            "text = text.replace('outcome = \"lost\"', 'outcome = \"progressing\"')",
            "outcome: this change would ask or skip lost_deal",
        ),
        # No hot moment: whether calm came back would not have been asked.
        (
            QUICK,
            "import re\ntext = re.sub(r'\\nhot_moment = .*', '', text)",
            "hot_moment: this change would ask or skip calm_restored",
        ),
        # A next step with no "what" has no owner: a run never asks for one.
        (
            QUICK,
            "import re\ntext = re.sub(r'\\nwhat = .*', '', text, count=1)",
            "next_steps (item 1).what: this change would ask or skip next_steps (item 1).owner",
        ),
    ],
    ids=["outcome", "hot-moment", "next-step-what"],
)
def test_an_edit_that_would_change_which_questions_were_asked_is_refused(
    home: Path, tmp_path: Path, answers: Path, body: str, named: str
) -> None:
    quick = ["--quick"] if answers == QUICK else []
    result = run_coach("debrief", "Acme", *quick, "--answers", str(answers), env=NOW)
    assert result.code == 0, result.stderr
    (path,) = (home / "reflections").glob("*/*.json")
    before = path.read_bytes()
    command = editor(tmp_path, body + "\npath.write_text(text, encoding='utf-8')\n")
    refused = run_coach("edit", rid(path), env={"EDITOR": command, **NOW})
    assert refused.code == ExitCode.ANSWERS, refused.stderr
    assert named in refused.stderr
    assert path.read_bytes() == before
    assert not (home / "edits").exists()


def _saved_with(home: Path, tmp_path: Path, answers: dict[str, Any], *args: str) -> Path:
    file = tmp_path / "answers.json"
    file.write_text(json.dumps(answers), encoding="utf-8")
    result = run_coach("debrief", "Acme", "--prep", "none", "--answers", str(file), *args, env=NOW)
    assert result.code == 0, result.stderr
    (path,) = (home / "reflections").glob("*/*.json")
    return path


def _edited(path: Path, tmp_path: Path, body: str) -> Any:
    command = editor(tmp_path, body + "\npath.write_text(text, encoding='utf-8')\n")
    return run_coach("edit", rid(path), env={"EDITOR": command, **NOW})


TROLL = {
    "topic": "price",
    "recurring": "new",
    "source": "client",
    "trigger": "other",
    "passes": [
        {"paused": True, "said_little": True, "calm_back": "not-yet"},
        {"paused": True, "said_little": True, "calm_back": "yes"},
    ],
    "calm_restored": "yes",
    "paused_first": True,
    "said_too_much": False,
    "named_difficulty": True,
    "bad_intent": False,
    "ended_next_steps": True,
}


@pytest.mark.parametrize(
    ("old", "new", "count", "named"),
    [
        # Calm back at the first pass: a run would not have asked for a second one.
        ('calm_back = "not-yet"', 'calm_back = "yes"', 1, "passes (item 1).calm_back"),
        # Not yet calm at the last pass: a run would have asked for a third one.
        ('calm_back = "yes"', 'calm_back = "not-yet"', 1, "passes (item 2).calm_back"),
    ],
    ids=["fewer-passes", "more-passes"],
)
def test_an_edit_that_would_change_how_many_items_a_loop_asks_is_refused(
    home: Path, tmp_path: Path, old: str, new: str, count: int, named: str
) -> None:
    path = _saved_with(home, tmp_path, TROLL, "--playbook", "troll-bridge")
    before = path.read_bytes()
    refused = _edited(path, tmp_path, f"text = text.replace({old!r}, {new!r}, {count})")
    assert refused.code == ExitCode.ANSWERS, refused.stderr
    assert f"{named}: this change would ask or skip passes" in refused.stderr
    assert path.read_bytes() == before
    # A pass's other answers change freely.
    fine = _edited(path, tmp_path, "text = text.replace('paused = true', 'paused = false', 1)")
    assert fine.code == 0, fine.stderr


GATED = """schema = 1
id = "gated"
kind = "debrief"
version = "1"
language = "en"
title = "Gated"

[[steps]]
id = "tense"
type = "confirm"
prompt = "Was it tense?"

[[steps]]
id = "breathe"
type = "info"
prompt = "Breathe."
when = { step = "tense", equals = true }

[[steps]]
id = "goal_reached"
type = "choice"
prompt = "Goal reached?"
choices = ["yes", "no"]
plan = "goal"
when = { step = "tense", equals = true }

[[steps]]
id = "note"
type = "text"
prompt = "A note?"
required = false
when = { step = "tense", equals = false }

[[steps]]
id = "moments"
type = "loop"
prompt = "Another moment?"
item = "Moment"
min_items = 1
max_items = 2

  [[steps.steps]]
  id = "what"
  type = "text"
  prompt = "What happened?"

  [[steps.steps]]
  id = "heat"
  type = "text"
  prompt = "How hot?"
  when = { step = "tense", equals = true }
"""


def test_only_answers_a_run_keeps_or_needs_make_a_path_change(home: Path, tmp_path: Path) -> None:
    # Among the user's playbooks, so the edit finds the steps that made the record.
    (home / "playbooks").mkdir(parents=True)
    (home / "playbooks" / "gated.toml").write_text(GATED, encoding="utf-8")
    answers = {
        "tense": True,
        "moments": [{"what": "a", "heat": "high"}, {"what": "b", "heat": "low"}],
    }
    path = _saved_with(home, tmp_path, answers, "--playbook", "gated")
    before = path.read_bytes()
    # Not tense: the info step and the plan step (never asked, no prep) move nothing, the
    # optional note may stay unanswered; each item's heat, answered, would be skipped.
    refused = _edited(path, tmp_path, "text = text.replace('tense = true', 'tense = false')")
    assert refused.code == ExitCode.ANSWERS, refused.stderr
    assert "tense: this change would ask or skip moments (item 1).heat, moments (item 2).heat" in (
        refused.stderr
    )
    assert "breathe" not in refused.stderr
    assert "goal_reached" not in refused.stderr
    assert "note" not in refused.stderr
    assert "(item 1).tense" not in refused.stderr
    assert refused.stderr.count("tense: this change") == 1
    assert path.read_bytes() == before


def test_a_missing_editor_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    before = path.read_bytes()
    result = run_coach("edit", rid(path), env={"EDITOR": str(tmp_path / "no-such-editor")})
    assert result.code == ExitCode.USAGE, result.stderr
    (line,) = result.stderr.splitlines()
    assert "cannot start the editor" in line
    assert "$EDITOR" in line
    assert path.read_bytes() == before


def test_a_skipped_answer_can_be_given_and_a_date_is_checked(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    body = (
        "text = text.replace('# troll_next_time = ', 'troll_next_time = \"Ask first\"')\n"
        "text = text.replace('due = \"2026-12-01\"', 'due = 2026-12-24')\n"
        "path.write_text(text)\n"
    )
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body)})
    assert result.code == 0, result.stderr
    record = json.loads(path.read_text())
    assert step(item(record, "trolls", 1), "troll_next_time")["value"] == "Ask first"
    assert step(item(record, "next_steps", 0), "due")["value"] == "2026-12-24"


def test_without_its_playbook_a_choice_keeps_to_the_values_the_record_knows(
    home: Path, tmp_path: Path
) -> None:
    path = saved(home)
    record = json.loads(path.read_text())
    record["playbook"]["id"] = "gone-since"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    before = path.read_bytes()
    unknown = "path.write_text(text.replace('owner = \"me\"', 'owner = \"both\"', 1))\n"
    refused = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, unknown, "a.py")})
    assert refused.code == ExitCode.ANSWERS, refused.stderr
    assert "'both' is not one of: me, client" in refused.stderr
    assert path.read_bytes() == before
    # "client" is known from the other item, with its label.
    known = "path.write_text(text.replace('owner = \"me\"', 'owner = \"client\"', 1))\n"
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, known, "b.py")})
    assert result.code == 0, result.stderr
    owner = step(item(json.loads(path.read_text()), "next_steps", 0), "owner")
    assert (owner["value"], owner["label"]) == ("client", "The client")


def test_an_unknown_id_is_a_data_error(home: Path, tmp_path: Path) -> None:
    saved(home)
    result = run_coach("edit", "zzzz", env={"EDITOR": editor(tmp_path, "")})
    assert result.code == ExitCode.DATA
    assert not (tmp_path / "editor.py.calls").exists()


@pytest.mark.e2e
def test_in_a_terminal_an_invalid_edit_reopens_and_the_fix_is_saved(
    home: Path, tmp_path: Path, spawn: Spawn, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved(home)
    body = (
        "if calls == 1:\n"
        "    path.write_text(text.replace('process = 4', 'process = 9'))\n"
        "else:\n"
        "    print('EDITOR SEES: ' + text.splitlines()[1], flush=True)\n"
        "    path.write_text(text.replace('process = 9', 'process = 2'))\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    coach = spawn("edit", rid(path))
    coach.expect("EDITOR SEES: # !   process: give a whole number from 1 to 5")
    coach.expect("Saved your changes")
    assert coach.finish() == 0
    record = json.loads(path.read_text())
    assert step(record["answers"], "process")["value"] == 2
    assert "edited" in record


@pytest.mark.e2e
def test_ctrl_c_in_an_editor_that_keeps_running_is_the_editors(
    home: Path, tmp_path: Path, spawn: Spawn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that does not take the keyboard raw gets Ctrl-C as a signal, and so did
    coach, which stopped and dropped what the editor saved after."""
    path = saved(home)
    body = (
        "import signal, time\n"
        "seen = []\n"
        "signal.signal(signal.SIGINT, lambda *_: seen.append(1))\n"
        "print('EDITOR READY', flush=True)\n"
        "end = time.monotonic() + 20\n"
        "while not seen and time.monotonic() < end:\n"
        "    time.sleep(0.05)\n"
        "path.write_text(text.replace('process = 4', 'process = 2'))\n"
        "print('EDITOR SAVED', flush=True)\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    coach = spawn("edit", rid(path))
    coach.expect("EDITOR READY")
    coach.child.sendintr()
    coach.expect("EDITOR SAVED")
    coach.expect("Saved your changes")
    assert coach.finish() == 0
    assert step(json.loads(path.read_text())["answers"], "process")["value"] == 2


@pytest.mark.e2e
def test_an_editor_stopped_by_ctrl_c_stops_the_edit_with_nothing_changed(
    home: Path, tmp_path: Path, spawn: Spawn, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved(home)
    before = path.read_bytes()
    body = (
        "import time\n"
        "path.write_text(text.replace('process = 4', 'process = 2'))\n"
        "print('EDITOR READY', flush=True)\n"
        "time.sleep(20)\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    coach = spawn("edit", rid(path))
    coach.expect("EDITOR READY")
    coach.child.sendintr()
    assert coach.finish() == ExitCode.INTERRUPTED
    assert path.read_bytes() == before
    assert not (home / "edits").exists()


def test_without_a_terminal_and_without_an_editor_set_vi_is_not_started(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved(home)
    before = path.read_bytes()
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", "")  # a vi started anyway would fail in another way
    result = run_coach("edit", rid(path))
    assert result.code == ExitCode.USAGE, result.stderr
    (line,) = result.stderr.splitlines()
    assert "no $EDITOR set" in line
    assert "vi" not in line.split(":", 1)[1].split()
    assert path.read_bytes() == before


def test_a_problem_in_a_loop_item_says_which_item(home: Path, tmp_path: Path) -> None:
    path = saved(home)
    before = path.read_bytes()
    body = "path.write_text(text.replace('due = \"2026-11-28\"', 'due = \"2026-13-40\"'))\n"
    result = run_coach("edit", rid(path), env={"EDITOR": editor(tmp_path, body)})
    assert result.code == ExitCode.ANSWERS, result.stderr
    assert "next_steps (item 2).due: '2026-13-40' is not a date" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["edits", "id"])
def test_an_edit_refuses_a_linked_edits_folder_even_leading_inside(
    home: Path, tmp_path: Path, where: str
) -> None:
    path = saved(home)
    before = path.read_bytes()
    inside = home / "inside"
    inside.mkdir()
    if where == "edits":
        (home / "edits").symlink_to(inside, target_is_directory=True)
    else:
        (home / "edits").mkdir()
        (home / "edits" / rid(path)).symlink_to(inside, target_is_directory=True)
    command = editor(tmp_path, "path.write_text(text.replace('process = 4', 'process = 5'))\n")
    result = run_coach("edit", rid(path), env={"EDITOR": command})
    assert result.code == ExitCode.STORAGE, result.stderr
    assert "symbolic link" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert path.read_bytes() == before
    assert not list(inside.iterdir())


@pytest.mark.parametrize("stop", ["before", "after"])
def test_a_stop_around_the_replacement_never_loses_the_previous_version(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: str
) -> None:
    """The previous version is on disk, whole, before the record is replaced; a stop
    (Ctrl-C) just before or just after the replacement leaves it there or in the record."""
    from clientcoach.storage import safe

    path = saved(home)
    before = path.read_bytes()
    kept_when_replaced: list[list[bytes]] = []
    real_replace = safe.replace

    def replace(source: Path, target: Path, root: Path | None) -> None:
        if target != path:
            real_replace(source, target, root)
            return
        kept_when_replaced.append([p.read_bytes() for p in (home / "edits").rglob("*.json")])
        if stop == "before":
            raise KeyboardInterrupt
        real_replace(source, target, root)
        raise KeyboardInterrupt  # the record is replaced; what follows never runs

    monkeypatch.setattr(safe, "replace", replace)
    command = editor(tmp_path, "path.write_text(text.replace('process = 4', 'process = 5'))\n")
    result = run_coach("edit", rid(path), env={"EDITOR": command})
    assert result.code == ExitCode.INTERRUPTED, result.stderr
    assert kept_when_replaced == [[before]]  # kept, whole, before the record was replaced
    kept = [p.read_bytes() for p in (home / "edits").rglob("*.json")]
    if stop == "before":
        assert path.read_bytes() == before
    else:
        assert path.read_bytes() != before
        assert kept == [before]
