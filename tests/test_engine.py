"""The engine as a pure state machine: order, conditions, loops, includes, back, validation."""

from __future__ import annotations

from datetime import date

import pytest

from clientcoach.core.engine import AnswerError, Run, coerce
from clientcoach.model.playbook import Playbook
from clientcoach.storage.playbooks import parse_playbook

TODAY = date(2026, 11, 24)

MAIN = """
schema = 1
id = "main"
kind = "debrief"
title = "Main"

[[steps]]
id = "intro"
type = "info"
prompt = "Read me."

[[steps]]
id = "agreed"
type = "confirm"
prompt = "Agreed?"
role = "next_steps_agreed"

[[steps]]
id = "actions"
type = "loop"
prompt = "Add a next step?"
item = "Next step"
role = "follow_up"
when = { step = "agreed", equals = true }
  [[steps.steps]]
  id = "what"
  type = "text"
  prompt = "What?"
  [[steps.steps]]
  id = "owner"
  type = "choice"
  prompt = "Who?"
  choices = ["me", "client", "both"]
  [[steps.steps]]
  id = "due"
  type = "date"
  prompt = "When?"
  required = false

[[steps]]
id = "energy"
type = "rating"
prompt = "Energy?"
min = -2
max = 2

[[steps]]
id = "low_energy_why"
type = "text"
prompt = "Why so low?"
required = false
when = { all = [{ step = "energy", lte = -1 }, { not = { step = "agreed", equals = true } }] }

[[steps]]
id = "helped"
type = "confirm"
prompt = "Helped?"

[[steps]]
id = "help"
type = "include"
playbook = "help"
when = { step = "helped", equals = true }
"""

HELP = """
schema = 1
id = "help"
kind = "any"
title = "Help"

[[steps]]
id = "r1"
type = "confirm"
prompt = "Asked?"
role = "help_rule"

[[steps]]
id = "r1_follow"
type = "text"
prompt = "Who voiced it?"
required = false
when = { step = "r1", equals = false }
"""

PASSES = """
schema = 1
id = "passes"
kind = "any"
title = "Passes"

[[steps]]
id = "passes"
type = "loop"
prompt = "unused"
min_items = 1
max_items = 3
repeat_while = { step = "calm", equals = false }
  [[steps.steps]]
  id = "calm"
  type = "confirm"
  prompt = "Calm back?"
"""


def make_run(text: str = MAIN) -> Run:
    main = parse_playbook(text, "main.toml")
    helper = parse_playbook(HELP, "help.toml")
    library: dict[str, Playbook] = {main.id: main, helper.id: helper}
    return Run(main, library, TODAY)


def path_of(run: Run) -> str:
    question = run.current()
    assert question is not None
    return question.path


def test_info_first_then_questions_in_order() -> None:
    run = make_run()
    question = run.current()
    assert question is not None
    assert question.kind == "info"
    run.answer(None)
    assert path_of(run) == "agreed"


def test_loop_items_and_condition_skip_and_include() -> None:
    run = make_run()
    run.answer(None)
    run.answer("y")
    assert run.current().kind == "more"  # type: ignore[union-attr]
    run.answer("yes")
    assert path_of(run) == "actions[1].what"
    run.answer("Send quote")
    run.answer("1")
    run.answer("2026-12-01")
    run.answer("y")
    run.answer("Call back")
    run.answer("client")
    run.skip()
    run.answer("n")
    assert path_of(run) == "energy"
    run.answer("-2")
    # low_energy_why needs agreed == false: skipped because agreed is true.
    assert path_of(run) == "helped"
    run.answer("y")
    assert path_of(run) == "help.r1"
    question = run.current()
    assert question is not None
    assert question.context == ("Help",)
    run.answer("n")
    assert path_of(run) == "help.r1_follow"
    run.answer("Me, not them")
    assert run.done

    records = run.records()
    by_step = {r.step: r for r in records}
    assert by_step["agreed"].value is True
    loop = by_step["actions"]
    assert loop.role == "follow_up"
    assert loop.items is not None
    assert [[a.value for a in item] for item in loop.items] == [
        ["Send quote", "me", "2026-12-01"],
        ["Call back", "client", None],
    ]
    assert "low_energy_why" not in by_step
    assert by_step["energy"].value == -2
    include = by_step["help"]
    assert include.playbook == "help"
    assert [(a.step, a.value) for a in include.answers or []] == [
        ("r1", False),
        ("r1_follow", "Me, not them"),
    ]


