"""A prep or a debrief from start to save: the use case behind ``coach prep`` and
``coach debrief``, and the walk-and-save shared with ``coach review``.

No Typer and no printing: what a person must see goes through the :class:`Presenter`
the command line passes in, and questions through its asker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from clientcoach.app import scripted, session
from clientcoach.app.memory import Memory, Pick, choose_client, recall
from clientcoach.app.session import Asker
from clientcoach.core.dates import day_option
from clientcoach.core.engine import Run
from clientcoach.core.text import fold, refused_char
from clientcoach.errors import DataError, PlaybookError, UsageError
from clientcoach.i18n import _
from clientcoach.model.draft import Draft
from clientcoach.model.playbook import Playbook
from clientcoach.model.reflection import Reflection
from clientcoach.storage import config
from clientcoach.storage.playbooks import Library
from clientcoach.storage.store import Store

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp

Mode = Literal["quick", "full"]


class MeetingAsker(Asker, Protocol):
    """A person at a terminal, as a prep or debrief needs one."""

    def ask_text(self, label: str) -> str: ...

    def confirm(self, question: str, default: bool = False) -> bool: ...

    def intro(self, playbook: Playbook, client: str, meeting: str | None = None) -> None: ...


class ContinueDraft(Exception):
    """The person chose to go on with the waiting draft of this meeting instead;
    ``ignored``: options of this command (a title, a prep, a day or playbook of its own)
    do not apply to it, and the person is to be told so."""

    def __init__(self, draft: Draft, ignored: bool = False) -> None:
        super().__init__(draft.id)
        self.draft = draft
        self.ignored = ignored


class WalkDeepDive(Exception):
    """The person chose to walk the waiting deep-dive this playbook is for, linked to
    the debrief that left it, instead of a debrief of its own."""

    def __init__(self, dive: FollowUp) -> None:
        super().__init__(dive.id)
        self.dive = dive


class Presenter(Protocol):
    """What a meeting run shows, drawn by the command line."""

    def linked(self, prep: Reflection) -> None: ...

    def not_linked(self, prep: Reflection) -> None: ...

    def before_questions(self, memory: Memory, today: date) -> None: ...

    def unfinished(self, drafts: list[Draft]) -> None: ...

    def deep_dive_waiting(self, dive: FollowUp, scripted: bool) -> None: ...


@dataclass
class MeetingRequest:
    """A prep or debrief as the command line was given it."""

    kind: Literal["prep", "debrief"]
    client: str | None
    playbook: str | None
    answers: Path | None
    date: str | None
    title: str | None
    prep: str | None = None
    # "quick" or "full" from --quick / --full; None: the config file's `mode` decides.
    mode: Mode | None = None
    # --new-client: the name as given is a new client, even when close to a known one.
    new_client: bool = False


def _offer_deep_dive(
    store: Store,
    client: str,
    playbook: Playbook,
    request: MeetingRequest,
    asker: MeetingAsker | None,
    show: Presenter,
) -> None:
    """A playbook walked on its own as a debrief (troll-bridge, healthy-help, lost-deal)
    while a deep-dive of this client waits for it: that deep-dive is most often what is
    meant. Walked as the deep-dive, it is linked to the debrief that left it; as a debrief
    of its own, it counts as one more meeting debriefed and the deep-dive stays."""
    from clientcoach.app.clients import pending

    key = fold(client)
    waiting = [d for d in pending(store)[0] if d.playbook == playbook.id and fold(d.client) == key]
    if not waiting:
        return
    dive = waiting[-1]  # of the latest meeting
    show.deep_dive_waiting(dive, scripted=asker is None)
    # The default only when this command named no meeting of its own (a day, a title).
    own = request.date is not None or request.title is not None
    if asker is not None and asker.confirm(
        _("Walk it now, linked to that debrief, instead?"), default=not own
    ):
        raise WalkDeepDive(dive)


def meet(
    request: MeetingRequest,
    *,
    root: Path,
    library: Library,
    asker: MeetingAsker | None,
    pick: Pick | None,
    show: Presenter,
    now: datetime,
) -> tuple[Reflection, Path]:
    """Walk the prep or debrief playbook and save the reflection; its path."""
    kind = request.kind
    today = now.date()
    store = Store(root)
    playbook = pick_playbook(library, request.playbook, kind, request.mode)
    included = library.resolve(playbook)
    day = day_option("--date", request.date or None, today) or today  # "" is today

    answers = scripted.load_answers(request.answers) if request.answers is not None else None
    if answers is not None:
        asker = None  # an answers file wins over a terminal
    if kind == "debrief" and day > today:
        _confirm_future(day, asker)
    client = request.client
    if client is None:
        if asker is None:
            raise UsageError(
                _("no client given"), _("name the client: coach {kind} CLIENT").format(kind=kind)
            )
        client = asker.ask_text(_("Which client is this meeting with?"))
    from clientcoach.app.indexed import open_index

    open_index(store)  # lists the files (and keeps their facts) for what follows
    asked = pick if asker is not None and not request.new_client else None
    choice = choose_client(store, clean_client(client), asked)
    if choice.close and not request.new_client:
        # No one to ask (a scripted run): saved under a near name, one client's history
        # would be split in two from then on.
        raise UsageError(
            _("{typed!r} is not a client you have met yet, but is close to: {close}").format(
                typed=choice.name, close=", ".join(choice.close)
            ),
            _("give that name, or add --new-client to start a new client named {typed!r}").format(
                typed=choice.name
            ),
        )
    client = choice.name
    if asker is not None and (waiting := session.unfinished(store, kind, client)):
        source = session.source_of(request.playbook)

        def same(draft: Draft) -> bool:
            """A draft of this meeting's day and playbook (the same file, when one was
            given): most often this meeting, stopped."""
            path = str(source) if source is not None else None
            return (
                draft.meeting.date == day
                and draft.playbook.id == playbook.id
                and (draft.playbook.path or None) == path
            )

        # The one most likely this meeting is offered, the others counted.
        waiting.sort(key=lambda d: not same(d))  # stable: newest first among equals
        show.unfinished(waiting)
        # Going on with it is the default only for this meeting, and when this command
        # gave nothing the draft would not keep (a title, a prep to link).
        given = request.title is not None or request.prep is not None
        if asker.confirm(_("Continue it instead?"), default=same(waiting[0]) and not given):
            raise ContinueDraft(waiting[0], ignored=given or not same(waiting[0]))

    if kind == "debrief" and playbook.kind == "any":
        _offer_deep_dive(store, client, playbook, request, asker, show)

    title = clean_title(request.title)
    prep: Reflection | None = None
    if kind == "debrief":
        prep = linked_prep(store, client, request.prep, day)
        if prep is not None:
            title = title or prep.meeting.title
            show.linked(prep)
        elif request.prep is None and (followed := _followed_prep(store, client, day)):
            show.not_linked(followed)

    memory = recall(kind, store, client, playbook, included, prep, today, day)
    run = memory.run(playbook, included, today)
    meta = session.Meta(
        kind=kind,
        client=client,
        title=title,
        day=day,
        playbook=playbook,
        included=included,
        prep=prep.id if prep else None,
        started_at=now,
        source=session.source_of(request.playbook),
        extra={"client_typed": choice.typed} if choice.typed else {},
    )
    return walk_and_save(
        store,
        run,
        meta,
        answers=answers,
        answers_path=request.answers,
        asker=asker,
        heading=client,
        before=lambda: show.before_questions(memory, today),
    )


def _followed_prep(store: Store, client: str, day: date) -> Reflection | None:
    """The client's latest recent prep when a debrief already follows it: not linked
    again, and said so, since a second debrief is most often another meeting."""
    from clientcoach.storage.store import PREP_WINDOW_DAYS

    recent = [
        r
        for _path, r in store.iter_reflections("prep", client)
        if 0 <= (day - r.meeting.date).days <= PREP_WINDOW_DAYS
    ]
    return max(recent, key=lambda r: (r.meeting.date, r.finished_at), default=None)


def _confirm_future(day: date, asker: MeetingAsker | None) -> None:
    """A debrief is about a meeting that has happened: a later date is most likely a slip
    (2027 for 2026), asked about on a terminal and refused without one."""
    from clientcoach.core.dates import long_date

    if asker is not None and asker.confirm(
        _("{day} is in the future. Debrief a meeting on that date anyway?").format(
            day=long_date(day)
        )
    ):
        return
    raise UsageError(
        _("--date {day}: a debrief is about a meeting that has happened").format(
            day=day.isoformat()
        ),
        _("give the meeting's date, e.g. --date today or --date yesterday"),
    )


def walk_and_save(
    store: Store,
    run: Run,
    meta: session.Meta,
    *,
    answers: dict[str, Any] | None,
    answers_path: Path | None,
    asker: MeetingAsker | None,
    heading: str,
    before: Callable[[], None] | None = None,
) -> tuple[Reflection, Path]:
    """Walk a run (from an answers file, or asking with drafts) and save the reflection.

    Shared by every command that saves a reflection (prep, debrief, the monthly review),
    so they all ask, keep drafts and save the same way. ``before`` shows what comes before
    the questions (the client brief): on a terminal before the first question, in a
    scripted run once the answers file is accepted.
    """
    draft = None
    if answers is not None:
        assert answers_path is not None
        scripted.ask_from_answers(run, answers, str(answers_path))
        if before is not None:
            before()  # only once the file is accepted: a bad file gets its one-line error
    elif asker is None:
        scripted.refuse_without_terminal(run)
    else:
        if before is not None:
            before()
        asker.intro(meta.playbook, heading, meta.title)
        draft = session.walk(asker, run, store, meta)
    return session.save(store, run, meta, draft)


def clean_client(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UsageError(_("the client name is empty"), _("give a name, e.g. coach prep ACME"))
    bad = refused_char(name)
    if bad is not None:
        raise UsageError(
            _("the client name holds a control, bidi or non-UTF-8 character ({char})").format(
                char=bad
            ),
            _("type it as plain text"),
        )
    if len(cleaned) > 1000:
        raise UsageError(_("the client name is longer than 1000 characters"), _("shorten it"))
    return cleaned


def clean_title(title: str | None) -> str | None:
    """The meeting title, refused under the input rule (it is shown by every view)."""
    if title is None:
        return None
    bad = refused_char(title, lines=False)
    if bad is not None:
        raise UsageError(
            _("the meeting title holds a control, bidi or non-UTF-8 character ({char})").format(
                char=bad
            ),
            _("type it as plain text"),
        )
    return " ".join(title.split()) or None


def linked_prep(store: Store, client: str, prep_ref: str | None, day: date) -> Reflection | None:
    """The prep a debrief follows: ``--prep ID``, none, or the client's latest recent prep."""
    if prep_ref is not None and prep_ref.strip().lower() == "none":
        return None
    if prep_ref is None:
        return store.latest_prep(client, day)
    _path, found = store.find(prep_ref)
    if found.kind != "prep":
        raise DataError(
            _("{id} is a {kind}, not a prep").format(id=found.id, kind=found.kind),
            _("give the id of a prep"),
        )
    if fold(found.client) != fold(client):
        raise DataError(
            _("prep {id} is for {found!r}, not {client!r}").format(
                id=found.id, found=found.client, client=client
            ),
            _("check the id, or pass --prep none"),
        )
    return found


