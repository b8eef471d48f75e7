"""The home screen (``coach`` with no command): what is due, what waits, who has gone
quiet, and the one command to run next. Every list comes from the function the command
that shows it in full calls (``followups``, ``deepdive``, ``drafts``, the review's quiet
clients), so the home screen never has a rule of its own. Nothing here prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from clientcoach.app.clients import followups
from clientcoach.storage.store import Damaged, Store

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp
    from clientcoach.insights.review import Quiet
    from clientcoach.model.draft import Draft
    from clientcoach.storage.index import Index

# Follow-ups due within this many days (today included) are "upcoming".
UPCOMING_DAYS = 7
# At most this many items of each list: the home screen is one screen; the full lists
# are one command away (followups, deepdive, drafts).
SHOWN = 8
# A monthly review is due this many days after the last one (or after the first
# reflection, before any review).
REVIEW_EVERY = 30

# A meeting as the quiet rule reads it: client key, client, kind, day.
Meeting = tuple[str, str, str, date]


@dataclass(frozen=True)
class NextStep:
    """The one command the home screen suggests: ``action`` (``done``, ``deepdive``,
    ``resume``, ``review``, ``prep``) and what it names (an id, a client, or nothing)."""

    action: str
    ref: str | None = None
    # A follow-up the client owes: chased by the user, then marked done.
    theirs: bool = False

    @property
    def command(self) -> str:
        if self.action == "prep":
            import shlex

            return "coach prep " + (shlex.quote(self.ref) if self.ref else "CLIENT")
        if self.ref is None:
            return f"coach {self.action}"
        return f"coach {self.action} {self.ref}"


@dataclass
class Home:
    """What the home screen shows on ``today``, each list capped at :data:`SHOWN` with
    its full count beside it, and the damaged files skipped on the way."""

    today: date
    reflections: int
    overdue: list[FollowUp] = field(default_factory=list)
    upcoming: list[FollowUp] = field(default_factory=list)
    touchpoints: list[FollowUp] = field(default_factory=list)
    deep_dives: list[FollowUp] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    quiet: list[Quiet] = field(default_factory=list)
    # Full counts, by list name, where the list was cut to SHOWN.
    totals: dict[str, int] = field(default_factory=dict)
    # Open follow-ups neither overdue nor due within UPCOMING_DAYS (later or undated).
    later: int = 0
    last_review: date | None = None
    review_due: bool = False
    next_step: NextStep = NextStep("prep")
    damaged: list[Damaged] = field(default_factory=list)

    @property
    def first_run(self) -> bool:
        """Nothing saved and nothing started: the welcome screen instead."""
        return self.reflections == 0 and not self.drafts

    @property
    def days_since_review(self) -> int | None:
        return None if self.last_review is None else (self.today - self.last_review).days


def home(store: Store, today: date) -> Home:
    """The home screen's items for ``today``."""
    from clientcoach.insights.deepdives import DEEP_DIVE

    opened, damaged = followups(store, None, today, overdue=False, show_all=False)
    soon = today + timedelta(days=UPCOMING_DAYS)
    # open_first's order is kept: overdue first, then by due date.
    touchpoints = [f for f in opened if f.kind == "touchpoint"]
    # The deep-dives `coach deepdive` lists (app.deepdive.pending), in its order, from
    # the follow-ups already read.
    dives = sorted((f for f in opened if f.kind == DEEP_DIVE), key=lambda d: (d.meeting, d.id))
    items = [f for f in opened if f.kind not in ("touchpoint", DEEP_DIVE)]
    overdue = [f for f in items if f.overdue(today)]
    upcoming = [f for f in items if not f.overdue(today) and f.due is not None and f.due <= soon]
    drafts_found, damaged_drafts = store.scan_drafts()
    meetings, last_review, first_day, count, damaged_files = _history(store)
    from clientcoach.insights.review import current_month, quiet_clients, reading_window

    start, _end = reading_window(current_month(today))
    quiet = quiet_clients((m for m in meetings if m[3] >= start), today)
    due_from = last_review or first_day
    result = Home(
        today=today,
        reflections=count,
        later=len(items) - len(overdue) - len(upcoming),
        last_review=last_review,
        review_due=due_from is not None and (today - due_from).days >= REVIEW_EVERY,
        damaged=_once(damaged, damaged_files, damaged_drafts),
    )
    for name, found in (
        ("overdue", overdue),
        ("upcoming", upcoming),
        ("touchpoints", touchpoints),
        ("deep_dives", dives),
        ("drafts", [draft for _path, draft in drafts_found]),
        ("quiet", quiet),
    ):
        if len(found) > SHOWN:
            result.totals[name] = len(found)
        setattr(result, name, found[:SHOWN])
    # From the whole lists, not the ones cut for the screen: the user's own overdue item
    # may come after eight of the client's.
    late = [*overdue, *(f for f in touchpoints if f.overdue(today))]
    result.next_step = _next(result, late)
    return result


def _next(home: Home, late: list[FollowUp]) -> NextStep:
    """The most pressing thing: the user's own most overdue follow-up or touchpoint, a
    deep-dive waiting, a draft, then what the client owes that is overdue, a review due;
    else a prep (of the quietest client, if any)."""
    # A stable sort: on the same day, the order of the list shown above.
    late = sorted(late, key=lambda f: f.due or f.meeting)
    # The user's own first: what the client owes is chased, not done, by the user, and a
    # reflection left halfway comes before chasing.
    own = [f for f in late if f.owner != "client"]
    if own:
        return NextStep("done", own[0].short_id)
    if home.deep_dives:
        return NextStep("deepdive", home.deep_dives[0].short_id)
    if home.drafts:
        return NextStep("resume", home.drafts[0].id)
    if late:
        return NextStep("done", late[0].short_id, theirs=True)
    if home.review_due:
        return NextStep("review")
    return NextStep("prep", home.quiet[0].client if home.quiet else None)


Summed = tuple[list[Meeting], date | None, date | None, int]


def _history(store: Store) -> tuple[list[Meeting], date | None, date | None, int, list[Damaged]]:
    """Every reflection's meeting, the last review's day, the first reflection's day, the
    number of reflections and the damaged files: from the index's rows when there is one."""
    from clientcoach.app.clients import damaged_in, records_of
    from clientcoach.app.indexed import answer

    def summed(found: Iterable[Meeting]) -> Summed:
        meetings = list(found)
        reviews = [day for _key, _client, kind, day in meetings if kind == "review"]
        days = [day for *_rest, day in meetings]
        return meetings, max(reviews, default=None), min(days, default=None), len(meetings)

    def kept(index: Index) -> tuple[list[Meeting], date | None, date | None, int, list[Damaged]]:
        # Row by row: a long history is never held as rows, only as its meetings.
        rows = index.walk_rows("f.damaged IS NULL")
        found = summed(
            (row.client_key, row.client, row.kind, date.fromisoformat(row.day)) for row in rows
        )
        return (*found, damaged_in(index))

    def scanned() -> tuple[list[Meeting], date | None, date | None, int, list[Damaged]]:
        from clientcoach.core.text import fold
        from clientcoach.insights.clients import meeting_day

        scan = store.scan_records()
        found = summed(
            (fold(r["client"]), r["client"], r["kind"], meeting_day(r)) for r in records_of(scan)
        )
        return (*found, scan.damaged)

    return answer(store, kept, scanned)


def _once(*lists: list[Damaged]) -> list[Damaged]:
    """The damaged files of every reading, each named once."""
    seen: list[Damaged] = []
    for found in lists:
        seen += [d for d in found if d not in seen]
    return seen
