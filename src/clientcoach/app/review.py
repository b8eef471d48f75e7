"""``coach review`` as use cases: which period, the figures over it, the Markdown
report's file, and the monthly reflection that follows. Nothing here prints."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from clientcoach.core.dates import FIRST_YEAR, LAST_YEAR, day_range, year_error
from clientcoach.errors import StorageError, UsageError
from clientcoach.i18n import _
from clientcoach.storage.store import Damaged, Store

if TYPE_CHECKING:
    from clientcoach.app import session
    from clientcoach.core.engine import Run
    from clientcoach.insights.facts import Facts
    from clientcoach.insights.records import Shown
    from clientcoach.insights.redact import Redaction
    from clientcoach.insights.review import Period, Review, Words
    from clientcoach.storage.index import Index
    from clientcoach.storage.playbooks import Library

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
W = TypeVar("W")


def period(
    month: str | None, last: bool, since: str | None, until: str | None, today: date
) -> Period:
    """The period ``--month``, ``--last`` or ``--since``/``--until`` name (default: this
    month so far)."""
    from clientcoach.insights.review import current_month, last_month, month_period, range_period

    chosen = [name for name, given in (("--month", month), ("--last", last)) if given]
    if since is not None or until is not None:
        chosen.append("--since/--until")
    if len(chosen) > 1:
        raise UsageError(
            _("{options} cannot be used together").format(options=" and ".join(chosen)),
            _("pick one way to say which period to review"),
        )
    if month is not None:
        match = _MONTH.match(month.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(
                _("--month: {value!r} is not a month").format(value=month),
                _("use YYYY-MM, e.g. 2026-11"),
            )
        if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            raise UsageError(
                _("--month: {reason}").format(reason=year_error(match.group(1))),
                _("use YYYY-MM, e.g. 2026-11"),
            )
        return month_period(int(match.group(1)), int(match.group(2)), today)
    if last:
        return last_month(today)
    if since is None and until is None:
        return current_month(today)
    given_start, given_end = day_range(since, until, today)
    end = given_end or today
    start = given_start or end.replace(day=1)
    if start > end:  # only --since was given, and it is still to come
        raise UsageError(
            _("--since {start} is in the future").format(start=start),
            _("give a day up to today, e.g. --since -30d"),
        )
    return range_period(start, end, today)


def check_report(path: Path, force: bool, option: str = "--markdown") -> None:
    """Refuse a report file that cannot be written, before any work is done; ``option``
    is the one that named it (``--markdown``, ``--html``)."""
    if path.is_dir():
        raise UsageError(
            _("{option} {path} is a folder").format(option=option, path=path),
            _("give a file name, e.g. {path}").format(
                path=path / ("review.html" if option == "--html" else "review.md")
            ),
        )
    if not path.parent.is_dir():
        raise UsageError(
            _("{option}: there is no folder {path}").format(option=option, path=path.parent),
            _("create it first, or write the report elsewhere"),
        )
    if path.exists() and not force:
        raise _exists(path)


def _exists(path: Path) -> UsageError:
    return UsageError(
        _("{path} already exists").format(path=path),
        _("add --force to replace it, or choose another file name"),
    )


def write_report(path: Path, text: str, force: bool) -> None:
    """Write the Markdown report, never replacing a file without ``force``."""
    from clientcoach.storage.store import write_file

    try:
        write_file(path, text, replace=force)
    except FileExistsError:
        raise _exists(path) from None  # created since the check: still not replaced
    except OSError as exc:
        raise StorageError(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror),
            _("check the folder exists and is writable"),
        ) from exc


def figures(
    store: Store,
    chosen: Period,
    now: datetime,
    client: str | None,
    redaction: Redaction | None = None,
) -> tuple[Review, list[Damaged]]:
    """The review of ``chosen`` (and its trends), and the damaged files skipped.

    With ``redaction``, the review is built from the redacted records (read from the
    files: the index keeps facts of the records as they are), so whatever draws it
    names no client."""
    from clientcoach.app.indexed import answer
    from clientcoach.insights.review import reading_window

    if client is not None and not client.strip():
        raise UsageError(_("--client is empty"), _("give a client name"))

    start, end = reading_window(chosen)
    if redaction is not None:
        return _scanned(store, chosen, now, client, start, end, redaction)

    def kept(index: Index) -> tuple[Review, list[Damaged]]:
        damaged: list[Damaged] = []
        facts = _kept(index, damaged, client, start, end)
        return kept_figures(facts, _KeptWords(index), chosen, now, client), damaged

    return answer(store, kept, lambda: _scanned(store, chosen, now, client, start, end))


def _scanned(
    store: Store,
    chosen: Period,
    now: datetime,
    client: str | None,
    start: date,
    end: date,
    redaction: Redaction | None = None,
) -> tuple[Review, list[Damaged]]:
    from clientcoach.insights.review import build

    damaged: list[Damaged] = []
    records = (record for _path, record in store.iter_records(damaged, None, client, start, end))
    if redaction is not None:
        records = (redaction.record(record) for record in records)
        client = redaction.client(client.strip()) if client else None
    # Parsed JSON holds no reference cycles, and each record is dropped once read: the
    # cycle collector would only walk the facts kept so far again and again.
    gc.disable()
    try:
        result = build(records, chosen, now, client.strip() if client else None)
    finally:
        gc.enable()
    return result, damaged


def _kept(
    index: Index, damaged: list[Damaged], client: str | None, start: date, end: date
) -> Iterator[tuple[Facts, list[str], str | None]]:
    """The review's facts and summaries of the files a scan would read, from the index,
    each with its row's ids of shared words (:class:`_KeptWords`); the damaged files among
    them are added to ``damaged``."""
    from clientcoach.core.text import fold
    from clientcoach.insights.facts import facts_from_json
    from clientcoach.storage.store import named_like

    like = named_like(None, client, start, end)
    damaged += [
        Damaged(row.path, row.damaged or "")
        for row in index.rows("f.damaged IS NOT NULL")
        if like(row.name)
    ]
    key = fold(client) if client is not None else None
    where = "f.day >= ? AND f.day <= ?"
    args: tuple[str, ...] = (start.isoformat(), end.isoformat())
    if key is not None:
        where, args = where + " AND f.client_key = ?", (*args, key)
    shared: dict[object, object] = {}  # one of each equal value among the facts
    return (
        (*facts_from_json(orjson.loads(data), shared), ids)
        for name, ids, data in index.columns_with("review", ("name", "shared"), where, args)
        if like(name)
    )


class _KeptWords:
    """The words of the period's records, from the index: each record's row lists the
    ids of its words (each text kept once among all records). An id's rank is the latest
    record that showed it, which is all that is held while the records stream by."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.latest: dict[int, int] = {}
        self.added = 0

    def add(self, held: str | None) -> None:
        self.added += 1
        if held:
            # An id already there keeps its place (first shown) and takes the new rank.
            self.latest.update(zip(orjson.loads(held), repeat(self.added)))

    def shown(self) -> dict[str, Shown]:
        from clientcoach.insights.facts import words_from_json

        texts = self.index.shared_texts(self.latest)
        return words_from_json((texts[i], rank) for i, rank in self.latest.items())


