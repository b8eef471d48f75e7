"""The commands as a user runs them: files written, values in them, messages, exit codes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import CliRunner

from clientcoach.cli.main import app
from tests.helpers import REPO, reflection_files, run_coach

EXAMPLES = REPO / "examples"
PREP = EXAMPLES / "prep-answers.toml"
DEBRIEF = EXAMPLES / "debrief-answers.toml"


def as_answers_file(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """A saved answer tree in the shape of an answers file, skipped steps left out."""
    out: dict[str, Any] = {}
    for answer in answers:
        if answer["type"] == "loop":
            out[answer["step"]] = [as_answers_file(item) for item in answer["items"]]
        elif answer["type"] == "include":
            out[answer["step"]] = as_answers_file(answer["answers"])
        elif answer.get("value") is not None:
            out[answer["step"]] = answer["value"]
    return out


def load_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def saved(home: Path, kind: str) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in reflection_files(home)
        if f"_{kind}_" in p.name
    ]


def test_scripted_prep_saves_exactly_the_answers(home: Path) -> None:
    result = run_coach("prep", "Acme", "--answers", str(PREP), "--meeting", "Kick-off")
    assert result.code == 0, result.stderr
    files = reflection_files(home)
    assert len(files) == 1
    assert result.stdout.strip() == str(files[0])
    assert "Saved your prep for Acme" in result.stderr
    assert "run: coach debrief Acme" in result.stderr
    (record,) = saved(home, "prep")
    assert record["schema"] == 1
    assert record["kind"] == "prep"
    assert record["client"] == "Acme"
    assert record["meeting"]["title"] == "Kick-off"
    assert record["playbook"] == {"id": "prep", "version": "1.0", "language": "en"}
    assert record["app_version"]
    assert as_answers_file(record["answers"]) == load_toml(PREP)
    knowledge = next(a for a in record["answers"] if a["step"] == "knowledge")
    assert knowledge["role"] == "knowledge"
    assert knowledge["type"] == "rating"
    assert knowledge["prompt"]


def test_scripted_debrief_links_to_the_latest_prep(home: Path) -> None:
    assert run_coach("prep", "Acme", "--answers", str(PREP), "--date", "2026-11-01").code == 0
    assert run_coach("prep", "ACME", "--answers", str(PREP), "--date", "2026-11-20").code == 0
    assert run_coach("prep", "Other", "--answers", str(PREP), "--date", "2026-11-21").code == 0
    result = run_coach("debrief", "acme", "--answers", str(DEBRIEF), "--date", "2026-11-20")
    assert result.code == 0, result.stderr
    preps = {p["meeting"]["date"]: p for p in saved(home, "prep")}
    (debrief,) = saved(home, "debrief")
    assert debrief["links"]["prep"] == preps["2026-11-20"]["id"]
    assert as_answers_file(debrief["answers"]) == load_toml(DEBRIEF)


def test_a_second_debrief_does_not_link_to_a_prep_already_debriefed(home: Path) -> None:
    assert run_coach("prep", "Acme", "--answers", str(PREP), "--date", "2026-11-20").code == 0
    (prep,) = saved(home, "prep")
    first = run_coach("debrief", "Acme", "--answers", str(DEBRIEF), "--date", "2026-11-20")
    assert first.code == 0, first.stderr
    second = run_coach("debrief", "Acme", "--answers", str(DEBRIEF), "--date", "2026-11-22")
    assert second.code == 0, second.stderr
    assert "Following your prep" not in second.stderr
    said = " ".join(second.stderr.split())
    assert "Not linked to your prep of 2026-11-20: a debrief already follows it" in said
    assert f"(to link it anyway: --prep {prep['id']})." in said
    # Said outright, a prep that has a debrief is linked again.
    third = run_coach(
        "debrief", "Acme", "--answers", str(DEBRIEF), "--date", "2026-11-23", "--prep", prep["id"]
    )
    assert third.code == 0, third.stderr
    links = {d["meeting"]["date"]: d["links"]["prep"] for d in saved(home, "debrief")}
    assert links == {"2026-11-20": prep["id"], "2026-11-22": None, "2026-11-23": prep["id"]}


def test_debrief_structure_keeps_loops_and_includes_in_order(home: Path) -> None:
    assert run_coach("debrief", "Acme", "--answers", str(DEBRIEF)).code == 0
    (debrief,) = saved(home, "debrief")
    by_step = {a["step"]: a for a in debrief["answers"]}
    assert debrief["links"]["prep"] is None
    follow = by_step["next_steps"]
    assert follow["role"] == "follow_up"
    assert [[a["value"] for a in item] for item in follow["items"]] == [
        ["Send the pilot plan", "me", "2026-12-01"],
        ["Share the data sample", "client", "2026-11-28"],
    ]
    trolls = by_step["trolls"]["items"]
    assert len(trolls) == 2
    # One compact form per hot moment: the loop steps taken, as one checklist.
    first = {a["step"]: a for a in trolls[0]}
    assert first["loop_steps"]["type"] == "multichoice"
    assert first["loop_steps"]["value"] == ["spot", "pause", "re-aim", "say-little", "check"]
    assert first["passes"]["value"] == 2
    # The five rules of healthy help as one checklist: the rules met.
    rules = by_step["help_rules"]
    assert rules["value"] == ["r2_framed", "r4_half_way", "r5_autonomy"]
    assert len(rules["label"]) == 3
    assert by_step["lost_deal"]["type"] == "include"
    reasons = next(a for a in by_step["lost_deal"]["answers"] if a["step"] == "loss_reasons")
    assert reasons["value"] == ["need-misunderstood", "price-stated-excuse"]
    assert len(reasons["label"]) == 2


def test_prep_option_links_explicitly_or_not_at_all(home: Path) -> None:
    run_coach("prep", "Acme", "--answers", str(PREP), "--date", "2026-11-01")
    run_coach("prep", "Acme", "--answers", str(PREP), "--date", "2026-11-02")
    first = min(saved(home, "prep"), key=lambda p: p["meeting"]["date"])
    # A start of the id names it; both preps may share their first 16 characters (the
    # second they were saved in), so the start given stops one short of the whole id.
    assert run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--prep", first["id"][:-1]).code == 0
    assert run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--prep", "none").code == 0
    links = sorted(str(d["links"]["prep"]) for d in saved(home, "debrief"))
    assert links == sorted([first["id"], "None"])


def test_prep_option_must_name_a_prep(home: Path) -> None:
    run_coach("debrief", "Acme", "-a", str(DEBRIEF))
    (debrief,) = saved(home, "debrief")
    result = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--prep", debrief["id"])
    assert result.code == 5
    assert "not a prep" in result.stderr
    unknown = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--prep", "1999")
    assert unknown.code == 5
    assert "no reflection with id" in unknown.stderr
    assert len(reflection_files(home)) == 1


def test_date_backdates_and_rejects_nonsense(home: Path) -> None:
    assert run_coach("prep", "Acme", "-a", str(PREP), "--date", "2026-10-31").code == 0
    (record,) = saved(home, "prep")
    assert record["meeting"]["date"] == "2026-10-31"
    assert reflection_files(home)[0].parent.name == "2026-10"
    bad = run_coach("prep", "Acme", "-a", str(PREP), "--date", "someday")
    assert bad.code == 2
    assert bad.stderr.count("\n") == 1
    assert "--date" in bad.stderr
    assert len(reflection_files(home)) == 1


def test_without_terminal_or_answers_it_stops_at_once_and_writes_nothing(home: Path) -> None:
    result = run_coach("prep", "Acme")  # standard input is not a terminal
    assert result.code == 4
    assert "not a terminal" in result.stderr
    assert "'goal'" in result.stderr
    assert "--answers" in result.stderr
    assert result.stdout == ""
    assert not home.exists() or reflection_files(home) == []


def test_without_terminal_a_missing_client_is_a_usage_error(home: Path) -> None:
    result = run_coach("prep", "--answers", str(PREP))
    assert result.code == 2
    assert "no client given" in result.stderr
    assert reflection_files(home) == []


@pytest.mark.parametrize(
    ("content", "suffix", "code", "needle"),
    [
        ('PREP:{"goel": "x"}', ".json", 4, "did you mean 'goal'"),
        ('PREP:{"knowledge": 9}', ".json", 4, "step 'knowledge': give a whole number from 1"),
        (
            'PREP:{"channel": "fax"}',
            ".json",
            4,
            "step 'channel': 'fax' is not one of: in-person, video",
        ),
        ("goal = \n", ".toml", 4, "TOML syntax error"),
        ('{"goal": ', ".json", 4, "JSON syntax error"),
        ("[1, 2]", ".json", 4, "maps step ids"),
        ('PREP:{"trolls_intro": "x"}', ".json", 4, "info step"),
        (
            'PREP:{"help_offered": true, "healthy_help": {"help_what": "W", "r1_asked": "x", '
            '"r2_framed": true, "r3_counterpart": true, "r4_half_way": true, '
            '"r5_autonomy": true}}',
            ".json",
            4,
            "healthy_help",
        ),
    ],
)
def test_bad_answers_files_give_one_line_and_write_nothing(
    home: Path, tmp_path: Path, content: str, suffix: str, code: int, needle: str
) -> None:
    answers = tmp_path / f"answers{suffix}"
    if content.startswith("PREP:"):
        # a complete prep with one answer changed, so that answer is the first problem
        content = json.dumps(load_toml(PREP) | json.loads(content.removeprefix("PREP:")))
    answers.write_text(content, encoding="utf-8")
    result = run_coach("prep", "Acme", "--answers", str(answers))
    assert result.code == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("coach: error:")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert reflection_files(home) == []


def test_every_missing_answer_is_named_in_one_run(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('goal = "x"\nknowledge = "high"\n', encoding="utf-8")
    result = run_coach("prep", "Acme", "--answers", str(answers))
    assert result.code == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    missing = [line for line in lines if "no answer for required step" in line]
    # Every required step of the prep but the goal, and the bad rating beside them.
    required = [k for k in load_toml(PREP) if k not in ("goal", "knowledge")]
    assert len(missing) >= 10
    assert {line.split("'")[1] for line in missing} <= set(required)
    assert any("step 'knowledge': give a whole number" in line for line in lines)
    assert lines[0].endswith(f"{len(missing) + 1} problems in the answers file:")
    assert lines[-1] == "Add the missing answers to the file."
    assert reflection_files(home) == []


def test_a_french_list_of_problems_names_the_file_once(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('goal = "x"\nknowledge = "high"\n', encoding="utf-8")
    result = run_coach("--lang", "fr", "prep", "Acme", "--answers", str(answers))
    assert result.code == 4, result.stderr
    heading, *items = result.stderr.strip().splitlines()
    assert str(answers) in heading
    assert len(items) > 2
    assert not any(str(answers) in line for line in items), result.stderr


def test_missing_answers_file(home: Path) -> None:
    result = run_coach("prep", "Acme", "--answers", "/nonexistent/a.toml")
    assert result.code == 4
    assert "cannot read answers file" in result.stderr


def test_json_answers_work_too(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(load_toml(PREP)), encoding="utf-8")
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == load_toml(PREP)


def test_playbooks_lists_builtins_and_user_overrides(home: Path) -> None:
    result = run_coach("playbooks")
    assert result.code == 0, result.stderr
    for playbook_id, kind in [
        ("prep", "prep"),
        ("debrief", "debrief"),
        ("troll-bridge", "any"),
        ("healthy-help", "any"),
        ("lost-deal", "any"),
    ]:
        line = next(line for line in result.stdout.splitlines() if line.startswith(playbook_id))
        assert kind in line
        assert "built-in" in line
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "prep.toml").write_text(
        'schema = 1\nid = "prep"\nkind = "prep"\ntitle = "My own prep"\n'
        '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\n',
        encoding="utf-8",
    )
    (mine / "broken.toml").write_text("this is = not toml =", encoding="utf-8")
    listed = run_coach("playbooks", "list")
    assert listed.code == 0, listed.stderr
    prep_line = next(line for line in listed.stdout.splitlines() if line.startswith("prep"))
    assert "My own prep" in prep_line
    assert "overrides built-in" in prep_line
    broken_line = next(line for line in listed.stdout.splitlines() if line.startswith("broken"))
    assert "invalid" in broken_line
    answers = home.parent / "mine.toml"
    answers.write_text('goal = "Mine"\n', encoding="utf-8")
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    (record,) = saved(home, "prep")
    assert record["answers"][0]["value"] == "Mine"


def test_playbook_kind_and_unknown_id(home: Path) -> None:
    wrong = run_coach("prep", "Acme", "--playbook", "debrief", "-a", str(DEBRIEF))
    assert wrong.code == 2
    assert "is a debrief playbook" in wrong.stderr
    unknown = run_coach("prep", "Acme", "--playbook", "nope")
    assert unknown.code == 3
    assert "no playbook with id 'nope'" in unknown.stderr
    assert reflection_files(home) == []


def test_included_playbook_runs_on_its_own(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "help.toml"
    answers.write_text(
        'help_what = "Free workshop"\nr1_asked = true\nr2_framed = true\n'
        "r3_counterpart = true\nr4_half_way = true\nr5_autonomy = true\n",
        encoding="utf-8",
    )
    result = run_coach("debrief", "Acme", "--playbook", "healthy-help", "-a", str(answers))
    assert result.code == 0, result.stderr
    (record,) = saved(home, "debrief")
    assert record["playbook"]["id"] == "healthy-help"


def test_version_and_help() -> None:
    version = run_coach("--version")
    assert version.code == 0
    assert version.stdout.strip() == "coach (clientcoach) 0.1.0"
    for args in (["--help"], ["prep", "--help"], ["debrief", "--help"], ["playbooks", "--help"]):
        shown = run_coach(*args)
        assert shown.code == 0
        assert "Usage:" in shown.stdout
    assert "--answers" in run_coach("prep", "--help").stdout
    assert "--prep" in run_coach("debrief", "--help").stdout


def test_help_is_the_same_whatever_ran_before_in_the_same_process() -> None:
    """main() builds its command once per language and reuses it: a French run, a
    narrow terminal or a shell named for completion never shows in a later run."""
    wide = run_coach("prep", "--help", env={"COLUMNS": "100"}).stdout
    french = run_coach("--lang", "fr", "prep", "--help").stdout
    assert run_coach("--show-completion", "zsh").stdout.startswith("#compdef coach")
    narrow = run_coach("prep", "--help", env={"COLUMNS": "50"}).stdout
    assert max(map(len, narrow.splitlines())) <= 50 < max(map(len, wide.splitlines()))
    assert run_coach("prep", "--help", env={"COLUMNS": "100"}).stdout == wide
    assert "Usage: coach prep" in wide
    assert "Utilisation" not in wide
    assert run_coach("--lang", "fr", "prep", "--help").stdout == french
    assert "Utilisation\u00a0: coach prep" in french
    assert run_coach("--show-completion", "bash").stdout.lstrip().startswith("_coach_completion")


def test_unknown_option_is_a_usage_error() -> None:
    result = run_coach("prep", "Acme", "--colour")
    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_client_names_with_control_characters_are_refused(home: Path) -> None:
    result = run_coach("prep", "Ac\x1bme", "-a", str(PREP))
    assert result.code == 2
    assert "client name holds a control" in result.stderr
    assert reflection_files(home) == []


def test_data_dir_that_cannot_be_written(home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_coach("prep", "Acme", "-a", str(PREP), env={"CLIENTCOACH_HOME": str(blocker)})
    assert result.code == 6
    assert "Traceback" not in result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# --- the interactive asker through CliRunner -----------------------------------------


def test_cli_runner_drives_the_terminal_asker(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "short.toml").write_text(
        'schema = 1\nid = "short"\nkind = "prep"\ntitle = "Short"\n'
        '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\nhelp = "One line."\n'
        '[[steps]]\nid = "score"\ntype = "rating"\nprompt = "Score?"\n'
        '[[steps]]\nid = "owner"\ntype = "choice"\nprompt = "Owner?"\n'
        'choices = ["me", "client"]\n'
        '[[steps]]\nid = "notes"\ntype = "list"\nprompt = "Notes?"\nrequired = false\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)
    keys = "\n".join(["?", "First goal", "<", "Second goal", "7", "4", "2", "a", "b", "", ""])
    result = CliRunner().invoke(app, ["prep", "Acme", "--playbook", "short"], input=keys + "\n")
    assert result.exit_code == 0, result.output
    assert "One line." in result.stderr
    assert "Back one step." in result.stderr
    assert "give a whole number from 1 to 5" in result.stderr
    assert "Step 2 of about" in result.stderr
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {
        "goal": "Second goal",
        "score": 4,
        "owner": "client",
        "notes": ["a", "b"],
    }


def test_cli_runner_end_of_input_keeps_a_draft(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)
    result = CliRunner().invoke(app, ["prep", "Acme"], input="My goal\n")
    assert result.exit_code == 130
    assert "coach resume " in result.stderr
    assert reflection_files(home) == []
    (draft,) = (home / "drafts").glob("*.json")
    answers = json.loads(draft.read_text(encoding="utf-8"))["answers"]
    assert answers == [{"at": ["goal"], "value": "My goal"}]


HALFWAY = (
    'schema = 1\nid = "halfway"\nkind = "prep"\ntitle = "Halfway"\n'
    '[[steps]]\nid = "notes"\ntype = "list"\nprompt = "Notes?"\nrequired = false\n'
    '[[steps]]\nid = "score"\ntype = "rating"\nprompt = "Score?"\n'
)


def own_playbook(home: Path, playbook_id: str, text: str) -> None:
    """A playbook of the user's own, in the data directory."""
    mine = home / "playbooks"
    mine.mkdir(parents=True, exist_ok=True)
    (mine / f"{playbook_id}.toml").write_text(text, encoding="utf-8")


