"""The reflection record: one run of a playbook, self-describing, stored as JSON.

A reflection carries the prompts as they were asked, the step types and roles, so it
can be read, shown and aggregated years later without the playbook that produced it.
These are the light classes a run builds and saves; a file read back is checked by the
pydantic models of :mod:`clientcoach.model.record_schema` first. Unknown keys are kept, not
dropped: a file must never lose data it was given.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from typing import ClassVar, Literal

from clientcoach import REFLECTION_SCHEMA
from clientcoach.model.plain import Plain

__all__ = ["REFLECTION_SCHEMA", "Answer", "Reflection", "new_id"]
Value = str | int | float | bool | list[str] | None
RecordKind = Literal["prep", "debrief", "review", "any"]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class Answer(Plain):
    step: str
    type: str
    role: str | None = None
    prompt: str | None = None
    value: Value = None
    label: str | list[str] | None = None  # the shown label(s) of a choice
    items: list[list[Answer]] | None = None  # loop items, in order
    item: str | None = None  # the title of one loop item, e.g. "Next step"
    answers: list[Answer] | None = None  # an included playbook's
    playbook: str | None = None  # id of an included playbook
    planned: Value = None  # what the linked prep planned, for a step with `plan`
    repeat_of: dict[str, str] | None = None  # the earlier answer repeated: reflection, text
    done: str | None = None  # on a follow-up's `what` answer: the day it was done
    summary: str | None = None  # how the review sums it up, copied from the step


class Meeting(Plain):
    title: str | None = None
    date: date


class PlaybookRef(Plain):
    id: str
    version: str
    language: str


class Links(Plain):
    prep: str | None = None


class ReviewInfo(Plain):
    """What a monthly reflection looked back on (only on reflections of kind review)."""

    start: date
    end: date
    top_repeated_mistake: str | None = None


class Reflection(Plain):
    ALIASES: ClassVar[dict[str, str]] = {"schema_": "schema"}

    schema_: int = REFLECTION_SCHEMA
    id: str
    kind: RecordKind
    client: str
    meeting: Meeting
    playbook: PlaybookRef
    links: Links = Links()
    started_at: datetime
    finished_at: datetime
    answers: list[Answer]
    app_version: str
    review: ReviewInfo | None = None

    def to_json(self) -> str:
        # Only what was given is written: explicit nulls (a skipped step, no linked prep)
        # are kept, what was never given is left out, so a file read and written again
        # stays the same.
        data = {"schema": self.schema_, **self.data()}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- reading back, for the files this version writes ----------------------------------

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?(Z|[+-]\d{2}:\d{2})?")
_KINDS = ("prep", "debrief", "review", "any")
_REQUIRED = {"id", "kind", "client", "meeting", "playbook", "started_at", "finished_at"}
_REQUIRED |= {"answers", "app_version"}


class _Unusual(Exception):
    """Data the quick reader leaves to the models (which accept it or say what is wrong)."""


def from_data(data: object) -> Reflection | None:
    """The reflection in ``data`` (a parsed file) when it has exactly the shape clientcoach
    writes; None for anything else, which :func:`clientcoach.model.record_schema.reflection` then
    checks. Reading a prep or showing a reflection so needs no pydantic, and what is read
    this way is what the models would have read (a test compares the two)."""
    try:
        return _reflection(data)
    except (_Unusual, ValueError, RecursionError):
        return None


def _reflection(data: object) -> Reflection:
    given = _table(data)
    if not given.keys() >= _REQUIRED or "schema_" in given:
        raise _Unusual
    values: dict[str, object] = {}
    for key, value in given.items():
        if key == "schema":
            if type(value) is not int:
                raise _Unusual
            values["schema_"] = value
        elif key in ("id", "client", "app_version"):
            values[key] = _text(value)
        elif key == "kind":
            if value not in _KINDS:
                raise _Unusual
            values[key] = value
        elif key == "meeting":
            meeting = _table(value)
            if "date" not in meeting:
                raise _Unusual
            values[key] = Meeting(
                **{
                    k: _day(v) if k == "date" else _opt_text(v) if k == "title" else v
                    for k, v in meeting.items()
                }
            )
        elif key == "playbook":
            ref = _table(value)
            if not {"id", "version", "language"} <= ref.keys():
                raise _Unusual
            values[key] = PlaybookRef(
                **{k: _text(v) if k in ("id", "version", "language") else v for k, v in ref.items()}
            )
        elif key == "links":
            values[key] = Links(
                **{k: _opt_text(v) if k == "prep" else v for k, v in _table(value).items()}
            )
        elif key in ("started_at", "finished_at"):
            values[key] = _moment(value)
        elif key == "answers":
            values[key] = _answers(value)
        elif key == "review":
            values[key] = None if value is None else _review(value)
        else:
            values[key] = value  # a key this version does not know: kept as it is
    return Reflection(**values)


def _review(value: object) -> ReviewInfo:
    review = _table(value)
    if not {"start", "end"} <= review.keys():
        raise _Unusual
    return ReviewInfo(
        **{
            k: _day(v)
            if k in ("start", "end")
            else _opt_text(v)
            if k == "top_repeated_mistake"
            else v
            for k, v in review.items()
        }
    )


def _answers(value: object) -> list[Answer]:
    if type(value) is not list:
        raise _Unusual
    return [_answer(item) for item in value]


def _answer(value: object) -> Answer:
    given = _table(value)
    if "step" not in given or "type" not in given:
        raise _Unusual
    values: dict[str, object] = {}
    for key, item in given.items():
        if key in ("step", "type"):
            values[key] = _text(item)
        elif key in ("role", "prompt", "playbook", "done", "summary", "item"):
            values[key] = _opt_text(item)
        elif key in ("value", "planned"):
            values[key] = _value(item)
        elif key == "label":
            values[key] = item if type(item) is str else _opt_texts(item)
        elif key == "items":
            if item is not None and type(item) is not list:
                raise _Unusual
            values[key] = None if item is None else [_answers(one) for one in item]
        elif key == "answers":
            values[key] = None if item is None else _answers(item)
        elif key == "repeat_of":
            if item is not None and not all(
                type(k) is str and type(v) is str for k, v in _table(item).items()
            ):
                raise _Unusual
            values[key] = None if item is None else dict(_table(item))
        else:
            values[key] = item
    return Answer(**values)


def _table(value: object) -> dict[str, object]:
    if type(value) is not dict:
        raise _Unusual
    return value


def _text(value: object) -> str:
    if type(value) is not str:
        raise _Unusual
    return value


def _opt_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _opt_texts(value: object) -> list[str] | None:
    if value is None:
        return None
    if type(value) is not list or any(type(v) is not str for v in value):
        raise _Unusual
    return list(value)


def _value(value: object) -> Value:
    if value is None or type(value) in (str, int, float, bool):
        return value  # type: ignore[return-value]  # one of the checked types
    return _opt_texts(value)


def _day(value: object) -> date:
    if type(value) is not str or not _DAY.fullmatch(value):
        raise _Unusual
    return date.fromisoformat(value)


def _moment(value: object) -> datetime:
    if type(value) is not str or not _MOMENT.fullmatch(value):
        raise _Unusual
    return datetime.fromisoformat(value)


def new_id(now: datetime) -> str:
    """A sortable id: the UTC time to the second, then 6 random base-32 characters."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    # 32 symbols divide 256, so a random byte's last 5 bits pick one without bias.
    tail = "".join(_CROCKFORD[byte & 31] for byte in os.urandom(6))
    return f"{stamp}-{tail}"
