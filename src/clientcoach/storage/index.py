"""The derived index: an SQLite file beside the reflections, so reading commands need
not read every file again. The JSON files stay the only source of truth.

What the index holds is derived, record by record, by a function the caller gives
(``derive``, made of the pure functions of ``insights``): a record's sort key and
fields, the folded text ``--grep`` searches (an FTS5 table with the trigram tokenizer,
so any part of a word is found as today), and named facts kept as JSON (follow-ups,
mistakes, the review's facts). Texts that many records hold alike (the words the
review's summaries were asked with: the same prompts and labels in every debrief) are
kept once, in a table of their own, counted by the records that hold them; a record
keeps their ids. A damaged file is kept as its reason, so commands report it as the
scan of the files would.

**Reconciled before it answers.** Every open walks the reflections folder (``scandir``
and a ``stat`` per file) and compares each file's relative path, size, ``mtime_ns``,
``ctime_ns`` (which no tool can put back, as ``cp -p`` or ``touch -r`` put back the
modification time) and inode with what the index saw; new and changed files are read
again, rows of deleted ones dropped, all in one transaction (under its lock, only what
the walk found is looked at again: walking twice doubled the cost of the first command
after every save).
A file edited, copied in, deleted or synced by hand is therefore seen, and a process
killed mid-update leaves at worst rows that the next walk corrects. An index that
cannot be read, or was made by another format or another derivation (``stamp``), is
deleted and built again: it is never trusted, and deleting it loses nothing. WAL mode
and a busy timeout let two processes share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from clientcoach.storage.store import DamagedFile, Store, ensure_dir

# The layout of the index file itself; a different one is rebuilt, never read.
INDEX_FORMAT = 7
INDEX_NAME = "index.sqlite3"
BUSY_MS = 30_000
# Times of files written this recently are not trusted (some file systems keep them to
# the second or two): such a file is read again until it is older.
RACY_NS = 2_000_000_000
# Rows of the search table are numbered per file: the file's row id, shifted.
_SHIFT = 20

_SCHEMA = (
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE files(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER,
        damaged TEXT,
        rid TEXT, kind TEXT, client TEXT, client_key TEXT,
        date TEXT, finished TEXT, kind_order INTEGER, day TEXT, title TEXT,
        shared TEXT
    )""",
    # With the path, it lists every file in order (``relatives``) without a sort or a row.
    "CREATE INDEX files_name ON files(name, path)",
    "CREATE INDEX files_order ON files(date, finished, kind_order, rid)",
    "CREATE INDEX files_client ON files(client_key)",
    # Asked before every answer (``duplicated``): an id held twice, found without a sort.
    "CREATE INDEX files_rid ON files(rid)",
    # What the walk compares each file with, read month by month from the index alone.
    "CREATE INDEX files_seen ON files(path, size, mtime_ns, ctime_ns, inode)",
    """CREATE TABLE facts(
        part TEXT NOT NULL, file INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY(part, file)
    ) WITHOUT ROWID""",
    "CREATE INDEX facts_file ON facts(file)",
    # Texts many records hold alike, once each; ``refs`` counts the records holding one,
    # so the last record let go of takes it along (the index holds nothing the files
    # do not).
    # AUTOINCREMENT: an id is never given to another text, even after its own went, so
    # ids read before another process's write never name a text they did not mean.
    """CREATE TABLE shared(
        id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL UNIQUE, refs INTEGER NOT NULL
    )""",
    # The folded texts of a record (title, answers, loop items, includes), one row per
    # file; trigram makes LIKE '%part%' use the index, as --grep finds any part of a word.
    "CREATE VIRTUAL TABLE search USING fts5(text, tokenize='trigram', detail='none')",
)


class Derived(NamedTuple):
    """What the index keeps of one readable record (see :func:`Index.refresh`)."""

    rid: str
    kind: str
    client: str
    client_key: str
    date: str  # the meeting date as written (the sort key uses it)
    finished: str
    kind_order: int
    day: str  # the meeting date as an ISO date
    title: str  # the meeting title, as JSON
    search: str  # folded texts, one per line
    parts: dict[str, bytes]  # named facts, as JSON
    # Texts that many records hold alike, kept once (:meth:`Index.shared_texts`); the
    # record's ids of them, in this order, are its row's ``shared`` (a JSON list).
    shared: tuple[bytes, ...] = ()


Derive = Callable[[dict[str, Any]], Derived]
Progress = Callable[[int, int], None]