def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)


@pytest.mark.parametrize("first", ["", "My goal\n"], ids=["list-first", "after-an-answer"])
def test_a_list_stopped_halfway_goes_on_from_its_lines_on_resume(
    home: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    playbook = HALFWAY
    if first:
        playbook = playbook.replace(
            "[[steps]]\n", '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\n[[steps]]\n', 1
        )
    own_playbook(home, "halfway", playbook)
    at_a_terminal(monkeypatch)

    stopped = CliRunner().invoke(
        app, ["prep", "Acme", "--playbook", "halfway"], input=f"{first}first\nsecond\n"
    )
    assert stopped.exit_code == 130, stopped.output
    assert "The lines you were typing are kept" in stopped.stderr
    (draft_file,) = (home / "drafts").glob("*.json")
    draft = json.loads(draft_file.read_text(encoding="utf-8"))
    # Not an answer: the step was not finished, so a resume asks it again.
    assert [a["at"] for a in draft["answers"]] == ([["goal"]] if first else [])
    assert draft["remembered"] == [{"at": ["notes"], "value": ["first", "second"], "halfway": True}]

    resumed = CliRunner().invoke(app, ["resume"], input="third\n\n4\n\n")
    assert resumed.exit_code == 0, resumed.output
    assert "You were typing these lines when you stopped" in resumed.stderr
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {
        **({"goal": "My goal"} if first else {}),
        "notes": ["first", "second", "third"],
        "score": 4,
    }
    assert not list((home / "drafts").glob("*.json"))


def test_a_list_stopped_halfway_can_be_started_again_on_resume(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="first\nsecond\n")

    resumed = CliRunner().invoke(app, ["resume"], input="<\nonly\n\n4\n\n")
    assert resumed.exit_code == 0, resumed.output
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {"notes": ["only"], "score": 4}


def test_a_new_run_names_the_unfinished_draft_of_the_same_kind_and_client(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started again rather than resumed, a prep or debrief would be recorded twice."""
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    stopped = CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="a\n\n")
    assert stopped.exit_code == 130, stopped.output
    (draft_file,) = (home / "drafts").glob("*.json")

    again = CliRunner().invoke(app, ["prep", "acme", "--playbook", "halfway"], input="")
    assert again.exit_code == 130
    said = " ".join(again.stderr.split())
    draft = json.loads(draft_file.read_text(encoding="utf-8"))
    assert (
        f"You have an unfinished prep for Acme: the meeting of {draft['meeting']['date']}, "
        f"with the halfway playbook (draft {draft_file.stem}"
    ) in said
    assert "Continue it instead? [Y/n]" in said
    for other in (["prep", "Globex"], ["debrief", "Acme", "--prep", "none"]):
        elsewhere = CliRunner().invoke(app, [*other, "--playbook", "halfway"], input="")
        assert "unfinished" not in elsewhere.stderr, other


def test_enter_goes_on_with_the_waiting_draft_and_n_starts_anew(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="a\n\n")
    # Enter: the draft goes on where it stopped (its list kept), and is saved once.
    went_on = CliRunner().invoke(
        app, ["prep", "Acme", "--playbook", "halfway"], input="\n\n\n4\n\n"
    )
    assert went_on.exit_code == 0, went_on.output
    assert "Resuming your prep for Acme" in went_on.stderr
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {"notes": ["a"], "score": 4}
    assert list((home / "drafts").glob("*.json")) == []
    # n: a new run, the waiting draft left as it is.
    CliRunner().invoke(app, ["prep", "Globex", "--playbook", "halfway"], input="b\n\n")
    anew = CliRunner().invoke(app, ["prep", "Globex", "--playbook", "halfway"], input="n\n\n5\n\n")
    assert anew.exit_code == 0, anew.output
    assert "Resuming" not in anew.stderr
    assert len(list((home / "drafts").glob("*.json"))) == 1
    assert [r["client"] for r in saved(home, "prep")] == ["Acme", "Globex"]


def test_a_resume_says_when_the_same_meeting_was_recorded_since(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="a\n\n")
    (draft_file,) = (home / "drafts").glob("*.json")
    assert CliRunner().invoke(app, ["resume"], input="").exit_code == 130
    ok = CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="n\n\n4\n\n")
    assert ok.exit_code == 0, ok.output
    (record,) = saved(home, "prep")

    resumed = CliRunner().invoke(app, ["resume"], input="")
    said = " ".join(resumed.stderr.split())
    assert f"A prep for Acme on {record['meeting']['date']} was saved after this draft" in said
    assert f"coach drafts discard {draft_file.stem}" in said


MISTAKES = (
    'schema = 1\nid = "slips"\nkind = "debrief"\ntitle = "Slips"\n'
    '[[steps]]\nid = "slip"\ntype = "text"\nprompt = "A mistake?"\nrole = "mistake"\n'
    '[[steps]]\nid = "score"\ntype = "rating"\nprompt = "Score?"\n'
)


def _slipped_once(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """One debrief saved with a mistake on 24 November; the next day, at a terminal."""
    own_playbook(home, "slips", MISTAKES)
    answers = tmp_path / "first.toml"
    answers.write_text('slip = "Talked over them"\nscore = 3\n', encoding="utf-8")
    env = {"CLIENTCOACH_NOW": "2026-11-24T09:30:00+01:00"}
    first = run_coach(
        "debrief", "Acme", "--playbook", "slips", "-a", str(answers), "--prep", "none", env=env
    )
    assert first.code == 0, first.stderr
    (earlier,) = saved(home, "debrief")
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-25T09:30:00+01:00")
    return earlier


def test_a_stop_at_the_repeat_question_keeps_the_answer_just_typed(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _slipped_once(home, monkeypatch, tmp_path)
    # The input ends at "Is it a repeat of one of these?", as Ctrl-C or a closed
    # terminal would end it there.
    stopped = CliRunner().invoke(
        app,
        ["debrief", "Acme", "--playbook", "slips", "--prep", "none"],
        input="Rushed the close\n",
    )
    assert stopped.exit_code == 130, stopped.output
    assert "Is it a repeat of one of these earlier ones?" in stopped.output
    (draft_file,) = (home / "drafts").glob("*.json")
    (kept,) = json.loads(draft_file.read_text(encoding="utf-8"))["answers"]
    assert kept["value"] == "Rushed the close"


def test_a_mistake_linked_as_a_repeat_keeps_its_link_through_a_resume(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    earlier = _slipped_once(home, monkeypatch, tmp_path)

    stopped = CliRunner().invoke(
        app,
        ["debrief", "Acme", "--playbook", "slips", "--prep", "none"],
        input="Talked over them again\n1\n",
    )
    assert stopped.exit_code == 130, stopped.output
    assert "Linked as a repeat." in stopped.stderr
    (draft_file,) = (home / "drafts").glob("*.json")
    link = {"reflection": earlier["id"], "text": "Talked over them", "client": "Acme"}
    link["day"] = "2026-11-24"
    (slip_kept,) = json.loads(draft_file.read_text(encoding="utf-8"))["answers"]
    assert slip_kept["repeat_of"] == link
    # Resumed, one more answer, stopped again: the draft written anew keeps the link.
    assert CliRunner().invoke(app, ["resume"], input="4\n").exit_code == 130
    slip_kept, score = json.loads(draft_file.read_text(encoding="utf-8"))["answers"]
    assert (slip_kept["repeat_of"], score) == (link, {"at": ["score"], "value": 4})
    resumed = CliRunner().invoke(app, ["resume"], input="\n")
    assert resumed.exit_code == 0, resumed.output
    (record,) = [r for r in saved(home, "debrief") if r["id"] != earlier["id"]]
    (slip,) = [a for a in record["answers"] if a["step"] == "slip"]
    assert slip["value"] == "Talked over them again"
    assert slip["repeat_of"] == {"reflection": earlier["id"], "text": "Talked over them"}


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        (["prep"], "Usage: coach prep [OPTIONS] [CLIENT]"),
        (["brief"], "Usage: coach brief [OPTIONS] {CLIENT}"),
        (["done"], "Usage: coach done [OPTIONS] {ID}"),
        (["show"], "Usage: coach show [OPTIONS] {ID}"),
        (["resume"], "Usage: coach resume [OPTIONS] [ID]"),
        (["config", "set"], "Usage: coach config set [OPTIONS] {KEY} {VALUE}"),
    ],
)
def test_usage_lines_name_arguments_as_users_type_them(command: list[str], usage: str) -> None:
    assert run_coach(*command, "--help").stdout.splitlines()[0] == usage


# --- found in review of the layered command line ---------------------------------------


def test_an_empty_date_means_today(home: Path) -> None:
    result = run_coach(
        "prep", "Acme", "--answers", str(PREP), "--date", "", env={"CLIENTCOACH_NOW": "2026-11-24"}
    )
    assert result.code == 0, result.stderr
    saved = json.loads(reflection_files(home)[0].read_text(encoding="utf-8"))
    assert saved["meeting"]["date"] == "2026-11-24"


def test_history_names_a_bad_kind_before_a_bad_day(home: Path) -> None:
    result = run_coach("history", "--kind", "bogus", "--since", "nonsense")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "coach: error: --kind 'bogus' is not a kind (use one of: prep, debrief, review)"
    ]


def test_ctrl_c_at_a_confirmation_is_a_stop_not_a_bug(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    from clientcoach.app.session import Meta, new_draft
    from clientcoach.storage.store import Store

    Store(home).save_draft(new_draft(_meta(Meta)))
    monkeypatch.setattr("clientcoach.ui.console.is_terminal", lambda: True)

    def interrupted(*_args: object, **_kwargs: object) -> bool:
        raise typer.Abort()

    monkeypatch.setattr(typer, "confirm", interrupted)
    draft_id = Store(home).scan_drafts()[0][0][1].id
    result = run_coach("drafts", "discard", draft_id)
    assert result.code == 130, result.stderr
    assert "unexpected" not in result.stderr
    assert Store(home).scan_drafts()[0]  # the draft is still there


def _meta(meta: Any) -> Any:
    from datetime import UTC, date, datetime

    from clientcoach.storage.playbooks import Library

    playbook = Library([]).get("prep")
    return meta(
        kind="prep",
        client="Acme",
        title=None,
        day=date(2026, 11, 24),
        playbook=playbook,
        included={playbook.id: playbook},
        prep=None,
        started_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )


def test_new_client_skips_the_question_of_which_known_client_was_meant(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_coach("prep", "Initech Corp", "--answers", str(PREP)).code == 0
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    asked = CliRunner().invoke(app, ["prep", "initech", "--playbook", "halfway"], input="")
    assert "Did you mean one of these?" in asked.stderr
    new = ["prep", "initech", "--playbook", "halfway", "--new-client"]
    result = CliRunner().invoke(app, new, input="\n4\n\n")
    assert result.exit_code == 0, result.output
    assert "Did you mean" not in result.stderr
    assert sorted(r["client"] for r in saved(home, "prep")) == ["Initech Corp", "initech"]


def test_files_saved_with_a_byte_order_mark_are_read(home: Path, tmp_path: Path) -> None:
    """Windows Notepad starts UTF-8 files with a byte-order mark; TOML refused it as an
    "Invalid statement" at 1:1, JSON as an unexpected character."""
    bom = b"\xef\xbb\xbf"
    answers = tmp_path / "answers.toml"
    answers.write_bytes(bom + PREP.read_bytes())
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    as_json = tmp_path / "answers.json"
    as_json.write_bytes(bom + json.dumps(load_toml(PREP)).encode("utf-8"))
    assert run_coach("prep", "Globex", "--answers", str(as_json)).code == 0
    own_playbook(home, "halfway", HALFWAY)
    mine = home / "playbooks" / "halfway.toml"
    mine.write_bytes(bom + mine.read_bytes())
    checked = run_coach("playbooks", "check", str(mine))
    assert checked.code == 0, checked.stdout + checked.stderr
    scripted = tmp_path / "halfway.toml"
    scripted.write_text("notes = ['a']\nscore = 3\n", encoding="utf-8")
    assert run_coach("prep", "Acme", "-p", "halfway", "--answers", str(scripted)).code == 0
    config = tmp_path / "config.toml"
    config.write_bytes(bom + b'language = "fr"\n')
    shown = run_coach("config", "get", "language", env={"CLIENTCOACH_CONFIG": str(config)})
    assert (shown.code, shown.stdout.strip()) == (0, "fr"), shown.stderr


def test_resume_on_a_terminal_asks_which_draft_when_there_are_several(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    for client in ("Acme", "Globex"):
        stopped = CliRunner().invoke(app, ["prep", client, "--playbook", "halfway"], input="a\n\n")
        assert stopped.exit_code == 130, stopped.output
    none = CliRunner().invoke(app, ["resume"], input="\n")
    assert none.exit_code == 0
    assert "Which draft do you want to continue?" in none.stderr
    # Each draft says how far it got: two of one meeting are told apart.
    assert none.stderr.count("· 1 answer ·") == 2, none.stderr
    assert len(list((home / "drafts").glob("*.json"))) == 2
    asked = CliRunner().invoke(app, ["resume"], input="3\n2\n4\n\n")
    assert asked.exit_code == 0, asked.output
    assert "Type a number from 1 to 2, or Enter." in asked.stderr
    assert "Resuming your prep for Acme" in asked.stderr  # newest first: Globex is 1
    assert [r["client"] for r in saved(home, "prep")] == ["Acme"]
    assert len(list((home / "drafts").glob("*.json"))) == 1


def test_lines_kept_halfway_that_no_longer_fit_the_step_are_asked_again(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step became a one-line text since the stop: the kept lines are dropped with a
    word, and the step asked afresh (Enter crashed on them)."""
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="first\nsecond\n")
    own_playbook(home, "halfway", HALFWAY.replace('type = "list"', 'type = "text"'))
    resumed = CliRunner().invoke(app, ["resume"], input="One line\n4\n\n")
    assert resumed.exit_code == 0, resumed.output
    assert "no longer fits" in resumed.stderr
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {"notes": "One line", "score": 4}


def test_picking_one_of_several_drafts_still_names_a_damaged_one(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    for client in ("Acme", "Globex"):
        CliRunner().invoke(app, ["prep", client, "--playbook", "halfway"], input="a\n\n")
    (home / "drafts" / "20261101T090000-broken.json").write_text("{", encoding="utf-8")
    picked = CliRunner().invoke(app, ["resume"], input="1\n")
    assert "20261101T090000-broken.json" in picked.stderr


THREE = (
    'schema = 1\nid = "three"\nkind = "prep"\ntitle = "Three"\n'
    '[[steps]]\nid = "a"\ntype = "text"\nprompt = "A?"\n'
    '[[steps]]\nid = "b"\ntype = "text"\nprompt = "B?"\n'
    '[[steps]]\nid = "c"\ntype = "text"\nprompt = "C?"\n'
)


def test_a_stop_after_going_back_counts_the_answers_it_keeps(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "three", THREE)
    at_a_terminal(monkeypatch)
    # Two answers, back to the first step, then the input ends.
    stopped = CliRunner().invoke(app, ["prep", "Acme", "-p", "three"], input="one\ntwo\n<\n<\n")
    assert stopped.exit_code == 130, stopped.output
    assert "Your 2 answers so far are kept" in stopped.stderr
    listed = CliRunner().invoke(app, ["drafts", "--json"])
    (draft,) = json.loads(listed.stdout)["drafts"]
    assert draft["answers"] == 2
    # Both come back as the resume's defaults: Enter keeps each.
    resumed = CliRunner().invoke(app, ["resume"], input="\n\nthree\n\n")
    assert resumed.exit_code == 0, resumed.output
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {"a": "one", "b": "two", "c": "three"}


def test_steps_asked_only_because_of_a_stand_in_are_not_called_missing(
    home: Path, tmp_path: Path
) -> None:
    # Someone who would rate the openness 5: the steps a low rating opens are not theirs.
    data = load_toml(REPO / "examples" / "debrief-answers.toml")
    for key in ("authenticity", "asked_impressions", "client_as_person"):
        del data[key]
    answers = tmp_path / "debrief.toml"
    answers.write_text(tomli_w.dumps(data), encoding="utf-8")
    result = run_coach("debrief", "Acme", "--full", "--prep", "none", "--answers", str(answers))
    assert result.code == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "no answer for required step 'authenticity'" in lines[0]


def test_a_draft_of_another_day_is_offered_but_not_taken_by_enter(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-20T17:00")
    args = ["prep", "Acme", "--playbook", "halfway"]
    CliRunner().invoke(app, [*args, "--date", "2026-11-13"], input="a\n\n")
    today = CliRunner().invoke(app, args, input="\n\n4\n\n")  # Enter: a new run
    assert today.exit_code == 0, today.output
    assert "Continue it instead? [y/N]" in today.stderr
    assert "Resuming" not in today.stderr
    (record,) = saved(home, "prep")
    assert record["meeting"]["date"] == "2026-11-20"
    assert len(list((home / "drafts").glob("*.json"))) == 1  # the other day's, kept


def test_a_draft_of_another_playbook_is_not_taken_by_enter(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    own_playbook(home, "other", HALFWAY.replace('id = "halfway"', 'id = "other"'))
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", "halfway"], input="a\n\n")
    other = CliRunner().invoke(app, ["prep", "Acme", "--playbook", "other"], input="\n\n4\n\n")
    assert other.exit_code == 0, other.output
    assert "Continue it instead? [y/N]" in other.stderr
    (record,) = saved(home, "prep")
    assert record["playbook"]["id"] == "other"


def test_a_title_given_to_the_new_run_is_not_silently_dropped(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    args = ["prep", "Acme", "--playbook", "halfway"]
    CliRunner().invoke(app, args, input="a\n\n")
    titled = CliRunner().invoke(app, [*args, "--meeting", "Kick-off"], input="y\n\n\n4\n\n")
    assert titled.exit_code == 0, titled.output
    said = " ".join(titled.stderr.split())
    assert "Continue it instead? [y/N]" in said  # not the default: the title would be lost
    assert "The draft goes on as it was started" in said
    (record,) = saved(home, "prep")
    assert record["meeting"]["title"] is None


def test_of_several_drafts_the_one_of_this_meeting_is_offered(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_playbook(home, "halfway", HALFWAY)
    at_a_terminal(monkeypatch)
    args = ["prep", "Acme", "--playbook", "halfway"]
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-20T09:00")
    CliRunner().invoke(app, args, input="today\n\n")
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-20T10:00")
    CliRunner().invoke(app, [*args, "--date", "2026-11-27"], input="n\nlater\n\n")
    monkeypatch.setenv("CLIENTCOACH_NOW", "2026-11-20T17:00")
    again = CliRunner().invoke(app, args, input="\n\n4\n\n")
    assert again.exit_code == 0, again.output
    said = " ".join(again.stderr.split())
    assert "the meeting of 2026-11-20" in said
    assert "Continue it instead? [Y/n]" in said
    (record,) = saved(home, "prep")
    assert as_answers_file(record["answers"]) == {"notes": ["today"], "score": 4}


def test_a_draft_of_a_playbook_file_is_not_taken_for_the_built_in_one(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "prep.toml"
    mine.write_text(HALFWAY.replace('id = "halfway"', 'id = "prep"'), encoding="utf-8")
    at_a_terminal(monkeypatch)
    CliRunner().invoke(app, ["prep", "Acme", "--playbook", str(mine)], input="a\n\n")
    built_in = CliRunner().invoke(app, ["prep", "Acme"], input="")
    assert "Continue it instead? [y/N]" in built_in.stderr
