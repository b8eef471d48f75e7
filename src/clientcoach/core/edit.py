"""A saved reflection's answers as a TOML text to edit, and that text read back.

The record is self-describing: each answer carries its step id, type, prompt, value and
(for choices) label, loops their items and includes their answers. So the text is made
from the record alone, and read back against it: values may change, steps may not be
added or removed. Where the playbook that made the record is still known, a changed
value is checked by the engine's own :func:`~clientcoach.core.engine.coerce` for its
step; where it is not, by the same function for a step made from what the record knows
(a choice's values seen in it, no range for a rating). A value left as it was is kept
as it was, whatever today's playbook says.

Answers come first at each level, then loops (``[[loop]]``, one table per item) and
includes (``[include]``): TOML puts plain keys before tables.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import tomli_w

from clientcoach.core.engine import AnswerError, coerce, coerce_bool, holds, label_of
from clientcoach.i18n import _
from clientcoach.model.playbook import (
    ANSWER_TYPES,
    AnswerStep,
    Choice,
    ChoiceStep,
    Condition,
    DateStep,
    IncludeStep,
    InfoStep,
    ListStep,
    LongTextStep,
    LoopStep,
    MultiChoiceStep,
    NumberStep,
    Playbook,
    RatingStep,
    Step,
    TextStep,
)

# The lines put on top of a text that was refused, so the next reading can drop them.
PROBLEM_MARK = "# ! "
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")

# What a record's include names, as a playbook (None when it cannot be found).
Included = Callable[[str], Playbook | None]


class EditProblems(Exception):
    """An edited text that cannot be saved, with every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _none(_playbook_id: str) -> Playbook | None:
    return None


@dataclass
class Steps:
    """The playbook steps that made a record, when they can still be found."""

    playbook: Playbook | None = None
    included: Included = field(default=_none)

    def top(self) -> list[Step] | None:
        return list(self.playbook.steps) if self.playbook is not None else None


def _key(name: str) -> str:
    return name if _BARE.match(name) else json.dumps(name, ensure_ascii=False)


def _comment(text: str) -> list[str]:
    return [f"# {line}".rstrip() for line in str(text).splitlines() or [""]]


def _items(answer: dict[str, Any]) -> list[list[Any]]:
    """A loop's items as lists of answers (an item may be an object holding them)."""
    found: list[list[Any]] = []
    for item in answer.get("items") or []:
        inner = item.get("answers") if isinstance(item, dict) else item
        found.append(inner if isinstance(inner, list) else [])
    return found


def _step(steps: list[Step] | None, answer: dict[str, Any]) -> Step | None:
    """The step of this answer among ``steps``, if one has its id and type."""
    if steps is None:
        return None
    for step in steps:
        if step.id == answer.get("step") and step.type == answer.get("type"):
            return step
    return None


def _inner(step: Step | None, answer: dict[str, Any], known: Steps) -> list[Step] | None:
    if isinstance(step, LoopStep):
        return list(step.steps)
    if answer.get("type") == "include":
        included = known.included(str(answer.get("playbook") or getattr(step, "playbook", "")))
        return list(included.steps) if included is not None else None
    return None


# --- what the record knows of a choice -------------------------------------------------


def known_choices(answers: list[Any]) -> dict[tuple[str, ...], dict[str, str]]:
    """Every choice value the record holds, with its label, by step path (loop items
    merged): what a choice may be changed to when the playbook is gone."""
    known: dict[tuple[str, ...], dict[str, str]] = {}

    def walk(answers: list[Any], path: tuple[str, ...]) -> None:
        for answer in answers:
            if not isinstance(answer, dict):
                continue
            where = (*path, str(answer.get("step")))
            kind = answer.get("type")
            value, label = answer.get("value"), answer.get("label")
            if kind == "choice" and isinstance(value, str):
                known.setdefault(where, {})[value] = label if isinstance(label, str) else value
            elif kind == "multichoice" and isinstance(value, list):
                labels = label if isinstance(label, list) else []
                for index, one in enumerate(value):
                    text = labels[index] if index < len(labels) else one
                    known.setdefault(where, {})[str(one)] = str(text)
            for item in _items(answer):
                walk(item, where)
            if isinstance(answer.get("answers"), list):
                walk(answer["answers"], where)

    walk(answers, ())
    return known


