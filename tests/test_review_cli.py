"""`coach review` as a user runs it: stdout, stderr, exit codes, files written."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from clientcoach.errors import ExitCode
from clientcoach.model.reflection import Reflection
from tests.helpers import REPO, reflection_files, run_coach
from tests.review_records import november_set, october_prep, write

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}
BENCHMARKS = REPO / "benchmarks"


def coach(*args: str, **env: str) -> Any:
    return run_coach(*args, env={**NOW, **env})


@pytest.fixture
def november(home: Path) -> list[Path]:
    return [write(home, r) for r in [october_prep(), *november_set()]]


def _numbers_in_json(data: Any) -> set[str]:
    """Every number a terminal could show for this document, as text."""
    found: set[str] = set(re.findall(r"\d+", json.dumps(data)))

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "rate" and isinstance(value, float):
                    found.add(str(round(value * 100)))
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, float):
            found.add(f"{abs(round(node, 1)):.1f}")
            found.add(str(round(node * 100)))

    visit(data)
    return found


def test_json_is_alone_on_stdout_and_carries_every_figure_shown(november: list[Path]) -> None:
    shown = coach("review", "--no-reflect", COLUMNS="80")
    assert shown.code == 0, shown.stderr
    result = coach("review", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on stdout, or this fails
    assert data["period"]["start"] == "2026-11-01"
    assert data["period"]["end"] == "2026-11-30"
    assert data["reflections"] == 5
    assert data["damaged"] == []
    assert data["next_steps"] == {"count": 3, "total": 4, "rate": 0.75}
    assert data["headline"]["next_steps_rate"]["value"] == 0.75
    assert len(data["headline"]["debriefed"]["series"]) == 12
    assert [u["what"] for u in data["follow_ups"]["overdue"]] == ["Send the quote"]
    assert data["mistakes"]["repeated_list"][0]["dates"] == ["2026-11-03", "2026-11-20"]
    assert data["trolls"]["recurring"][0]["client"] == "Acme"
    # Every number on the terminal is in the JSON document.
    numbers = _numbers_in_json(data)
    for token in re.findall(r"\d+(?:\.\d+)?", shown.stdout):
        assert token in numbers, f"{token!r} is shown but not in the JSON"
    for words in ("75% (3 of 4)", "Send the quote", "Talked too LONG", "r1_asked"):
        assert words in shown.stdout


def test_terminal_view_fits_80_columns_without_escape_codes(november: list[Path]) -> None:
    result = coach("review", "--no-reflect", COLUMNS="80")
    assert result.code == 0
    assert "\x1b[" not in result.stdout
    assert "Review of November 2026, so far (up to 2026-11-24)" in result.stdout
    assert "Previous: October 2026" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert result.stderr == ""
    # Built-in help rules and drama roles by name, not by step id or choice value.
    assert "most-failed rule  request put into words" in result.stdout
    assert not re.search(r"^r1_asked", result.stdout, re.M)  # (the fixture prompt is "r1_asked?")
    assert re.search(r"^rescuer +1 ", result.stdout, re.M)


def test_the_healthy_help_table_has_a_question_column_only_when_a_rule_was_asked_one(
    november: list[Path],
) -> None:
    with_prompts = coach("review", "--no-reflect", COLUMNS="100").stdout
    assert re.search(r"^rule +failed +checked +question *$", with_prompts, re.M), with_prompts
    # The full debrief asks the five rules as one checklist: no question per rule, and
    # no column left empty for it.
    example = REPO / "examples" / "debrief-answers.toml"
    saved = coach(
        "debrief", "Initech", "-a", str(example), "--prep", "none", "--date", "2026-10-15"
    )
    assert saved.code == 0, saved.stderr
    shown = coach("review", "--no-reflect", "--month", "2026-10", COLUMNS="100").stdout
    block = shown[shown.index("Healthy help") : shown.index("The five rules")]
    assert re.search(r"^rule +failed +checked *$", block, re.M), block
    assert re.search(r"^request put into words +1 +1 *$", block, re.M), block
    assert "question" not in block


def test_at_40_columns_tables_become_stacks_and_no_word_is_cut(november: list[Path]) -> None:
    result = coach("review", "--no-reflect", COLUMNS="40")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert "Meetings prepared" in lines  # a figure's name on a line of its own
    assert any(li.startswith("  this period: ") for li in lines)
    assert not [li for li in lines if li.strip() in ("Meetin", "gs", "prepar", "ed")]


def test_markdown_report_parses_as_commonmark_with_tables(
    november: list[Path], tmp_path: Path
) -> None:
    report = tmp_path / "november.md"
    result = coach("review", "--no-reflect", "--markdown", str(report))
    assert result.code == 0, result.stderr
    assert f"Report written to {report}" in result.stderr
    text = report.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = {t.type for t in tokens}
    assert {"table_open", "th_open", "td_open", "heading_open"} <= kinds
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "Send the quote" in cells
    assert "75% (3 of 4)" in cells
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_markdown_never_overwrites_without_force(november: list[Path], tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text("keep me\n", encoding="utf-8")
    refused = coach("review", "--no-reflect", "--markdown", str(report))
    assert refused.code == ExitCode.USAGE
    assert "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert report.read_text(encoding="utf-8") == "keep me\n"
    forced = coach("review", "--no-reflect", "--markdown", str(report), "--force")
    assert forced.code == 0, forced.stderr
    assert report.read_text(encoding="utf-8").startswith("# Review of November 2026")


def test_user_playbook_with_declared_summaries_gets_its_figures(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "quick.toml").write_text(
        """
