"""The playbook language: models, loading, validation and the library of playbooks.

A playbook is data. Nothing read from a playbook is ever evaluated: conditions are
declarative trees checked by :mod:`clientcoach.engine`, and prompts are shown as plain
text. Pydantic rejects unknown keys and wrong types; :func:`check_playbook` then catches
what a schema cannot (step ids, condition references, defaults, includes).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from clientcoach.errors import PlaybookError

PLAYBOOK_SCHEMA = 1
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PLAYBOOK_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
Scalar = str | int | float | bool
Kind = Literal["prep", "debrief", "review", "any"]
Summary = Literal["rate", "mean", "distribution", "top"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Model):
    """A declarative test on earlier answers.

    Either a leaf (``step`` plus one test) or one combinator (``all``, ``any``, ``not``).
    """

    step: str | None = Field(default=None, description="Id of an earlier step.")
    equals: Scalar | None = Field(default=None, description="The answer equals this value.")
    in_: list[Scalar] | None = Field(
        default=None, alias="in", description="The answer is one of these values."
    )
    gte: float | None = Field(default=None, description="The answer is at least this.")
    lte: float | None = Field(default=None, description="The answer is at most this.")
    answered: bool | None = Field(
        default=None, description="true: the step has an answer; false: it was skipped."
    )
    all: list[Condition] | None = Field(default=None, description="Every condition holds.")
    any: list[Condition] | None = Field(default=None, description="At least one holds.")
    not_: Condition | None = Field(default=None, alias="not", description="It does not hold.")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        given = self.model_fields_set
        combinators = given & {"all", "any", "not_"}
        tests = given & {"equals", "in_", "gte", "lte", "answered"}
        if combinators:
            if len(combinators) > 1 or "step" in given or tests:
                raise ValueError("a condition uses exactly one of all, any, not, or step")
            if ("all" in given and not self.all) or ("any" in given and not self.any):
                raise ValueError("'all' and 'any' need at least one condition")
            return self
        if "step" not in given:
            raise ValueError("a condition needs 'step' (or one of all, any, not)")
        if not tests:
            raise ValueError("a condition on a step needs equals, in, gte, lte or answered")
        if len(tests - {"gte", "lte"}) > 1 or (tests - {"gte", "lte"} and tests & {"gte", "lte"}):
            raise ValueError("use one test per condition; combine several with all/any")
        if "in_" in given and not self.in_:
            raise ValueError("'in' needs at least one value")
        return self

    def leaves(self) -> Iterator[Condition]:
        if self.step is not None:
            yield self
        for sub in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            yield from sub.leaves()


class Choice(_Model):
    """One option of a choice: a stable ``value`` stored in reflections, a shown ``label``."""

    value: str = Field(min_length=1)
    label: str | None = None
    help: str | None = None

    @property
    def text(self) -> str:
        return self.label or self.value


class _StepBase(_Model):
    id: str = Field(pattern=ID_PATTERN, max_length=64, description="Stable step id.")
    prompt: str = Field(min_length=1, description="The question, shown as plain text.")
    help: str | None = Field(default=None, description="How to answer (shown on '?').")
    why: str | None = Field(default=None, description="Why this is asked (shown on '?').")
    required: bool = Field(default=True, description="false: the user may skip it.")
    role: str | None = Field(
        default=None, pattern=ID_PATTERN, description="Meaning understood by the review."
    )
    refs: list[str] = Field(default_factory=list, description="Domain brief ids.")
    when: Condition | None = Field(default=None, description="Ask only when this holds.")
    summary: Summary | None = Field(default=None, description="How the review sums it up.")
    plan: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Role of an answer in the linked prep: the step is asked only when "
        "the prep has that answer, and shows it (plan versus outcome).",
    )


class TextStep(_StepBase):
    type: Literal["text"]
    default: str | None = None
    max_length: int = Field(default=500, ge=1)


class LongTextStep(_StepBase):
    type: Literal["longtext"]
    default: str | None = None


class ConfirmStep(_StepBase):
    type: Literal["confirm"]
    default: bool | None = None


class RatingStep(_StepBase):
    type: Literal["rating"]
    min: int = 1
    max: int = 5
    low: str | None = Field(default=None, description="Label of the lowest value.")
    high: str | None = Field(default=None, description="Label of the highest value.")
    default: int | None = None


class ChoiceStep(_StepBase):
    type: Literal["choice"]
    choices: list[str | Choice]
    default: str | None = None

    @property
    def options(self) -> list[Choice]:
        return _options(self.choices)


class MultiChoiceStep(_StepBase):
    type: Literal["multichoice"]
    choices: list[str | Choice]
    default: list[str] | None = None
    min_selected: int = Field(default=0, ge=0)
    max_selected: int | None = Field(default=None, ge=1)

    @property
    def options(self) -> list[Choice]:
        return _options(self.choices)


class NumberStep(_StepBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    default: float | None = None


class DateStep(_StepBase):
    type: Literal["date"]
    default: str | None = Field(
        default=None, description="An ISO date, 'today', 'tomorrow' or '+Nd' / '+Nw'."
    )


class ListStep(_StepBase):
    type: Literal["list"]
    default: list[str] | None = None
    max_items: int = Field(default=20, ge=1)


class InfoStep(_StepBase):
    type: Literal["info"]
    required: bool = False


class LoopStep(_StepBase):
    type: Literal["loop"]
    steps: list[Step] = Field(min_length=1)
    item: str | None = Field(default=None, description="Title of one item, e.g. 'Next step'.")
    min_items: int = Field(default=0, ge=0)
    max_items: int = Field(default=20, ge=1, le=100)
    repeat_while: Condition | None = Field(
        default=None,
        description="Go round again while this holds on the item just answered "
        "(instead of asking the loop's prompt).",
    )
    required: bool = False


class IncludeStep(_StepBase):
    type: Literal["include"]
    prompt: str | None = Field(default=None, description="Section title; defaults to its title.")  # type: ignore[assignment]
    playbook: str = Field(pattern=PLAYBOOK_ID_PATTERN, description="Id of the playbook to embed.")
    required: bool = False


Step = Annotated[
    TextStep
    | LongTextStep
    | ConfirmStep
    | RatingStep
    | ChoiceStep
    | MultiChoiceStep
    | NumberStep
    | DateStep
    | ListStep
    | InfoStep
    | LoopStep
    | IncludeStep,
    Field(discriminator="type"),
]
AnswerStep = (
    TextStep
    | LongTextStep
    | ConfirmStep
    | RatingStep
    | ChoiceStep
    | MultiChoiceStep
    | NumberStep
    | DateStep
    | ListStep
)
ANSWER_TYPES = (
    TextStep,
    LongTextStep,
    ConfirmStep,
    RatingStep,
    ChoiceStep,
    MultiChoiceStep,
    NumberStep,
    DateStep,
    ListStep,
)
LoopStep.model_rebuild()


class Playbook(_Model):
    schema_: int = Field(alias="schema", description="Playbook format version (1).")
    id: str = Field(pattern=PLAYBOOK_ID_PATTERN, max_length=64)
    kind: Kind
    version: str = "1"
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    title: str = Field(min_length=1)
    summary: str | None = None
    steps: list[Step] = Field(min_length=1)


def _options(choices: list[str | Choice]) -> list[Choice]:
    return [Choice(value=c) if isinstance(c, str) else c for c in choices]


# --- checks a schema cannot express -------------------------------------------------

# Relative defaults ("today", "+7d") are checked against a fixed day: only their form matters.
_SOME_DAY = date(2000, 1, 3)


def _check_default(step: Step) -> str | None:
    """Why a step's default cannot be its answer, or None when it can."""
    default = getattr(step, "default", None)
    if default is None or not isinstance(step, ANSWER_TYPES):
        return None
    # The engine's own coercion decides, so a default is valid exactly when the same
    # answer typed by a user would be. Imported here: the engine imports this module.
    from clientcoach.engine import AnswerError, coerce

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


