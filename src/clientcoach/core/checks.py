"""What a playbook schema cannot say: step ids, condition references, defaults, bounds.

The pydantic models of :mod:`clientcoach.model.playbook` check each value's type and
the keys a playbook may use; these checks look across steps (a condition names an
earlier step, a default fits its step the way a typed answer must). Pure: they read a
validated :class:`~clientcoach.model.playbook.Playbook` and return messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from clientcoach.core.engine import AnswerError, coerce
from clientcoach.core.text import refused_char
from clientcoach.model.playbook import (
    ANSWER_TYPES,
    PLAYBOOK_SCHEMA,
    ChoiceStep,
    Condition,
    ConfirmStep,
    IncludeStep,
    LoopStep,
    MultiChoiceStep,
    NumberStep,
    Playbook,
    RatingStep,
    Step,
    walk,
)

# Relative defaults ("today", "+7d") are checked against a fixed day: only their form matters.
_SOME_DAY = date(2000, 1, 3)


def _check_default(step: Step) -> str | None:
    """Why a step's default cannot be its answer, or None when it can."""
    default = getattr(step, "default", None)
    if default is None or not isinstance(step, ANSWER_TYPES):
        return None
    # The engine's own coercion decides, so a default is valid exactly when the same
    # answer typed by a user would be.
    try:
        coerce(step, default, _SOME_DAY, by_position=False)
    except AnswerError as exc:
        if isinstance(step, ChoiceStep | MultiChoiceStep):
            values = [c.value for c in step.options]
            return f"default {default!r} is not among the choices {values}"
        return f"default {default!r} does not fit this step: {exc}"
    return None