schema = 1
id = "quick"
kind = "debrief"
title = "Quick debrief"

[[steps]]
id = "demo_done"
type = "confirm"
prompt = "Did the demo happen?"
role = "demo_done"
summary = "rate"

[[steps]]
id = "mood"
type = "rating"
prompt = "Client mood?"
summary = "mean"

[[steps]]
id = "next_steps_agreed"
type = "confirm"
prompt = "Agreed next steps?"
role = "next_steps_agreed"
""",
        encoding="utf-8",
    )
    env = {"CLIENTCOACH_PLAYBOOKS": str(folder)}
    for done, mood in ((True, 4), (False, 2), (True, 3)):
        answers = tmp_path / f"a{mood}.json"
        answers.write_text(
            json.dumps({"demo_done": done, "mood": mood, "next_steps_agreed": done}),
            encoding="utf-8",
        )
        saved = coach("debrief", "Acme", "-p", "quick", "-a", str(answers), **env)
        assert saved.code == 0, saved.stderr
    stored = json.loads(reflection_files(home)[0].read_text(encoding="utf-8"))
    assert [a.get("summary") for a in stored["answers"]] == ["rate", "mean", None]

    data = json.loads(coach("review", "--json", **env).stdout)
    declared = {d["key"]: d for d in data["declared"]}
    assert declared["demo_done"]["rate"] == {"count": 2, "total": 3, "rate": 2 / 3}
    assert declared["mood"]["mean"] == 3.0  # no role: summed up under its step id
    assert data["next_steps"]["count"] == 2
    shown = coach("review", "--no-reflect", **env).stdout
    # Each answer is named by the question it was asked with, never by its step id.
    assert "demo_done" not in shown
    assert "\nmood" not in shown
    row = next(line for line in shown.splitlines() if line.startswith("Did the demo happen?"))
    assert "67% (2 of 3)" in row, row
    french = coach("review", "--no-reflect", "--lang", "fr", COLUMNS="100", **env).stdout
    row = next(line for line in french.splitlines() if line.startswith("Did the demo happen?"))
    assert "67\u202f% (2 sur 3)" in row, row  # the figure in French, the question as asked


def test_empty_month_says_so_and_exits_0(home: Path) -> None:
    write(home, november_set()[0])
    result = coach("review", "--month", "2026-10", "--no-reflect")
    assert result.code == 0
    assert result.stdout == ""
    assert "No reflections in October 2026" in result.stderr
    assert "After your next meeting, run `coach debrief CLIENT`." in result.stderr
    assert "coach review --month YYYY-MM" in result.stderr
    as_json = coach("review", "--month", "2026-10", "--json")
    assert as_json.code == 0
    assert json.loads(as_json.stdout)["reflections"] == 0


def test_damaged_files_are_skipped_named_once_and_exit_7(november: list[Path], home: Path) -> None:
    folder = home / "reflections" / "2026-11"
    bad = [
        folder / "2026-11-05_debrief_acme_broken.json",
        folder / "2026-11-06_debrief_acme_noschema.json",
        folder / "stray.json",
    ]
    bad[0].write_text("{ not json", encoding="utf-8")
    bad[1].write_text('{"id": "x"}', encoding="utf-8")
    bad[2].write_text('{"schema": 99}', encoding="utf-8")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    result = coach("review", "--json")
    assert result.code == ExitCode.DAMAGED
    data = json.loads(result.stdout)
    assert data["reflections"] == 5
    assert sorted(d["path"] for d in data["damaged"]) == sorted(str(p) for p in bad)
    for path in bad:
        assert result.stderr.count(str(path)) == 1
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    shown = coach("review", "--no-reflect")
    assert shown.code == ExitCode.DAMAGED
    assert "Review of November 2026" in shown.stdout


def _monthly(tmp_path: Path) -> Path:
    """Answers for the monthly reflection that follows a review."""
    answers = tmp_path / "monthly.toml"
    answers.write_text(
        'month_rating = 4\nkeep = ["Agenda"]\nstop = ["Talking long"]\ntry = ["Ask first"]\n'
        'outside_practice = "Watch a call"\npractice_source = "peer"\n'
        'mistake_commitment = "Stop at two minutes"\n',
        encoding="utf-8",
    )
    return answers


def test_the_home_screen_says_a_review_saved_today_was_today(
    november: list[Path], tmp_path: Path
) -> None:
    assert coach("review", "--answers", str(_monthly(tmp_path))).code == 0
    home = coach()
    assert home.code == 0, home.stderr
    assert "Monthly review: the last one was today (2026-11-24)." in home.stdout
    assert "0 days ago" not in home.stdout
    french = coach("--lang", "fr")
    assert "Revue mensuelle\u00a0: la dernière date d'aujourd'hui (2026-11-24)." in french.stdout


def test_a_scripted_reflection_on_a_period_reflected_on_says_so_and_saves(
    november: list[Path], home: Path, tmp_path: Path
) -> None:
    answers = str(_monthly(tmp_path))
    first = coach("review", "--answers", answers)
    assert "already reflected" not in first.stderr
    again = coach("review", "--answers", answers)
    assert again.code == 0, again.stderr
    assert "You already reflected on this period on 2026-11-24 (coach show " in again.stderr
    assert len([p for p in reflection_files(home) if "_review_" in p.name]) == 2
    other = coach("review", "--last", "--answers", answers)  # October: not reflected on
    assert "already reflected" not in other.stderr


def test_a_review_of_all_clients_is_not_listed_as_a_client(
    november: list[Path], tmp_path: Path
) -> None:
    answers = _monthly(tmp_path)
    before = json.loads(coach("clients", "--json").stdout)
    assert coach("review", "--answers", str(answers)).code == 0
    for index in ("1", "0"):  # from the index and from the files
        listed = json.loads(coach("clients", "--json", CLIENTCOACH_INDEX=index).stdout)
        assert listed == before
        shown = coach("clients", CLIENTCOACH_INDEX=index).stdout
        assert all(line.strip()[:1] != "1" for line in shown.splitlines()[2:]), shown


def test_a_client_s_review_matches_the_name_as_everywhere_and_is_no_meeting(
    november: list[Path], home: Path, tmp_path: Path
) -> None:
    full = coach("review", "--json", "--client", "Acme")
    assert full.code == 0, full.stderr
    start = coach("review", "--json", "--client", "acm")  # a unique start will do
    assert start.code == 0, start.stderr
    assert json.loads(start.stdout) == json.loads(full.stdout)
    typo = coach("review", "--json", "--client", "Acmee")
    assert typo.code == ExitCode.DATA
    assert "no client matches 'Acmee' (did you mean Acme?)" in typo.stderr
    before = json.loads(coach("clients", "--json").stdout)
    last = json.loads(coach("brief", "Acme", "--json").stdout)["last_meeting"]
    assert last == "2026-11-12"
    saved = coach("review", "--client", "ACME", "--answers", str(_monthly(tmp_path)))
    assert saved.code == 0, saved.stderr
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    assert json.loads(path.read_text(encoding="utf-8"))["client"] == "Acme"
    for index in ("1", "0"):  # a review is no meeting: the client list is as it was
        listed = json.loads(coach("clients", "--json", CLIENTCOACH_INDEX=index).stdout)
        assert listed == before, index
        brief = json.loads(coach("brief", "Acme", "--json", CLIENTCOACH_INDEX=index).stdout)
        assert brief["last_meeting"] == last, index


def test_monthly_reflection_scripted_is_saved_as_a_review(
    november: list[Path], home: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "monthly.toml"
    answers.write_text(
        """
