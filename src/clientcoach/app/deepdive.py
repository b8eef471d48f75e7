"""``coach deepdive``: walk later what a debrief flagged for depth, saved linked to it.

A pending deep-dive (:mod:`clientcoach.insights.deepdives`) is found by its id, by its
debrief's id, or by the client's name; without one, the pending ones are offered. The
walk is a run of the deep-dive's own playbook (``troll-bridge`` for a hot moment...),
its steps answered in the debrief taking that answer as their default (the topic, the
calm), saved as a reflection of kind ``any`` with the debrief's client and meeting date
and ``links.deepdive_of`` holding the debrief's id. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientcoach.app import scripted, session
from clientcoach.app.clients import pending
from clientcoach.app.meeting import MeetingAsker, walk_and_save
from clientcoach.core.engine import Run
from clientcoach.core.text import fold
from clientcoach.errors import DataError, UsageError
from clientcoach.i18n import _
from clientcoach.insights.records import walk
from clientcoach.storage.playbooks import Library
from clientcoach.storage.store import Damaged, Store

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp
    from clientcoach.model.draft import Address, Draft
    from clientcoach.model.reflection import Reflection, Value


class NoneWaiting(DataError):
    """No deep-dive is waiting (for this client, when one was named)."""


@dataclass
class DeepDiveChoice:
    """What ``coach deepdive [REF]`` found: the one to walk, or those to pick from."""

    found: FollowUp | None
    pending: list[FollowUp]
    damaged: list[Damaged]


def choose(store: Store, ref: str | None) -> DeepDiveChoice:
    """The deep-dive ``ref`` names (its id or a unique start, its debrief's id, or a
    client), or, when it names none or a client with several, the ones to pick from."""
    waiting, damaged = pending(store)
    if ref is None or not ref.strip():
        if not waiting:
            raise NoneWaiting(
                _("no deep-dive is waiting"),
                _("a quick debrief with a hot moment leaves one: coach debrief CLIENT --quick"),
            )
        return DeepDiveChoice(None, waiting, damaged)
    needle = ref.strip().lower()
    by_id = [d for d in waiting if needle in (d.id.lower(), d.short_id.lower())] or [
        d
        for d in waiting
        if d.id.lower().startswith(needle)
        or d.short_id.lower().startswith(needle)
        or d.reflection.lower().startswith(needle)
        or d.reflection.rsplit("-", 1)[-1].lower().startswith(needle)
    ]
    if len(by_id) == 1:
        return DeepDiveChoice(by_id[0], waiting, damaged)
    if by_id:
        return DeepDiveChoice(None, by_id, damaged)
    folded = fold(ref)
    mine = [d for d in waiting if fold(d.client) == folded] or [
        d for d in waiting if fold(d.client).startswith(folded)
    ]
    if len({fold(d.client) for d in mine}) > 1:
        names = sorted({d.client for d in mine})
        raise UsageError(
            _("{typed!r} could be {names}").format(typed=ref, names=", ".join(names)),
            _("give more of the name"),
        )
    if len(mine) == 1:
        return DeepDiveChoice(mine[0], waiting, damaged)
    if mine:
        return DeepDiveChoice(None, mine, damaged)
    from clientcoach.insights.names import similar_names

    # A typo of a client with a deep-dive waiting (``initek`` for Initech Corp).
    close = similar_names(ref, sorted({d.client for d in waiting}))
    raise NoneWaiting(
        _("no deep-dive waiting matches {ref!r}").format(ref=ref),
        _("did you mean {names}?").format(names=_(" or ").join(close))
        if close
        else _("run `coach deepdive` to list those waiting"),
    )


Pick = Callable[[list["FollowUp"]], "FollowUp | None"]


def deepdive(
    store: Store,
    library: Library,
    ref: str | None,
    *,
    asker: MeetingAsker | None,
    pick: Pick | None,
    answers_path: Path | None,
    now: datetime,
    before: Callable[[FollowUp], None] | None = None,
) -> tuple[Reflection, Path, list[Damaged]] | None:
    """``coach deepdive [REF]`` from choosing to saving; None when nothing was picked.

    Several waiting and none named: ``pick`` (a person at a terminal) chooses, or, with
    no one to ask, the only one waiting is walked and several are a usage error.
    """
    choice = choose(store, ref)
    dive = choice.found
    if dive is None and pick is None and len(choice.pending) == 1:
        dive = choice.pending[0]
    if dive is None:
        if pick is None:
            ids = ", ".join(d.short_id for d in choice.pending[:5])
            raise UsageError(
                _("{n} deep-dives are waiting ({ids})").format(n=len(choice.pending), ids=ids),
                _("name one: coach deepdive ID"),
            )
        dive = pick(choice.pending)
        if dive is None:
            return None
    answers = scripted.load_answers(answers_path) if answers_path is not None else None
    chosen = dive
    reflection, path = walk_later(
        store,
        library,
        dive,
        asker=None if answers is not None else asker,
        answers=answers,
        answers_path=answers_path,
        now=now,
        before=(lambda: before(chosen)) if before is not None else None,
    )
    return reflection, path, choice.damaged


def unfinished(store: Store, dive: FollowUp) -> list[Draft]:
    """Drafts of this very deep-dive (same debrief, same playbook), newest first: walking
    it again instead of resuming one would leave two drafts of one episode."""
    return [
        d
        for d in session.unfinished(store, "any", dive.client)
        if d.links.deepdive_of == dive.reflection and d.playbook.id == dive.playbook
    ]


def walk_later(
    store: Store,
    library: Library,
    dive: FollowUp,
    *,
    asker: MeetingAsker | None,
    answers: dict[str, Any] | None,
    answers_path: Path | None,
    now: datetime,
    before: Callable[[], None] | None = None,
) -> tuple[Reflection, Path]:
    """Walk ``dive``'s playbook and save it linked to its debrief; the reflection, path."""
    _path, debrief = store.find(dive.reflection)
    if dive.playbook is None:
        raise UsageError(_("{id} is not a deep-dive").format(id=dive.short_id))
    playbook = library.get(dive.playbook)
    included = library.resolve(playbook)
    run = Run(playbook, included, now.date(), defaults=debrief_defaults(debrief, playbook.steps))
    meta = session.Meta(
        kind="any",
        client=debrief.client,
        title=debrief.meeting.title,
        day=debrief.meeting.date,
        playbook=playbook,
        included=included,
        prep=None,
        started_at=now,
        deepdive_of=debrief.id,
    )
    return walk_and_save(
        store,
        run,
        meta,
        answers=answers,
        answers_path=answers_path,
        asker=asker,
        heading=debrief.client,
        before=before,
    )


def debrief_defaults(debrief: Reflection, steps: list[Any]) -> dict[Address, Value]:
    """What the debrief already said, offered again: a top-level step of the deep-dive
    takes the debrief's top-level answer with the same role as its default."""
    top = walk([a.data() for a in debrief.answers]).top
    found: dict[Address, Value] = {}
    for step in steps:
        role = getattr(step, "role", None)
        if role is None or getattr(step, "type", None) in ("loop", "include", "info"):
            continue
        value = next(
            (a.get("value") for a in top.get(role, ()) if a.get("value") is not None), None
        )
        if value is not None:
            found[(step.id,)] = value
    return found
