"""The reflection record: one run of a playbook, self-describing, stored as JSON.

A reflection carries the prompts as they were asked, the step types and roles, so it
can be read, shown and aggregated years later without the playbook that produced it.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from clientcoach import REFLECTION_SCHEMA

__all__ = ["REFLECTION_SCHEMA", "Answer", "Reflection", "new_id"]
Value = str | int | float | bool | list[str] | None
RecordKind = Literal["prep", "debrief", "review", "any"]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


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

    def to_json(self) -> str:
        # exclude_unset keeps explicit nulls (a skipped step, no linked prep) and leaves
        # out what was never given, so a file read and written again stays the same.
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        data = {"schema": self.schema_, **data}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def new_id(now: datetime) -> str:
    """A sortable id: the UTC time to the second, then 6 random base-32 characters."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    tail = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    return f"{stamp}-{tail}"
