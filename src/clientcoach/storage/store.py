"""The store: the only module that reads and writes the data directory.

One JSON file per reflection, under ``reflections/YYYY-MM/`` by meeting month. Writes
are atomic and never overwrite: the record goes to a private temporary file in the same
folder, is flushed and synced, then hard-linked to its final name (which fails rather
than replacing an existing file). So two processes, or a synced folder, never lose each
other's work, and an interrupted save leaves either the whole file or nothing.

Drafts (unfinished runs) live in ``drafts/``, one file per run, rewritten in place with
``os.replace`` after every answer. Reading never writes: older schemas are migrated in
memory (see :data:`MIGRATIONS`), and a file that cannot be fully read is only reported.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import os
import platform
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import orjson

import clientcoach
from clientcoach.core.text import fold, slug
from clientcoach.errors import DataError, StorageError, UsageError
from clientcoach.i18n import _
from clientcoach.storage import safe

if TYPE_CHECKING:
    # Only commands that build or read whole records load pydantic and the models;
    # those that compute figures read plain dicts (read_record).
    from pydantic import ValidationError

    from clientcoach.model.draft import Draft
    from clientcoach.model.reflection import Reflection

_NO_LINKS = {errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
DIR_MODE = 0o700
FILE_MODE = 0o600
# What a file is written from: its whole text, or its text in pieces (a long export is
# written as it is made, never held whole).
Text = str | Iterable[str]
# A prep older than this belongs to an earlier meeting, not to the one being debriefed.
PREP_WINDOW_DAYS = 30
# Deeper than any playbook nests answers; deeper files are damaged, not recursed into.
MAX_DEPTH = 64
_DRAFT_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
# Temporary files name their host and process, so a later save can tell a dead
# process's leftovers (a save killed halfway) from another process's save in progress.
# platform (already loaded by Typer) reads the same host name as socket, without loading it.
_HOST = re.sub(r"[^a-z0-9]+", "-", platform.node().lower()).strip("-")[:24] or "host"
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<host>[a-z0-9-]+)-(?P<pid>\d+)-[0-9a-f]+\.tmp$")
# How often an update is retried when another process changed the file meanwhile.
UPDATE_ATTEMPTS = 5

T = TypeVar("T")
Item = TypeVar("Item")


def record_text(data: dict[str, Any]) -> str:
    """A record's file text, exactly as :meth:`Reflection.to_json` lays it out."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


NO_CLIENT_SLUG = "all-clients"


# A generated reflection file name: date, kind, the client's slug, id.
_GENERATED = re.compile(r"^(\d{4}-\d{2}-\d{2})_[a-z]+_.*_([0-9A-Za-z-]+)\.json$")


def date_and_id(name: str) -> tuple[str, str] | None:
    """The meeting date and id a generated file name holds, leaving out the client's
    name it holds too; None for a name clientcoach did not give."""
    found = _GENERATED.match(name)
    return (found[1], found[2]) if found else None


def _name_date(name: str) -> date | None:
    """The meeting date a generated file name starts with, if it has one."""
    try:
        return date.fromisoformat(name[:10])
    except ValueError:
        return None


def named_like(
    kind: str | None, client: str | None, since: date | None = None, until: date | None = None
) -> Callable[[str], bool]:
    """Whether a file's generated name can match these filters; what a name says is
    checked again once the file is read (a client called "Prep" puts "_prep_" in a
    debrief's name). A name dated outside ``since``/``until`` is skipped unread; a name
    with no date always matches."""
    marker = f"_{kind}_" if kind else None
    named = f"_{slug(client)}_" if client is not None else None

    def like(name: str) -> bool:
        if marker and marker not in name:
            return False
        if named is not None and named not in name:
            return False
        if since is not None or until is not None:
            day = _name_date(name)
            if day is not None and (
                (since is not None and day < since) or (until is not None and day > until)
            ):
                return False
        return True

    return like


def ensure_dir(path: Path, root: Path | None = None) -> None:
    """Create ``path`` and its missing parents as private folders, whatever the umask.

    With ``root`` (a folder of the data directory), ``path`` must resolve inside it: a
    link planted at it, or above it, that leads out is refused (:mod:`.safe`).
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        if probe.is_symlink():
            break  # a dangling link: refused below, never created through
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            within = root is not None and root in folder.parents
            safe.make_folder(folder, root if within else None, DIR_MODE)
        except FileExistsError:
            pass  # another process made it first
        except OSError as exc:
            raise StorageError(
                _("cannot create folder {path}: {reason}").format(path=folder, reason=exc.strerror),
                _("check CLIENTCOACH_HOME points to a writable place"),
            ) from exc
    if root is not None and not safe.is_inside(root, path):
        raise StorageError(
            _("{path}: {reason}").format(path=path, reason=safe.outside_reason()),
            _("nothing was written; replace the link with a real folder"),
        )
    if not path.is_dir():
        raise StorageError(
            _("{path} exists and is not a folder").format(path=path),
            _("move it aside or set CLIENTCOACH_HOME"),
        )


def _write_tmp(path: Path, text: Text, root: Path | None = None) -> Path:
    """A complete, synced, private temporary copy of ``text`` beside ``path``."""
    tmp = path.with_name(f".{path.name}.{_HOST}-{os.getpid()}-{os.urandom(3).hex()}.tmp")
    fd = safe.create_exclusive(tmp, root, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def write_new(path: Path, text: Text, root: Path | None = None) -> None:
    """Write a new file atomically; FileExistsError if ``path`` already exists."""
    tmp = _write_tmp(path, text, root)
    try:
        try:
            safe.link(tmp, path, root)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            # Some synced or foreign file systems have no hard links: reserve the name
            # exclusively, then move the complete file over our own empty placeholder.
            os.close(safe.create_exclusive(path, root, FILE_MODE))
            safe.replace(tmp, path, root)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_dir(path.parent)


def write_replace(path: Path, text: Text, root: Path | None = None) -> None:
    """Write ``path`` atomically, replacing it if it exists (drafts only)."""
    tmp = _write_tmp(path, text, root)
    try:
        safe.replace(tmp, path, root)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _sync_dir(path.parent)


class ChangedError(DataError):
    """A file changed between reading it and writing it back."""


def replace_if_unchanged(
    path: Path, expected: bytes, new_text: str, root: Path | None = None
) -> None:
    """Replace ``path`` with ``new_text`` only if it still holds ``expected``.

    Another process may have changed the file since it was read; writing over it would
    lose that change, so ChangedError is raised instead and nothing is written. The
    folder is locked (where the platform can) so that two updates never interleave.
    """
    with _folder_lock(path.parent, root):
        try:
            current = safe.read_bytes(path, safe.RECORD_LIMIT, root=root)
        except FileNotFoundError:
            raise ChangedError(
                _("{path}: removed since it was read").format(path=path),
                _("nothing was written; run it again"),
            ) from None
        if current != expected:
            raise ChangedError(
                _("{path}: changed by another program since it was read").format(path=path),
                _("nothing was written; run the command again to work on the new version"),
            )
        write_replace(path, new_text, root)


@contextlib.contextmanager
def _folder_lock(folder: Path, root: Path | None = None) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the compare still guards all but a tiny window
        yield
        return
    fd = safe.open_folder(folder, root)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def leftover_temp_files(folder: Path) -> list[Path]:
    """Temporary files in ``folder`` left by a save that was killed halfway."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    for path in folder.glob(".*.tmp"):
        match = _TMP.match(path.name)
        if match is None or match["host"] != _HOST or _alive(int(match["pid"])):
            continue
        found.append(path)
    return found


