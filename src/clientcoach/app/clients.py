"""The client memory as use cases: follow-ups, marking one done, history, one
reflection, the clients, a brief. Each returns what the command shows and the damaged
files it skipped; nothing here prints."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from clientcoach.core.text import compact, fold
from clientcoach.errors import DataError, UsageError
from clientcoach.i18n import _, ngettext
from clientcoach.storage.store import Damaged, NotLaidOut, RecordScan, Store

if TYPE_CHECKING:
    from clientcoach.insights.clients import (
        Brief,
        ClientFacts,
        ClientSummary,
        FollowUp,
        Having,
        Hit,
    )
    from clientcoach.storage.index import Index, Row

KINDS = ("prep", "debrief", "review")


def records_of(scan: RecordScan) -> list[dict[str, Any]]:
    """The records of a scan, each id once: a copy a sync conflict left (same id, another
    file name) is shown once; ``coach doctor`` names both files, ``coach done`` marks both."""
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for _path, record in scan.items:
        if record["id"] not in seen:
            seen.add(record["id"])
            unique.append(record)
    return unique


def same_id(scan: RecordScan) -> dict[str, list[Path]]:
    """The ids held by more than one file, each with its files (a sync conflict's copy)."""
    paths: dict[str, list[Path]] = {}
    for path, record in scan.items:
        paths.setdefault(record["id"], []).append(path)
    return {rid: found for rid, found in paths.items() if len(found) > 1}


def _index(store: Store) -> Index | None:
    from clientcoach.app.indexed import open_index

    return open_index(store)


def damaged_in(index: Index, like: Callable[[str], bool] | None = None) -> list[Damaged]:
    """The damaged files the index knows, in the order a scan of the files meets them."""
    return [
        Damaged(row.path, row.damaged or "")
        for row in index.rows("f.damaged IS NOT NULL")
        if like is None or like(row.name)
    ]


def _client_key(index: Index, typed: str | None) -> str | None:
    """The key of the one client ``typed`` names, as :func:`for_client` finds it."""
    if typed is None:
        return None
    from clientcoach.storage.index import ASCENDING

    return _named_key(typed, index.column("client", order=ASCENDING))


def _named_key(typed: str, names: list[str]) -> str:
    return fold(_named(typed, names))


def _named(typed: str, names: list[str]) -> str:
    from clientcoach.insights.clients import client_by_prefix

    found = client_by_prefix(typed, names)
    if not found:
        raise no_client(typed, names)
    if len(found) > 1:
        raise _ambiguous(typed, found)
    return found[0]


def slug_near(start: str) -> Callable[[str], bool]:
    """File-name slugs worth reading for a name whose letters and digits are ``start``:
    those that start like it, and those it starts like (slugs are cut at 32 characters)."""

    def near(slug: str) -> bool:
        letters = compact(slug)
        return bool(letters) and (letters.startswith(start) or start.startswith(letters))

    return near


def client_brief(store: Store, client: str, today: date) -> tuple[Brief, list[Damaged]]:
    """The client's brief from their records, and the damaged files that were skipped.

    With the index, what the brief counts over every record (meetings, follow-ups,
    trolls) comes from its facts, and the files are read newest first only as far as the
    latest lessons, mistakes, ratings and commitments need."""
    from clientcoach.app.indexed import answer
    from clientcoach.insights.clients import brief, brief_from, for_all_but, lessons_for_all
    from clientcoach.insights.recall import meeting_day, newest_first

    # The monthly reviews, of all clients too, for the latest "try" they committed to.
    reviews = store.scan_records("review")

    def kept(index: Index) -> tuple[Brief, list[Damaged]]:
        facts, having, like = _client_facts(store, index, client)
        result = brief_from(client, facts, having, today, records_of(reviews))
        waiting = kept_deep_dives(store, index, fold(result.client))
        result.deep_dives = [d for d in waiting if d.done is None]
        result.for_all = for_all_but(_kept_for_all(index), result.client)
        damaged = damaged_in(index, like)
        return result, damaged + [d for d in reviews.damaged if d not in damaged]

    def scanned() -> tuple[Brief, list[Damaged]]:
        scan = store.scan_records(client=client)
        damaged = scan.damaged + [d for d in reviews.damaged if d not in scan.damaged]
        result = brief(client, records_of(scan), today, records_of(reviews))
        key = fold(result.client)
        mine = [r for r in records_of(scan) if fold(r["client"]) == key]
        result.deep_dives = [d for d in deep_dives_of(store, mine) if d.done is None]
        debriefs = newest_first(records_of(store.scan_records("debrief")))
        found = ((r["client"], meeting_day(r), lessons_for_all(r)) for r in debriefs)
        result.for_all = for_all_but(found, result.client)
        return result, damaged

    return answer(store, kept, scanned)


def _kept_for_all(index: Index) -> Iterator[tuple[str, date, list[str]]]:
    """Every debrief's lessons for any client, newest first, from the index."""
    from clientcoach.storage.index import NEWEST
    from clientcoach.storage.store import named_like

    like = named_like("debrief", None)
    for name, owner, day, data in index.columns_with(
        "for_all", ("name", "client", "day"), "f.kind = 'debrief'", order=NEWEST
    ):
        if like(name):
            yield owner, date.fromisoformat(day), orjson.loads(data)


def client_reader(store: Store, key: str) -> Callable[[Row], dict[str, Any] | None]:
    """Reads the file of an index row once, as a record of the client ``key`` (folded):
    None when it is damaged or, changed since the index saw it, another client's (skipped,
    as a scan of the files does)."""
    from clientcoach.storage.store import DamagedFile

    read: dict[int, dict[str, Any] | None] = {}

    def record_of(row: Row) -> dict[str, Any] | None:
        if row.id not in read:
            try:
                record: dict[str, Any] | None = store.read_record(row.path)
            except DamagedFile:
                record = None
            if record is not None and fold(record["client"]) != key:
                record = None
            read[row.id] = record
        return read[row.id]

    return record_of


def _client_facts(
    store: Store, index: Index, client: str
) -> tuple[ClientFacts, Having, Callable[[str], bool]]:
    """What the index counts of ``client``'s records; ``having(*roles)``, the files of
    those that hold an answer of any of ``roles``, newest first, each read once and only
    when reached; and the file-name filter a scan of the files applies."""
    from clientcoach.insights.clients import ClientFacts, FollowUp, Newest, count_topics
    from clientcoach.storage.index import NEWEST, OLDEST
    from clientcoach.storage.store import named_like

    key = fold(client)
    like = named_like(None, client)
    found = index.rows("f.damaged IS NULL AND f.client_key = ?", (key,), NEWEST)
    rows = [r for r in found if like(r.name)]
    follow = [
        FollowUp.from_row(item)
        for row, data in index.parts("follow_ups", "f.client_key = ?", (key,), OLDEST)
        if like(row.name)
        for item in orjson.loads(data)
    ]
    trolls = count_topics(
        orjson.loads(data)
        for row, data in index.parts("trolls", "f.client_key = ?", (key,), OLDEST)
        if like(row.name)
    )
    facts = ClientFacts(
        client=rows[0].client if rows else client,
        records=len(rows),
        days=[date.fromisoformat(r.day) for r in rows if r.kind != "review"],
        follow_ups=follow,
        trolls=trolls,
    )
    roles = {
        row.id: set(orjson.loads(data))
        for row, data in index.parts("brief", "f.client_key = ?", (key,), NEWEST)
    }
    record_of = client_reader(store, key)

    def having(*wanted_roles: str) -> Iterable[dict[str, Any]]:
        wanted = (record_of(r) for r in rows if not roles.get(r.id, set()).isdisjoint(wanted_roles))
        return Newest(r for r in wanted if r is not None)

    return facts, having, like


def _walkable(store: Store) -> Callable[[str], bool]:
    """Whether this data directory's library can walk a playbook id."""
    known: set[str] = set()

    def walkable(playbook_id: str) -> bool:
        # Listed on the first flag only: reading the library loads the playbook models,
        # which commands that only count (followups, clients) never need otherwise.
        if not known:
            from clientcoach.app.workspace import library

            known.update(library(store.root).entries())
        return playbook_id in known

    return walkable


def deep_dives_of(store: Store, records: Iterable[dict[str, Any]]) -> list[FollowUp]:
    """The deep-dives ``records`` flag that this data directory's library can walk."""
    from clientcoach.insights.deepdives import deep_dives

    return deep_dives(records, _walkable(store))


# An SQL condition on the files (``f``) and its arguments.
Where = tuple[str, tuple[Any, ...]]


def kept_deep_dives(
    store: Store, index: Index, key: str | None = None, *, only: Where | None = None
) -> list[FollowUp]:
    """:func:`deep_dives_of` the records the index keeps (of the client ``key``), settled
    by the same rule from the flags and walks it keeps; with ``only``, the flags of the
    files it selects alone (the walks of every file, or of ``key``'s, settle them)."""
    from clientcoach.insights.clients import FollowUp
    from clientcoach.insights.deepdives import settle

    where, args = ("f.client_key = ?", (key,)) if key is not None else ("", ())
    flags = [
        FollowUp.from_row(item)
        for data in index.data("deep_dives", *(only or (where, args)))
        for item in orjson.loads(data)
    ]
    if not flags:
        return []
    walks = [tuple(orjson.loads(data)) for data in index.data("walk", where, args)]
    return settle(flags, walks, _walkable(store))


def kept_follow_ups(
    store: Store,
    index: Index,
    key: str | None = None,
    *,
    open_only: bool = False,
    only: Where | None = None,
) -> list[FollowUp]:
    """Every follow-up and deep-dive the index keeps (of the client ``key``; only the
    open ones with ``open_only``; of the files ``only`` selects), in the order a scan
    of the files gives them."""
    from clientcoach.insights.clients import FollowUp

    where, args = ("f.client_key = ?", (key,)) if key is not None else ("", ())
    found = [
        FollowUp.from_row(item)
        for data in index.data("follow_ups", *(only or (where, args)))
        for item in orjson.loads(data)
        if not open_only or FollowUp.row_open(item)
    ]
    deep = kept_deep_dives(store, index, key, only=only)
    return found + ([f for f in deep if f.done is None] if open_only else deep)


def named_client(store: Store, typed: str) -> str:
    """The known client ``typed`` names, as saved (a unique start, any case or accents,
    will do): as ``--client`` finds one everywhere; "did you mean" when none does."""
    _index(store)
    return _named(typed, store.client_names())


def for_client(records: list[dict[str, Any]], typed: str | None) -> list[dict[str, Any]]:
    """The records of the one client ``typed`` names (a unique start of a name will do)."""
    if typed is None:
        return records
    from clientcoach.insights.clients import newest_first

    key = _named_key(typed, [r["client"] for r in reversed(newest_first(records))])
    return [r for r in records if fold(r["client"]) == key]


def no_client(typed: str, names: list[str]) -> DataError:
    """No known client is named so: "Did you mean" the close ones, else list them."""
    from clientcoach.insights.names import similar_names

    close = similar_names(typed, names)
    hint = (
        _("did you mean {names}?").format(names=_(" or ").join(close))
        if close
        else _("run `coach clients` to list them")
    )
    return DataError(_("no client matches {typed!r}").format(typed=typed), hint)


def _ambiguous(typed: str, found: list[str]) -> UsageError:
    return UsageError(
        _("{typed!r} could be {names}").format(typed=typed, names=", ".join(found)),
        _("give more of the name"),
    )


def find(store: Store, ref: str) -> Path:
    """A reflection's file by id (or a unique start of it), file path, or the short
    random end of its id (what follow-up ids start with)."""
    try:
        path, _model = store.find(ref)
    except DataError:
        needle = ref.strip().lower()
        tails = [p for p in store.files() if p.stem.rsplit("-", 1)[-1].startswith(needle)]
        if len(tails) != 1 or not needle:
            raise
        return tails[0]
    return path


def followups(
    store: Store, client: str | None, today: date, *, overdue: bool, show_all: bool
) -> tuple[list[FollowUp], list[Damaged]]:
    """Open follow-ups, overdue first (and the done ones after, with ``show_all``)."""
    from clientcoach.app.indexed import answer
    from clientcoach.insights.clients import follow_ups, open_first

    def kept(index: Index) -> tuple[list[FollowUp], list[Damaged]]:
        key = _client_key(index, client)
        return kept_follow_ups(store, index, key, open_only=not show_all), damaged_in(index)

    def scanned() -> tuple[list[FollowUp], list[Damaged]]:
        scan = store.scan_records()
        mine = for_client(records_of(scan), client)
        return follow_ups(mine) + deep_dives_of(store, mine), scan.damaged

    found, damaged = answer(store, kept, scanned)
    shown = open_first(found, today)
    if show_all:
        shown += sorted((f for f in found if f.done), key=lambda f: f.done or "")
    if overdue:
        shown = [f for f in shown if f.overdue(today)]
    return shown, damaged


@dataclass
class Marked:
    """A follow-up marked done: which, whether anything changed, on which day."""

    follow_up: FollowUp
    changed: bool
    day: str
    relaid: bool = False  # its file laid out again (``relayout``) though the mark was kept


def mark_done(
    store: Store, ref: str, today: date, undo: bool = False, relayout: bool = False
) -> tuple[Marked, list[Damaged]]:
    """Mark the follow-up ``ref`` names done, in the debrief that holds it; with ``undo``,
    open it again; with ``relayout``, in a file a tool laid out otherwise too (see
    :meth:`Store.update`)."""
    from clientcoach.app.indexed import answer
    from clientcoach.insights.clients import FollowUpNotFound, find_follow_up, follow_ups, set_done
    from clientcoach.insights.clients import mark_done as mark
    from clientcoach.insights.deepdives import DEEP_DIVE, flag_answer

    if not ref.strip():
        raise UsageError(
            _("the follow-up id is empty"), _("run `coach followups --all` to see the ids")
        )

    def located(found: list[FollowUp], damaged: list[Damaged]) -> FollowUp:
        try:
            return find_follow_up(found, ref)
        except FollowUpNotFound as exc:
            if exc.candidates:
                ids = ", ".join(f.short_id for f in exc.candidates[:5])
                raise DataError(
                    _("follow-up id {ref!r} matches {n} follow-ups ({ids})").format(
                        ref=ref, n=len(exc.candidates), ids=ids
                    ),
                    _("give more of the id"),
                ) from None
            hint = _("run `coach followups --all` to see the ids")
            if damaged:
                # It may be in a file that cannot be read: say so, rather than "no such id".
                hint = ngettext(
                    "{count} reflection could not be read ({path}); it may be there: "
                    "`coach doctor` says why",
                    "{count} reflections could not be read ({path}...); it may be in one: "
                    "`coach doctor` says why",
                    len(damaged),
                ).format(count=len(damaged), path=damaged[0].path)
            raise DataError(_("no follow-up with id {ref!r}").format(ref=ref), hint) from None

    def kept(index: Index) -> tuple[FollowUp, list[Path], list[Damaged]]:
        # The index is open only while each id is held by one file. Only the files whose
        # id could start the one given are read: a superset of the matches, which
        # find_follow_up then picks from as it would from every follow-up.
        damaged = damaged_in(index)
        found = located(kept_follow_ups(store, index, only=_could_hold(ref)), damaged)
        paths = [row.path for row in index.rows("f.rid = ?", (found.reflection,))]
        return found, paths, damaged

    def scanned() -> tuple[FollowUp, list[Path], list[Damaged]]:
        scan = store.scan_records()
        every = records_of(scan)
        found = located(follow_ups(every) + deep_dives_of(store, every), scan.damaged)
        # A copy a sync conflict left holds the same follow-up: every copy is marked,
        # so the item never comes back from the other file.
        paths = [path for path, record in scan.items if record["id"] == found.reflection]
        return found, paths, scan.damaged

    found, paths, damaged = answer(store, kept, scanned)

    def change(record: dict[str, Any]) -> tuple[bool, str]:
        try:
            if found.kind == DEEP_DIVE:  # dismissed unwalked: the mark goes on its flag
                return set_done(flag_answer(record, found.number), today, undo)
            return mark(record, found.number, today, found.kind, undo)
        except IndexError:
            raise DataError(
                _("follow-up {id} is no longer in its debrief").format(id=found.id)
            ) from None

    changed, relaid, day = False, False, ""
    for path in paths:
        try:
            (one_changed, day), written = store.update(path, change, relayout)
        except NotLaidOut as exc:
            again = f"coach done {found.short_id}{' --undo' if undo else ''} --relayout"
            hint = (
                _(
                    "the file is left as it is; to lay it out as clientcoach writes it (the "
                    "data stays the same) and open it again: {command}"
                )
                if undo
                else _(
                    "the file is left as it is; to lay it out as clientcoach writes it (the "
                    "data stays the same) and mark it: {command}"
                )
            )
            raise DataError(exc.message, hint.format(command=again)) from None
        changed = changed or one_changed
        relaid = relaid or (written and not one_changed)
    if undo and not changed and found.kind == DEEP_DIVE and found.done is not None:
        # Done because it was walked, not dismissed: the walk is what keeps it done.
        raise DataError(
            _("deep-dive {id} was walked on {day}, so it stays done").format(
                id=found.short_id, day=found.done
            ),
            _("to have it wait again, delete the deep-dive reflection of that day"),
        )
    return Marked(found, changed, day, relaid), damaged


def _could_hold(ref: str) -> Where:
    """The files whose follow-ups' ids, or short ids, could start with ``ref``: the
    reflection's id starts with what comes before the dot, or its short id (after its
    last "-") does; and every file whose id is not plain ASCII, as SQL ignores the case
    of ASCII letters only (a hand-made "Été" is matched by Python's rule alone)."""
    from clientcoach.storage.index import like_escaped

    escaped = like_escaped(ref.strip().lower().split(".", 1)[0])
    return (
        "(f.rid LIKE ? ESCAPE '\\' OR f.rid LIKE ? ESCAPE '\\' OR f.rid GLOB '*[^ -~]*')",
        (f"{escaped}%", f"%-{escaped}%"),
    )


@dataclass(slots=True)
class Found:
    """One reflection a history search found, where it is, and what matched in it."""

    record: dict[str, Any]
    # The file's path as text: a history of 100,000 lines holds one each, and a Path
    # weighs several times more.
    file: str
    hits: list[Hit]

    @property
    def path(self) -> Path:
        return Path(self.file)

    def to_json(self) -> dict[str, Any]:
        record = self.record
        return {
            "id": record["id"],
            "kind": record["kind"],
            "client": record["client"],
            "date": record["meeting"]["date"],
            "title": record["meeting"].get("title"),
            "path": str(self.path),
            "matches": [{"where": h.where, "prompt": h.prompt, "text": h.text} for h in self.hits],
        }


def history(
    store: Store,
    today: date,
    *,
    client: str | None,
    kind: str | None,
    since: str | None,
    until: str | None,
    grep: str | None,
) -> tuple[list[Found], list[Damaged]]:
    """Reflections, newest first, filtered by client, kind, days (as typed) and text."""
    from clientcoach.core.dates import day_range
    from clientcoach.insights import clients as memory

    if kind is not None and kind not in KINDS:
        raise UsageError(
            _("--kind {kind!r} is not a kind").format(kind=kind),
            _("use one of: {kinds}").format(kinds=", ".join(KINDS)),
        )
    start, end = day_range(since, until, today)
    from clientcoach.app.indexed import answer

    def scanned() -> tuple[list[Found], list[Damaged]]:
        scan = store.scan_records()
        paths = {record["id"]: path for path, record in scan.items}
        found = memory.history(
            for_client(records_of(scan), client), kind=kind, since=start, until=end, grep=grep
        )
        return [Found(r, str(paths[r["id"]]), hits) for r, hits in found], scan.damaged

    return answer(
        store,
        lambda index: (_history(index, client, kind, start, end, grep), damaged_in(index)),
        scanned,
    )


def _history(
    index: Index,
    client: str | None,
    kind: str | None,
    since: date | None,
    until: date | None,
    grep: str | None,
) -> list[Found]:
    """:func:`history` from the index: the same filters, the same order, the same hits."""
    from clientcoach.insights.clients import hits_in
    from clientcoach.storage.index import NEWEST

    key = _client_key(index, client)
    # The filters are SQL: no row is made for a file they leave out.
    where = ["f.damaged IS NULL"]
    args: list[str] = []
    for condition, value in (
        ("f.client_key = ?", key),
        ("f.kind = ?", kind),
        ("f.day >= ?", None if since is None else since.isoformat()),
        ("f.day <= ?", None if until is None else until.isoformat()),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    needle = None if grep is None else fold(grep)
    if needle is not None:
        if not needle:
            return []
        condition, text = index.matching(needle)
        where.append(condition)
        args.extend(text)
    rows: Iterable[Row] = index.walk_rows(" AND ".join(where), tuple(args), order=NEWEST)
    hits: dict[int, list[Hit]] = {}
    if needle is not None:
        rows = list(rows)  # few: the text search chose them
        entries = index.part_of("search", (row.id for row in rows))
        for row in rows:
            found = hits_in(orjson.loads(entries[row.id]), needle)
            if found:
                hits[row.id] = found
        rows = [row for row in rows if row.id in hits]
    # Made row by row from the query: a whole history is never held twice.
    root = str(index.store.reflections)
    return [
        Found(
            {
                "id": row.rid,
                "kind": row.kind,
                "client": row.client,
                "meeting": {"date": row.date, "title": orjson.loads(row.title)},
            },
            f"{root}/{row.relative}",  # read back through Path: separators mended
            hits.get(row.id, []),
        )
        for row in rows
    ]


def show(store: Store, ref: str) -> dict[str, Any]:
    """One reflection, as the plain record it was saved as."""
    _index(store)
    return store.read_record(find(store, ref))


def clients(store: Store, today: date) -> tuple[list[ClientSummary], list[Damaged]]:
    """Every client: meetings, when last seen, open follow-ups."""
    from clientcoach.app.indexed import answer
    from clientcoach.insights.clients import FollowUp, clients_from
    from clientcoach.insights.clients import clients as summarise
    from clientcoach.storage.index import OLDEST

    def kept(index: Index) -> tuple[list[ClientSummary], list[Damaged]]:
        # Only the open follow-ups count: the done ones are never made.
        rows = (
            (
                client,
                date.fromisoformat(day),
                kind,
                [FollowUp.from_row(item) for item in orjson.loads(data) if FollowUp.row_open(item)],
            )
            for client, day, kind, data in index.columns_with(
                "follow_ups", ("client", "day", "kind"), order=OLDEST
            )
        )
        return clients_from(rows, today), damaged_in(index)

    def scanned() -> tuple[list[ClientSummary], list[Damaged]]:
        scan = store.scan_records()
        return summarise(records_of(scan), today), scan.damaged

    return answer(store, kept, scanned)


def brief(store: Store, client: str, today: date) -> tuple[Brief, list[Damaged]]:
    """The brief of the client ``client`` names (a unique start will do)."""
    from clientcoach.core.text import compact
    from clientcoach.insights.clients import client_by_prefix

    _index(store)
    names = store.client_names(slug_near(compact(client)))
    found = client_by_prefix(client, names)
    if len(found) > 1:
        raise _ambiguous(client, found)
    if not found:
        from clientcoach.insights.names import similar_names

        every = store.client_names()
        if similar_names(client, every):
            raise no_client(client, every)
    return client_brief(store, found[0] if found else client, today)


def pending(store: Store) -> tuple[list[FollowUp], list[Damaged]]:
    """Every deep-dive still waiting, oldest meeting first (``coach deepdive`` and the
    home screen list them; a debrief walking the playbook of one offers it)."""
    from clientcoach.app.indexed import answer

    def kept(index: Index) -> tuple[list[FollowUp], list[Damaged]]:
        return kept_deep_dives(store, index), damaged_in(index)

    def scanned() -> tuple[list[FollowUp], list[Damaged]]:
        scan = store.scan_records()
        return deep_dives_of(store, records_of(scan)), scan.damaged

    found, damaged = answer(store, kept, scanned)
    waiting = [d for d in found if d.done is None]
    return sorted(waiting, key=lambda d: (d.meeting, d.id)), damaged
