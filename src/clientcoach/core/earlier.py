"""An answer from an earlier reflection that a new answer may repeat (e.g. a mistake).

Apart from the engine, which holds the ones a run offers, so that the client memory
(:mod:`clientcoach.insights.recall`), which finds them in plain record dicts, can make
them without loading the playbook models.
"""

from __future__ import annotations

from typing import NamedTuple


class Earlier(NamedTuple):
    """An earlier answer: its reflection's id, its text, the client and the meeting day."""

    reflection: str
    text: str
    client: str | None = None
    day: str | None = None  # ISO date of the meeting
