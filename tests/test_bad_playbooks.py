"""Malformed playbooks, run through the real ``coach prep`` / ``coach debrief``.

Every fixture in ``tests/fixtures/bad_playbooks/`` has one problem, said in its first
comment. Each must end the command with exit code 3 (PLAYBOOK) and exactly one line on
standard error, ``coach: error: ...``, that names the file and the problem (for a TOML
syntax error, as ``file.toml:LINE:``), with no traceback and nothing saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import Result, reflection_files, run_coach

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad_playbooks"
GOOD = FIXTURES / "good_playbooks"
PLAYBOOK_EXIT = 3


@dataclass(frozen=True)
class Case:
    """One malformed playbook and what its error line must say."""

    file: str  # relative to BAD
    expect: str  # a distinctive part of the problem
    line: int | None = None  # for TOML syntax errors: the line in ``file.toml:LINE:``
    command: str = "prep"
    playbooks_dir: str | None = None  # relative to BAD, set as CLIENTCOACH_PLAYBOOKS
    by_id: bool = False  # pass ``--playbook ID`` (the library) instead of the file path


CASES: list[Case] = [
    # TOML syntax errors, each with the line it is on
    Case("toml_unterminated_string.toml", "TOML syntax error", line=10),
    Case("toml_missing_equals.toml", "Expected '='", line=9),
    Case("toml_duplicate_key.toml", "Cannot overwrite a value", line=11),
    Case("toml_bare_word.toml", "Invalid value", line=11),
    Case("toml_inline_table_newline.toml", "TOML syntax error", line=16),
    Case("toml_unclosed_array.toml", "Unclosed array", line=11),
    Case("toml_table_redefined.toml", "Cannot declare ('steps',) twice", line=12),
    # unknown keys
    Case("unknown_key_top.toml", "top level: unknown key 'auther'"),
    Case("unknown_key_step.toml", "step 'goal': unknown key 'hepl'"),
    Case("unknown_key_step_typo_prompt.toml", "unknown key 'promt' (did you mean 'prompt'?)"),
    Case("unknown_key_choice.toml", "choices > item 1: unknown key 'lable'"),
    Case("unknown_key_condition.toml", "when: unknown key 'equal'"),
    # missing keys, types, ids, kind
    Case("missing_prompt.toml", "step 'goal': missing required key 'prompt'"),
    Case("missing_title.toml", "missing required key 'title'"),
    Case("unknown_step_type.toml", "unknown step type 'textarea'"),
    Case("missing_type.toml", "a step needs a 'type'"),
    Case("bad_step_id.toml", "step 'Next-Step' > id: use lowercase letters"),
    Case("bad_playbook_id.toml", "id: use lowercase letters, digits, '-' and '_'"),
    Case("bad_kind.toml", "kind: Input should be 'prep', 'debrief', 'review' or 'any'"),
    # empty or repeated things
    Case("empty_steps.toml", "steps: give at least one step"),
    Case("empty_choices.toml", "choices is empty"),
    Case("duplicate_choice_values.toml", "choices repeat the value(s) ['video']"),
    Case("duplicate_step_id.toml", "duplicate step id 'goal'", line=12),
    Case(
        "duplicate_step_id_in_loop.toml", "step 'actions' > step 'goal': duplicate step id", line=17
    ),
    # conditions
    Case("repeat_while_outer_only.toml", "'repeat_while' reads no step inside the loop"),
    Case("text_default_empty.toml", "default '' does not fit this step: the answer is empty"),
    Case("number_default_not_integer.toml", "default 2.5 does not fit this step: give a whole"),
    Case("unknown_key_rating_labels.toml", "unknown key 'lows' (did you mean 'low'?)"),
    Case("when_unknown_step.toml", "'when' names unknown step 'chanel'"),
    Case("when_later_step.toml", "which comes later"),
    Case("when_names_info_step.toml", "names info step 'reminder', which has no answer"),
    Case("when_names_loop_step.toml", "names loop step 'actions', which has no answer"),
    Case("gte_on_text.toml", "uses gte/lte on 'goal', which is not a rating or number"),
    Case("equals_not_a_choice.toml", "against 'telephone', which is not one of its choices"),
    Case("condition_two_forms.toml", "a condition uses exactly one of all, any, not, or step"),
    Case("condition_empty_all.toml", "'all' and 'any' need at least one condition"),
    Case(
        "repeat_while_unknown.toml",
        "'repeat_while' names unknown step 'calmed'",
        command="debrief",
    ),
    # shapes and defaults
    Case("rating_inverted.toml", "rating bounds are inverted", command="debrief"),
    Case(
        "default_not_a_choice.toml", "default 'email' is not among the choices ['video', 'phone']"
    ),
    Case(
        "rating_default_outside.toml",
        "default 7 does not fit this step: give a whole number from 1 to 5",
    ),
    Case(
        "date_default_bad.toml",
        "default 'next fryday' does not fit this step: 'next fryday' is not a date",
    ),
    Case(
        "multichoice_default_outside.toml", "default ['price', 'budget'] is not among the choices"
    ),
    Case(
        "loop_min_above_max.toml",
        "min_items (5) is above max_items (2)",
        command="debrief",
    ),
    # values of the wrong kind, said in an author's words, not the validator's
    Case("required_quoted.toml", "step 'goal' > required: give true or false, without quotes"),
    Case(
        "when_as_text.toml",
        "step 'worry' > when: give a condition as a table, e.g. "
        '{ step = "channel", equals = "phone" }',
    ),
    Case("number_bound_quoted.toml", "step 'minutes' > min: give a number, without quotes"),
    Case(
        "loop_min_items_float.toml",
        "step 'actions' > min_items: give a whole number, without quotes",
        command="debrief",
    ),
    Case(
        "choices_as_text.toml",
        'step \'channel\' > choices: give a list in square brackets, e.g. ["a", "b"]',
    ),
    # the file as a whole
    Case("schema_too_new.toml", "schema 2 is newer than this clientcoach understands"),
    Case("id_mismatch.toml", "does not match the file name"),
    Case("id_mismatch.toml", "does not match the file name", playbooks_dir=".", by_id=True),
    Case("include_unknown.toml", "step 'troll' includes unknown playbook 'troll-brige'"),
    Case(
        "cycle/cycle-a.toml",
        "include cycle cycle-a -> cycle-b -> cycle-a",
        playbooks_dir="cycle",
    ),
    Case("not_utf8.toml", "not UTF-8 text"),
    Case("empty.toml", "the file is empty"),
    Case("comments_only.toml", "the file is empty"),
]


def _case_id(case: Case) -> str:
    return Path(case.file).stem + ("-by-id" if case.by_id else "")


def _run(case_command: str, ref: str, playbooks_dir: Path | None, *extra: str) -> Result:
    env = {"CLIENTCOACH_PLAYBOOKS": str(playbooks_dir)} if playbooks_dir is not None else None
    return run_coach(case_command, "Acme", "--playbook", ref, *extra, env=env)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_bad_playbook_is_one_clear_line(case: Case, home: Path) -> None:
    path = BAD / case.file
    assert path.is_file(), f"missing fixture {path}"
    folder = BAD / case.playbooks_dir if case.playbooks_dir is not None else None
    result = _run(case.command, path.stem if case.by_id else str(path), folder)

    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.code == PLAYBOOK_EXIT, result.stderr
    message = result.stderr.strip()
    assert message, "nothing on standard error"
    assert "\n" not in message, f"more than one line on standard error:\n{result.stderr}"
    assert message.startswith("coach: error: "), message
    assert f"{path.name}:" in message, f"the line does not name {path.name}: {message}"
    assert case.expect in message, message
    if case.line is not None:
        assert f"{path.name}:{case.line}:" in message, message
    assert result.stdout.strip() == "", result.stdout
    assert not (home / "reflections").exists()
    assert [p for p in home.rglob("*") if p.is_file()] == []


def test_every_bad_fixture_is_in_the_table() -> None:
    on_disk = {p.relative_to(BAD).as_posix() for p in BAD.rglob("*.toml")}
    # cycle-b.toml is reached through cycle-a.toml's include, not run on its own.
    tested = {case.file for case in CASES} | {"cycle/cycle-b.toml"}
    assert on_disk == tested
    assert len(on_disk) >= 25


def test_every_bad_fixture_says_what_is_wrong() -> None:
    for path in sorted(BAD.rglob("*.toml")):
        raw = path.read_bytes()
        if path.name == "empty.toml":
            assert raw == b""
            continue
        assert raw.startswith(b"# "), f"{path.name} has no leading comment"
        assert raw.count(b"\n") <= 20, f"{path.name} is longer than 20 lines"


# --- controls: the same harness passes on valid playbooks -----------------------------

GOOD_ANSWERS = {
    "good-prep.toml": (
        'channel = "phone"\n'
        'dial_in = "+33 1 23 45 67 89"\n'
        "[part]\n"
        "energy = 4\n"
        "[[part.actions]]\n"
        'what = "Send the agenda"\n'
    ),
    "good-part.toml": '[[actions]]\nwhat = "Send the agenda"\n',
}


def test_every_good_fixture_has_answers() -> None:
    assert {p.name for p in GOOD.glob("*.toml")} == set(GOOD_ANSWERS)


@pytest.mark.parametrize("by_id", [False, True], ids=["by-path", "by-id"])
@pytest.mark.parametrize("name", sorted(GOOD_ANSWERS))
def test_good_playbook_runs(name: str, by_id: bool, home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(GOOD_ANSWERS[name], encoding="utf-8")
    path = GOOD / name
    result = _run("prep", path.stem if by_id else str(path), GOOD, "--answers", str(answers))

    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.code == 0, result.stderr
    saved = reflection_files(home)
    assert len(saved) == 1
    assert result.stdout.strip() == str(saved[0])