@dataclass(frozen=True)
class _Scope:
    """Steps visible to a condition: earlier siblings, then the enclosing scopes."""

    declared: dict[str, Step]
    parent: _Scope | None

    def find(self, step_id: str) -> Step | None:
        scope: _Scope | None = self
        while scope is not None:
            if step_id in scope.declared:
                return scope.declared[step_id]
            scope = scope.parent
        return None


def _check_condition(cond: Condition, scope: _Scope, later: set[str], where: str) -> str | None:
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
    steps: list[Step], scope: _Scope | None, seen: set[str], where: str
) -> Iterator[tuple[str, str]]:
    """Problems as (id of the step they are about, message)."""
    local = _Scope({}, scope)
    all_ids = {s.id for s in steps}
    for step in steps:
        label = f"{where}step {step.id!r}"
        if step.id in seen:
            yield step.id, f"{label}: duplicate step id {step.id!r}"
        seen.add(step.id)
        problem = _check_shape(step)
        if problem:
            yield step.id, f"{label}: {problem}"
        if step.when is not None:
            later = all_ids - set(local.declared)
            problem = _check_condition(step.when, local, later, f"{label}: 'when'")
            if problem:
                yield step.id, problem
        if isinstance(step, LoopStep):
            yield from _check_steps(step.steps, local, seen, f"{label} > ")
            if step.repeat_while is not None:
                item_scope = _Scope({s.id: s for s in step.steps}, local)
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
                    yield step.id, problem
        local.declared[step.id] = step


