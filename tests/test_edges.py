"""Edge cases found by review and by trying the tool: each once misbehaved or could."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from clientcoach.core.engine import AnswerError, Run, coerce, parse_date
from clientcoach.errors import DataError, PlaybookError
from clientcoach.model.playbook import Playbook
from clientcoach.storage.playbooks import parse_playbook
from clientcoach.storage.store import Store
from tests.helpers import REPO, reflection_files, run_coach

PREP = REPO / "examples" / "prep-answers.toml"
DEBRIEF = REPO / "examples" / "debrief-answers.toml"
TODAY = date(2026, 11, 27)  # a Friday


def one_step(body: str) -> Playbook:
    head = 'schema = 1\nid = "one"\nkind = "any"\ntitle = "One"\n'
    return parse_playbook(f'{head}[[steps]]\nid = "s"\nprompt = "S?"\n{body}\n', "one.toml")


def saved(home: Path, kind: str) -> list[dict[str, object]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in reflection_files(home)
        if f"_{kind}_" in p.name
    ]


# --- answers ----------------------------------------------------------------------------


def test_a_choice_value_wins_over_a_position() -> None:
    step = one_step('type = "choice"\nchoices = ["0", "1", "2", "3"]').steps[0]
    assert coerce(step, "1", TODAY) == "1"  # type: ignore[arg-type]
    assert coerce(step, "3", TODAY, by_position=False) == "3"  # type: ignore[arg-type]
    other = one_step('type = "choice"\nchoices = ["a", "b"]').steps[0]
    assert coerce(other, "2", TODAY) == "b"  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="not one of"):
        coerce(other, "2", TODAY, by_position=False)  # type: ignore[arg-type]


def test_multichoice_takes_spaces_and_names_the_bad_part() -> None:
    step = one_step('type = "multichoice"\nchoices = ["a", "b", "c"]').steps[0]
    assert coerce(step, "1 3", TODAY) == ["a", "c"]  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="'9' is not one of the choices"):
        coerce(step, "1,9", TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday", date(2026, 12, 4)),
        ("Monday", date(2026, 11, 30)),
        ("-1w", date(2026, 11, 20)),
        ("Vendredi", date(2026, 12, 4)),
        ("mardi", date(2026, 12, 1)),
        ("aujourd'hui", TODAY),
        ("demain", date(2026, 11, 28)),
        ("hier", date(2026, 11, 26)),
        ("+3j", date(2026, 11, 30)),
        ("+2s", date(2026, 12, 11)),
        ("-1 j", date(2026, 11, 26)),
        # Calendar months: a lost deal's next touchpoint is often months away.
        ("+2m", date(2027, 1, 27)),
        ("in 3 months", date(2027, 2, 27)),
        ("dans 2 mois", date(2027, 1, 27)),
        ("in a month", date(2026, 12, 27)),
        ("il y a 1 mois", date(2026, 10, 27)),
        ("2 months ago", date(2026, 9, 27)),
    ],
)
def test_dates_by_weekday_and_relative(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_a_datetime_is_not_a_date() -> None:
    from datetime import datetime

    with pytest.raises(AnswerError, match="without a time"):
        parse_date(datetime(2026, 12, 1, 9, 30), TODAY)


@pytest.mark.parametrize(("raw", "message"), [("1,000", "ambiguous"), (10**400, "too large")])
def test_numbers_that_would_be_guessed_or_overflow(raw: object, message: str) -> None:
    step = one_step('type = "number"').steps[0]
    with pytest.raises(AnswerError, match=message):
        coerce(step, raw, TODAY)  # type: ignore[arg-type]


def test_back_on_the_first_question_keeps_the_info_shown() -> None:
    playbook = parse_playbook(
        'schema = 1\nid = "p"\nkind = "any"\ntitle = "P"\n'
        '[[steps]]\nid = "i"\ntype = "info"\nprompt = "Hello"\n'
        '[[steps]]\nid = "a"\ntype = "text"\nprompt = "A?"\n',
        "p.toml",
    )
    run = Run(playbook, {"p": playbook}, TODAY)
    run.answer(None)
    assert run.back() is False
    run.answer("kept")
    assert run.done
    assert run.records()[0].value == "kept"


def test_progress_stays_bounded_when_a_loop_would_repeat_on_skipped_answers() -> None:
    playbook = parse_playbook(
        'schema = 1\nid = "p"\nkind = "any"\ntitle = "P"\n'
        '[[steps]]\nid = "passes"\ntype = "loop"\nprompt = "x"\nmin_items = 1\n'
        "max_items = 50\n"
        'repeat_while = { not = { step = "ok", equals = true } }\n'
        '  [[steps.steps]]\n  id = "ok"\n  type = "confirm"\n  prompt = "OK?"\n',
        "p.toml",
    )
    run = Run(playbook, {"p": playbook}, TODAY)
    assert run.progress() == (1, 1)


def test_a_loop_with_nothing_to_ask_is_not_offered() -> None:
    playbook = parse_playbook(
        'schema = 1\nid = "p"\nkind = "any"\ntitle = "P"\n'
        '[[steps]]\nid = "tense"\ntype = "confirm"\nprompt = "Tense?"\n'
        '[[steps]]\nid = "more"\ntype = "loop"\nprompt = "Add?"\n'
        '  [[steps.steps]]\n  id = "what"\n  type = "text"\n  prompt = "What?"\n'
        '  when = { step = "tense", equals = true }\n',
        "p.toml",
    )
    run = Run(playbook, {"p": playbook}, TODAY)
    run.answer("n")
    assert run.done


# --- answers files ------------------------------------------------------------------------


def test_answers_that_are_never_asked_are_refused(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    data = json.loads(json.dumps(__import__("tomllib").loads(PREP.read_text())))
    data["need_confirmed"] = True  # so need_check is never asked, yet the file answers it
    answers.write_text(json.dumps(data), encoding="utf-8")
    result = run_coach("prep", "Acme", "--answers", str(answers))
    assert result.code == 4
    assert "never asked for: 'need_check'" in result.stderr
    assert reflection_files(home) == []


def test_null_in_a_json_answers_file_means_skipped(home: Path, tmp_path: Path) -> None:
    data = __import__("tomllib").loads(PREP.read_text())
    data["common_project"] = None
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(data), encoding="utf-8")
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    (record,) = saved(home, "prep")
    step = next(a for a in record["answers"] if a["step"] == "common_project")  # type: ignore[union-attr,index]
    assert step["value"] is None  # type: ignore[index]


def test_huge_numbers_in_answers_files_are_an_answers_error(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text('{"goal": ' + "9" * 5000 + "}", encoding="utf-8")
    result = run_coach("prep", "Acme", "--answers", str(answers))
    assert result.code == 4
    assert "Traceback" not in result.stderr


# --- links between prep and debrief ----------------------------------------------------------


def test_a_client_called_prep_never_links_a_debrief_as_its_prep(home: Path) -> None:
    assert run_coach("debrief", "Prep", "-a", str(DEBRIEF)).code == 0
    assert run_coach("debrief", "Prep", "-a", str(DEBRIEF)).code == 0
    assert [d["links"] for d in saved(home, "debrief")] == [{"prep": None}, {"prep": None}]


def test_an_old_prep_is_not_linked_and_the_title_comes_from_the_prep(home: Path) -> None:
    run_coach("prep", "Acme", "-a", str(PREP), "--date", "2026-01-05", "-m", "Old one")
    run_coach("prep", "Acme", "-a", str(PREP), "--date", "2026-11-20", "-m", "Q4 steering")
    result = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--date", "2026-11-21")
    assert result.code == 0
    assert "Following your prep of 2026-11-20 (Q4 steering)" in result.stderr
    late = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--date", "2026-03-01")
    assert late.code == 0
    debriefs = {d["meeting"]["date"]: d for d in saved(home, "debrief")}  # type: ignore[index]
    preps = {p["meeting"]["date"]: p for p in saved(home, "prep")}  # type: ignore[index]
    assert debriefs["2026-11-21"]["links"] == {"prep": preps["2026-11-20"]["id"]}
    assert debriefs["2026-11-21"]["meeting"]["title"] == "Q4 steering"  # type: ignore[index]
    assert debriefs["2026-03-01"]["links"] == {"prep": None}


def test_a_prep_of_another_client_is_refused(home: Path) -> None:
    run_coach("prep", "Globex", "-a", str(PREP))
    (prep,) = saved(home, "prep")
    result = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--prep", str(prep["id"]))
    assert result.code == 5
    assert "is for 'Globex', not 'Acme'" in result.stderr
    assert saved(home, "debrief") == []


# --- store ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"[" * 100_000, "not valid JSON"), (b'{"schema": true}', "not a version")],
)
def test_deep_or_odd_files_are_damaged_not_crashes(
    home: Path, content: bytes, message: str
) -> None:
    home.mkdir(parents=True)
    path = home / "x.json"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        Store(home).load(path)


# --- command-line citizenship ----------------------------------------------------------------


def test_global_flags_work_after_the_command(home: Path) -> None:
    result = run_coach("prep", "Acme", "-a", str(PREP), "--no-color", "--debug")
    assert result.code == 0, result.stderr


@pytest.mark.e2e  # a real pipe closed by its reader
def test_a_closed_pipe_is_not_an_error(home: Path) -> None:
    proc = subprocess.run(
        f"{sys.executable} -m clientcoach playbooks | head -c 10 > /dev/null",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert "error" not in proc.stderr


def test_playbook_paths_with_brackets_are_shown_as_they_are(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pb[bold]"
    folder.mkdir()
    (folder / "[red]zz.toml").write_text("not = [valid", encoding="utf-8")
    (folder / "mine.toml").write_text(
        'schema = 1\nid = "mine"\nkind = "prep"\ntitle = "[bold]Mine[/bold]"\n'
        '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\n',
        encoding="utf-8",
    )
    result = run_coach("playbooks", env={"CLIENTCOACH_PLAYBOOKS": str(folder)})
    assert result.code == 0, result.stderr
    assert "[bold]Mine[/bold]" in result.stdout
    assert "[red]zz" in result.stdout


def test_whole_numbers_stay_within_what_a_record_is_read_back_with() -> None:
    whole = one_step('type = "number"\ninteger = true').steps[0]
    with pytest.raises(AnswerError, match="too large"):
        coerce(whole, "1e20", TODAY)  # type: ignore[arg-type]
    assert coerce(whole, str(2**62), TODAY) == 2**62  # type: ignore[arg-type]
    free = one_step('type = "number"').steps[0]
    assert coerce(free, "1e20", TODAY) == 1e20  # type: ignore[arg-type]
    assert isinstance(coerce(free, "1e20", TODAY), float)  # type: ignore[arg-type]


def test_a_debrief_dated_in_the_future_is_refused_without_a_terminal(home: Path) -> None:
    now = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}
    result = run_coach("debrief", "Acme", "-a", str(DEBRIEF), "--date", "2027-11-19", env=now)
    assert result.code == 2
    assert "--date 2027-11-19: a debrief is about a meeting that has happened" in result.stderr
    assert "--date today" in result.stderr
    assert saved(home, "debrief") == []
    # A prep is made before the meeting: a later date is what it is for.
    ahead = run_coach("prep", "Acme", "-a", str(PREP), "--date", "next friday", env=now)
    assert ahead.code == 0, ahead.stderr
    assert [p["meeting"]["date"] for p in saved(home, "prep")] == ["2026-11-27"]


def test_a_control_character_deep_in_a_step_is_placed_at_that_step() -> None:
    # The text rule runs over the TOML's data first; where it finds something, the
    # steps are looked at one by one so that the message names the step and its line.
    text = (
        'schema = 1\nid = "one"\nkind = "any"\ntitle = "One"\n'
        '[[steps]]\nid = "first"\ntype = "text"\nprompt = "Fine?"\n'
        '[[steps]]\nid = "second"\ntype = "choice"\nprompt = "Pick"\n'
        'choices = [{value = "a", label = "A\\u0007"}, {value = "b", label = "B"}]\n'
    )
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text, "bell.toml")
    message = str(caught.value)
    assert message.startswith("bell.toml:9: step 'second'.choices[0].label: holds a control")
    assert "(U+0007)" in message