def tidy(folder: Path, root: Path | None = None) -> None:
    """Remove the halfway copies killed saves left: never data, never reported as saved."""
    if root is not None and not safe.is_inside(root, folder):
        return
    for path in leftover_temp_files(folder):
        with contextlib.suppress(OSError):
            safe.unlink(path, root)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: keep it
    return True


def write_file(path: Path, text: Text, *, replace: bool = False) -> None:
    """Write a file outside the data directory (a report) atomically and privately.

    Without ``replace`` an existing file is never touched (FileExistsError); with it, the
    new text replaces the old in one step, so a reader never sees half a report.
    """
    if replace:
        write_replace(path, text)
    else:
        write_new(path, text)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every platform can sync a folder; the file itself is synced
    finally:
        os.close(fd)


@dataclass
class Damaged:
    """A file that could not be read as a reflection, and why (without the path)."""

    path: Path
    reason: str


class DamagedFile(DataError):
    """A data file that cannot be read: empty, cut short, not JSON, wrong shape, newer."""

    def __init__(self, path: Path, reason: str, hint: str | None = None) -> None:
        super().__init__(_("{path}: {reason}").format(path=path, reason=reason), hint)
        self.path = path
        self.reason = reason


# Migrations from schema n to n + 1, applied in memory when a file is read (never
# written back). Each takes a plain dict of schema n and returns one of schema n + 1.
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def _draft_kept_hint(draft_id: str) -> str:
    return _(
        "the draft saved before this one, if any, is unchanged; free some space or fix "
        "the permissions, then run `coach resume {id}` to go on"
    ).format(id=draft_id)


def _listed(ids: Iterable[str], most: int = 5) -> str:
    """The first ``most`` ids, and how many more there are."""
    every = list(ids)
    shown = ", ".join(every[:most])
    if len(every) <= most:
        return shown
    return _("{ids} and {n} more").format(ids=shown, n=len(every) - most)


def current_schema() -> int:
    # Read from the package when called, so that scanning records needs neither pydantic
    # nor the record models (the review reads thousands of files as plain dicts).
    return clientcoach.REFLECTION_SCHEMA


def migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring a record of an older schema to the current one, in memory."""
    schema: int = data["schema"]
    if schema == current_schema():
        return data
    data = copy.deepcopy(data)  # the caller's parse stays as read
    while schema < current_schema():
        step = MIGRATIONS.get(schema)
        if step is None:
            raise DamagedFile(
                path, _("schema {schema} cannot be read by this version").format(schema=schema)
            )
        try:
            data = step(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DamagedFile(
                path,
                _("cannot migrate it from schema {schema} ({error})").format(
                    schema=schema, error=exc
                ),
            ) from None
        schema += 1
        data["schema"] = schema
    return data


# The two kinds of data file a person may find damaged.
DataFile = Literal["reflection", "draft"]


def _damaged(what: DataFile, detail: str) -> str:
    """Why a reflection or a draft is damaged, in the reader's language (whose words for
    "damaged" agree with the kind of file)."""
    if what == "draft":
        return _("damaged draft ({detail})").format(detail=detail)
    return _("damaged reflection ({detail})").format(detail=detail)


def _not_ours(what: DataFile) -> str:
    if what == "draft":
        return _("not a clientcoach draft (no 'schema')")
    return _("not a clientcoach reflection (no 'schema')")


def _why_not_json(raw: bytes, exc: orjson.JSONDecodeError) -> str:
    """Why bytes that orjson refused are not a data file, in the words a user needs."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return _("not UTF-8 text (byte {byte}): binary or damaged").format(byte=bad.start)
    if not text.strip():
        return _("empty file")
    if "\x00" in text:
        return _("contains NUL bytes: binary or damaged")
    return _("not valid JSON (line {line}, column {column}: {error})").format(
        line=exc.lineno, column=exc.colno, error=exc.msg
    )