month_rating = 4
keep = ["Agenda the day before"]
stop = ["Talking too long"]
try = ["One open question first"]
outside_practice = "Watch a colleague's discovery call"
practice_source = "peer"
mistake_commitment = "Stop at two minutes and ask a question"
""",
        encoding="utf-8",
    )
    result = coach("review", "--answers", str(answers))
    assert result.code == 0, result.stderr
    assert "Your most repeated mistake: Talked too LONG" in result.stderr
    assert "Saved your review" in result.stderr
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    assert path.name.startswith("2026-11-24_review_all-clients_")
    data = json.loads(path.read_text(encoding="utf-8"))
    Reflection.model_validate(data)
    assert data["kind"] == "review"
    assert data["client"] == ""
    assert data["review"] == {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "top_repeated_mistake": "Talked too LONG",
        # The focus points shown before the first question, kept for a resumed run.
        "focus": [
            "Prepare a different move for your most repeated mistake: Talked too LONG",
            "Before helping beyond the scope, check the rule you failed most: "
            "request put into words",
            "Turn around the figure that got worse: Follow-ups still open",
        ],
    }
    assert result.stderr.index("Focus for next month") < result.stderr.index("Saved your")
    by_step = {a["step"]: a for a in data["answers"]}
    assert by_step["keep"]["value"] == ["Agenda the day before"]
    assert by_step["month_rating"]["summary"] == "mean"
    # The saved reflection is read back by the next review.
    again = json.loads(coach("review", "--json").stdout)
    assert again["meetings"]["reviews"] == 1


def test_reflection_is_never_offered_without_a_terminal(november: list[Path], home: Path) -> None:
    result = coach("review")
    assert result.code == 0
    assert "Reflect" not in result.stderr
    assert not [p for p in reflection_files(home) if "_review_" in p.name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "is not a month"),
        (["--month", "2026-11", "--last"], "cannot be used together"),
        (["--since", "2026-11-10", "--until", "2026-11-01"], "is after"),
        (["--since", "tomorrow"], "--since 2026-11-25 is in the future"),
        (["--markdown", "/", "--force"], "--markdown / is a folder"),
        (["--markdown", "/nowhere/at/all/r.md"], "there is no folder /nowhere/at/all"),
        (["--since", "soon"], "--since"),
        (["--json", "--answers", "x.toml"], "--answers"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    result = coach("review", *args)
    assert result.code == ExitCode.USAGE
    assert message in result.stderr
    assert result.stdout == ""


def test_period_options(november: list[Path]) -> None:
    last = json.loads(coach("review", "--json", "--last").stdout)
    assert (last["period"]["start"], last["period"]["end"]) == ("2026-10-01", "2026-10-31")
    span = json.loads(
        coach("review", "--json", "--since", "2026-11-10", "--until", "2026-11-16").stdout
    )
    assert span["reflections"] == 2
    assert span["previous"]["end"] == "2026-11-09"
    relative = json.loads(coach("review", "--json", "--since", "-30d").stdout)
    assert relative["period"]["end"] == "2026-11-24"
    only = json.loads(coach("review", "--json", "--client", "globex").stdout)
    assert only["reflections"] == 2
    assert only["client"] == "Globex"  # as saved, whatever the spelling typed


def test_generator_writes_valid_reflections_in_the_store_layout(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    paths = generate(tmp_path, 120, seed=3, clients=5, end=date(2026, 11, 24))
    assert len(paths) == 120
    assert generate(tmp_path / "again", 120, seed=3, clients=5, end=date(2026, 11, 24))[
        -1
    ].name == (paths[-1].name)
    kinds = set()
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        reflection = Reflection.model_validate(data)
        kinds.add(reflection.kind)
        assert path.parent.name == reflection.meeting.date.strftime("%Y-%m")
        assert path.name.startswith(f"{reflection.meeting.date}_{reflection.kind}_")
    assert kinds == {"prep", "debrief", "review"}
    env = {"CLIENTCOACH_HOME": str(tmp_path)}
    data = json.loads(
        coach("review", "--json", "--since", "2025-11-01", "--until", "2026-11-24", **env).stdout
    )
    assert data["reflections"] == 120
    assert data["damaged"] == []
    assert data["meetings"]["debriefed"] > 0


# --- in a real terminal ---------------------------------------------------------------


@pytest.mark.e2e  # in a pseudo-terminal
def test_monthly_reflection_in_a_real_terminal(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach, answer_tree

    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    session = Coach("review")
    try:
        session.expect("Review of November 2026")
        session.expect("Talked too LONG")
        session.expect("Reflect on this period now?")
        session.type("")  # Enter: yes
        session.expect("Your most repeated mistake: Talked too LONG")
        tree: dict[str, Any] = {}
        session.answer("monthly", "month_rating", "4", tree, 4)
        session.lines("monthly", "keep", ["Agenda the day before"], tree)
        session.lines("monthly", "stop", ["Long openings", "Guessing the need"], tree)
        session.lines("monthly", "try", ["One open question first"], tree)
        session.answer("monthly", "outside_practice", "Shadow a colleague's call", tree)
        session.answer("monthly", "practice_source", "1", tree, "peer")
        session.answer("monthly", "mistake_commitment", "Ask before answering", tree)
        # Depth on demand: two topics picked, and only their questions follow.
        session.answer("monthly", "look_closer", "1,4", tree, ["rhythm", "away"])
        session.answer("monthly", "rhythm_client", "Globex, a call every other week", tree)
        session.lines("monthly", "handover", ["Acme: the SLA they signed by mail"], tree)
        session.answer("monthly", "backup_named", "y", tree, True)
        assert "Shadow a colleague's call" in session.summary()
        session.type("")
        assert session.finish() == 0
    finally:
        session.kill()
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert answer_tree(data["answers"]) == tree
    assert data["review"]["top_repeated_mistake"] == "Talked too LONG"


@pytest.mark.e2e  # in a pseudo-terminal
def test_declining_the_reflection_saves_nothing(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach

    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    session = Coach("review")
    try:
        session.expect("Reflect on this period now?")
        session.type("n")
        assert session.finish() == 0
    finally:
        session.kill()
    assert not [p for p in reflection_files(home) if "_review_" in p.name]
    no_offer = Coach("review", "--no-reflect")
    try:
        assert no_offer.finish() == 0
        assert "Reflect on" not in no_offer.screen
        assert "Review of November 2026" in no_offer.screen
    finally:
        no_offer.kill()


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_period_already_reflected_on_is_said_and_enter_leaves_it(
    november: list[Path], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach

    first = coach("review", "--answers", str(_monthly(tmp_path)))
    assert first.code == 0, first.stderr
    (saved,) = [p for p in reflection_files(home) if "_review_" in p.name]
    rid = json.loads(saved.read_text(encoding="utf-8"))["id"]
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    session = Coach("review")
    try:
        session.expect("You already reflected on this period on 2026-11-24")
        session.expect(f"coach show {rid}")
        session.expect("Reflect on it again? [y/N]")
        session.type("")  # Enter: no
        assert session.finish() == 0
    finally:
        session.kill()
    assert [p for p in reflection_files(home) if "_review_" in p.name] == [saved]


def _finish_monthly(resumed: Any, tree: dict[str, Any]) -> None:
    """Answer a resumed monthly reflection from "keep" to its end, and save it."""
    resumed.lines("monthly", "keep", ["Agenda the day before"], tree)
    resumed.lines("monthly", "stop", ["Long openings"], tree)
    resumed.lines("monthly", "try", ["One open question first"], tree)
    resumed.answer("monthly", "outside_practice", "Shadow a colleague's call", tree)
    resumed.answer("monthly", "practice_source", "1", tree, "peer")
    resumed.answer("monthly", "mistake_commitment", "Ask before answering", tree)
    resumed.skip("monthly", "look_closer", tree)
    resumed.summary()
    resumed.type("")
    assert resumed.finish() == 0


def _stop_monthly_at_keep(home: Path, *typed_keep: str) -> dict[str, Any]:
    """Start the monthly reflection, rate the month 4, type ``typed_keep`` lines into
    "keep", then Ctrl-C; the draft left behind."""
    from tests.pty_helpers import Coach

    session = Coach("review")
    try:
        session.expect("Reflect on this period now?")
        session.type("")
        session.answer("monthly", "month_rating", "4", {}, 4)
        session.at_step("monthly", "keep")
        for line in typed_keep:
            session.type(line)
            session.expect("» ")
        session.interrupt()
        assert session.finish() == 130
    finally:
        session.kill()
    (draft_file,) = (home / "drafts").glob("*.json")
    draft: dict[str, Any] = json.loads(draft_file.read_text(encoding="utf-8"))
    return draft


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_stopped_monthly_reflection_resumes_with_its_period(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach, answer_tree

    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    tree: dict[str, Any] = {"month_rating": 4}
    draft = _stop_monthly_at_keep(home)
    assert draft["review"] == {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "top_repeated_mistake": "Talked too LONG",
        "focus": [
            "Prepare a different move for your most repeated mistake: Talked too LONG",
            "Before helping beyond the scope, check the rule you failed most: "
            "request put into words",
            "Turn around the figure that got worse: Follow-ups still open",
        ],
    }

    assert "all clients" in coach("drafts", COLUMNS="100").stdout
    resumed = Coach("resume")
    try:
        resumed.expect("Resuming your review for all clients")
        resumed.expect("Focus for next month")  # the focus points are shown again
        resumed.expect("3. Turn around the figure that got worse")
        resumed.expect("Your most repeated mistake: Talked too LONG")
        _finish_monthly(resumed, tree)
    finally:
        resumed.kill()
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert answer_tree(data["answers"]) == tree
    assert data["review"] == draft["review"]
    assert data["client"] == ""


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_hand_edited_review_draft_still_saves(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach

    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    draft = _stop_monthly_at_keep(home)
    (draft_file,) = (home / "drafts").glob("*.json")
    draft.update({"review": "not a period", "finished_at": "junk", "surprise": 1})
    draft_file.write_text(json.dumps(draft), encoding="utf-8")

    resumed = Coach("resume")
    try:
        _finish_monthly(resumed, {})
    finally:
        resumed.kill()
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "review" not in data
    assert "surprise" not in data
    assert data["finished_at"] != "junk"


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_broken_configured_review_playbook_is_told_before_the_offer(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from tests.pty_helpers import Coach

    config = Path(os.environ["CLIENTCOACH_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[playbook]\nreview = "nope"\n', encoding="utf-8")
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    session = Coach("review")
    try:
        assert session.finish() == 3
    finally:
        session.kill()
    assert "no playbook with id 'nope'" in session.screen
    assert "coach config unset playbook.review" in " ".join(session.screen.split())
    assert "Reflect on this period now?" not in session.screen
    assert coach("review", "--no-reflect").code == 0  # the figures alone need no playbook


@pytest.mark.e2e  # in a pseudo-terminal
def test_lines_typed_in_a_list_before_a_stop_are_kept(
    november: list[Path], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    draft = _stop_monthly_at_keep(home, "Item one", "Item two")
    kept = {".".join(map(str, a["at"])): a["value"] for a in draft["answers"]}
    assert "keep" not in kept  # not finished, so not an answer: the resume goes on from it
    assert {"at": ["keep"], "value": ["Item one", "Item two"], "halfway": True} in draft[
        "remembered"
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_reason_area_has_the_name_the_lost_deal_playbook_gives_it(language: str) -> None:
    """Areas no record labels (only the one believed main is) are named as the built-in
    playbook names them, in the reader's language, never shown as a bare code."""
    from clientcoach import i18n
    from clientcoach.model.playbook import ChoiceStep, walk
    from clientcoach.storage.playbooks import Library
    from clientcoach.ui.review import area_names

    lost = Library([], language=language).get("lost-deal")
    (step,) = [s for s in walk(list(lost.steps)) if s.id == "believed_reason"]
    assert isinstance(step, ChoiceStep)
    i18n.set_language(language)
    try:
        assert area_names() == {c.value: c.text for c in step.options}
    finally:
        i18n.set_language("en")