def kept_figures(
    kept: Iterator[tuple[Facts, list[str], W]],
    words: Words[W],
    chosen: Period,
    now: datetime,
    client: str | None,
) -> Review:
    from clientcoach.insights.review import build_kept

    gc.disable()
    try:
        return build_kept(kept, words, chosen, now, client.strip() if client else None)
    finally:
        gc.enable()


def saved_reviews(store: Store) -> list[dict[str, Any]]:
    """The readable files named as reviews, oldest first: a few a year, so only those
    are read (a damaged one is named by the figures already), once for every question
    a monthly reflection asks of them (:func:`reflected_before`, :func:`last_try`)."""
    from clientcoach.storage.store import DamagedFile

    found: list[dict[str, Any]] = []
    for path in store.files():
        if "_review_" not in path.name:
            continue
        try:
            found.append(store.read_record(path))
        except DamagedFile:
            continue
    return found


def reflected_before(
    reviews: Iterable[dict[str, Any]], chosen: Period, client: str | None
) -> dict[str, Any] | None:
    """The latest monthly reflection already saved on ``chosen`` (the same first day,
    and an end within it) for the same client, or None."""
    from clientcoach.core.text import fold

    start, end = chosen.start.isoformat(), chosen.end.isoformat()
    found: dict[str, Any] | None = None
    for record in reviews:  # oldest first: the last one found is the latest
        info = record.get("review")
        if (
            record.get("kind") == "review"
            and isinstance(info, dict)
            and info.get("start") == start
            and isinstance(info.get("end"), str)
            and start <= info["end"] <= end
            and fold(record.get("client") or "") == fold(client or "")
        ):
            found = record
    return found


def last_try(reviews: Iterable[dict[str, Any]], start: date, client: str | None) -> dict[str, Any]:
    """What the latest review of an earlier period (of the same client, or of all
    clients) said to try, as the plan of a monthly reflection starting on ``start``;
    empty when none did."""
    from clientcoach.core.checks import LAST_TRY
    from clientcoach.core.text import fold
    from clientcoach.insights.recall import TRY, latest_of_newest

    earlier: list[tuple[str, str, dict[str, Any]]] = []
    for record in reviews:
        info = record.get("review")
        ended = info.get("end") if isinstance(info, dict) else None
        finished = record.get("finished_at")
        if (
            record.get("kind") == "review"
            and isinstance(ended, str)
            and ended < start.isoformat()
            and fold(record.get("client") or "") == fold(client or "")
        ):
            earlier.append((ended, finished if isinstance(finished, str) else "", record))
    # By the period reviewed, not the day the review was made: a month reviewed late
    # is still the month before.
    earlier.sort(key=lambda e: (e[0], e[1]), reverse=True)
    hit = latest_of_newest((record for _end, _finished, record in earlier), TRY)
    return {LAST_TRY: hit[1]} if hit is not None else {}


def monthly(
    library: Library,
    result: Review,
    now: datetime,
    title: str,
    focus: list[str] | None = None,
    plan: dict[str, Any] | None = None,
) -> tuple[Run, session.Meta]:
    """The monthly reflection that follows the figures, as a run and its record fields.

    ``focus`` holds the focus points as the reader saw them, kept with the reflection so
    a resumed one shows them again; ``plan``, what an earlier review said to try
    (:func:`last_try`)."""
    from clientcoach.app import session
    from clientcoach.app.meeting import pick_playbook
    from clientcoach.core.engine import Run
    from clientcoach.model.reflection import ReviewInfo

    playbook = pick_playbook(library, None, "review")
    top = result.mistakes.repeated_list[:1]
    included = library.resolve(playbook)
    meta = session.Meta(
        # A review of all clients belongs to no client: "" says so, and the file name
        # says "all-clients" (see Store.path_for).
        kind="review",
        client=result.client or "",
        title=title,
        day=now.date(),
        playbook=playbook,
        included=included,
        prep=None,
        started_at=now,
        extra={
            "review": ReviewInfo(
                start=result.period.start,
                end=result.period.end,
                top_repeated_mistake=top[0].mistake if top else None,
                focus=focus or None,
            )
        },
    )
    return Run(playbook, included, now.date(), plan=plan or {}), meta