def _made_step(answer: dict[str, Any], choices: dict[str, str]) -> AnswerStep | None:
    """A step made from what the record says of an answer, for the engine's checks."""
    base: dict[str, Any] = {"id": "step", "prompt": str(answer.get("prompt") or "?")}
    kind = answer.get("type")
    options: list[str | Choice] = [
        Choice.model_construct(value=v, label=label) for v, label in choices.items()
    ]
    made: dict[str, AnswerStep] = {
        "text": TextStep.model_construct(**base, type="text", max_length=1_000_000),
        "longtext": LongTextStep.model_construct(**base, type="longtext"),
        "number": NumberStep.model_construct(**base, type="number"),
        "date": DateStep.model_construct(**base, type="date"),
        "list": ListStep.model_construct(**base, type="list", max_items=10_000),
        "choice": ChoiceStep.model_construct(**base, type="choice", choices=options),
        "multichoice": MultiChoiceStep.model_construct(
            **base, type="multichoice", choices=options, min_selected=0, max_selected=None
        ),
    }
    return made.get(str(kind))


# --- writing ---------------------------------------------------------------------------


def _hint(answer: dict[str, Any], step: Step | None, choices: dict[str, str]) -> list[str]:
    """What the answer takes, as comment lines (a choice's values one per line)."""
    kind = answer.get("type")
    if kind in ("choice", "multichoice"):
        if isinstance(step, ChoiceStep | MultiChoiceStep):
            choices = {c.value: c.text for c in step.options}
        if not choices:
            return []
        lines = [_("one of:") if kind == "choice" else _('a list of ["one", "two"], among:')]
        lines += [f'  "{v}"' + (f": {t}" if t != v else "") for v, t in choices.items()]
        return lines
    if kind == "rating":
        if isinstance(step, RatingStep):
            return [_("a whole number from {min} to {max}").format(min=step.min, max=step.max)]
        return [_("a whole number")]
    hints = {
        "confirm": _("true or false"),
        "date": _("a date, YYYY-MM-DD"),
        "number": _("a number"),
        "list": _('a list of texts: ["one", "two"]'),
        "longtext": _('several lines go between """ and """'),
    }
    return [hints[str(kind)]] if kind in hints else []


def to_toml(record: dict[str, Any], header: list[str], known: Steps) -> str:
    """The answers of ``record`` as TOML, each under its step id, its prompt (and what
    it takes) in comments above it; ``header`` comment lines first."""
    lines = [line for text in header for line in _comment(text)]
    choices = known_choices(record.get("answers") or [])
    _write(lines, record.get("answers") or [], (), (), known.top(), known, choices)
    return "\n".join(lines).rstrip() + "\n"


def _write(
    lines: list[str],
    answers: list[Any],
    table: tuple[str, ...],
    path: tuple[str, ...],
    steps: list[Step] | None,
    known: Steps,
    choices: dict[tuple[str, ...], dict[str, str]],
) -> None:
    nested: list[tuple[dict[str, Any], Step | None]] = []
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("step"), str):
            continue
        step = _step(steps, answer)
        if answer.get("type") in ("loop", "include"):
            nested.append((answer, step))
            continue
        name = answer["step"]
        lines.append("")
        lines.extend(_comment(answer.get("prompt") or name))
        for hint in _hint(answer, step, choices.get((*path, name), {})):
            lines.extend(_comment("  " + hint))
        value = answer.get("value")
        if value is None:
            hint = _("(no answer: to give one, remove the # and write it after the =)")
            lines.append(_comment(hint)[0])
            lines.append(f"# {_key(name)} = ")
        else:
            lines.append(tomli_w.dumps({name: value}, multiline_strings=True).rstrip("\n"))
    for answer, step in nested:
        name = answer["step"]
        inner = _inner(step, answer, known)
        where = (*table, _key(name))
        if answer.get("type") == "include":
            lines.append("")
            lines.extend(_comment(answer.get("prompt") or name))
            lines.append(f"[{'.'.join(where)}]")
            _write(lines, answer.get("answers") or [], where, (*path, name), inner, known, choices)
            continue
        items = _items(answer)
        title = answer.get("item") or answer.get("prompt") or name
        if not items:
            lines.append("")
            lines.extend(_comment(_("{title}: none").format(title=title)))
        for number, item in enumerate(items, 1):
            lines.append("")
            lines.extend(
                _comment(
                    _("{title} {number} of {count}").format(
                        title=title, number=number, count=len(items)
                    )
                )
            )
            lines.append(f"[[{'.'.join(where)}]]")
            _write(lines, item, where, (*path, name), inner, known, choices)


def with_problems(text: str, problems: list[str]) -> str:
    """``text`` with ``problems`` on top as comments (those of a previous reading gone)."""
    body = text.splitlines()
    while body and body[0].startswith(PROBLEM_MARK.rstrip()):
        body.pop(0)
    top = [PROBLEM_MARK + _("Not saved: fix what follows, then save and quit again.")]
    top += [PROBLEM_MARK + "  " + line for p in problems for line in p.splitlines()]
    top.append(PROBLEM_MARK + _("To change nothing, quit without saving or empty the file."))
    return "\n".join(top + body) + "\n"


