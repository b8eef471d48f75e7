"""Issue 16: one test per finding that is not about paths (those are in
test_locked_paths.py): terminal injection, tracebacks, lost or unclear input.

Each runs the real command in process and checks what a user sees.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, reflection_files, run_coach

NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}
PREP = REPO / "examples" / "prep-answers.toml"
DEBRIEF = REPO / "examples" / "debrief-answers.toml"
# What must never reach a terminal from data: ESC, C1 controls, bidi controls.
DANGER = re.compile("[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def saved(home: Path, *args: str) -> dict[str, Any]:
    result = run_coach(*args, env=NOW)
    assert result.code == 0, result.stderr
    newest = max(reflection_files(home), key=lambda p: p.stat().st_mtime_ns)
    data: dict[str, Any] = json.loads(newest.read_text(encoding="utf-8"))
    return data


def edit_record(home: Path, change: Any) -> None:
    for path in reflection_files(home):
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def clean(result: Any) -> None:
    assert "Traceback" not in result.stderr
    assert result.code != 1, result.stderr
    assert not DANGER.search(result.stdout), result.stdout
    assert not DANGER.search(result.stderr), result.stderr


VIEWS = [
    ["history"],
    ["clients"],
    ["followups"],
    ["brief", "Acme"],
    ["review", "--month", "2026-11"],
    ["review", "--month", "2026-11", "--markdown", "-"],
]


# --- terminal injection ------------------------------------------------------------------


def test_meeting_titles_with_esc_or_osc_are_refused_and_never_shown(home: Path) -> None:
    refused = run_coach("prep", "Acme", "-m", "Kick\x1b]8;;http://x\x07off", "-a", str(PREP))
    assert refused.code == 2
    assert "meeting title" in refused.stderr
    assert reflection_files(home) == []
    record = saved(home, "prep", "Acme", "-m", "Kickoff", "-a", str(PREP))
    edit_record(home, lambda d: d["meeting"].update(title="Kick\x1b[31moff\x1b]8;;x\x07"))
    for argv in (["history"], ["show", record["id"]], ["show", record["id"], "--markdown"]):
        clean(run_coach(*argv, env=NOW))


@pytest.mark.parametrize("char", ["\x9b", "\x85", "\u202e", "\u2066"])
def test_c1_and_bidi_controls_are_refused_in_client_names_and_answers(
    home: Path, tmp_path: Path, char: str
) -> None:
    name = run_coach("prep", f"Ac{char}me", "-a", str(PREP), env=NOW)
    assert name.code == 2
    assert "client name holds" in name.stderr
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"goal": f"Sign{char}now"}), encoding="utf-8")
    answer = run_coach("prep", "Acme", "--quick", "-a", str(answers), env=NOW)
    assert answer.code == 4
    assert "goal" in answer.stderr
    assert f"U+{ord(char):04X}" in answer.stderr
    assert reflection_files(home) == []


def test_a_bidi_override_in_a_client_name_is_refused_so_no_name_looks_like_another(
    home: Path,
) -> None:
    result = run_coach("prep", "Acme\u202eproC", "-a", str(PREP), env=NOW)
    assert result.code == 2
    assert "U+202E" in result.stderr


def test_playbook_text_with_esc_fails_playbooks_check(home: Path, tmp_path: Path) -> None:
    source = (REPO / "playbooks" / "prep-quick.toml").read_text(encoding="utf-8")
    bad = tmp_path / "prep-quick.toml"
    bad.write_text(source.replace('title = "', 'title = "\\u001b[2J', 1), encoding="utf-8")
    result = run_coach("playbooks", "check", str(bad))
    assert result.code == 3
    assert "title: holds a control, bidi or non-UTF-8 character (U+001B)" in result.stdout
    walked = run_coach("prep", "Acme", "-p", str(bad), "-a", str(PREP), env=NOW)
    assert walked.code == 3


def test_a_record_edited_to_hold_esc_in_its_client_name_is_never_printed_raw(
    home: Path,
) -> None:
    record = saved(home, "debrief", "Acme", "-a", str(DEBRIEF))
    edit_record(home, lambda d: d.update(client="Ac\x1b[2Jme\x9b\u202e"))
    for argv in [*VIEWS, ["show", record["id"]], ["show", record["id"], "--json"]]:
        clean(run_coach(*argv, env=NOW))
    shown = run_coach("show", record["id"], env=NOW)
    assert "Ac␛[2Jme<U+009B><U+202E>" in shown.stdout
    as_json = json.loads(run_coach("show", record["id"], "--json", env=NOW).stdout)
    assert as_json["client"] == "Ac\x1b[2Jme\x9b\u202e"  # the data stays exact


def test_show_markdown_escapes_user_text_like_the_review(home: Path, tmp_path: Path) -> None:
    import tomllib

    quick = tomllib.loads((REPO / "examples" / "prep-quick-answers.toml").read_text("utf-8"))
    quick["goal"] = "<b>win</b> **now** [link](http://x) `code`"
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(quick), encoding="utf-8")
    record = saved(home, "prep", "Acme", "--quick", "-m", "*Kick* <i>", "-a", str(answers))
    markdown = run_coach("show", record["id"], "--markdown", env=NOW).stdout
    assert "<b>" not in markdown
    assert "**now**" not in markdown
    assert "[link](" not in markdown
    assert "\\<b\\>win\\</b\\> \\*\\*now\\*\\* \\[link\\](http://x) \\`code\\`" in markdown
    assert "\\*Kick\\* \\<i\\>" in markdown


# --- tracebacks and internal errors ---------------------------------------------------------


def test_a_config_nested_5000_deep_is_one_line_on_every_command(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    for argv in (["history"], ["doctor"], ["prep", "Acme", "-a", str(PREP)]):
        result = run_coach(*argv, env=NOW)
        assert result.code == 2, result.stderr
        assert "nested too deeply" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_items_null_in_a_debrief_is_damaged_not_a_crash(home: Path) -> None:
    saved(home, "debrief", "Acme", "-a", str(DEBRIEF))

    def break_items(data: dict[str, Any]) -> None:
        for answer in data["answers"]:
            if "items" in answer:
                answer["items"] = [[None]]

    edit_record(home, break_items)
    for argv in (["followups"], ["clients"], ["brief", "Acme"], ["done", "x.1"]):
        result = run_coach(*argv, env=NOW)
        assert "Traceback" not in result.stderr
        assert result.code in (5, 7), (argv, result.stderr)
    assert "damaged reflection (an answer that is not an object)" in (
        run_coach("followups", env=NOW).stderr
    )
    prep = run_coach("prep", "Acme", "-a", str(PREP), env=NOW)
    assert prep.code in (0, 7), prep.stderr


def test_non_utf8_bytes_in_arguments_are_refused_in_one_line(home: Path) -> None:
    client = "Soci\udce9t\udce9"  # what Python makes of the bytes Soci\xe9t\xe9
    result = run_coach("prep", client, "-a", str(PREP), env=NOW)
    assert result.code == 2
    assert "U+DCE9" in result.stderr
    title = run_coach("prep", "Acme", "-m", "\udcff", "-a", str(PREP), env=NOW)
    assert title.code == 2
    assert "meeting title" in title.stderr


def test_a_lone_surrogate_in_a_json_answer_is_refused_naming_the_step(
    home: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "a.json"
    answers.write_text('{"goal": "Sign \\ud800 now"}', encoding="utf-8")
    result = run_coach("prep", "Acme", "--quick", "-a", str(answers), env=NOW)
    assert result.code == 4
    assert "goal" in result.stderr
    assert "U+D800" in result.stderr


def test_a_when_nested_3000_deep_is_a_playbook_error(home: Path, tmp_path: Path) -> None:
    source = (REPO / "playbooks" / "prep-quick.toml").read_text(encoding="utf-8")
    deep = "{ not = " * 3000 + '{ answered = "goal" }' + " }" * 3000
    bad = tmp_path / "deep.toml"
    bad.write_text(
        source + f"\n[[steps]]\nid = 'deep'\ntype = 'text'\nprompt = 'x'\nwhen = {deep}\n"
    )
    result = run_coach("prep", "Acme", "-p", str(bad), "-a", str(PREP), env=NOW)
    assert "Traceback" not in result.stderr
    assert result.code == 3, result.stderr
    assert "nested too deeply" in result.stderr


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["review", "--month", "0001-01"], {}),
        (["review", "--month", "9999-12"], {}),
        (["review", "--since", "0001-01-01"], {}),
        (["history", "--since", "9999-12-31"], {}),
        (["history"], {"CLIENTCOACH_NOW": "0001-01-01"}),
        (["prep", "Acme", "--date", "3000-01-01", "-a", str(PREP)], {}),
    ],
)
def test_extreme_dates_are_a_clear_usage_error(
    home: Path, argv: list[str], env: dict[str, str]
) -> None:
    result = run_coach(*argv, env={**NOW, **env})
    assert result.code == 2, result.stderr
    assert "1900 to 2999" in result.stderr


def test_duplicate_keys_in_a_json_answers_file_are_refused(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text('{"goal": "first", "goal": "second"}', encoding="utf-8")
    result = run_coach("prep", "Acme", "--quick", "-a", str(answers), env=NOW)
    assert result.code == 4
    assert "'goal' is given twice" in result.stderr
    assert reflection_files(home) == []


def test_a_sync_conflict_copy_is_shown_once_reported_by_doctor_and_done_marks_both(
    home: Path,
) -> None:
    saved(home, "debrief", "Acme", "-a", str(DEBRIEF))
    (original,) = reflection_files(home)
    copy = original.with_name(original.stem + ".sync-conflict-20261121.json")
    copy.write_bytes(original.read_bytes())
    listed = json.loads(run_coach("followups", "--json", env=NOW).stdout)
    assert len({f["short_id"] for f in listed}) == len(listed)
    doctor = run_coach("doctor", env=NOW)
    assert "Same id" in doctor.stdout
    assert original.name in doctor.stdout
    assert copy.name in doctor.stdout
    done = run_coach("done", listed[0]["short_id"], env=NOW)
    assert done.code == 0, done.stderr
    for path in (original, copy):
        assert '"done": "2026-11-20"' in path.read_text(encoding="utf-8")
    again = json.loads(run_coach("followups", "--json", env=NOW).stdout)
    assert listed[0]["short_id"] not in [f["short_id"] for f in again]


@pytest.mark.parametrize("where", ["/", "~", "/etc", "/usr/lib"])
def test_config_set_data_dir_refuses_the_root_home_and_system_folders(
    home: Path, where: str
) -> None:
    result = run_coach("config", "set", "data_dir", where)
    assert result.code == 2
    assert "system folder" in result.stderr


def test_brief_of_a_misspelt_client_offers_did_you_mean(home: Path) -> None:
    saved(home, "debrief", "Initech Corp", "-a", str(DEBRIEF))
    result = run_coach("brief", "Initek", env=NOW)
    assert result.code == 5
    assert "did you mean Initech Corp?" in result.stderr
    history = run_coach("history", "--client", "Initek", env=NOW)
    assert "did you mean Initech Corp?" in history.stderr
    prep = run_coach("prep", "Initek", "-a", str(PREP), env=NOW)
    assert "Initech Corp" in prep.stderr


def test_a_known_client_typed_without_accents_is_saved_under_the_known_spelling(
    home: Path,
) -> None:
    saved(home, "prep", "Société Générale", "-a", str(PREP))
    record = saved(home, "debrief", "societe generale", "-a", str(DEBRIEF))
    assert record["client"] == "Société Générale"
    assert record["client_typed"] == "societe generale"
    clients = json.loads(run_coach("clients", "--json", env=NOW).stdout)
    assert [c["client"] for c in clients] == ["Société Générale"]


# --- seen by a new user -------------------------------------------------------------------


def _terminal(width: int) -> tuple[Any, Any]:
    from io import StringIO

    from clientcoach.ui.nobreak import NoBreakConsole

    sink = StringIO()
    console = NoBreakConsole(
        file=sink, width=width, force_terminal=True, no_color=True, color_system=None
    )
    return console, sink


@pytest.mark.parametrize("width", [80, 40])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_messages_printed_outside_rich_wrapping_never_break_mid_word(
    width: int, language: str
) -> None:
    from datetime import UTC, date, datetime

    from rich.text import Text

    from clientcoach import i18n
    from clientcoach.i18n import _
    from clientcoach.model.draft import Draft, DraftPlaybook
    from clientcoach.model.reflection import Meeting
    from clientcoach.ui.terminal import TerminalAsker

    i18n.set_language(language)
    console, sink = _terminal(width)
    message = _("No history with {client} yet: this is your first reflection about them.").format(
        client="Société Générale"
    )
    console.print(Text(message), soft_wrap=True)  # as the brief prints it
    lines = sink.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    assert [w for line in lines for w in line.split(" ") if w] == message.split(" ")

    console, sink = _terminal(width)
    draft = Draft(
        id="20261120T090000-abc123",
        kind="prep",
        client="Acme",
        meeting=Meeting(date=date(2026, 11, 20)),
        playbook=DraftPlaybook(id="prep", version="1", language="en"),
        started_at=datetime(2026, 11, 20, tzinfo=UTC),
        updated_at=datetime(2026, 11, 20, tzinfo=UTC),
        app_version="0",
    )
    TerminalAsker(console, read=lambda prompt: "").stopped(draft)
    assert "  coach resume 20261120T090000-abc123" in sink.getvalue().splitlines()


def test_a_draft_that_cannot_be_saved_says_the_answers_so_far_are_kept_and_how_to_resume(
    home: Path,
) -> None:
    from datetime import UTC, date, datetime

    from clientcoach.app import session
    from clientcoach.app.workspace import library
    from clientcoach.core.engine import Run
    from clientcoach.errors import StorageError
    from clientcoach.storage.store import Store

    lib = library(home)
    playbook = lib.get("prep-quick")
    included = lib.resolve(playbook)

    class FullDisk(Store):
        calls = 0

        def save_draft(self, draft: Any) -> Path:
            FullDisk.calls += 1
            if FullDisk.calls > 1:
                raise StorageError("cannot save the draft: No space left on device")
            return super().save_draft(draft)

    class TwoAnswers:
        on_change: Any = None

        def ask(self, run: Any) -> None:
            self.on_change([(("goal",), "Sign")], [])
            self.on_change([(("goal",), "Sign"), (("next_step_target",), "A pilot")], [])

        def review(self, run: Any) -> None: ...

        def stopped(self, draft: Any) -> None: ...

    meta = session.Meta(
        kind="prep",
        client="Acme",
        title=None,
        day=date(2026, 11, 20),
        playbook=playbook,
        included=included,
        prep=None,
        started_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    run = Run(playbook, included, date(2026, 11, 20))
    with pytest.raises(StorageError) as raised:
        session.walk(TwoAnswers(), run, FullDisk(home), meta)  # type: ignore[arg-type]
    (draft,) = (home / "drafts").glob("*.json")
    assert f"kept in draft {draft.stem}" in str(raised.value.hint)
    assert f"coach resume {draft.stem}" in str(raised.value.hint)
    assert '"Sign"' in draft.read_text(encoding="utf-8")