def test_back_undoes_last_answer_and_info_before_it() -> None:
    run = make_run()
    assert not run.back()
    run.answer(None)
    run.answer("n")
    assert path_of(run) == "energy"
    assert run.back()
    assert path_of(run) == "agreed"
    # nothing answered before: going back changes nothing, the info is not shown again
    assert run.back() is False
    assert path_of(run) == "agreed"
    run.answer("n")
    assert path_of(run) == "energy"


def test_back_then_different_answer_changes_the_path() -> None:
    run = make_run()
    run.answer(None)
    run.answer("n")
    run.answer("-1")
    assert path_of(run) == "low_energy_why"
    run.back()
    run.answer("2")
    assert path_of(run) == "helped"


def test_required_step_cannot_be_skipped() -> None:
    run = make_run()
    run.answer(None)
    with pytest.raises(AnswerError, match="required"):
        run.skip()


def test_repeat_while_goes_round_until_calm() -> None:
    main = parse_playbook(PASSES, "passes.toml")
    run = Run(main, {main.id: main}, TODAY)
    assert path_of(run) == "passes[1].calm"
    run.answer("n")
    assert path_of(run) == "passes[2].calm"
    run.answer("n")
    run.answer("y")
    assert run.done
    items = run.records()[0].items
    assert items is not None
    assert [item[0].value for item in items] == [False, False, True]


def test_repeat_while_stops_at_max_items() -> None:
    main = parse_playbook(PASSES, "passes.toml")
    run = Run(main, {main.id: main}, TODAY)
    for _ in range(3):
        run.answer("n")
    assert run.done


def test_progress_counts_questions_not_info() -> None:
    run = make_run()
    run.answer(None)
    number, total = run.progress()
    assert number == 1
    # the quiet path: agreed, energy, helped (branches that need an answer are not counted)
    assert total == 3
    run.answer("n")
    assert run.progress()[0] == 2


@pytest.mark.parametrize(
    ("step_toml", "raw", "expected"),
    [
        ('type = "confirm"', "oui", True),
        ('type = "confirm"', "N", False),
        ('type = "rating"', "4", 4),
        ('type = "rating"\nmin = -2\nmax = 2', "-2", -2),
        ('type = "choice"\nchoices = ["a", "b"]', "2", "b"),
        ('type = "choice"\nchoices = [{ value = "x", label = "Ex" }]', "ex", "x"),
        (
            'type = "choice"\nchoices = [{ value = "yes", label = "Atteint" }, '
            '{ value = "partly", label = "Partiellement atteint" }]',
            "partiellement",
            "partly",
        ),
        (
            'type = "choice"\nchoices = [{ value = "authenticity", label = "Openness: issues" }]',
            "OPENNESS",
            "authenticity",
        ),
        # At a prompt, one letter names the one label that starts with it.
        (
            'type = "choice"\nchoices = [{ value = "new", label = "New" }, '
            '{ value = "repeat", label = "A repeat" }]',
            "n",
            "new",
        ),
        ('type = "choice"\nchoices = ["Yes", "Partly", "No"]', "y", "Yes"),
        ('type = "multichoice"\nchoices = ["a", "b", "c"]', "1, 3", ["a", "c"]),
        ('type = "number"\ninteger = true', "12", 12),
        ('type = "number"', "2,5", 2.5),
        # The step's own unit typed after the number.
        ('type = "number"\nunit = "%"', "60%", 60),
        ('type = "number"\nunit = "%"', " 45 % ", 45),
        ('type = "number"\nunit = "min"', "8 MIN", 8),
        ('type = "date"', "+1w", "2026-12-01"),
        ('type = "date"', "yesterday", "2026-11-23"),
        ('type = "list"', ["a", " b ", ""], ["a", "b"]),
        ('type = "text"', "  hello  ", "hello"),
    ],
)
def test_coerce_accepts(step_toml: str, raw: object, expected: object) -> None:
    step = _single_step(step_toml)
    assert coerce(step, raw, TODAY) == expected