def _too_deep(data: object, limit: int = MAX_DEPTH) -> bool:
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def _answers_problem(answers: list[Any], limit: int = MAX_DEPTH) -> str | None:
    """What is wrong with the shape of a record's answers, if anything: nesting (through
    includes and loop items) deeper than ``limit``, or an answer that is not an object.

    The walkers of the insights recurse along exactly these links and index each answer
    as an object, so this is the shape that could hurt them (``"items": [[null]]``). It
    costs a couple of lookups per answer, where walking every value of every record
    would cost more than parsing it.
    """
    stack: list[tuple[list[Any], int]] = [(answers, 0)]
    push = stack.append
    while stack:
        level, depth = stack.pop()
        if depth > limit:
            return _("nested more than {limit} levels").format(limit=limit)
        deeper = depth + 1
        for answer in level:
            if type(answer) is not dict:
                return _("an answer that is not an object")
            if "answers" in answer:
                nested = answer["answers"]
                if type(nested) is list:
                    push((nested, deeper))
            if "items" in answer:
                items = answer["items"]
                if type(items) is list:
                    for item in items:
                        # An item is a list of answers, or an object holding them under
                        # "answers" (a mark such as "done" may stand beside them).
                        inner = item.get("answers") if type(item) is dict else item
                        if type(inner) is not list:
                            return _("a loop item that is not a list of answers")
                        push((inner, deeper))
    return None


def parse_json_file(
    path: Path, what: DataFile, newest: int, *, check_depth: bool = True, root: Path | None = None
) -> dict[str, Any]:
    data, _text = _parse_json_text(path, what, newest, check_depth=check_depth, root=root)
    return data


def _parse_json_text(
    path: Path, what: DataFile, newest: int, *, check_depth: bool = True, root: Path | None = None
) -> tuple[dict[str, Any], bytes]:
    """A data file's JSON object with an int ``schema`` no newer than ``newest``.

    Every way a file can be damaged ends as DamagedFile: unreadable, empty, binary,
    not UTF-8, cut short, not JSON, NaN, absurd nesting, no schema, a newer schema.
    Returns the object and the file's bytes.
    """
    try:
        raw = safe.read_bytes(path, safe.RECORD_LIMIT, root=root)
    except safe.Refused as exc:
        raise DamagedFile(path, exc.reason) from None
    except OSError as exc:
        raise DamagedFile(path, _("cannot read ({reason})").format(reason=exc.strerror)) from exc
    try:
        # orjson checks UTF-8 and parses in one pass, about twice as fast as the standard
        # library, and refuses what a record never holds: NaN, infinities, lone surrogates,
        # a byte order mark, nesting deeper than 1,024.
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DamagedFile(path, _why_not_json(raw, exc)) from None
    if not isinstance(data, dict) or "schema" not in data:
        raise DamagedFile(path, _not_ours(what))
    schema = data["schema"]
    if type(schema) is not int or schema < 1:
        raise DamagedFile(
            path, _damaged(what, _("schema {schema} is not a version").format(schema=repr(schema)))
        )
    if schema > newest:
        raise DamagedFile(
            path,
            _("written by a newer clientcoach (schema {schema})").format(schema=schema),
            _("upgrade clientcoach to read it; the file is left as it is"),
        )
    if check_depth and _too_deep(data):
        raise DamagedFile(
            path,
            _damaged(what, _("nested more than {limit} levels").format(limit=MAX_DEPTH)),
        )
    return data, raw


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}"


@dataclass
class Scan(Generic[Item]):
    """What a scan could read, each with its path, and the damaged files it skipped."""

    items: list[tuple[Path, Item]] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)


# Readable records as plain dicts (light checks only), and the damaged files.
RecordScan = Scan[dict[str, Any]]