def _check_plans(playbook: Playbook) -> Iterator[tuple[str | None, str]]:
    """``plan`` reads the prep a debrief follows: only question and info steps of a
    playbook that can be walked as a debrief have one."""
    for step in _walk(list(playbook.steps)):
        if step.plan is None:
            continue
        label = f"step {step.id!r}: 'plan'"
        if isinstance(step, LoopStep | IncludeStep):
            yield step.id, f"{label} goes on a question or info step, not on a {step.type}"
        elif playbook.kind not in ("debrief", "any"):
            yield (
                step.id,
                (
                    f"{label} reads the prep a debrief follows, and a {playbook.kind} "
                    "playbook has none; remove it or make the playbook a debrief"
                ),
            )


def check_playbook(playbook: Playbook) -> list[str]:
    """Problems in one playbook that do not depend on other playbooks."""
    return [message for _where, message in _check_located(playbook)]


def _check_located(playbook: Playbook) -> list[tuple[str | None, str]]:
    """Like :func:`check_playbook`, each problem with the step id it is about (None: top)."""
    problems: list[tuple[str | None, str]] = []
    if playbook.schema_ > PLAYBOOK_SCHEMA:
        newer = (
            f"schema {playbook.schema_} is newer than this clientcoach understands "
            f"({PLAYBOOK_SCHEMA}); upgrade clientcoach"
        )
        problems.append((None, newer))
    elif playbook.schema_ < 1:
        older = f"schema {playbook.schema_} is not a playbook format version; use 1"
        problems.append((None, older))
    problems.extend(_check_steps(list(playbook.steps), None, set(), ""))
    problems.extend(_check_plans(playbook))
    return problems


