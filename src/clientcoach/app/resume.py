"""``coach resume``: an interrupted run, rebuilt from its draft as it was, going on
where it stopped. Nothing here prints: the command line shows what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientcoach import i18n
from clientcoach.app import session
from clientcoach.app.memory import Memory, recall
from clientcoach.app.workspace import library
from clientcoach.core.earlier import Earlier
from clientcoach.core.engine import Address, Run
from clientcoach.errors import AnswersError, CoachError, PlaybookError, UsageError
from clientcoach.i18n import _
from clientcoach.model.draft import Changes, Draft, compare
from clientcoach.storage.store import Damaged, Store

if TYPE_CHECKING:
    from clientcoach.model.playbook import Playbook
    from clientcoach.model.reflection import Reflection


@dataclass
class Resumed:
    """A draft made a run again: what to show before its next question, and the run."""

    draft: Draft
    changes: Changes
    meta: session.Meta
    run: Run
    memory: Memory | None
    # The earlier answers the draft's answers were linked to as repeats.
    links: dict[Address, Earlier] = field(default_factory=dict)
    # A reflection of the same kind, client and meeting day saved since the draft began.
    recorded: Reflection | None = None


class ManyDrafts(UsageError):
    """No draft named, and not exactly one to resume."""

    def __init__(self, drafts: list[Draft], damaged: list[Damaged] | None = None) -> None:
        super().__init__(
            _("there are {count} drafts").format(count=len(drafts)),
            _("name one: coach resume ID"),
        )
        self.count = len(drafts)
        self.drafts = drafts  # newest first, for a person to pick from
        self.damaged = damaged or []  # named whichever is picked


def pick(store: Store, ref: str | None) -> tuple[Draft, list[Damaged]]:
    """The draft ``ref`` names, or the only one; ManyDrafts when there are none or several."""
    if ref is not None:
        return store.find_draft(ref)[1], []
    drafts, damaged = store.scan_drafts()
    if len(drafts) != 1:
        raise ManyDrafts([draft for _path, draft in drafts], damaged)
    return drafts[0][1], damaged


def resume(
    store: Store, draft: Draft, *, terminal: bool, language_given: bool, now: datetime
) -> Resumed:
    """The run of ``draft``, as it was when it stopped, with what changed since."""
    if not terminal:
        raise AnswersError(
            _("standard input is not a terminal, so draft {id} cannot be resumed").format(
                id=draft.id
            ),
            _("run coach resume in a terminal"),
        )
    # A resumed run goes on in the language it was started in (unless --lang says
    # otherwise): its questions, and the prompts saved with its answers, stay in one.
    language = draft.playbook.language
    if language in i18n.SUPPORTED and not language_given:
        i18n.set_language(language)
    lib = library(store.root, i18n.language())
    source = Path(draft.playbook.path) if draft.playbook.path else None
    try:
        playbook = lib.load_path(source) if source is not None else lib.get(draft.playbook.id)
    except PlaybookError as exc:
        raise PlaybookError(
            exc.message,
            _(
                "the draft is kept; fix the playbook, or drop the draft: coach drafts discard {id}"
            ).format(id=draft.id),
        ) from None
    included = lib.resolve(playbook)
    meta = session.Meta(
        kind=draft.kind,
        client=draft.client,
        title=draft.meeting.title,
        day=draft.meeting.date,
        playbook=playbook,
        included=included,
        prep=draft.links.prep,
        deepdive_of=draft.links.deepdive_of,
        started_at=draft.started_at,
        source=source,
        extra=kept_fields(draft),
    )
    changes = compare(draft, playbook, included)
    # From now on the draft describes the playbook as it is, so a second stop and resume
    # does not report the same changes again.
    draft = draft.replace(playbook=session.new_draft(meta).playbook)
    today = now.date()
    # The run knows again what it knew when it started: without the linked prep's plan,
    # a debrief's plan-versus-outcome steps would vanish and their answers with them.
    memory = _memory(store, draft, playbook, included, today)
    if memory is not None:
        run = memory.run(playbook, included, today)
    else:
        plan = _review_plan(store, draft, meta)
        run = Run(
            playbook, included, today, plan=plan, defaults=_dive_defaults(store, draft, playbook)
        )
    return Resumed(draft, changes, meta, run, memory, _links(draft), recorded_since(store, draft))


def recorded_since(store: Store, draft: Draft) -> Reflection | None:
    """The newest prep or debrief of the draft's kind, client and meeting day saved after
    the draft began: most often the same meeting, recorded again instead of resumed.
    (A deep-dive or a review is about something else than one meeting of a day.)"""
    if draft.kind not in ("prep", "debrief"):
        return None
    day = draft.meeting.date
    saved = [
        r
        for _path, r in store.scan(draft.kind, draft.client, day, day).items
        if r.meeting.date == day and r.finished_at > draft.started_at
    ]
    return max(saved, key=lambda r: r.finished_at, default=None)


def _links(draft: Draft) -> dict[Address, Earlier]:
    """The draft's repeat links; one hand-edited out of shape is left out, not fatal."""
    found: dict[Address, Earlier] = {}
    for address, link in draft.repeats().items():
        reflection, text = link.get("reflection"), link.get("text")
        if reflection and text:
            found[address] = Earlier(reflection, text, link.get("client"), link.get("day"))
    return found


def _review_plan(store: Store, draft: Draft, meta: session.Meta) -> dict[str, Any]:
    """A monthly reflection's plan, rebuilt: what the review before it said to try."""
    from clientcoach.app.review import last_try, saved_reviews
    from clientcoach.model.reflection import ReviewInfo

    info = meta.extra.get("review")
    if draft.kind != "review" or not isinstance(info, ReviewInfo):
        return {}
    return last_try(saved_reviews(store), info.start, draft.client or None)


def _memory(
    store: Store, draft: Draft, playbook: Playbook, included: dict[str, Playbook], today: Any
) -> Memory | None:
    """A prep's or debrief's memory of earlier reflections, rebuilt for a resumed run."""
    if draft.kind not in ("prep", "debrief"):
        return None
    prep = None
    if draft.links.prep:
        try:
            _path, prep = store.find(draft.links.prep)
        except CoachError:
            prep = None  # removed or damaged since: the plan steps are skipped, as in a run
    day = draft.meeting.date
    return recall(draft.kind, store, draft.client, playbook, included, prep, today, day)


def _dive_defaults(store: Store, draft: Draft, playbook: Playbook) -> dict[Address, Any]:
    """A deep-dive offers again what its debrief said, as it did when it started."""
    if not draft.links.deepdive_of:
        return {}
    from clientcoach.app.deepdive import debrief_defaults

    try:
        _path, debrief = store.find(draft.links.deepdive_of)
    except CoachError:
        return {}  # removed or damaged since: the steps are asked without defaults
    return debrief_defaults(debrief, list(playbook.steps))


def kept_fields(draft: Draft) -> dict[str, Any]:
    """The record fields a command kept in the draft (a monthly review's period).

    Only known ones, checked now: a hand-edited draft must not fail at the final save.
    """
    from pydantic import ValidationError

    from clientcoach.model.reflection import ReviewInfo

    review = draft.extra().get("review")
    if draft.kind != "review" or review is None:
        return {}
    try:
        return {"review": ReviewInfo.model_validate(review)}
    except ValidationError:
        return {}  # saved without its period, as a draft from an older version would be
