"""The reflection record: one run of a playbook, self-describing, stored as JSON.

A reflection carries the prompts as they were asked, the step types and roles, so it
can be read, shown and aggregated years later without the playbook that produced it.
These are the light classes a run builds and saves; a file read back is checked by the
pydantic models of :mod:`clientcoach.record_schema` first. Unknown keys are kept, not
dropped: a file must never lose data it was given.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from typing import ClassVar, Literal

from clientcoach import REFLECTION_SCHEMA
from clientcoach.plain import Plain

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


def new_id(now: datetime) -> str:
    """A sortable id: the UTC time to the second, then 6 random base-32 characters."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    # 32 symbols divide 256, so a random byte's last 5 bits pick one without bias.
    tail = "".join(_CROCKFORD[byte & 31] for byte in os.urandom(6))
    return f"{stamp}-{tail}"