class Row(NamedTuple):
    """One file the index knows: readable (its fields) or damaged (its reason)."""

    root: Path
    id: int
    relative: str
    name: str
    damaged: str | None
    rid: str
    kind: str
    client: str
    client_key: str
    date: str
    finished: str
    kind_order: int
    day: str
    title: str

    @property
    def path(self) -> Path:
        # Made when asked for: most rows are read for their facts, not their path.
        return self.root / self.relative


_ROW = (
    "f.id, f.path, f.name, f.damaged, coalesce(f.rid, ''), coalesce(f.kind, ''),"
    " coalesce(f.client, ''), coalesce(f.client_key, ''), coalesce(f.date, ''),"
    " coalesce(f.finished, ''), coalesce(f.kind_order, 0), coalesce(f.day, ''),"
    " coalesce(f.title, 'null')"
)
# Record order (insights.recall.record_order), ties in the order of the files as a
# stable sort of them leaves them; and its reverse, as newest_first sorts.
OLDEST = "f.date, f.finished, f.kind_order, f.rid, f.name"
NEWEST = "f.date DESC, f.finished DESC, f.kind_order DESC, f.rid DESC, f.name"
# The order of reversed(newest_first(...)): ties come out backwards.
ASCENDING = "f.date, f.finished, f.kind_order, f.rid, f.name DESC"


class IndexUnavailable(Exception):
    """This Python's SQLite cannot hold the index (no FTS5 or no trigram tokenizer), or
    the index cannot hold a file's name (bytes that are not UTF-8)."""


def fts5_available() -> bool:
    """Whether this Python's SQLite has FTS5 with the trigram tokenizer."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    return True


def like_escaped(text: str) -> str:
    """``text`` as itself inside an SQL LIKE pattern written with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Where the system can, a month's files are listed through the folder's own descriptor:
# each one is then looked at relative to it (``fstatat``), not by a path resolved again
# from the root, which is about a fifth of the walk.
_AT = os.scandir in os.supports_fd
Key = tuple[int, int, int, int]


def listing(folder: Path) -> Iterator[tuple[str, Key | None]]:
    """The reflection files under ``folder`` as ``Store.files`` sees them (``*/*.json``,
    no names starting with a dot): each one's path relative to ``folder`` and its (size,
    ``mtime_ns``, ``ctime_ns``, inode), None when it cannot be looked at (it is then read, and
    reported damaged, every time). One generator, no helper called per file: at
    100,000 files every call counts."""
    try:
        months = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for month in months:
        fd = -1
        try:
            if not month.is_dir():
                continue
            if _AT:
                fd = os.open(month.path, os.O_RDONLY | os.O_DIRECTORY)
            entries = list(os.scandir(fd if fd >= 0 else month.path))
            prefix = f"{month.name}/"
            for entry in entries:
                name = entry.name
                if name.endswith(".json") and not name.startswith("."):
                    try:
                        # Through the descriptor, the entry's stat is fstatat; without
                        # one (Windows), the stat `_read` takes: a DirEntry's has no inode there.
                        st = entry.stat() if fd >= 0 else Path(entry.path).stat()
                    except OSError:
                        yield prefix + name, None
                    else:
                        yield prefix + name, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            continue  # not a folder after all (a lock file), or one that cannot be read
        finally:
            if fd >= 0:
                os.close(fd)


def shared_ids(held: object) -> list[int]:
    """A row's ``shared`` ids; anything else means a damaged index, which is rebuilt,
    never trusted (``sqlite3.DatabaseError``)."""
    try:
        ids = json.loads(held) if isinstance(held, str) else None
    except (ValueError, RecursionError):
        ids = None
    if not isinstance(ids, list) or not all(map(_valid_id, ids)):
        raise sqlite3.DatabaseError("a row's shared ids are damaged")
    return ids


def _valid_id(value: object) -> bool:
    """Whether ``value`` can be a row id (SQLite's are 64-bit; JSON's true is no id)."""
    return type(value) is int and 0 < value < 2**63


