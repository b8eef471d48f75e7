"""The draft: an unfinished run, saved after every answer so nothing typed is lost.

A draft holds what a reflection will hold except the answers' final form: the engine's
answers by address, in the order they were given, so a resumed run replays them and
goes on exactly where it stopped. It also remembers the playbook's steps at the time,
so a resume can say which steps were dropped or added since. Pure: no files, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import Field

from clientcoach.model.playbook import IncludeStep, LoopStep, Playbook, Step
from clientcoach.model.reflection import Links, Meeting, RecordKind, RecordModel, Value, file_text

DRAFT_SCHEMA = 1
Address = tuple[str | int, ...]


class DraftAnswer(RecordModel):
    at: list[str | int] = Field(description="The engine's address of the answer.")
    value: Value = None
    halfway: bool = Field(
        default=False,
        description="Lines typed when the run stopped, the step not finished: a resume "
        "shows them and reads more.",
    )
    repeat_of: dict[str, str | None] | None = Field(
        default=None,
        description="The earlier answer this one was linked to as a repeat: its "
        "reflection, text, client and day.",
    )


class DraftPlaybook(RecordModel):
    id: str
    version: str
    language: str
    path: str | None = Field(default=None, description="Set when loaded from a .toml file.")
    steps: list[str] = Field(default_factory=list, description="Step paths at the time.")
    fingerprint: str = ""


class Draft(RecordModel):
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

    def to_json(self) -> str:
        return file_text({"schema": self.schema_, **self.data()})

    def pending(self) -> dict[Address, Value]:
        """The answers by address, in the order they were given."""
        return {tuple(a.at): a.value for a in self.answers}

    def offered(self) -> dict[Address, Value]:
        """Answers to offer again (the user had gone back past them), by address."""
        return {tuple(a.at): a.value for a in self.remembered}

    def repeats(self) -> dict[Address, dict[str, str | None]]:
        """The earlier answers the answers repeat, by address (as linked at the time)."""
        return {tuple(a.at): a.repeat_of for a in self.answers if a.repeat_of is not None}

    def halfway(self) -> frozenset[Address]:
        """The steps being typed when the run stopped (their lines are offered)."""
        return frozenset(tuple(a.at) for a in self.remembered if a.halfway)

    @property
    def count(self) -> int:
        """Answers given, as a person counts them: not skips, not the info steps read.
        Those gone back past count too (a resume offers them again); lines typed halfway
        do not."""
        given = {tuple(a.at) for a in self.answers if a.value is not None}
        back = {tuple(a.at) for a in self.remembered if a.value is not None and not a.halfway}
        return len(given | back)


def with_answers(
    draft: Draft,
    answers: Iterable[tuple[Address, Value]],
    now: datetime,
    remembered: Iterable[tuple[Address, Value]] = (),
    halfway: Collection[Address] = (),
    links: Mapping[Address, Mapping[str, str | None]] | None = None,
) -> Draft:
    """The draft holding ``answers`` (in order) and ``remembered`` ones, updated ``now``;
    those of ``halfway`` were being typed when the run stopped, and ``links`` names the
    earlier answers some of them repeat."""
    links = links or {}
    rows = [
        DraftAnswer(
            at=list(address),
            value=value,
            **({"repeat_of": dict(links[address])} if address in links else {}),
        )
        for address, value in answers
    ]
    kept = [
        DraftAnswer(
            at=list(address), value=value, **({"halfway": True} if address in halfway else {})
        )
        for address, value in remembered
    ]
    update: dict[str, object] = {"answers": rows, "updated_at": now}
    if kept or draft.remembered:
        update["remembered"] = kept
    return draft.replace(**update)


def step_paths(playbook: Playbook, included: Mapping[str, Playbook]) -> list[str]:
    """Every step as a dotted path of ids (``next_steps.owner``, ``help.r1_asked``)."""
    return list(_paths(list(playbook.steps), "", included, set()))


def _paths(
    steps: list[Step], prefix: str, included: Mapping[str, Playbook], seen: set[str]
) -> Iterator[str]:
    for step in steps:
        path = f"{prefix}{step.id}"
        yield path
        if isinstance(step, LoopStep):
            yield from _paths(list(step.steps), f"{path}.", included, seen)
        elif isinstance(step, IncludeStep) and step.playbook in included:
            if step.playbook in seen:
                continue  # the library refuses cycles; this only guards the walk
            target = included[step.playbook]
            yield from _paths(list(target.steps), f"{path}.", included, seen | {step.playbook})


def fingerprint(playbook: Playbook, included: Mapping[str, Playbook]) -> str:
    """A short hash of the playbook and its includes: any edit changes it."""
    parts = [playbook.data()]
    parts += [included[key].data() for key in sorted(included)]
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    import hashlib  # only a run that keeps a draft pays for it

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def address_path(address: Address) -> str:
    """The step path an answer belongs to: loop item indexes left out."""
    return ".".join(p for p in address if isinstance(p, str))


@dataclass
class Changes:
    """What changed in a playbook between a draft and now."""

    dropped: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    lost_answers: int = 0

    @property
    def any(self) -> bool:
        return bool(self.dropped or self.added)


def compare(draft: Draft, playbook: Playbook, included: Mapping[str, Playbook]) -> Changes:
    """Steps dropped and added since the draft was saved, and answers that have no step."""
    if draft.playbook.fingerprint == fingerprint(playbook, included):
        return Changes()
    now = step_paths(playbook, included)
    before = draft.playbook.steps
    known = set(now)
    changes = Changes(
        dropped=[p for p in before if p not in known],
        added=[p for p in now if p not in set(before)],
    )
    changes.lost_answers = sum(1 for a in draft.answers if address_path(tuple(a.at)) not in known)
    return changes