# --- reading ---------------------------------------------------------------------------


def read_toml(
    text: str, record: dict[str, Any], known: Steps, today: date
) -> list[dict[str, Any]] | None:
    """The record's answers with the edited values, or None when no value changed.

    EditProblems names every problem found: not TOML, a step added, removed or of the
    wrong type, a loop item added or removed, a value its step refuses.
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EditProblems([_("not valid TOML: {reason}").format(reason=exc)]) from None
    answers = copy.deepcopy(record.get("answers") or [])
    reading = _Reading(known, known_choices(answers), today)
    changed = _read(answers, table, (), known.top(), reading)
    problems, moved = reading.problems, reading.moved
    problems += [
        _(
            "{step}: this change would ask or skip {others}, and an edit cannot change which "
            "questions were asked; change it back, or record the meeting again and delete "
            "this reflection"
        ).format(step=cause, others=", ".join(dict.fromkeys(others)))
        for cause, others in moved.items()
    ]
    if problems:
        raise EditProblems(problems)
    return answers if changed else None


@dataclass
class _Reading:
    """What one reading of an edited text shares at every level: the steps known, the
    choices the record knows, today, and what it finds wrong."""

    known: Steps
    choices: dict[tuple[str, ...], dict[str, str]]
    today: date
    problems: list[str] = field(default_factory=list)
    moved: Moved = field(default_factory=dict)


def _same(a: object, b: object) -> bool:
    # By their JSON text: True is not 1, 55.0 is not 55.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _plain(raw: object) -> object:
    """TOML dates (written without quotes) as the ISO text records hold."""
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, list):
        return [_plain(one) for one in raw]
    return raw


def _read(
    answers: list[Any],
    table: dict[str, Any],
    path: tuple[str, ...],
    steps: list[Step] | None,
    reading: _Reading,
    shown: tuple[str, ...] = (),
    around: Around = (),
) -> bool:
    """Read ``table`` into ``answers``; ``path`` finds the choices a record knows,
    ``shown`` names a step in a problem, the loop item's number included, ``around``
    holds the answers of the levels a loop item is in, as they were and as edited."""
    changed = False
    names: set[str] = set()
    before = _level(answers)
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("step"), str):
            continue
        name = answer["step"]
        names.add(name)
        where = ".".join((*shown, name))
        step = _step(steps, answer)
        given = table.get(name)
        kind = answer.get("type")
        if kind == "include":
            if not isinstance(given, dict):
                reading.problems.append(_("{step}: keep its section [{step}]").format(step=where))
                continue
            inner = _inner(step, answer, reading.known)
            nested = answer.get("answers") or []
            # An included playbook's conditions see its own steps only.
            changed |= _read(nested, given, (*path, name), inner, reading, (*shown, name))
            continue
        if kind == "loop":
            items = _items(answer)
            given = [] if given is None else given
            if not isinstance(given, list) or not all(isinstance(g, dict) for g in given):
                reading.problems.append(_("{step}: keep its [[{step}]] items").format(step=where))
                continue
            if len(given) != len(items):
                reading.problems.append(
                    _(
                        "{step}: {count} items here, {kept} in the reflection; items cannot "
                        "be added or removed"
                    ).format(step=where, count=len(given), kept=len(items))
                )
                continue
            inner = _inner(step, answer, reading.known)
            kept = [_level(one) for one in items]
            # The steps before the loop are read by now: the items see them as edited.
            outer: Around = ((before, _level(answers)), *around)
            for number, (one, edited) in enumerate(zip(items, given, strict=True), 1):
                in_item = (*shown, _item(name, number))
                changed |= _read(one, edited, (*path, name), inner, reading, in_item, outer)
            if isinstance(step, LoopStep) and step.repeat_while is not None:
                # Each item decides whether a run asks for another one.
                for number, (was, one) in enumerate(zip(kept, items, strict=True), 1):
                    in_item = (*shown, _item(name, number))
                    _moved(
                        step.repeat_while, was, _level(one), outer, in_item, where, reading.moved
                    )
            continue
        old = answer.get("value")
        optional = isinstance(step, ANSWER_TYPES) and not step.required
        # An optional answer left out, or emptied, is cleared as if it had been skipped.
        if name not in table or (optional and given == ""):
            if old is None:
                continue
            if optional:
                answer["value"] = None
                answer.pop("label", None)
                answer.pop("repeat_of", None)
                changed = True
                continue
            reading.problems.append(
                _("{step}: missing; a required answer stays (put it back)").format(step=where)
            )
            continue
        raw = _plain(given)
        if _same(raw, old):
            continue
        if isinstance(step, ANSWER_TYPES):
            checked: AnswerStep | None = step
        else:
            checked = _made_step(answer, reading.choices.get((*path, name), {}))
        try:
            if kind == "confirm":
                value: Any = coerce_bool(raw)
            elif kind == "rating" and checked is None:
                if not isinstance(raw, int) or isinstance(raw, bool):
                    raise AnswerError(_("give a whole number"))
                value = raw
            elif checked is None:
                raise AnswerError(_("this answer cannot be changed here"))
            else:
                value = coerce(checked, raw, reading.today, by_position=False)
        except AnswerError as exc:
            reading.problems.append(_("{name}: {value}").format(name=where, value=exc))
            continue
        if _same(value, old):
            continue
        answer["value"] = value
        if checked is not None:
            label = label_of(checked, value)
            if label is not None or "label" in answer:
                answer["label"] = label
        changed = True
    for extra in table:
        if extra not in names:
            where = ".".join((*shown, extra))
            reading.problems.append(_("{step}: not a step of this reflection").format(step=where))
    after = _level(answers)
    if steps is not None and (after != before or any(old != new for old, new in around)):
        _new_path(steps, answers, before, after, around, shown, reading.moved)
    return changed


Level = dict[str, Any]
# The levels a loop item is in, innermost first: (as they were, as edited).
Around = tuple[tuple[Level, Level], ...]
# An answer changed, named as shown, and the questions it would make a run ask or skip.
Moved = dict[str, list[str]]


def _level(answers: list[Any]) -> Level:
    """The values of one level of answers, by step id."""
    return {
        a["step"]: a.get("value")
        for a in answers
        if isinstance(a, dict) and isinstance(a.get("step"), str)
    }


def _item(loop: str, number: int) -> str:
    """A loop item as a problem names it: several items hold the same steps."""
    return _("{step} (item {number})").format(step=loop, number=number)


def _given(answers: list[Any]) -> set[str]:
    """The steps of one level that hold something: a value, loop items, included answers."""
    return {
        a["step"]
        for a in answers
        if isinstance(a, dict)
        and isinstance(a.get("step"), str)
        and (a.get("value") is not None or a.get("items") or a.get("answers"))
    }


def _new_path(
    steps: list[Step],
    answers: list[Any],
    before: Level,
    after: Level,
    around: Around,
    shown: tuple[str, ...],
    moved: Moved,
) -> None:
    """Note in ``moved`` the changes that would make a run skip a question that has an
    answer here, or ask one that needs an answer.

    An edit changes answers, never which questions were asked: the answers of a path
    no longer taken would still be counted (a lost deal's reasons after the outcome is
    changed), and a required question newly opened would have no answer. A question
    with nothing to keep (an info step, an optional one left unanswered) moves nothing;
    nor does a step that shows the linked prep's plan, which is asked only when the
    prep holds that answer."""
    given = _given(answers)
    for step in steps:
        if step.when is None or isinstance(step, InfoStep) or step.plan is not None:
            continue
        was = holds(step.when, [before, *(old for old, _new in around)])
        now = holds(step.when, [after, *(new for _old, new in around)])
        if was and not now and step.id not in given:
            continue  # skipped now, and nothing was answered there
        if now and not was and not _needs_answer(step):
            continue  # asked now, and may be left unanswered
        if was != now:
            _moved(
                step.when,
                before,
                after,
                around,
                shown,
                ".".join((*shown, step.id)),
                moved,
                flipped=True,
            )


def _needs_answer(step: Step) -> bool:
    if isinstance(step, LoopStep):
        return step.min_items > 0
    if isinstance(step, IncludeStep):
        return True
    return step.required


def _moved(
    cond: Condition,
    was: Level,
    now: Level,
    around: Around,
    shown: tuple[str, ...],
    other: str,
    moved: Moved,
    *,
    flipped: bool = False,
) -> None:
    """Note ``other`` under the answer that changes whether ``cond`` holds (``flipped``:
    already known to change), named where it is: at this level, or around it."""
    if not flipped and holds(cond, [was, *(old for old, _new in around)]) == holds(
        cond, [now, *(new for _old, new in around)]
    ):
        return
    leaves = [leaf.step for leaf in cond.leaves() if leaf.step is not None]
    here = [s for s in leaves if was.get(s) != now.get(s)]
    if here:
        cause = ".".join((*shown, here[0]))
    else:
        # An answer around the loop item: named by its own id, once for every item.
        outer = [s for s in leaves for old, new in around if old.get(s) != new.get(s)]
        cause = outer[0] if outer else leaves[0]
    moved.setdefault(cause, []).append(other)