# --- reading files -----------------------------------------------------------------

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _format_loc(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic location into words a playbook author recognises."""
    names = {"in_": "in", "not_": "not", "schema_": "schema"}
    parts: list[str] = []
    node = data
    keys = list(loc)
    while keys:
        key = keys.pop(0)
        if isinstance(key, int) and isinstance(node, list):
            node = node[key] if key < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts.append(f"step {node['id']!r}")
                if keys and keys[0] == node.get("type"):
                    keys.pop(0)  # pydantic names the union member (the step type) next
            else:
                parts.append(f"item {key + 1}")
            continue
        name = names.get(str(key), str(key))
        if name in ("str", "Choice"):
            continue  # union member names of a choice item mean nothing to an author
        node = node.get(name) if isinstance(node, dict) else None
        if name == "steps" and keys and isinstance(keys[0], int):
            continue  # "step 'x'" already says it is in a steps list
        parts.append(name)
    return " > ".join(parts) or "top level"


# Each step model by its `type` tag, read off the models so the two cannot drift.
_STEP_MODELS: dict[str, type[BaseModel]] = {
    get_args(m.model_fields["type"].annotation)[0]: m
    for m in (*ANSWER_TYPES, InfoStep, LoopStep, IncludeStep)
}


def _keys_at(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where an unknown key was found, to suggest the closest."""
    if not loc:
        return _fields(Playbook)
    node = data
    for key in loc:
        is_index = isinstance(node, list) and isinstance(key, int) and key < len(node)
        if is_index or (isinstance(node, dict) and key in node):
            node = node[key]
    kind = node.get("type") if isinstance(node, dict) else None
    if isinstance(kind, str) and kind in _STEP_MODELS:
        return _fields(_STEP_MODELS[kind])
    return _known_keys()


def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _known_keys() -> list[str]:
    models: list[type[BaseModel]] = [
        Playbook,
        Condition,
        Choice,
        *ANSWER_TYPES,
        InfoStep,
        LoopStep,
        IncludeStep,
    ]
    keys = {f.alias or name for m in models for name, f in m.model_fields.items()}
    return sorted(keys)


def _explain(data: Any, exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """Pydantic's errors as author-facing lines, the most telling first.

    A misspelt key shows up twice (the unknown key and the missing one it meant); say it
    once, as the typo with its correction.
    """
    errors = [
        e
        for e in exc.errors()
        # a choice given as a table also fails as a string: its own errors say what is wrong
        if not (e["type"] == "string_type" and e["loc"][-1:] == ("str",))
    ]
    missing = {(tuple(e["loc"][:-1]), e["loc"][-1]) for e in errors if e["type"] == "missing"}
    corrected: set[tuple[tuple[Any, ...], Any]] = set()
    lines: list[tuple[tuple[Any, ...], str]] = []
    for err in sorted(errors, key=lambda e: e["type"] != "extra_forbidden"):
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            wanted = [str(k) for (parent, k) in missing if parent == loc[:-1]]
            close = difflib.get_close_matches(str(loc[-1]), wanted or _keys_at(data, loc[:-1]), n=1)
            line = f"{_format_loc(data, loc[:-1])}: unknown key {loc[-1]!r}"
            if close:
                line += f" (did you mean {close[0]!r}?)"
                corrected.add((loc[:-1], close[0]))
        elif err["type"] == "missing" and (loc[:-1], loc[-1]) in corrected:
            continue
        else:
            line = _format_error(data, err)
        if line not in [text for _loc, text in lines]:
            lines.append((loc, line))
    return lines


def _format_error(data: Any, err: Any) -> str:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid"))
    if kind == "too_short" and loc and loc[-1] == "steps":
        return f"{_format_loc(data, loc)}: give at least one step"
    if kind == "missing":
        where = _format_loc(data, loc[:-1])
        return f"{where}: missing required key {loc[-1]!r}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        where = _format_loc(data, loc)
        return (
            f"{where}: unknown step type {ctx.get('tag')!r}; use one of {ctx.get('expected_tags')}"
        )
    if kind == "union_tag_not_found":
        return f"{_format_loc(data, loc)}: a step needs a 'type'"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "string_pattern_mismatch":
        msg = "use lowercase letters, digits and underscores, starting with a letter"
        if loc and loc[-1] == "id" and len(loc) == 1:
            msg = "use lowercase letters, digits, '-' and '_', starting with a letter"
    return f"{_format_loc(data, loc)}: {msg}"


def parse_playbook(text: str, source: str) -> Playbook:
    """Parse and check one playbook's TOML text; ``source`` names it in errors."""
    problems = playbook_problems(text, source)
    if isinstance(problems, Playbook):
        return problems
    first, *rest = problems
    more = f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''})" if rest else ""
    raise PlaybookError(f"{first}{more}")


def toml_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> str:
    """``source:line:col: TOML syntax error: ...``, the way compilers point at a line."""
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match:
        line, col = match.groups()
        detail = _TOML_POSITION.sub("", message).strip()
        return f"{source}:{line}:{col}: TOML syntax error: {detail}"
    if "(at end of document)" in message:
        # Something left open until the end: point at the last line.
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        detail = message.replace("(at end of document)", "").strip()
        return f"{source}:{max(last, 1)}: TOML syntax error: {detail} at the end of the file"
    return f"{source}: TOML syntax error: {message}"