class NotLaidOut(DataError):
    """A record whose bytes are not the layout clientcoach writes (pretty-printed again by
    a tool, edited by hand): an update would change more than it means to."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            _("{path}: not laid out as clientcoach writes it (edited by hand?)").format(path=path),
            _("the file is left as it is; change it by hand, or restore its layout"),
        )
        self.path = path


def _check_lossless(path: Path, original: bytes, data: object) -> None:
    """Refuse to lay a file out again when that would lose something: a key given twice
    (JSON readers keep only the last), or data that does not read back the same."""
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _value in items:
            if key in seen:
                twice.append(key)
            seen.add(key)
        return dict(items)

    json.loads(original, object_pairs_hook=pairs)
    if twice:
        raise DataError(
            _("{path}: the key {key!r} is given twice").format(path=path, key=twice[0]),
            _("keep one of them by hand; the file is left as it is"),
        )
    if not isinstance(data, dict) or json.loads(record_text(data)) != data:
        raise DataError(
            _("{path}: cannot be laid out again without changing its data").format(path=path),
            _("the file is left as it is; change it by hand"),
        )


class Store:
    """Reflections in a data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reflections = root / "reflections"
        self.drafts = root / "drafts"
        self.quarantine_dir = root / "quarantine"
        self.trash_dir = root / "trash"
        self.edits_dir = root / "edits"
        # Set when the derived index is open (app.indexed): the reflection files as it
        # knows them after reconciling, and what to tell it after this store wrote.
        self.index: object | None = None
        self.listing: Callable[[], list[str]] | None = None
        self.on_write: Callable[[list[Path]], None] | None = None

    def _wrote(self, *paths: Path) -> None:
        if self.on_write is not None:
            self.on_write(list(paths))

    def path_for(self, reflection: Reflection) -> Path:
        day: date = reflection.meeting.date
        # A review of all clients has no client (""): its name says so instead.
        who = slug(reflection.client) if reflection.client.strip() else NO_CLIENT_SLUG
        name = f"{day.isoformat()}_{reflection.kind}_{who}_{reflection.id}.json"
        return self.reflections / f"{day:%Y-%m}" / name

    def save(self, reflection: Reflection) -> tuple[Reflection, Path]:
        """Save a new reflection; returns it (its id may change on a clash) and its path."""
        from clientcoach.model.reflection import new_id

        for _attempt in range(10):
            path = self.path_for(reflection)
            ensure_dir(path.parent, self.root)
            tidy(path.parent, self.root)
            try:
                write_new(path, reflection.to_json(), self.root)
            except FileExistsError:
                reflection = reflection.replace(id=new_id(reflection.finished_at))
                continue
            except OSError as exc:
                raise StorageError(
                    _("cannot save to {path}: {reason}").format(path=path, reason=exc.strerror),
                    _("nothing was written; check free space and permissions"),
                ) from exc
            self._wrote(path)
            return reflection, path
        raise StorageError(
            _("could not find a free file name in {folder}").format(folder=path.parent)
        )

    # --- drafts -----------------------------------------------------------------------

    def draft_path(self, draft_id: str) -> Path:
        if not _DRAFT_ID.match(draft_id):
            raise DataError(
                _("{id!r} is not a draft id").format(id=draft_id),
                _("run `coach drafts` to list them"),
            )
        return self.drafts / f"{draft_id}.json"

    def save_draft(self, draft: Draft) -> Path:
        """Write the draft over its previous version, atomically."""
        path = self.draft_path(draft.id)
        try:
            ensure_dir(self.drafts, self.root)
            tidy(self.drafts, self.root)
            write_replace(path, draft.to_json(), self.root)
        except StorageError as exc:
            raise StorageError(
                _("cannot save the draft {path}: {reason}").format(path=path, reason=exc.message),
                _draft_kept_hint(draft.id),
            ) from exc
        except OSError as exc:
            raise StorageError(
                _("cannot save the draft {path}: {reason}").format(path=path, reason=exc.strerror),
                _draft_kept_hint(draft.id),
            ) from exc
        return path

    def draft_files(self) -> list[Path]:
        if safe.leads_out(self.root, self.drafts):
            return [self.drafts]  # read as damaged: named once, never followed
        if not self.drafts.is_dir():
            return []
        return sorted(p for p in self.drafts.glob("*.json") if not p.name.startswith("."))

    def load_draft(self, path: Path) -> Draft:
        from pydantic import ValidationError

        from clientcoach.model.draft import DRAFT_SCHEMA, Draft

        data = parse_json_file(path, "draft", DRAFT_SCHEMA, root=self._root_of(path))
        try:
            return Draft.model_validate(data)
        except ValidationError as exc:
            raise DamagedFile(path, _damaged("draft", _first_error(exc))) from None
        except RecursionError:
            raise DamagedFile(path, _damaged("draft", _("nested too deeply"))) from None

    def scan_drafts(self) -> tuple[list[tuple[Path, Draft]], list[Damaged]]:
        """Readable drafts, newest first, and the damaged ones."""
        found: list[tuple[Path, Draft]] = []
        damaged: list[Damaged] = []
        for path in self.draft_files():
            try:
                found.append((path, self.load_draft(path)))
            except DamagedFile as exc:
                damaged.append(Damaged(path, exc.reason))
        found.sort(key=lambda item: item[1].updated_at, reverse=True)
        return found, damaged

    def find_draft(self, ref: str) -> tuple[Path, Draft]:
        """A draft by id, a unique start of it, or of its random tail (``k3x9ab``)."""
        needle = ref.strip().lower()
        if not needle:
            raise UsageError(_("the draft id is empty"), _("run `coach drafts` to list them"))
        matches = [
            p
            for p in self.draft_files()
            if p.stem.lower().startswith(needle)
            or p.stem.lower().rsplit("-", 1)[-1].startswith(needle)
        ]
        if not matches:
            raise DataError(
                _("no draft with id {ref!r}").format(ref=ref), _("run `coach drafts` to list them")
            )
        if len(matches) > 1:
            ids = _listed(p.stem for p in matches)
            raise DataError(
                _("id {ref!r} matches {count} drafts ({ids})").format(
                    ref=ref, count=len(matches), ids=ids
                ),
                _("give more of the id"),
            )
        return matches[0], self.load_draft(matches[0])

    def remove_draft(self, draft_id: str) -> None:
        """Forget a draft (its run was saved, or the user discarded it)."""
        with contextlib.suppress(FileNotFoundError):
            safe.unlink(self.draft_path(draft_id), self.root)
        _sync_dir(self.drafts)

    # --- checking ---------------------------------------------------------------------

    def check_drafts(self) -> list[Damaged]:
        return self.scan_drafts()[1]

    def leftovers(self) -> list[Path]:
        """Halfway temporary copies left by killed saves, in every data folder."""
        folders = [self.drafts]
        if self.reflections.is_dir() and safe.is_inside(self.root, self.reflections):
            folders += [p for p in self.reflections.iterdir() if p.is_dir()]
        folders = [f for f in folders if safe.is_inside(self.root, f)]
        return [t for folder in folders for t in leftover_temp_files(folder)]

    def quarantine(self, path: Path) -> Path:
        """Move a damaged file to ``quarantine/`` under the same relative path.

        Never deletes and never replaces: a name already taken gets ``.1``, ``.2``...
        """
        # The name as listed, never resolved: a record that is a link is moved as the link.
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            relative = Path(path.name)
        target = self.quarantine_dir / relative
        ensure_dir(target.parent, self.root)
        for attempt in range(1000):
            candidate = target if attempt == 0 else target.with_name(f"{target.name}.{attempt}")
            try:
                safe.link(path, candidate, self.root)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in _NO_LINKS and not path.is_dir():
                    raise StorageError(
                        _("cannot move {path}: {reason}").format(path=path, reason=exc.strerror)
                    ) from exc
                if os.path.lexists(candidate):
                    continue
                try:
                    safe.rename(path, candidate, self.root)
                except OSError as again:
                    raise StorageError(
                        _("cannot move {path}: {reason}").format(path=path, reason=again.strerror)
                    ) from again
                _sync_dir(candidate.parent)
                self._wrote(path)
                return candidate
            safe.unlink(path, self.root)
            _sync_dir(candidate.parent)
            _sync_dir(path.parent)
            self._wrote(path)
            return candidate
        raise StorageError(
            _("no free name for {file} in {folder}").format(
                file=relative, folder=self.quarantine_dir
            )
        )

    # --- reflections ------------------------------------------------------------------

    def files(self) -> list[Path]:
        """Every reflection file, oldest meeting first.

        A link leading out of the data directory (at ``reflections``, a month folder or
        the lock) is listed itself, never entered, so every reader names it as damaged.
        (The index is not opened then: see ``app.indexed.open_index``.)
        """
        if safe.leads_out(self.root, self.reflections):
            return [self.reflections]
        if self.listing is not None:
            root = self.reflections
            return [root / relative for relative in self.listing()]
        if not self.reflections.is_dir():
            return []
        found: list[Path] = []
        for month in self.reflections.iterdir():
            if safe.leads_out(self.root, month):
                found.append(month)
            elif month.is_dir():
                found.extend(p for p in month.glob("*.json") if not p.name.startswith("."))
        return sorted(found, key=lambda p: p.name)

    def _root_of(self, path: Path) -> Path | None:
        """The data directory when ``path`` is named inside it (so the policy applies)."""
        return self.root if self.root in path.absolute().parents else None

    def _relatives(self) -> list[str]:
        """:meth:`files` as paths relative to ``reflections/`` (``2026-11/name.json``):
        thousands of names are matched as text, and a path is made only for a match."""
        if self.listing is not None:
            return self.listing()
        return [f"{p.parent.name}/{p.name}" for p in self.files()]

    def load(self, path: Path) -> Reflection:
        """Read one reflection (older schemas migrated in memory); DamagedFile if damaged."""
        from pydantic import ValidationError

        from clientcoach.model.reflection import Reflection

        data = migrate(
            parse_json_file(path, "reflection", current_schema(), root=self._root_of(path)), path
        )
        try:
            return Reflection.model_validate(data)
        except ValidationError as exc:
            raise DamagedFile(path, _damaged("reflection", _first_error(exc))) from None
        except RecursionError:
            raise DamagedFile(path, _damaged("reflection", _("nested too deeply"))) from None

    def _named(
        self,
        kind: str | None,
        client: str | None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[Path]:
        """The files whose generated name can match (see :func:`named_like`)."""
        like = named_like(kind, client, since, until)
        if self.listing is None:
            for path in self.files():
                if path == self.reflections or path.parent == self.reflections:
                    yield path  # a link leading out: named by every reader, whatever the filter
                elif like(path.name):
                    yield path
            return
        root = self.reflections
        for relative in self.listing():
            if like(relative[relative.rfind("/") + 1 :]):
                yield root / relative

    def scan(
        self,
        kind: str | None = None,
        client: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Scan[Reflection]:
        """Every readable reflection (filtered), and every damaged file, named once."""
        result: Scan[Reflection] = Scan()
        wanted = fold(client) if client is not None else None
        for path in self._named(kind, client, since, until):
            try:
                reflection = self.load(path)
            except DamagedFile as exc:
                result.damaged.append(Damaged(path, exc.reason))
                continue
            if kind is not None and reflection.kind != kind:
                continue
            if wanted is not None and fold(reflection.client) != wanted:
                continue
            result.items.append((path, reflection))
        return result

    def read_record(self, path: Path) -> dict[str, Any]:
        """One reflection as a plain dict, for the commands that compute figures.

        The record's shape is defined once, by the model that :meth:`load` validates
        with; this is not a second definition but the one light check those commands
        share: what every one of them indexes without looking (``id``, ``kind`` and
        ``client`` as text, ``meeting.date`` an ISO date, ``answers`` a list), so that a
        damaged file is reported instead of crashing a count. Everything else is read
        by the accessors of :mod:`clientcoach.insights`, which tolerate what is missing
        or ill-typed. Cheaper than :meth:`load` (no model is built or imported), for
        commands that read thousands of files. A file that fails here is damaged for
        every command.
        """
        return self.read_exact(path)[0]

    def read_exact(self, path: Path) -> tuple[dict[str, Any], bytes]:
        """:meth:`read_record` and the very bytes it was read from, so that a rewrite can
        check the file still holds them (``coach edit``)."""
        # The full depth walk would cost more than the parse; answers are checked below.
        raw, raw_bytes = _parse_json_text(
            path, "reflection", current_schema(), check_depth=False, root=self._root_of(path)
        )
        data = migrate(raw, path)
        meeting = data.get("meeting")
        if (
            not isinstance(data.get("id"), str)
            or not isinstance(data.get("kind"), str)
            or not isinstance(data.get("client"), str)
            or not isinstance(meeting, dict)
            or not isinstance(meeting.get("date"), str)
            or not isinstance(data.get("answers"), list)
        ):
            raise DamagedFile(
                path, _damaged("reflection", _("id, kind, client, meeting or answers"))
            )
        problem = _answers_problem(data["answers"])
        if problem is not None:
            raise DamagedFile(path, _damaged("reflection", problem))
        try:
            date.fromisoformat(meeting["date"])
        except ValueError:
            raise DamagedFile(path, _damaged("reflection", _("meeting date"))) from None
        return data, raw_bytes

    def scan_records(self, kind: str | None = None, client: str | None = None) -> RecordScan:
        """Like :meth:`scan`, but records are plain dicts (see :meth:`read_record`)."""
        result = RecordScan()
        result.items = list(self.iter_records(result.damaged, kind, client))
        return result

    def iter_records(
        self,
        damaged: list[Damaged],
        kind: str | None = None,
        client: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Records as plain dicts, one at a time; damaged files are appended to ``damaged``.

        ``since``/``until`` skip, without reading them, the files whose generated name
        dates them outside the range; a file whose name carries no date is always read.
        Reading one file at a time keeps memory flat however many years of data there are.
        """
        wanted = fold(client) if client is not None else None
        for path in self._named(kind, client, since, until):
            try:
                record = self.read_record(path)
            except DamagedFile as exc:
                damaged.append(Damaged(path, exc.reason))
                continue
            if kind is not None and record["kind"] != kind:
                continue
            if wanted is not None and fold(record["client"]) != wanted:
                continue
            yield path, record

    def iter_reflections(
        self, kind: str | None = None, client: str | None = None
    ) -> Iterator[tuple[Path, Reflection]]:
        """Readable reflections, filtered by kind and client; damaged files are skipped."""
        yield from self.scan(kind, client).items

    def latest_prep(
        self, client: str, on_or_before: date, within_days: int = PREP_WINDOW_DAYS
    ) -> Reflection | None:
        """The client's most recent prep for a meeting on or before a date, if recent enough,
        that no debrief follows yet: a second debrief after one prep is another meeting."""
        best: Reflection | None = None
        followed = {
            r.links.prep for _path, r in self.iter_reflections("debrief", client) if r.links.prep
        }
        # Files named for days outside the window are not read (nor validated).
        first = on_or_before - timedelta(days=within_days)
        for _path, reflection in self.scan("prep", client, first, on_or_before).items:
            age = (on_or_before - reflection.meeting.date).days
            if not 0 <= age <= within_days or reflection.id in followed:
                continue
            key = (reflection.meeting.date, reflection.finished_at)
            if best is None or key >= (best.meeting.date, best.finished_at):
                best = reflection
        return best

    def find(self, ref: str) -> tuple[Path, Reflection]:
        """A reflection by id, a unique start of its id, or its file path."""
        candidate = Path(ref)
        if candidate.suffix == ".json" and candidate.is_file():
            return candidate, self.load(candidate)
        needle = ref.strip().lower()
        if not needle:
            raise UsageError(_("the id is empty"), _("run `coach history` to see the ids"))
        matches = [
            self.reflections / relative
            for relative in self._relatives()
            if relative[:-5].rsplit("_", 1)[-1].lower().startswith(needle)
        ]
        if not matches:
            raise DataError(
                _("no reflection with id {ref!r}").format(ref=ref),
                _("run `coach history` to see the ids"),
            )
        if len(matches) > 1:
            ids = _listed(p.stem.rsplit("_", 1)[-1] for p in matches)
            raise DataError(
                _("id {ref!r} matches {count} reflections ({ids})").format(
                    ref=ref, count=len(matches), ids=ids
                ),
                _("give more of the id"),
            )
        return matches[0], self.load(matches[0])

    def client_names(self, slug_wanted: Callable[[str], bool] | None = None) -> list[str]:
        """Client names as saved, oldest first; one file read per file-name slug.

        Only the newest file of each slug is read, so listing clients (for matching a
        typed name, or shell completion) costs a few reads, not one per reflection.
        ``slug_wanted`` picks the slugs worth reading. Two clients whose names share a
        slug (``A&B``, ``A-B``) show as the newest of them.
        """
        newest: dict[str, str] = {}
        wanted: dict[str, bool] = {}
        for relative in self._relatives():
            parts = relative[relative.rfind("/") + 1 : -5].split("_")
            if len(parts) != 4:
                continue
            if slug_wanted is not None:
                keep = wanted.get(parts[2])
                if keep is None:
                    keep = wanted[parts[2]] = slug_wanted(parts[2])
                if not keep:
                    continue
            newest[parts[2]] = relative  # sorted by name, so by meeting date
        names: list[str] = []
        chosen = sorted(newest.values(), key=lambda r: r[r.rfind("/") + 1 :])
        for path in (self.reflections / relative for relative in chosen):
            try:
                names.append(self.read_record(path)["client"])
            except DataError:
                continue
        return names

    def update(
        self, path: Path, change: Callable[[dict[str, Any]], T], relayout: bool = False
    ) -> tuple[T, bool]:
        """Change one saved reflection in place; returns ``change``'s result and whether
        the file was rewritten.

        ``change`` edits the record as read (a plain dict) and may leave it as it was, in
        which case nothing is written. The file must be laid out exactly as clientcoach
        writes it, so that writing it back changes only what ``change`` changed; a file
        edited by hand is refused (:class:`NotLaidOut`) rather than reformatted. With
        ``relayout``, such a file is written back in clientcoach's layout as well, when
        that loses nothing (no key given twice, the same data read back). The new text
        goes to a private temporary file, synced, then replaces the file with
        ``os.replace``. Just before that, the file is read again: if another process
        changed it since it was read, the update starts over from the new content, so no
        one's change is lost. Cooperating updaters also take a lock, so they never race
        inside that window.
        """
        self.read_record(path)  # a damaged or foreign file is refused before anything else
        for _attempt in range(UPDATE_ATTEMPTS):
            with self._update_lock():
                try:
                    original = safe.read_bytes(path, safe.RECORD_LIMIT, root=self.root)
                    data = json.loads(original)
                except OSError as exc:
                    raise DataError(
                        _("{path}: cannot read ({reason})").format(path=path, reason=exc.strerror)
                    ) from exc
                except ValueError as exc:
                    raise DataError(
                        _("{path}: not valid JSON ({reason})").format(path=path, reason=exc)
                    ) from exc
                laid_out = isinstance(data, dict) and record_text(data).encode() == original
                if not laid_out:
                    if not relayout:
                        raise NotLaidOut(path)
                    _check_lossless(path, original, data)
                result = change(data)
                text = record_text(data)
                if text.encode() == original:
                    return result, False
                if self._replace(path, text, original):
                    self._wrote(path)
                    return result, True
        raise StorageError(
            _("{path} kept changing while it was being updated").format(path=path),
            _("nothing was written; try again"),
        )

    def _replace(self, path: Path, text: str, expected: bytes) -> bool:
        """Put ``text`` in place of ``path`` if it still holds ``expected``; False if not."""
        try:
            replace_if_unchanged(path, expected, text, self.root)
        except ChangedError:
            return False
        except OSError as exc:
            raise StorageError(
                _("cannot update {path}: {reason}").format(path=path, reason=exc.strerror),
                _("the file is unchanged; check free space and permissions"),
            ) from exc
        return True

    @contextlib.contextmanager
    def _update_lock(self) -> Iterator[None]:
        """An exclusive lock between processes updating reflections, where the OS has one."""
        try:
            import fcntl
        except ImportError:  # Windows: the re-read before replacing still guards updates
            yield
            return
        ensure_dir(self.reflections, self.root)
        lock = self.reflections / ".update.lock"
        try:
            fd = safe.open_lock(lock, self.root, FILE_MODE)
        except OSError as exc:
            raise StorageError(
                _("cannot lock {path}: {reason}").format(path=lock, reason=exc.strerror),
                _("nothing was written; check that the data directory is writable"),
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- edits and the trash ----------------------------------------------------------

    def replace_keeping(
        self, path: Path, expected: bytes, text: str, record_id: str, when: datetime
    ) -> Path:
        """Replace a reflection with ``text`` after keeping its previous bytes in
        ``edits/<id>/<time>.json``; returns the kept copy. The copy is written and synced
        first, the record replaced atomically after, so no stop loses the previous version.

        Done under the update lock, and only if the file still holds ``expected`` (what
        the edit started from): otherwise :class:`ChangedError` and nothing is written,
        so a change made meanwhile (``coach done``) is never lost.
        """
        with self._update_lock():
            folder = self.kept_folder(record_id)
            try:
                ensure_dir(folder, self.root)
                tidy(folder, self.root)
                kept = self._new_name(folder, _stamp(when), expected.decode("utf-8"))
            except OSError as exc:
                raise StorageError(
                    _("cannot keep the previous version in {path}: {reason}").format(
                        path=folder, reason=exc.strerror
                    ),
                    _("nothing was changed; check free space and permissions"),
                ) from exc
            _sync_dir(self.edits_dir)  # the folder made for it, durable too
            # Only now, the copy whole on disk, is the record replaced (atomically).
            try:
                replace_if_unchanged(path, expected, text, self.root)
            except BaseException as exc:
                # Stopped or failed: the copy goes only when the file is known to hold
                # still what it repeats; a stop just after the replacement keeps it.
                if isinstance(exc, ChangedError) or self._holds(path, expected):
                    with contextlib.suppress(OSError):
                        safe.unlink(kept, self.root)
                if isinstance(exc, OSError):
                    raise StorageError(
                        _("cannot update {path}: {reason}").format(path=path, reason=exc.strerror),
                        _("the file is unchanged; check free space and permissions"),
                    ) from exc
                raise
        self._wrote(path)
        return kept

    def _holds(self, path: Path, expected: bytes) -> bool:
        """Whether ``path`` can be read and holds ``expected``, byte for byte."""
        try:
            return safe.read_bytes(path, safe.RECORD_LIMIT, root=self.root) == expected
        except OSError:
            return False

    def refuse_links(self, top: Path, *paths: Path) -> None:
        """StorageError when ``top`` (``trash/`` or ``edits/``) or a name from it down to
        one of ``paths`` is a symbolic link, wherever it points (:func:`safe.check_no_links`)."""
        try:
            for path in paths or (top,):
                safe.check_no_links(top, path)
        except safe.Refused as exc:
            raise StorageError(
                _("{path}: {reason}").format(path=exc.path, reason=exc.reason),
                _("nothing was moved, changed or deleted; replace the link with a real folder"),
            ) from None

    def kept_folder(self, record_id: str) -> Path:
        """``edits/<id>``, where ``coach edit`` keeps a record's previous versions;
        StorageError if a link stands on the way."""
        folder = self.edits_dir / _folder_name(record_id)
        self.refuse_links(self.edits_dir, folder)
        return folder

    def _new_name(self, folder: Path, stamp: str, text: str) -> Path:
        """Write ``text`` to a new file named for ``stamp`` in ``folder``."""
        for attempt in range(1000):
            name = stamp if attempt == 0 else f"{stamp}-{attempt}"
            try:
                write_new(folder / f"{name}.json", text, self.root)
            except FileExistsError:
                continue
            return folder / f"{name}.json"
        raise StorageError(_("no free name in {folder}").format(folder=folder))

    def trash(self, path: Path, when: datetime) -> Path:
        """Move a reflection file to ``trash/<time>/<month>/<name>``, byte for byte and
        never replacing anything; returns where it went. The time says when it was
        deleted; the rest is its place under ``reflections/``, where restore puts it."""
        relative = self._relative(path)
        stamp = _stamp(when)
        with self._update_lock():
            for attempt in range(1000):
                name = stamp if attempt == 0 else f"{stamp}-{attempt}"
                target = self.trash_dir / name / relative
                if os.path.lexists(target.parent.parent):
                    continue  # another deletion of this second: a folder of its own
                self.refuse_links(self.trash_dir, target)
                ensure_dir(target.parent, self.root)
                try:
                    _move(path, target, self.root)
                except FileExistsError:
                    continue
                except OSError as exc:
                    raise StorageError(
                        _("cannot move {path}: {reason}").format(path=path, reason=exc.strerror),
                        _("the reflection is where it was"),
                    ) from exc
                self._wrote(path)
                return target
        raise StorageError(_("no free name in {folder}").format(folder=self.trash_dir))

    def _relative(self, path: Path) -> Path:
        """A reflection's place under ``reflections/`` (``2026-11/name.json``)."""
        try:
            relative = path.absolute().relative_to(self.reflections.absolute())
        except ValueError:
            relative = None
        if relative is None or len(relative.parts) != 2:
            raise UsageError(
                _("{path} is not a reflection of the data directory").format(path=path),
                _("give its id, as `coach history` shows it"),
            )
        return relative

    def trash_list(self) -> list[Trashed]:
        """What the trash holds, most recently deleted first."""
        found: list[Trashed] = []
        self.refuse_links(self.trash_dir)  # a link there is refused, never listed as empty
        if not self.trash_dir.is_dir():
            return found
        for stamp in sorted(self.trash_dir.iterdir(), reverse=True):
            if stamp.name.startswith("."):
                continue
            self.refuse_links(self.trash_dir, stamp)
            if not stamp.is_dir():
                continue
            for month in sorted(stamp.iterdir()):
                self.refuse_links(self.trash_dir, month)
                if not month.is_dir():
                    continue
                for file in sorted(month.glob("*.json")):
                    if not file.name.startswith("."):
                        self.refuse_links(self.trash_dir, file)
                        found.append(Trashed(file, Path(month.name, file.name), stamp.name))
        return found

    def find_trashed(self, ref: str) -> Trashed:
        """A reflection in the trash by id, a unique start of it, or the short random
        end of its id (what ``coach delete`` and the other commands also take)."""
        needle = ref.strip().lower()
        if not needle:
            raise UsageError(_("the id is empty"), _("run `coach trash` to see the ids"))
        listed = self.trash_list()
        matches = [t for t in listed if t.id.lower().startswith(needle)]
        if not matches:
            matches = [t for t in listed if t.id.rsplit("-", 1)[-1].lower().startswith(needle)]
        if not matches:
            raise DataError(
                _("no reflection with id {ref!r} in the trash").format(ref=ref),
                _("run `coach trash` to see the ids"),
            )
        if len(matches) > 1:
            raise DataError(
                _("id {ref!r} matches {count} reflections ({ids})").format(
                    ref=ref, count=len(matches), ids=_listed(t.id for t in matches)
                ),
                _("give more of the id"),
            )
        return matches[0]

    def restore(self, item: Trashed) -> Path:
        """Put a reflection back where it was deleted from; never over another file."""
        target = self.reflections / item.relative
        with self._update_lock():
            self.refuse_links(self.trash_dir, item.path)
            ensure_dir(target.parent, self.root)
            try:
                _move(item.path, target, self.root)
            except FileExistsError:
                raise DataError(
                    _("{path} already exists: nothing was moved").format(path=target),
                    _("move that file aside first; the reflection stays in the trash"),
                ) from None
            except OSError as exc:
                raise StorageError(
                    _("cannot move {path}: {reason}").format(path=item.path, reason=exc.strerror),
                    _("the reflection stays in the trash"),
                ) from exc
        self._prune(item.path.parent)
        self._wrote(target)
        return target

    def empty_trash(self, items: list[Trashed]) -> int:
        """Delete for good ``items``, what :meth:`trash_list` listed (and the user
        confirmed): nothing that came into the trash since. Then the kept previous
        versions of those reflections that are neither back nor in the trash again. How
        many reflections were deleted (one restored meanwhile is not)."""
        # Everything is checked first, a link on the way refused: a refusal deletes nothing.
        self.refuse_links(self.trash_dir, *(item.path for item in items))
        chosen = {item.path for item in items}
        remaining = {relative[:-5].rsplit("_", 1)[-1] for relative in self._relatives()}
        remaining |= {t.id for t in self.trash_list() if t.path not in chosen}
        kept: list[Path] = []
        folders = [self.kept_folder(rid) for rid in sorted({i.id for i in items} - remaining)]
        for folder in folders:
            if folder.is_dir():
                kept += sorted(folder.glob("*.json"))
        self.refuse_links(self.edits_dir, *kept)
        deleted = 0
        for item in items:
            try:
                safe.unlink(item.path, self.root)
            except FileNotFoundError:
                continue  # restored (or emptied) by another command since it was listed
            deleted += 1
            self._prune(item.path.parent)
        for path in kept:
            with contextlib.suppress(FileNotFoundError):
                safe.unlink(path, self.root)
        for folder in folders:
            self._prune(folder, stop=self.edits_dir)
        return deleted

    def _prune(self, folder: Path, stop: Path | None = None) -> None:
        """Remove ``folder`` and its parents up to ``stop`` (the trash) while empty."""
        stop = stop or self.trash_dir
        while folder != stop and stop in folder.parents:
            try:
                safe.remove_folder(folder, self.root)
            except OSError:
                return  # not empty: another deletion lives there
            folder = folder.parent


@dataclass
class Trashed:
    """A reflection file in the trash: where it is, its place under ``reflections/``,
    and the time it was deleted (``20261202T100000Z``, its folder's name)."""

    path: Path
    relative: Path
    deleted: str

    @property
    def id(self) -> str:
        return self.path.stem.rsplit("_", 1)[-1]

    def deleted_at(self) -> datetime | None:
        try:
            return datetime.strptime(self.deleted[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _folder_name(record_id: str) -> str:
    """A folder name for a record's id; an id edited into something else is slugged."""
    return record_id if _DRAFT_ID.match(record_id) else slug(record_id) or "unnamed"


def _move(source: Path, target: Path, root: Path) -> None:
    """Move one file, never replacing one at ``target`` (FileExistsError), and synced."""
    try:
        safe.link(source, target, root)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        safe.rename(source, target, root)
    else:
        safe.unlink(source, root)
    _sync_dir(target.parent)
    _sync_dir(source.parent)