def pick_playbook(
    library: Library, ref: str | None, kind: str, mode: Mode | None = None
) -> Playbook:
    """The playbook a command walks; a PlaybookError or UsageError says why it cannot be.

    First found: ``--playbook``; ``--quick`` (the quick built-in of the kind, which a
    playbook of your own with the same id replaces); the config file's ``playbook.KIND``
    (``--full`` keeps to it too); the config file's ``mode``; the full built-in.
    """
    if ref is not None and mode is not None:
        raise UsageError(
            _("--playbook cannot be combined with --{mode}").format(mode=mode),
            _("--playbook already names the playbook to walk; drop one of them"),
        )
    quick = config.QUICK_PLAYBOOKS.get(kind)
    if mode == "quick" and quick is not None:
        return _checked_kind(library.get(quick), kind)
    if ref is not None and (ref.endswith(".toml") or "/" in ref or "\\" in ref):
        return _checked_kind(library.load_path(Path(ref)), kind)
    if ref is None:
        configured = config.default_playbook(kind)
        if configured is not None:
            try:
                return pick_playbook(library, configured, kind)
            except (PlaybookError, UsageError) as exc:
                raise type(exc)(exc.message, config.configured_hint(kind)) from None
        if mode is None and quick is not None and config.mode() == "quick":
            try:
                return _checked_kind(library.get(quick), kind)
            except (PlaybookError, UsageError) as exc:
                raise type(exc)(exc.message, config.mode_hint()) from None
    return _checked_kind(library.get(ref or config.DEFAULT_PLAYBOOKS[kind]), kind)


def _checked_kind(playbook: Playbook, kind: str) -> Playbook:
    """``playbook``, if a command of ``kind`` can walk it; a UsageError otherwise."""
    if playbook.kind not in (kind, "any"):
        hint = (
            _('give your own {id}.toml kind = "review"').format(id=playbook.id)
            if kind == "review"  # `coach review` has no --playbook
            else _("use `coach {actual}` or pick a {kind} playbook with --playbook").format(
                actual=playbook.kind, kind=kind
            )
        )
        raise UsageError(
            _("playbook {id!r} is a {actual} playbook, not a {kind} one").format(
                id=playbook.id, actual=playbook.kind, kind=kind
            ),
            hint,
        )
    return playbook
