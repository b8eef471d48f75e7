"""What a valid reflection or draft file is, as pydantic models: loaded only to read one.

A run builds and saves the light classes of :mod:`clientcoach.model.reflection` and
:mod:`clientcoach.model.draft` (the same names and fields). A file read back is checked here,
then handed on as those classes, so only commands that read whole records load pydantic.
Tests keep the two sets of classes in agreement, field by field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clientcoach import REFLECTION_SCHEMA
from clientcoach.model import draft as plain_draft
from clientcoach.model import reflection as plain_reflection
from clientcoach.model.draft import DRAFT_SCHEMA
from clientcoach.model.plain import Plain
from clientcoach.model.reflection import RecordKind, Value

__all__ = ["ValidationError", "draft", "reflection", "review_info"]


class _Record(BaseModel):
    # Unknown keys are kept, not dropped: a file must never lose data it was given.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Answer(_Record):
    step: str
    type: str
    role: str | None = None
    prompt: str | None = None
    value: Value = None
    label: str | list[str] | None = Field(
        default=None, description="The shown label(s) of a choice, beside its stable value."
    )
    items: list[list[Answer]] | None = Field(default=None, description="Loop items, in order.")
    item: str | None = Field(default=None, description="The title of one loop item.")
    answers: list[Answer] | None = Field(default=None, description="An included playbook's.")
    playbook: str | None = Field(default=None, description="Id of an included playbook.")
    planned: Value = Field(
        default=None, description="What the linked prep planned, for a step with `plan`."
    )
    repeat_of: dict[str, str] | None = Field(
        default=None, description="The earlier answer this one repeats: reflection id, text."
    )
    done: str | None = Field(
        default=None, description="On a follow-up's `what` answer: the day it was done."
    )
    summary: str | None = Field(
        default=None, description="How the review sums it up, copied from the step."
    )


class Meeting(_Record):
    title: str | None = None
    date: date


class PlaybookRef(_Record):
    id: str
    version: str
    language: str


class Links(_Record):
    prep: str | None = None


class ReviewInfo(_Record):
    """What a monthly reflection looked back on (only on reflections of kind review)."""

    start: date
    end: date
    top_repeated_mistake: str | None = None


class Reflection(_Record):
    schema_: int = Field(default=REFLECTION_SCHEMA, alias="schema")
    id: str
    kind: RecordKind
    client: str
    meeting: Meeting
    playbook: PlaybookRef
    links: Links = Field(default_factory=Links)
    started_at: datetime
    finished_at: datetime
    answers: list[Answer]
    app_version: str
    review: ReviewInfo | None = None


class DraftAnswer(_Record):
    at: list[str | int] = Field(description="The engine's address of the answer.")
    value: Value = None


class DraftPlaybook(_Record):
    id: str
    version: str
    language: str
    path: str | None = Field(default=None, description="Set when loaded from a .toml file.")
    steps: list[str] = Field(default_factory=list, description="Step paths at the time.")
    fingerprint: str = ""


class Draft(_Record):
    schema_: int = Field(default=DRAFT_SCHEMA, alias="schema")
    id: str
    kind: RecordKind
    client: str
    meeting: Meeting
    playbook: DraftPlaybook
    links: Links = Field(default_factory=Links)
    started_at: datetime
    updated_at: datetime
    answers: list[DraftAnswer] = Field(default_factory=list)
    remembered: list[DraftAnswer] = Field(
        default_factory=list,
        description="Answers given beyond the point the user went back to: offered again "
        "as the default when their step comes up, never replayed on their own.",
    )
    app_version: str


def reflection(data: Any) -> plain_reflection.Reflection:
    """The reflection in ``data`` (a parsed file); ValidationError when it is not one."""
    found = _to_plain(Reflection.model_validate(data))
    assert isinstance(found, plain_reflection.Reflection)
    return found


def draft(data: Any) -> plain_draft.Draft:
    """The draft in ``data`` (a parsed file); ValidationError when it is not one."""
    found = _to_plain(Draft.model_validate(data))
    assert isinstance(found, plain_draft.Draft)
    return found


def review_info(data: Any) -> plain_reflection.ReviewInfo:
    """A monthly reflection's period; ValidationError when ``data`` is not one."""
    found = _to_plain(ReviewInfo.model_validate(data))
    assert isinstance(found, plain_reflection.ReviewInfo)
    return found


_PLAIN: dict[str, type[Plain]] = {
    cls.__name__: cls
    for cls in (
        plain_reflection.Answer,
        plain_reflection.Meeting,
        plain_reflection.PlaybookRef,
        plain_reflection.Links,
        plain_reflection.ReviewInfo,
        plain_reflection.Reflection,
        plain_draft.DraftAnswer,
        plain_draft.DraftPlaybook,
        plain_draft.Draft,
    )
}


def _to_plain(value: Any) -> Any:
    """A checked model as the light class of the same name, given the same values.

    Keys a model does not know (kept by ``extra="allow"``) come along as they were.
    """
    if isinstance(value, BaseModel):
        # Read from the extra dict, not as attributes: a key may be named like a method.
        extra = value.model_extra or {}
        fields = [name for name in value.model_fields_set if name not in extra]
        given = {name: getattr(value, name) for name in fields} | extra
        kind = _PLAIN[type(value).__name__]
        return kind(**{name: _to_plain(item) for name, item in given.items()})
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    return value
