"""The reflection record: one run of a playbook, self-describing, stored as JSON.

A reflection carries the prompts as they were asked, the step types and roles, so it
can be read, shown and aggregated years later without the playbook that produced it.
These models are the record's only definition: a run builds one and saves it, a file
read back is validated by them. Unknown keys are kept, not dropped: a file must never
lose data it was given. Commands that only compute figures (the review, the history)
read records as plain dicts and never build these models.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import ConfigDict, Field

from clientcoach import REFLECTION_SCHEMA
from clientcoach.model.base import Model

__all__ = ["REFLECTION_SCHEMA", "Answer", "Reflection", "new_id"]
Value = str | int | float | bool | list[str] | None
RecordKind = Literal["prep", "debrief", "review", "any"]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class RecordModel(Model):
    # Unknown keys are kept, not dropped: a file must never lose data it was given.
    # Validators are built on first use, by the commands that build or read a record.
    # By alias only: a key named like a field ("schema_") is a key like any other, kept.
    model_config = ConfigDict(extra="allow", defer_build=True)


class Answer(RecordModel):
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


class Meeting(RecordModel):
    title: str | None = None
    date: date


class PlaybookRef(RecordModel):
    id: str
    version: str
    language: str


class Links(RecordModel):
    prep: str | None = None
    deepdive_of: str | None = Field(
        default=None,
        description="On a deep-dive walked later: the id of the debrief whose moment it replays.",
    )


class ReviewInfo(RecordModel):
    """What a monthly reflection looked back on (only on reflections of kind review)."""

    start: date
    end: date
    top_repeated_mistake: str | None = None
    # The review's focus points for next month, as the sentences shown before the
    # reflection's first question.
    focus: list[str] | None = None


class Reflection(RecordModel):
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
        """The file's text. Only what was given is written: explicit nulls (a skipped
        step, no linked prep) are kept, what was never given is left out, so a file read
        and written again stays the same. The schema always comes first."""
        return file_text({"schema": self.schema_, **self.data()})


def file_text(data: object) -> str:
    """A record's file text: two-space indents, text as it is (not escaped)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def new_id(now: datetime) -> str:
    """A sortable id: the UTC time to the second, then 6 random base-32 characters."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    # 32 symbols divide 256, so a random byte's last 5 bits pick one without bias.
    tail = "".join(_CROCKFORD[byte & 31] for byte in os.urandom(6))
    return f"{stamp}-{tail}"