def _check_shape(step: Step) -> str | None:
    if isinstance(step, RatingStep) and step.min >= step.max:
        return f"rating bounds are inverted or equal (min {step.min}, max {step.max})"
    if isinstance(step, RatingStep) and step.max - step.min > 20:
        return "a rating scale has at most 21 points; use a number step for more"
    if (
        isinstance(step, NumberStep)
        and step.min is not None
        and step.max is not None
        and step.min >= step.max
    ):
        return f"number bounds are inverted or equal (min {step.min}, max {step.max})"
    if isinstance(step, ChoiceStep | MultiChoiceStep):
        if not step.choices:
            return "choices is empty; give at least one choice"
        values = [c.value for c in step.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            return f"choices repeat the value(s) {dupes}"
        if isinstance(step, MultiChoiceStep):
            if step.max_selected is not None and step.max_selected < step.min_selected:
                return "max_selected is below min_selected"
            if step.min_selected > len(values):
                return "min_selected is more than the number of choices"
    if isinstance(step, LoopStep) and step.min_items > step.max_items:
        return f"min_items ({step.min_items}) is above max_items ({step.max_items})"
    return _check_default(step)


class _Visible(NamedTuple):
    """Steps visible to a condition: earlier siblings, then the enclosing scopes."""

    declared: dict[str, Step]
    parent: _Visible | None

    def find(self, step_id: str) -> Step | None:
        scope: _Visible | None = self
        while scope is not None:
            if step_id in scope.declared:
                return scope.declared[step_id]
            scope = scope.parent
        return None


def _check_condition(cond: Condition, scope: _Visible, later: set[str], where: str) -> str | None:
    for leaf in cond.leaves():
        assert leaf.step is not None
        target = scope.find(leaf.step)
        if target is None:
            if leaf.step in later:
                return (
                    f"{where} names step {leaf.step!r}, which comes later; "
                    "a condition can only read earlier answers"
                )
            return f"{where} names unknown step {leaf.step!r}"
        if not isinstance(target, ANSWER_TYPES):
            return f"{where} names {target.type} step {leaf.step!r}, which has no answer to test"
        numeric = isinstance(target, RatingStep | NumberStep)
        if (leaf.gte is not None or leaf.lte is not None) and not numeric:
            return f"{where} uses gte/lte on {leaf.step!r}, which is not a rating or number"
        tested = [leaf.equals] if leaf.equals is not None else list(leaf.in_ or [])
        if isinstance(target, ChoiceStep | MultiChoiceStep):
            values = [c.value for c in target.options]
            wrong = [v for v in tested if v not in values]
            if wrong:
                return (
                    f"{where} tests {leaf.step!r} against {wrong[0]!r}, "
                    f"which is not one of its choices {values}"
                )
        if isinstance(target, ConfirmStep) and any(not isinstance(v, bool) for v in tested):
            return (
                f"{where} tests confirm step {leaf.step!r} against a non-boolean; use true or false"
            )
    return None


def _check_steps(
    steps: list[Step], scope: _Visible | None, seen: set[str], where: str
) -> Iterator[tuple[Step, str]]:
    """Problems as (the step they are about, message)."""
    local = _Visible({}, scope)
    all_ids = {s.id for s in steps}
    for step in steps:
        label = f"{where}step {step.id!r}"
        if step.id in seen:
            yield step, f"{label}: duplicate step id {step.id!r}"
        seen.add(step.id)
        problem = _check_shape(step)
        if problem:
            yield step, f"{label}: {problem}"
        if step.when is not None:
            later = all_ids - set(local.declared)
            problem = _check_condition(step.when, local, later, f"{label}: 'when'")
            if problem:
                yield step, problem
        if isinstance(step, LoopStep):
            yield from _check_steps(step.steps, local, seen, f"{label} > ")
            if step.repeat_while is not None:
                item_scope = _Visible({s.id: s for s in step.steps}, local)
                problem = _check_condition(
                    step.repeat_while, item_scope, set(), f"{label}: 'repeat_while'"
                )
                inner = {s.id for s in step.steps}
                if problem is None and not any(
                    leaf.step in inner for leaf in step.repeat_while.leaves()
                ):
                    problem = (
                        f"{label}: 'repeat_while' reads no step inside the loop, so nothing "
                        "answered in an item could ever end it"
                    )
                if problem:
                    yield step, problem
        local.declared[step.id] = step


# The one plan a review has: what the review before it said to try.
LAST_TRY = "last_try"


def _check_plans(playbook: Playbook) -> Iterator[tuple[Step, str]]:
    """``plan`` reads the prep a debrief follows (or, in a review, what the review
    before it said to try): only question and info steps of a playbook that can be
    walked as a debrief, or a review's reading ``last_try``, have one."""
    for step in walk(list(playbook.steps)):
        if step.plan is None:
            continue
        label = f"step {step.id!r}: 'plan'"
        if isinstance(step, LoopStep | IncludeStep):
            yield step, f"{label} goes on a question or info step, not on a {step.type}"
        elif playbook.kind == "review" and step.plan != LAST_TRY:
            yield (
                step,
                f"{label} of a review can only be {LAST_TRY!r} (what the review before "
                "it said to try)",
            )
        elif playbook.kind not in ("debrief", "any", "review"):
            yield (
                step,
                (
                    f"{label} reads the prep a debrief follows, and a {playbook.kind} "
                    "playbook has none; remove it or make the playbook a debrief"
                ),
            )


def check_playbook(playbook: Playbook) -> list[str]:
    """Problems in one playbook that do not depend on other playbooks."""
    return [message for _where, message in check_located(playbook)]


def check_located(playbook: Playbook, given: object = None) -> list[tuple[Step | None, str]]:
    """Like :func:`check_playbook`, each problem with the step it is about (None: top).

    ``given`` is the data the playbook was validated from, when there is one: the text
    rule is then first run over it, and the steps are looked at one by one only when it
    finds something to place. Dumping every step to look at its text was a tenth of a
    scripted debrief, most of it building serializers nothing else uses."""
    problems: list[tuple[Step | None, str]] = []
    if playbook.schema_ > PLAYBOOK_SCHEMA:
        newer = (
            f"schema {playbook.schema_} is newer than this clientcoach understands "
            f"({PLAYBOOK_SCHEMA}); upgrade clientcoach"
        )
        problems.append((None, newer))
    elif playbook.schema_ < 1:
        older = f"schema {playbook.schema_} is not a playbook format version; use 1"
        problems.append((None, older))
    if given is None or next(_refused_in(given, ""), None) is not None:
        problems.extend(_check_text(playbook))
    problems.extend(_check_steps(list(playbook.steps), None, set(), ""))
    problems.extend(_check_plans(playbook))
    return problems


def _refused_in(value: object, where: str) -> Iterator[str]:
    """Each text of a playbook's data that the input rule refuses, as a message."""
    stack: list[tuple[object, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            bad = refused_char(node)
            if bad is not None:
                yield (
                    f"{at}: holds a control, bidi or non-UTF-8 character ({bad}); "
                    "write it as plain text"
                )
        elif isinstance(node, dict):
            stack.extend((v, f"{at}.{k}" if at else str(k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{at}[{i}]") for i, v in enumerate(node))


def _check_text(playbook: Playbook) -> Iterator[tuple[Step | None, str]]:
    """Playbook text is shown on every terminal that runs it, and copied into every
    record: it follows the same input rule as what a person types."""
    data = playbook.data()
    for key, value in data.items():
        if key != "steps":
            for problem in _refused_in(value, key):
                yield None, problem
    for step in playbook.steps:
        for problem in _refused_in(step.data(), f"step {step.id!r}"):
            yield step, problem