@pytest.mark.parametrize(
    ("step_toml", "raw", "message"),
    [
        ('type = "confirm"', "maybe", "yes or no"),
        ('type = "rating"', "6", "from 1 to 5"),
        ('type = "rating"', "2.5", "whole number"),
        ('type = "choice"\nchoices = ["a", "b"]', "3", "from 1 to 2"),
        # A start shared by two labels names neither.
        (
            'type = "choice"\nchoices = ["atteint", "attendu"]',
            "atte",
            r"starts more than one choice \(atteint, attendu\)",
        ),
        ('type = "choice"\nchoices = ["alpha", "beta"]', "g", "start of its label"),
        # Only a label's start counts, never a later word's: "rien" typed for none must
        # not pick "Victime : rien n'est possible", nor "y" pick "Not yet".
        ('type = "choice"\nchoices = ["Aucun", "Victime : rien n\'est possible"]', "rien", "start"),
        ('type = "choice"\nchoices = ["Calm came back", "Not yet: round again"]', "y", "start"),
        ('type = "number"\nmin = 0', "-1", "at least 0"),
        ('type = "number"', "nan", "finite"),
        ('type = "number"', True, "number"),
        ('type = "number"', "60%", "not a number"),  # no unit declared: nothing stripped
        ('type = "number"\nunit = "min"', "8 h", "not a number"),
        ('type = "date"', "next tuesdy", "not a date"),
        ('type = "text"', "two\nlines", "single line"),
        ('type = "text"', "", "empty"),
        ('type = "list"', 3, "list"),
    ],
)
def test_coerce_rejects(step_toml: str, raw: object, message: str) -> None:
    step = _single_step(step_toml)
    with pytest.raises(AnswerError, match=message):
        coerce(step, raw, TODAY)


def test_an_answers_file_needs_three_letters_of_a_label() -> None:
    step = _single_step('type = "choice"\nchoices = ["alpha", "beta"]')
    with pytest.raises(AnswerError, match="not one of"):
        coerce(step, "al", TODAY, by_position=False)
    assert coerce(step, "alp", TODAY, by_position=False) == "alpha"


def _single_step(step_toml: str):  # type: ignore[no-untyped-def]
    head = 'schema = 1\nid = "one"\nkind = "any"\ntitle = "One"\n'
    text = f'{head}[[steps]]\nid = "s"\nprompt = "S?"\n{step_toml}\n'
    return parse_playbook(text, "one.toml").steps[0]


SLIPS = """
schema = 1
id = "slips"
kind = "debrief"
title = "Slips"
[[steps]]
id = "mistakes"
type = "loop"
prompt = "Mistakes"
[[steps.steps]]
id = "mistake"
type = "text"
prompt = "Which?"
role = "mistake"
[[steps.steps]]
id = "repeat"
type = "choice"
prompt = "A repeat?"
role = "mistake_repeat"
choices = ["repeat", "new"]
"""


@pytest.mark.parametrize(("flag", "linked"), [("repeat", True), ("new", False)])
def test_a_repeat_link_holds_only_while_the_item_says_repeat(flag: str, linked: bool) -> None:
    """Linked to an earlier mistake, then answered "new": the link is dropped, not saved
    beside an answer that contradicts it."""
    from clientcoach.core.earlier import Earlier

    playbook = parse_playbook(SLIPS, "slips.toml")
    said = Earlier("20261101T090000-abcdef", "Talked over them", "Acme", "2026-11-01")
    run = Run(playbook, {"slips": playbook}, date(2026, 11, 24), earlier={"mistake": [said]})
    run.answer(True)  # one item
    run.answer("Talked over them again")
    run.link_repeat(("mistakes", 0, "mistake"), said)
    assert run.default_for(run.current()) == "repeat"  # type: ignore[arg-type]
    run.answer(flag)
    run.answer(False)  # no more items
    (loop,) = run.records()
    (item,) = loop.items or []
    (mistake,) = [a for a in item if a.step == "mistake"]
    expected = {"reflection": said.reflection, "text": said.text} if linked else None
    assert mistake.repeat_of == expected