def playbook_problems(text: str, source: str) -> Playbook | list[str]:
    """The playbook, or every problem found in it, each naming ``source``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [toml_error(exc, text, source)]
    if not data:
        return [f"{source}: the file is empty; a playbook needs schema, id, kind, title and steps"]
    lines = _LineMap(text)
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        return [
            _at(source, lines.find(_clean_loc(data, loc)), line)
            for loc, line in _explain(data, exc)
        ]
    problems = _check_located(playbook)
    if problems:
        return [
            _at(source, lines.step(step_id) if step_id else lines.find(("schema",)), p)
            for step_id, p in problems
        ]
    return playbook


def _at(source: str, line: int | None, message: str) -> str:
    """``file:line: message``, the way compilers point at a line (no line: ``file: ...``)."""
    return f"{source}:{line}: {message}" if line else f"{source}: {message}"


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic location without the union member names, as keys and indexes in the TOML."""
    clean: list[Any] = []
    node = data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int):
            node = node[key] if key < len(node) else None
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict) and key in ("str", "Choice", *_STEP_MODELS):
            continue  # pydantic names the union member it tried; the file does not
        else:
            node = None
        clean.append(key)
    return tuple(clean)


class _LineMap:
    """Which line of a TOML text defines each table and key, for pointing at problems.

    A light scanner, not a parser: the text has already parsed, so it only follows table
    headers, keys and values that go on over several lines (strings, arrays, inline
    tables). Anything inside such a value is located at the line of its key.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")
    _STEP_ID = re.compile(r"^\s*id\s*=\s*[\"']([^\"']*)[\"']")

    def __init__(self, text: str) -> None:
        self.where: dict[tuple[Any, ...], int] = {}
        self.step_lines: dict[str, int] = {}
        counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] = ()
        open_: list[str] = []  # delimiters of a value that goes on to the next lines
        for number, line in enumerate(text.splitlines(), start=1):
            if open_:
                open_ = _still_open(line, open_)
                continue
            header = self._HEADER.match(line)
            if header:
                current = self._resolve(_split_key(header.group(2)), counts)
                if header.group(1) == "[[":
                    counts[current] = counts.get(current, 0) + 1
                    current = (*current, counts[current] - 1)
                self.where.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.where.setdefault((*current, *_split_key(key.group(1))), number)
                step_id = self._STEP_ID.match(line)
                if step_id and current and isinstance(current[-1], int):
                    self.step_lines.setdefault(step_id.group(1), self.where[current])
                open_ = _still_open(line[key.end() :], [])

    @staticmethod
    def _resolve(keys: list[str], counts: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
        """A dotted header's path, each array of tables standing for its last element."""
        path: tuple[Any, ...] = ()
        for index, key in enumerate(keys):
            path = (*path, key)
            if index < len(keys) - 1 and path in counts:
                path = (*path, counts[path] - 1)
        return path

    def find(self, loc: tuple[Any, ...]) -> int | None:
        """The line of the deepest part of ``loc`` the text defines."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.where:
                return self.where[loc[:end]]
        return None

    def step(self, step_id: str | None) -> int | None:
        return self.step_lines.get(step_id) if step_id else None


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


_TRIPLE = ('"""', "'''")


def _still_open(text: str, open_: list[str]) -> list[str]:
    """The delimiters still open after ``text``, given those open before it."""
    stack = list(open_)
    index = 0
    while index < len(text):
        if stack and stack[-1] in _TRIPLE:
            end = text.find(stack[-1], index)
            if end < 0:
                return stack
            stack.pop()
            index = end + 3
            continue
        if text.startswith(_TRIPLE, index):
            stack.append(text[index : index + 3])
            index += 3
            continue
        char = text[index]
        if char == "#":
            break
        if char in "\"'":
            index = _string_end(text, index)
            continue
        if char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
        index += 1
    return stack


