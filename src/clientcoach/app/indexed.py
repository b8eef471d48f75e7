"""The derived index as the reading commands use it: what each record gives it (made by
the pure functions of ``insights``, the same ones the file scan calls), its stamp, and
opening it reconciled with the files.

``CLIENTCOACH_INDEX=0`` turns the index off: every command then reads the files, as the
reference implementation the tests compare the index with. Where this Python's SQLite
has no FTS5, the files are read too (``coach doctor`` says so).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import orjson

import clientcoach
from clientcoach import i18n
from clientcoach.core.text import fold
from clientcoach.storage.index import Derived, Index, IndexUnavailable, Progress
from clientcoach.storage.store import Store

# Bumped when what the index keeps changes in a way its sources' text would not show.
FACTS_VERSION = 6
INDEX_ENV = "CLIENTCOACH_INDEX"
# The modules whose functions derive what the index keeps: any change to their text
# makes another stamp, so facts of another shape are never read back.
_SOURCES = (
    "core/text.py",
    "insights/records.py",
    "insights/recall.py",
    "insights/clients.py",
    "insights/facts.py",
    "insights/deepdives.py",
    "app/indexed.py",
)

# Set by the command line when standard error is a terminal: shows the first build.
PROGRESS: dict[str, Callable[[], Progress] | None] = {"make": None}


def enabled() -> bool:
    return os.environ.get(INDEX_ENV, "1").strip().lower() not in ("0", "no", "off", "false")


def stamp() -> str:
    """What made the index: this version, the facts' version, the text of the code that
    derives them, and the language (a lost deal's touchpoint is named in it)."""
    digest = hashlib.sha256()
    package = Path(clientcoach.__file__).parent
    for source in _SOURCES:
        try:
            digest.update((package / source).read_bytes())
        except OSError:
            digest.update(source.encode())
    return f"{clientcoach.__version__}/{FACTS_VERSION}/{i18n.language()}/{digest.hexdigest()[:16]}"


def index_file(store: Store) -> Path:
    """Where the index lives: with the other derived files, in ``cache/``."""
    return store.root / "cache" / "index.sqlite3"


def derive(record: dict[str, Any]) -> Derived:
    """What the index keeps of one readable record (see ``storage.index``)."""
    from clientcoach.insights.clients import (
        brief_roles,
        follow_ups,
        lessons_for_all,
        search_entries,
        troll_topics,
    )
    from clientcoach.insights.deepdives import raised, walk_of
    from clientcoach.insights.facts import facts_to_json, record_facts, words_to_json
    from clientcoach.insights.recall import KIND_ORDER, deep_role

    entries = search_entries(record)
    meeting = record["meeting"]
    finished = record.get("finished_at")
    parts: dict[str, bytes] = {
        "search": orjson.dumps(entries),
        "follow_ups": orjson.dumps([f.to_row() for f in follow_ups([record])]),
    }
    # Only the records that hold some keep these parts: a debrief's recall reads every
    # debrief's mistakes, and most have none.
    mistakes = deep_role(record, "mistake")
    if mistakes:
        parts["mistakes"] = orjson.dumps(mistakes)
    topics = troll_topics(record) if record["kind"] == "debrief" else []
    if topics:
        parts["trolls"] = orjson.dumps(topics)
    roles = brief_roles(record)
    if roles:
        parts["brief"] = orjson.dumps(roles)
    for_all = lessons_for_all(record) if record["kind"] == "debrief" else []
    if for_all:
        parts["for_all"] = orjson.dumps(for_all)
    flags = raised(record)
    if flags:
        parts["deep_dives"] = orjson.dumps([f.to_row() for f in flags])
    walk = walk_of(record)
    if walk is not None:
        parts["walk"] = orjson.dumps(walk)
    kept = record_facts(record)
    words: tuple[bytes, ...] = ()
    if kept is not None:
        parts["review"] = orjson.dumps(facts_to_json(kept))
        words = words_to_json(kept)
    return Derived(
        rid=record["id"],
        kind=record["kind"],
        client=record["client"],
        client_key=fold(record["client"]),
        date=meeting["date"],
        finished=finished if isinstance(finished, str) else "",
        kind_order=KIND_ORDER.get(record["kind"], 2),
        day=date.fromisoformat(meeting["date"]).isoformat(),
        title=orjson.dumps(meeting.get("title")).decode(),
        search="\n".join(fold(text) for _where, texts, _asked in entries for text in texts),
        parts=parts,
        shared=words,
    )


def open_index(store: Store) -> Index | None:
    """The store's index, reconciled with the files; None when it is turned off or this
    SQLite cannot hold it (the commands then read the files)."""
    if not enabled() or not store.reflections.is_dir():
        return None  # nothing saved yet: nothing to index, and no folder is created
    if _leads_out(store) or _cache_outside(store):
        # The files answer: they name such a link damaged, never enter it; and nothing
        # is written through a link that leads out (doctor names one at the cache).
        return None
    kept = getattr(store, "index", None)
    if isinstance(kept, Index) and kept.db is not None:
        # Reconciled when this command opened it; its own writes reach it by on_write.
        return kept
    index = Index(store, index_file(store), stamp(), derive)
    make = PROGRESS["make"]
    try:
        index.open(make() if make is not None else None)
    except IndexUnavailable:
        return None
    if index.duplicated():
        # A sync conflict's copy (one id, two files): the files answer, counting the id
        # once and naming both files, as the reference does.
        index.close()
        return None
    store.index = index
    store.listing = index.relatives
    store.on_write = lambda paths: _refresh(index, paths)
    return index


def _leads_out(store: Store) -> bool:
    """Whether ``reflections`` or one of its month folders is a link leading out of the
    data directory."""
    from clientcoach.storage import safe

    if safe.leads_out(store.root, store.reflections):
        return True
    try:
        months = list(os.scandir(store.reflections))
    except OSError:
        return False
    return any(m.is_symlink() and safe.leads_out(store.root, Path(m.path)) for m in months)


def _cache_outside(store: Store) -> bool:
    """Whether the index, or the folder it lives in, is a link leading out."""
    from clientcoach.storage import safe

    where = index_file(store)
    return any(
        safe.leads_out(store.root, path)
        for path in (
            where.parent,
            where,
            *(where.with_name(where.name + end) for end in ("-wal", "-shm", "-journal")),
        )
    )


# What spoiled facts raise when read back: not JSON, not the shape written, a failing
# query. The index is then dropped and the files answer (the next command rebuilds it).
SPOILED = (sqlite3.DatabaseError, ValueError, TypeError, KeyError, IndexError)
T = TypeVar("T")


def answer(store: Store, kept: Callable[[Index], T], scan: Callable[[], T]) -> T:
    """``kept(index)``, or ``scan()`` (the files) when there is no index or it turns out
    spoiled behind its back."""
    index = open_index(store)
    if index is None:
        return scan()
    try:
        with index.reading():
            return kept(index)
    except SPOILED:
        drop(store)
        return scan()


def drop(store: Store) -> None:
    """Forget the store's index and delete its file: it holds nothing of its own."""
    if _cache_outside(store):
        return  # never opened there, and nothing is deleted through a link leading out
    kept = store.index
    if isinstance(kept, Index):
        kept.close()
        kept.remove()
    else:
        Index(store, index_file(store), stamp(), derive).remove()
    store.index = None
    store.listing = None
    store.on_write = None


def _refresh(index: Index, paths: list[Path]) -> None:
    """Read the files this command just wrote into the index, in the same command. The
    write itself is done: an index that cannot follow (locked too long, full disk) is
    corrected by the next command's reconciliation, never a reason to fail."""
    try:
        index.refresh(paths)
    except sqlite3.Error:
        index.close()


def report(store: Store, reindex: bool) -> dict[str, Any]:
    """The index as ``coach doctor`` reports it; with ``reindex``, built again first."""
    from clientcoach.storage.index import fts5_available

    where = index_file(store)
    if not enabled():
        return {"path": str(where), "state": "off"}
    if not fts5_available():
        return {"path": str(where), "state": "unavailable"}
    if reindex:
        drop(store)
    index = open_index(store)
    if index is None:
        # No folder yet; or a link leading out, one id in two files, a file name that is
        # not UTF-8: the files answer.
        state = "bypassed" if store.reflections.is_dir() else "none"
        return {"path": str(where), "state": state}
    return {
        "path": str(where),
        "state": "rebuilt" if index.rebuilt else "current",
        "changed": index.changed,
        **index.counts(),
    }
