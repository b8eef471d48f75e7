"""Issue 16, text: random strings (controls, surrogates, bidi, invalid bytes, Markdown and
markup) as client names, titles, answers, playbook text and record fields.

With colour off (the ``home`` fixture sets NO_COLOR), no output holds ESC, a C1 control
or a bidi control, and no run exits 1 or prints a traceback.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REPO, reflection_files, run_coach

NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}
QUICK_FILE = REPO / "examples" / "prep-quick-answers.toml"
QUICK = tomllib.loads(QUICK_FILE.read_text("utf-8"))
DEBRIEF = REPO / "examples" / "debrief-answers.toml"
DANGER = re.compile("[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = ["\x1b", "\x1b[2J", "\x1b]8;;http://x\x07", "\x9b", "\x85", "\x07", "\x00", "\x7f"]
HOSTILE += ["\u202e", "\u202a", "\u2066", "\u2069", "\ud800", "\udce9", "\udfff", "\n", "\t"]
HOSTILE += ["[bold]", "[link=http://x]", "**", "<b>", "`", "#", "é", "\u202f", " "]
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3))
hostile = st.lists(pieces, min_size=1, max_size=6).map("".join)
# Bytes that were not UTF-8, as Python hands them over from argv: surrogate escapes.
invalid = st.binary(min_size=1, max_size=8).map(lambda b: b.decode("utf-8", "surrogateescape"))
text_in = st.one_of(hostile, invalid)


def check(result: Any, argv: list[str]) -> None:
    assert "Traceback" not in result.stderr, (argv, result.stderr)
    assert result.code != 1, (argv, result.stderr)
    for stream in (result.stdout, result.stderr):
        assert not DANGER.search(stream), (argv, stream)


@SETTINGS
@given(client=text_in, title=text_in, goal=text_in)
def test_random_client_names_titles_and_answers_never_reach_the_terminal(
    home: Path, tmp_path: Path, client: str, title: str, goal: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**QUICK, "goal": goal}), encoding="utf-8")
    argv = ["prep", client, "--quick", "-m", title, "-a", str(answers)]
    check(run_coach(*argv, env=NOW), argv)
    for view in (["history"], ["clients"], ["brief", client]):
        check(run_coach(*view, env=NOW), view)


def _fields(record: dict[str, Any], text: str) -> None:
    record["client"] = text
    record["meeting"]["title"] = text
    for answer in record["answers"]:
        answer["prompt"] = text
        if isinstance(answer.get("value"), str):
            answer["value"] = text
        if "label" in answer:
            answer["label"] = text
        for item in answer.get("items") or []:
            for inner in item:
                if isinstance(inner.get("value"), str):
                    inner["value"] = text


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=text_in)
def test_random_record_fields_edited_by_hand_never_reach_the_terminal(
    home: Path, text: str
) -> None:
    shutil.rmtree(home / "reflections", ignore_errors=True)
    assert run_coach("debrief", "Acme", "-a", str(DEBRIEF), env=NOW).code == 0
    (path,) = reflection_files(home)
    record = json.loads(path.read_text(encoding="utf-8"))
    _fields(record, text)
    # As a sync or an editor would write it: lone surrogates cannot be UTF-8, so they
    # are written escaped, which JSON allows (and the reader refuses as damaged).
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    short = record["id"][-6:]
    views = [
        ["history"],
        ["history", "--grep", "a"],
        ["clients"],
        ["followups"],
        ["brief", "Acme"],
        ["show", short],
        ["show", short, "--markdown"],
        ["show", short, "--json"],
        ["review", "--month", "2026-11"],
        ["review", "--month", "2026-11", "--markdown", "-"],
        ["review", "--month", "2026-11", "--json"],
        ["doctor"],
    ]
    for view in views:
        check(run_coach(*view, env=NOW), view)


@SETTINGS
@given(title=hostile, prompt=hostile, label=hostile)
def test_random_playbook_text_is_refused_by_check_or_shown_inert(
    home: Path, tmp_path: Path, title: str, prompt: str, label: str
) -> None:
    import tomli_w

    source = tomllib.loads((REPO / "playbooks" / "prep-quick.toml").read_text("utf-8"))
    source["title"] = title
    source["steps"][0]["prompt"] = prompt
    for step in source["steps"]:
        for choice in step.get("choices", []):
            choice["label"] = label
    target = tmp_path / "prep-quick.toml"
    try:
        target.write_text(tomli_w.dumps(source), encoding="utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return  # a lone surrogate cannot be written as TOML text at all
    for argv in (
        ["playbooks", "check", str(target)],
        ["playbooks", "show", str(target)],
        ["prep", "Acme", "-p", str(target), "-a", str(QUICK_FILE)],
    ):
        check(run_coach(*argv, env=NOW), argv)