def _string_end(text: str, start: int) -> int:
    """The index just after the one-line string that starts at ``start``."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return index


def load_file(path: Path) -> Playbook:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read playbook ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlaybookError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return parse_playbook(text, str(path))


# --- the library: built-ins plus the user's folders ---------------------------------


def builtin_dir() -> Path:
    """The folder of built-in playbooks shipped in the package."""
    packaged = Path(str(resources.files("clientcoach"))) / "playbooks"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the playbooks sit at the top.
    return Path(__file__).resolve().parents[2] / "playbooks"


Origin = Literal["built-in", "user"]


@dataclass(frozen=True)
class Entry:
    """Where a playbook id is defined, before it is read."""

    id: str
    path: Path
    origin: Origin
    shadows: Path | None = None  # a built-in hidden by this user playbook


class Library:
    """Finds playbooks by id; a user playbook overrides a built-in with the same id.

    A playbook's id is its file name (``prep.toml`` holds ``id = "prep"``), so one
    broken file never stops the others from loading. Built-ins come in English at the
    top of their folder and translated in a subfolder per language (``fr/prep.toml``),
    with the same ids, step ids, roles and choice values; a built-in not yet translated
    is shown in English.
    """

    def __init__(
        self, user_dirs: list[Path], builtins: Path | None = None, language: str | None = None
    ) -> None:
        from clientcoach import i18n

        self.builtins = builtins if builtins is not None else builtin_dir()
        self.user_dirs = user_dirs
        self.language = language if language is not None else i18n.language()
        self._cache: dict[str, Playbook] = {}

    def builtin_path(self, playbook_id: str) -> Path:
        """The built-in file for an id in the library's language, else the English one."""
        english = self.builtins / f"{playbook_id}.toml"
        if self.language != "en":
            translated = self.builtins / self.language / english.name
            if translated.is_file():
                return translated
        return english

    def entries(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        for path in _toml_files(self.builtins):
            found[path.stem] = Entry(path.stem, self.builtin_path(path.stem), "built-in")
        for folder in reversed(self.user_dirs):  # earlier folders win
            for path in _toml_files(folder):
                previous = found.get(path.stem)
                shadows = None
                if previous is not None:
                    shadows = previous.path if previous.origin == "built-in" else previous.shadows
                found[path.stem] = Entry(path.stem, path, "user", shadows)
        return dict(sorted(found.items()))

    def get(self, playbook_id: str) -> Playbook:
        if playbook_id in self._cache:
            return self._cache[playbook_id]
        entry = self.entries().get(playbook_id)
        if entry is None:
            known = ", ".join(self.entries()) or "none"
            raise PlaybookError(
                f"no playbook with id {playbook_id!r}",
                f"known playbooks: {known}; run `coach playbooks` to list them",
            )
        playbook = self._read(entry.path)
        self._cache[playbook_id] = playbook
        return playbook

    def _read(self, path: Path) -> Playbook:
        playbook = load_file(path)
        if playbook.id != path.stem:
            raise PlaybookError(
                f"{path}: id {playbook.id!r} does not match the file name; "
                f"name the file {playbook.id}.toml or set id = {path.stem!r}"
            )
        return playbook

    def load_path(self, path: Path) -> Playbook:
        """A playbook given as a file, checked with its includes."""
        playbook = self._read(path)
        self._cache.setdefault(playbook.id, playbook)
        self.resolve(playbook, str(path))
        return playbook

    def resolve(self, playbook: Playbook, source: str | None = None) -> dict[str, Playbook]:
        """Every playbook reachable through includes, by id; catches unknown ids and cycles."""
        resolved: dict[str, Playbook] = {playbook.id: playbook}
        where = source or playbook.id

        def visit(pb: Playbook, chain: list[str]) -> None:
            for step in _walk(list(pb.steps)):
                if not isinstance(step, IncludeStep):
                    continue
                if step.playbook in chain:
                    cycle = " -> ".join([*chain, step.playbook])
                    raise PlaybookError(f"{where}: include cycle {cycle}")
                try:
                    target = resolved.get(step.playbook) or self.get(step.playbook)
                except PlaybookError as exc:
                    if exc.message.startswith("no playbook"):
                        raise PlaybookError(
                            f"{where}: step {step.id!r} includes unknown playbook "
                            f"{step.playbook!r}",
                            exc.hint,
                        ) from exc
                    raise
                resolved[step.playbook] = target
                visit(target, [*chain, step.playbook])

        visit(playbook, [playbook.id])
        return resolved


def _walk(steps: list[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, LoopStep):
            yield from _walk(list(step.steps))


def _toml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def user_playbook_dirs(data_dir: Path) -> list[Path]:
    """Folders of user playbooks: ``CLIENTCOACH_PLAYBOOKS`` first, then the data directory's."""
    dirs = [Path(p) for p in os.environ.get("CLIENTCOACH_PLAYBOOKS", "").split(os.pathsep) if p]
    dirs.append(data_dir / "playbooks")
    return dirs