class Index:
    """The index of one data directory, reconciled with its files when opened."""

    def __init__(self, store: Store, file: Path, stamp: str, derive: Derive) -> None:
        self.store = store
        self.file = file
        self.stamp = stamp
        self.derive = derive
        self.db: sqlite3.Connection | None = None
        self.rebuilt = False  # built from nothing by this process
        self.changed = 0  # files read again by the last reconciliation
        self._listed: list[str] | None = None  # relatives(), until the next change
        # Within one write: the shared texts' ids looked up, and how each one's count of
        # records changes (written once, at the end, not once per record).
        self._ids: dict[bytes, int] = {}
        self._refs: Counter[int] = Counter()

    # --- opening ------------------------------------------------------------------------

    def open(self, progress: Progress | None = None) -> Index:
        """Open (building or rebuilding when needed) and reconcile with the files."""
        if not fts5_available():
            raise IndexUnavailable("FTS5 with the trigram tokenizer")
        try:
            self._connect()
            self.reconcile(progress)
        except IndexUnavailable:
            self.close()
            raise
        except sqlite3.DatabaseError:
            # Damaged, or not an index at all: it holds nothing the files do not.
            self.close()
            self.remove()
            self._connect()
            self.reconcile(progress)
        return self

    def _connect(self) -> None:
        ensure_dir(self.file.parent)
        if not self.file.exists():
            # Created private before SQLite opens it; its -wal and -shm take its mode.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        db = sqlite3.connect(self.file, timeout=BUSY_MS / 1000, isolation_level=None)
        self.db = db
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if not self._current(db):
            self._create(db)

    def _current(self, db: sqlite3.Connection) -> bool:
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return False
        return meta.get("format") == str(INDEX_FORMAT) and meta.get("stamp") == self.stamp

    def _create(self, db: sqlite3.Connection) -> None:
        """Empty the file and lay out the tables (another version's index, or none)."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._current(db):  # another process built it while this one waited
                db.execute("COMMIT")
                return
            names = db.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%'"
            ).fetchall()
            for kind, name in names:
                db.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            for statement in _SCHEMA:
                db.execute(statement)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("format", str(INDEX_FORMAT)), ("stamp", self.stamp)],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.rebuilt = True

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    def remove(self) -> None:
        """Delete the index file (and its WAL): the next open builds it again."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.file}{suffix}").unlink()

    @property
    def conn(self) -> sqlite3.Connection:
        assert self.db is not None, "open the index first"
        return self.db

    # --- keeping it right ---------------------------------------------------------------

    def _seen(self, month: str) -> dict[str, tuple[int, int, int, int, int]]:
        """The rows of one month folder (``month`` ends with "/"), by path."""
        try:
            month.encode("utf-8")
        except UnicodeEncodeError:
            # Not a key SQLite can look up: the files answer while the folder is there.
            raise IndexUnavailable(f"a folder name that is not UTF-8: {month!r}") from None
        return {
            path: (size, mtime, ctime, inode, rowid)
            for rowid, path, size, mtime, ctime, inode in self.conn.execute(
                # Every path in the folder, and no other: "0" follows "/".
                "SELECT id, path, size, mtime_ns, ctime_ns, inode FROM files"
                " WHERE path >= ? AND path < ?",
                (month, month[:-1] + "0"),
            )
        }

    def _differences(self) -> tuple[list[tuple[str, Path]], list[tuple[int, str]], int]:
        """The files to read again, the rows (id, path) of files gone, and how many rows
        still hold.

        Month by month: only one folder's rows are held at a time, not 100,000."""
        stale: list[tuple[str, Path]] = []
        gone: list[tuple[int, str]] = []
        kept = 0
        root = self.store.reflections
        months: list[str] = []
        held = 0  # the rows of the folders listed
        seen: dict[str, tuple[int, int, int, int, int]] = {}
        for relative, key in listing(root):
            if not relative.startswith(months[-1] if months else "/"):
                gone += [(known[4], path) for path, known in seen.items()]
                months.append(relative[: relative.index("/") + 1])
                seen = self._seen(months[-1])
                held += len(seen)
            known = seen.pop(relative, None)
            if known is None or key is None or known[:4] != key:
                stale.append((relative, root / relative))
            else:
                kept += 1
        gone += [(known[4], path) for path, known in seen.items()]
        (rows,) = self.conn.execute("SELECT count(*) FROM files").fetchone()
        if rows > held:  # the rows of a folder with no file left, or gone itself
            listed = ", ".join("?" * len(months))
            gone += self.conn.execute(
                "SELECT id, path FROM files WHERE substr(path, 1, instr(path, '/'))"
                f" NOT IN ({listed})",
                months,
            ).fetchall()
        return stale, gone, kept

    def _still(
        self, stale: list[tuple[str, Path]], gone: list[tuple[int, str]]
    ) -> tuple[list[tuple[str, Path]], list[int]]:
        """What a first look found, looked at again under the lock: another process may
        have done part of it meanwhile. Only those files are looked at, not every one
        again (a file added meanwhile is seen by the next command)."""
        db = self.conn
        root = self.store.reflections
        fresh: list[tuple[str, Path]] = []
        forget: list[int] = []
        for relative, path in stale:
            row = db.execute(
                "SELECT id, size, mtime_ns, ctime_ns, inode FROM files WHERE path = ?", (relative,)
            ).fetchone()
            try:
                st = path.stat()
            except FileNotFoundError:
                if os.path.lexists(path):
                    fresh.append((relative, path))  # a dangling link: read, named damaged
                elif row is not None:
                    forget.append(row[0])
                continue
            except OSError:
                fresh.append((relative, path))  # unreadable: read, and named damaged
                continue
            if row is None or tuple(row[1:]) != (
                st.st_size,
                st.st_mtime_ns,
                st.st_ctime_ns,
                st.st_ino,
            ):
                fresh.append((relative, path))
        for rowid, relative in gone:
            # Row ids are reused: the row must still be this path's, and the file gone.
            held = db.execute(
                "SELECT 1 FROM files WHERE id = ? AND path = ?", (rowid, relative)
            ).fetchone()
            if held is None:
                continue
            if os.path.lexists(root / relative):
                fresh.append((relative, root / relative))  # back meanwhile: read again
            else:
                forget.append(rowid)
        return fresh, forget

    def reconcile(self, progress: Progress | None = None) -> None:
        """Bring the index in line with the files: read new and changed ones, forget
        the deleted ones, in one transaction."""
        stale, gone, kept = self._differences()
        self.changed = len(stale) + len(gone)
        if not stale and not gone:
            return
        # A name that is not UTF-8 cannot be stored, so it is never indexed and always
        # stale: the files answer while it is there (they read it like any other).
        for relative, _path in stale:
            try:
                relative.encode("utf-8")
            except UnicodeEncodeError:
                raise IndexUnavailable(f"a file name that is not UTF-8: {relative!r}") from None
        db = self.conn
        with self._writing():
            # Another process may have done part of it while this one waited.
            if kept == 0 or not self._current(db):
                # Everything to read again, or another process laid the tables out anew
                # meanwhile (another stamp): the whole folder is looked at again.
                stale, every_gone, kept = self._differences()
                gone_ids = [rowid for rowid, _path in every_gone]
            else:
                stale, gone_ids = self._still(stale, gone)
            if kept == 0:
                # No row holds any more (a data directory copied or restored: every inode
                # is new): emptied at once, for half the time of forgetting row by row.
                self._listed = None
                for table in ("search", "facts", "files", "shared"):
                    db.execute(f"DELETE FROM {table}")
            else:
                self._forget(gone_ids)
            total = len(stale)
            for done, (relative, path) in enumerate(stale, start=1):
                self._read(relative, path)
                if progress is not None and (done % 200 == 0 or done == total):
                    progress(done, total)

    def refresh(self, paths: Iterable[Path]) -> None:
        """Read these files again now (a save, ``done``, a quarantine): one transaction."""
        root = self.store.reflections
        db = self.conn
        with self._writing():
            for path in paths:
                try:
                    relative = path.relative_to(root).as_posix()
                except ValueError:
                    continue
                if path.name.startswith(".") or relative.count("/") != 1:
                    continue
                if path.exists() or path.is_symlink():
                    self._read(relative, path)
                else:
                    row = db.execute("SELECT id FROM files WHERE path = ?", (relative,)).fetchone()
                    if row is not None:
                        self._forget([row[0]])

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction under the write lock; the shared texts' counts are brought up
        to date before it commits, and those no record holds any more are let go."""
        db = self.conn
        if db.in_transaction:
            db.execute("COMMIT")  # a command's read snapshot (``reading``): it writes now
        db.execute("BEGIN IMMEDIATE")
        self._ids, self._refs = {}, Counter()
        try:
            yield
            changed = [(n, i) for i, n in self._refs.items() if n]
            if changed:
                db.executemany("UPDATE shared SET refs = refs + ? WHERE id = ?", changed)
            if self._refs:
                # Also a text added and let go again in this one write (its count is 0).
                db.execute("DELETE FROM shared WHERE refs <= 0")
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        finally:
            self._ids, self._refs = {}, Counter()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One snapshot of the index for every query inside: a command that reads it
        several times (rows, then the texts they name) never mixes two states of it,
        whatever another process writes meanwhile."""
        db = self.conn
        if db.in_transaction:
            yield
            return
        db.execute("BEGIN")
        try:
            yield
        finally:
            if self.db is not None and db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("COMMIT")

    def _intern(self, texts: tuple[bytes, ...]) -> list[int]:
        """The ids of these shared texts, each added when new; counted once more each."""
        db = self.conn
        ids: list[int] = []
        for text in texts:
            found = self._ids.get(text)
            if found is None:
                row = db.execute("SELECT id FROM shared WHERE data = ?", (text,)).fetchone()
                if row is not None:
                    found = int(row[0])
                else:
                    cursor = db.execute("INSERT INTO shared(data, refs) VALUES (?, 0)", (text,))
                    assert cursor.lastrowid is not None
                    found = cursor.lastrowid
                self._ids[text] = found
            self._refs[found] += 1
            ids.append(found)
        return ids

    def _forget(self, ids: list[int]) -> None:
        self._listed = None
        db = self.conn
        for rowid in ids:
            row = db.execute("SELECT shared FROM files WHERE id = ?", (rowid,)).fetchone()
            if row is not None and row[0]:
                self._refs.subtract(shared_ids(row[0]))
            db.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
            db.execute("DELETE FROM facts WHERE file = ?", (rowid,))
            db.execute("DELETE FROM files WHERE id = ?", (rowid,))

    def _read(self, relative: str, path: Path) -> None:
        """Read one file (its stat taken first, so a change while reading is seen later)."""
        self._listed = None
        db = self.conn
        try:
            st = path.stat()
            # A file changed within the clock's grain of now could change again with the
            # same size and time: kept unconfirmed, it is read again by the next command.
            recent = time.time_ns() - st.st_mtime_ns < RACY_NS
            key: tuple[int | None, ...] = (
                st.st_size,
                None if recent else st.st_mtime_ns,
                st.st_ctime_ns,
                st.st_ino,
            )
        except OSError:
            key = (None, None, None, None)
        old = db.execute("SELECT id FROM files WHERE path = ?", (relative,)).fetchone()
        if old is not None:
            self._forget([old[0]])
        try:
            derived: Derived | None = self.derive(self.store.read_record(path))
            reason = None
        except DamagedFile as exc:
            derived, reason = None, exc.reason
        if derived is None:
            db.execute(
                "INSERT INTO files(path, name, size, mtime_ns, ctime_ns, inode, damaged)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (relative, path.name, *key, reason),
            )
            return
        shared = self._intern(derived.shared) if derived.shared else None
        cursor = db.execute(
            "INSERT INTO files(path, name, size, mtime_ns, ctime_ns, inode, rid, kind,"
            " client, client_key, date, finished, kind_order, day, title, shared)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                relative,
                path.name,
                *key,
                derived.rid,
                derived.kind,
                derived.client,
                derived.client_key,
                derived.date,
                derived.finished,
                derived.kind_order,
                derived.day,
                derived.title,
                json.dumps(shared, separators=(",", ":")) if shared is not None else None,
            ),
        )
        rowid = cursor.lastrowid
        db.executemany(
            "INSERT INTO facts(part, file, data) VALUES (?, ?, ?)",
            [(part, rowid, data) for part, data in derived.parts.items()],
        )
        if derived.search:
            db.execute("INSERT INTO search(rowid, text) VALUES (?, ?)", (rowid, derived.search))

    # --- answering ----------------------------------------------------------------------

    def _row(self, values: tuple[Any, ...]) -> Row:
        return Row(self.store.reflections, *values)

    def relatives(self) -> list[str]:
        """Every reflection file, relative to ``reflections/``, sorted by name as
        ``Store.files`` sorts them."""
        if self._listed is None:
            found = self.conn.execute("SELECT path FROM files ORDER BY name, path")
            self._listed = [p for (p,) in found]
        return self._listed

    def rows(self, where: str = "", args: tuple[Any, ...] = (), order: str = "f.name") -> list[Row]:
        """Files the index knows (damaged ones too), filtered by an SQL condition on ``f``."""
        return list(self.walk_rows(where, args, order))

    def walk_rows(
        self, where: str = "", args: tuple[Any, ...] = (), order: str = "f.name"
    ) -> Iterator[Row]:
        """:meth:`rows`, one at a time (a long history is never held as rows)."""
        sql = f"SELECT {_ROW} FROM files f {'WHERE ' + where if where else ''} ORDER BY {order}"
        for values in self.conn.execute(sql, args):
            yield self._row(values)

    def parts(
        self, part: str, where: str = "", args: tuple[Any, ...] = (), order: str = "f.name"
    ) -> Iterator[tuple[Row, bytes]]:
        """Readable files with their fact ``part`` (as JSON), in ``order``."""
        sql = (
            f"SELECT {_ROW}, x.data FROM files f JOIN facts x ON x.part = ? AND x.file = f.id"
            f" {'WHERE ' + where if where else ''} ORDER BY {order}"
        )
        for values in self.conn.execute(sql, (part, *args)):
            yield self._row(values[:-1]), values[-1]

    def columns_with(
        self,
        part: str,
        columns: tuple[str, ...],
        where: str = "",
        args: tuple[Any, ...] = (),
        order: str = "f.name",
    ) -> Iterator[tuple[Any, ...]]:
        """Some ``columns`` of the readable files that hold the fact ``part``, and that
        part last, in ``order`` (no rows made: a long history has many)."""
        # CROSS JOIN keeps the files outside, walked in the order of an index on them:
        # otherwise every fact may be sorted in a temporary tree first.
        chosen = ", ".join(f"f.{column}" for column in columns)
        sql = (
            f"SELECT {chosen}, x.data FROM files f"
            " CROSS JOIN facts x ON x.part = ? AND x.file = f.id"
            f" {'WHERE ' + where if where else ''} ORDER BY {order}"
        )
        return iter(self.conn.execute(sql, (part, *args)))

    def part_of(self, part: str, ids: Iterable[int]) -> dict[int, bytes]:
        """The fact ``part`` of these files, by file."""
        return self._by_id("SELECT file, data FROM facts WHERE part = ? AND file", (part,), ids)

    def shared_texts(self, ids: Iterable[int]) -> dict[int, bytes]:
        """The shared texts of these ids (a row's ``shared`` lists them), by id; ids that
        are not row ids mean a damaged index (``sqlite3.DatabaseError``)."""
        every = list(ids)
        if not all(map(_valid_id, every)):
            raise sqlite3.DatabaseError("a row's shared ids are damaged")
        return self._by_id("SELECT id, data FROM shared WHERE id", (), every)

    def _by_id(self, select: str, args: tuple[Any, ...], ids: Iterable[int]) -> dict[int, bytes]:
        """``select ... IN (ids)`` as a map, a few hundred ids at a time (SQLite limits
        how many values one statement may take)."""
        found: dict[int, bytes] = {}
        every = list(ids)
        for start in range(0, len(every), 500):
            chunk = every[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(self.conn.execute(f"{select} IN ({marks})", (*args, *chunk)).fetchall())
        return found

    def column(self, column: str, where: str = "", order: str = "f.name") -> list[Any]:
        """One column of the readable files, in ``order``."""
        condition = "f.damaged IS NULL" + (f" AND {where}" if where else "")
        sql = f"SELECT f.{column} FROM files f WHERE {condition} ORDER BY {order}"
        return [value for (value,) in self.conn.execute(sql)]

    def data(
        self, part: str, where: str = "", args: tuple[Any, ...] = (), order: str = "f.name"
    ) -> list[bytes]:
        """The fact ``part`` of the readable files, in ``order`` (no rows made)."""
        sql = (
            "SELECT x.data FROM files f JOIN facts x ON x.part = ? AND x.file = f.id"
            f" {'WHERE ' + where if where else ''} ORDER BY {order}"
        )
        return [data for (data,) in self.conn.execute(sql, (part, *args))]

    @staticmethod
    def matching(needle: str) -> tuple[str, tuple[str]]:
        """A condition on ``f`` (for :meth:`rows`) that holds for the files whose folded
        text may contain ``needle`` (already folded): a superset, each is checked again
        against its own texts."""
        return (
            "f.id IN (SELECT rowid FROM search WHERE text LIKE ? ESCAPE '\\')",
            (f"%{like_escaped(needle)}%",),
        )

    def duplicated(self) -> bool:
        """Whether some id is held by more than one readable file."""
        found = self.conn.execute(
            "SELECT 1 FROM files WHERE rid IS NOT NULL GROUP BY rid HAVING count(*) > 1 LIMIT 1"
        )
        return found.fetchone() is not None

    def counts(self) -> dict[str, int]:
        """How many files the index holds, and how many of them are damaged."""
        total, damaged = self.conn.execute("SELECT count(*), count(damaged) FROM files").fetchone()
        return {"files": total, "damaged": damaged}
