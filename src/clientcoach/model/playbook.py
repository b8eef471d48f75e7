"""The playbook language, as pydantic models: what a valid playbook is, defined once.

A playbook is data. Nothing read from a playbook is ever evaluated: conditions are
declarative trees checked by :mod:`clientcoach.core.engine`, and prompts are shown as plain
text. A file is checked in two passes: these models reject unknown keys and wrong types
(steps are a union tagged by ``type``), then :func:`clientcoach.core.checks.check_playbook`
catches what a schema cannot say (step ids, condition references, defaults). Reading the
files (TOML, line numbers, the library of playbooks) is :mod:`clientcoach.storage.playbooks`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Annotated, Any, Literal, get_args

from pydantic import ConfigDict, Field, ValidationError, model_validator

from clientcoach.model.base import Model

PLAYBOOK_SCHEMA = 1
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PLAYBOOK_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
Scalar = str | int | float | bool
Kind = Literal["prep", "debrief", "review", "any"]
Summary = Literal["rate", "mean", "distribution", "top"]


class _Model(Model):
    # Validators are built on first use: a command that reads no playbook pays nothing.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, defer_build=True, strict=True
    )


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
        """The conditions on a step inside this one (itself, when it is one)."""
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


class _TextDefault(_StepBase):
    """A step whose default is text (what a person would type)."""

    default: str | None = None


class TextStep(_TextDefault):
    type: Literal["text"]
    max_length: int = Field(default=500, ge=1)


class LongTextStep(_TextDefault):
    type: Literal["longtext"]


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


class DateStep(_TextDefault):
    """A day; its default is an ISO date, 'today', 'tomorrow' or '+Nd' / '+Nw'."""

    type: Literal["date"]


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
Step = Annotated[AnswerStep | InfoStep | LoopStep | IncludeStep, Field(discriminator="type")]
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


def walk(steps: list[Step]) -> Iterator[Step]:
    """Every step, loops walked into (not includes), in order."""
    for step in steps:
        yield step
        if isinstance(step, LoopStep):
            yield from walk(list(step.steps))


def validate(data: dict[str, Any]) -> Playbook | list[tuple[tuple[Any, ...], str]]:
    """The playbook held by ``data`` (parsed TOML), or its problems as (location, line).

    A location is the path of keys and indexes in the file that the problem is about.
    """
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        return [(_clean_loc(data, loc), line) for loc, line in _explain(data, exc)]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a playbook file, for editors."""
    schema: dict[str, Any] = _by_type(Playbook.model_json_schema(by_alias=True))
    return schema


def _by_type(node: Any) -> Any:
    """Each step schema selected by the step's ``type``.

    pydantic writes a tagged union as ``oneOf`` with an OpenAPI ``discriminator``, which
    JSON Schema validators ignore: a typo in ``type``, or one wrong key, then fails every
    branch at once and editors report "not valid under any of the given schemas". With
    the type first checked against the list of types, then one ``if``/``then`` per type,
    a wrong type is named as such and a wrong key is named inside the step it is in.
    """
    if isinstance(node, list):
        return [_by_type(item) for item in node]
    if not isinstance(node, dict):
        return node
    tagged = node.get("discriminator")
    if isinstance(tagged, dict) and "oneOf" in node:
        name = tagged["propertyName"]
        mapping: dict[str, str] = tagged["mapping"]
        return {
            "type": "object",
            "required": [name],
            "properties": {name: {"enum": sorted(mapping)}},
            "allOf": [
                {
                    "if": {"properties": {name: {"const": tag}}, "required": [name]},
                    "then": {"$ref": ref},
                }
                for tag, ref in sorted(mapping.items())
            ],
        }
    return {key: _by_type(value) for key, value in node.items()}


# --- pydantic's errors in an author's words --------------------------------------------


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
_STEP_MODELS: dict[str, type[Model]] = {
    get_args(m.model_fields["type"].annotation)[0]: m for m in get_args(get_args(Step)[0])
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


def _fields(model: type[Model]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _known_keys() -> list[str]:
    models: list[type[Model]] = [Playbook, Condition, Choice, *_STEP_MODELS.values()]
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


# A value of the wrong kind, said as what to write instead: TOML has true, numbers,
# lists and tables of their own, and a quoted "no" or "15" is text.
_KIND_OF_VALUE = {
    "bool_type": "give true or false, without quotes",
    "bool_parsing": "give true or false, without quotes",
    "int_type": "give a whole number, without quotes",
    "int_parsing": "give a whole number, without quotes",
    "int_from_float": "give a whole number, without quotes",
    "float_type": "give a number, without quotes",
    "float_parsing": "give a number, without quotes",
    "list_type": 'give a list in square brackets, e.g. ["a", "b"]',
    "string_type": "give text in quotes",
}
_TABLE_OF = {
    "Condition": 'give a condition as a table, e.g. { step = "channel", equals = "phone" }',
    "": 'give a table, e.g. { value = "video", label = "Video call" }',
}


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
    said = _KIND_OF_VALUE.get(kind)
    if kind in ("model_type", "dict_type"):
        said = _TABLE_OF.get(str(err.get("ctx", {}).get("class_name")), _TABLE_OF[""])
    if said is not None:
        return f"{_format_loc(data, loc)}: {said}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "string_pattern_mismatch":
        msg = "use lowercase letters, digits and underscores, starting with a letter"
        if loc and loc[-1] == "id" and len(loc) == 1:
            msg = "use lowercase letters, digits, '-' and '_', starting with a letter"
    return f"{_format_loc(data, loc)}: {msg}"


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