def _reviews_saved(home: Path) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in reflection_files(home)
        if "_review_" in p.name
    ]


def _try_kept(saved: list[dict[str, Any]], start: str) -> tuple[Any, Any]:
    """The "did you try it?" answer of the review of the period starting on ``start``,
    and what it was asked about."""
    (review,) = [r for r in saved if r["review"]["start"] == start]
    (kept,) = [a for a in review["answers"] if a["step"] == "try_kept"]
    return kept["value"], kept["planned"]


def test_the_next_monthly_reflection_asks_whether_last_months_try_was_tried(
    november: list[Path], home: Path, tmp_path: Path
) -> None:
    """What a review said to try comes back at the next review of a later period, as a
    debrief's lesson comes back at the next debrief."""
    october = coach("review", "--last", "--answers", str(_monthly(tmp_path)))
    assert october.code == 0, october.stderr
    answers = tmp_path / "november.toml"
    answers.write_text(
        _monthly(tmp_path).read_text(encoding="utf-8") + 'try_kept = "worked"\n',
        encoding="utf-8",
    )
    november_run = coach("review", "--answers", str(answers))
    assert november_run.code == 0, november_run.stderr
    saved = _reviews_saved(home)
    assert _try_kept(saved, "2026-11-01") == ("worked", "Ask first")
    # The October review had no earlier try: the question was not asked.
    (first,) = [r for r in saved if r["review"]["start"] == "2026-10-01"]
    assert "try_kept" not in [a["step"] for a in first["answers"]]


@pytest.mark.e2e  # in a pseudo-terminal: the reflection follows the figures on a screen
def test_a_resumed_monthly_reflection_keeps_its_try_question(
    november: list[Path], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pty_helpers import Coach

    assert coach("review", "--last", "--answers", str(_monthly(tmp_path))).code == 0
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW["CLIENTCOACH_NOW"])
    tree: dict[str, Any] = {}
    session = Coach("review")
    try:
        session.expect("Reflect on this period now?")
        session.type("")
        session.answer("monthly", "month_rating", "4", tree, 4)
        shown = session.at_step("monthly", "try_kept")
        assert "Planned: Ask first" in shown
        session.type("1")
        session.at_step("monthly", "keep")
        session.interrupt()
        assert session.finish() == 130
    finally:
        session.kill()
    resumed = Coach("resume")
    try:
        _finish_monthly(resumed, tree)
    finally:
        resumed.kill()
    saved = _reviews_saved(home)
    assert _try_kept(saved, "2026-11-01") == ("worked", "Ask first")


def test_the_try_asked_about_is_the_last_periods_whenever_it_was_reviewed(
    november: list[Path], home: Path, tmp_path: Path
) -> None:
    """Reviews are ordered by the period they cover, not the day they were made, and a
    client named in another case is the same client."""
    from datetime import date

    from clientcoach.app.review import last_try, saved_reviews
    from clientcoach.storage.store import Store

    def reviewed(month: str, tried: str, day: str, client: str = "Acme") -> None:
        answers = tmp_path / f"{month}.toml"
        text = _monthly(tmp_path).read_text(encoding="utf-8")
        answers.write_text(text.replace('try = ["Ask first"]', f'try = ["{tried}"]'), "utf-8")
        result = coach(
            "review",
            "--month",
            month,
            "--client",
            client,
            "--answers",
            str(answers),
            CLIENTCOACH_NOW=f"{day}T10:00:00+01:00",
        )
        assert result.code == 0, result.stderr

    reviewed("2026-09", "September's try", "2026-10-02")
    reviewed("2026-10", "October's try", "2026-11-02")
    reviewed("2026-08", "August's try", "2026-11-03")  # made late, about an older month
    reviews = saved_reviews(Store(home))
    assert last_try(reviews, date(2026, 11, 1), "acme") == {"last_try": "October's try"}
    assert last_try(reviews, date(2026, 10, 1), "ACME") == {"last_try": "September's try"}
    assert last_try(reviews, date(2026, 8, 1), "Acme") == {}


def test_a_choice_whose_values_are_yes_and_no_is_shown_by_its_labels(
    home: Path, tmp_path: Path
) -> None:
    """ "Against the goal of your prep": yes, partly or no, labelled Reached, Partly
    reached and Missed. Its values are shown by those labels, never as a yes/no."""
    from tests.review_records import ans, debrief

    def reached(value: str, label: str) -> dict[str, Any]:
        return {**ans("goal_reached", value, kind="choice", summary="distribution"), "label": label}

    for day, value, label in [
        ("2026-11-03", "yes", "Reached"),
        ("2026-11-05", "yes", "Reached"),
        ("2026-11-09", "partly", "Partly reached"),
        ("2026-11-12", "no", "Missed"),
    ]:
        write(home, debrief("Acme", day, reached(value, label)))
    report = tmp_path / "review.md"
    shown = coach("review", "--markdown", str(report), "--no-reflect")
    assert shown.code == 0, shown.stderr
    text = report.read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| goal\\_reached?")]
    assert sorted(row.split("|")[2].strip().split("; ")) == [
        "Missed (1)",
        "Partly reached (1)",
        "Reached (2)",
    ]
