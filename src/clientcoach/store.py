"""The store: the only module that reads and writes the data directory.

One JSON file per reflection, under ``reflections/YYYY-MM/`` by meeting month. Writes
are atomic and never overwrite: the record goes to a private temporary file in the same
folder, is flushed and synced, then hard-linked to its final name (which fails rather
than replacing an existing file). So two processes, or a synced folder, never lose each
other's work, and an interrupted save leaves either the whole file or nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from clientcoach.errors import DataError, StorageError
from clientcoach.reflection import REFLECTION_SCHEMA, Reflection, new_id

_NO_LINKS = {errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
DIR_MODE = 0o700
FILE_MODE = 0o600
SLUG_MAX = 32
# A prep older than this belongs to an earlier meeting, not to the one being debriefed.
PREP_WINDOW_DAYS = 30
# How often an update is retried when another process changed the file meanwhile.
UPDATE_ATTEMPTS = 5

T = TypeVar("T")


def record_text(data: dict[str, Any]) -> str:
    """A record's file text, exactly as :meth:`Reflection.to_json` lays it out."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def slug(text: str) -> str:
    """A file-name-safe ASCII form of user text; never empty, never a path."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:SLUG_MAX].rstrip("-") or "client"


def client_key(name: str) -> str:
    """How client names are compared: case, accents and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def ensure_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as private folders, whatever the umask."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass  # another process made it first
        except OSError as exc:
            raise StorageError(
                f"cannot create folder {folder}: {exc.strerror}",
                "check CLIENTCOACH_HOME points to a writable place",
            ) from exc
        # mkdir's mode is filtered by the umask; chmod is not.
        folder.chmod(DIR_MODE)
    if not path.is_dir():
        raise StorageError(
            f"{path} exists and is not a folder", "move it aside or set CLIENTCOACH_HOME"
        )


def write_new(path: Path, text: str) -> None:
    """Write a new file atomically; FileExistsError if ``path`` already exists."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            # Some synced or foreign file systems have no hard links: reserve the name
            # exclusively, then move the complete file over our own empty placeholder.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
            tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_dir(path.parent)


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
    """A file that could not be read as a reflection, and why."""

    path: Path
    reason: str


@dataclass
class RecordScan:
    """Readable records as plain dicts (light checks only), and the damaged files."""

    items: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)


@dataclass
class Scan:
    """The readable reflections of a scan, and the damaged files it skipped."""

    items: list[tuple[Path, Reflection]] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)


class Store:
    """Reflections in a data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reflections = root / "reflections"

    def path_for(self, reflection: Reflection) -> Path:
        day: date = reflection.meeting.date
        name = f"{day.isoformat()}_{reflection.kind}_{slug(reflection.client)}_{reflection.id}.json"
        return self.reflections / f"{day:%Y-%m}" / name

    def save(self, reflection: Reflection) -> tuple[Reflection, Path]:
        """Save a new reflection; returns it (its id may change on a clash) and its path."""
        for _ in range(10):
            path = self.path_for(reflection)
            if not path.resolve().is_relative_to(self.root.resolve()):
                raise StorageError(f"refusing to write outside the data directory: {path}")
            ensure_dir(path.parent)
            try:
                write_new(path, reflection.to_json())
            except FileExistsError:
                reflection = reflection.model_copy(update={"id": new_id(reflection.finished_at)})
                continue
            except OSError as exc:
                raise StorageError(
                    f"cannot save to {path}: {exc.strerror}",
                    "nothing was written; check free space and permissions",
                ) from exc
            return reflection, path
        raise StorageError(f"could not find a free file name in {path.parent}")

    def files(self) -> list[Path]:
        """Every reflection file, oldest meeting first."""
        if not self.reflections.is_dir():
            return []
        return sorted(
            (p for p in self.reflections.glob("*/*.json") if not p.name.startswith(".")),
            key=lambda p: p.name,
        )

    def load(self, path: Path) -> Reflection:
        """Read one reflection; DataError says what is wrong with a damaged file."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise DataError(f"{path}: not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or "schema" not in data:
            raise DataError(f"{path}: not a clientcoach reflection (no 'schema')")
        schema = data["schema"]
        if type(schema) is not int or schema < 1:
            raise DataError(f"{path}: damaged reflection (schema {schema!r} is not a version)")
        if schema > REFLECTION_SCHEMA:
            raise DataError(
                f"{path}: written by a newer clientcoach (schema {schema!r})",
                "upgrade clientcoach to read it; the file is left as it is",
            )
        try:
            return Reflection.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataError(f"{path}: damaged reflection ({where}: {first['msg']})") from exc

    def scan(self, kind: str | None = None, client: str | None = None) -> Scan:
        """Every readable reflection (filtered), and every damaged file, named once."""
        result = Scan()
        wanted = client_key(client) if client is not None else None
        marker = f"_{kind}_" if kind else None
        for path in self.files():
            if marker and marker not in path.name:
                continue
            if client is not None and f"_{slug(client)}_" not in path.name:
                continue
            try:
                reflection = self.load(path)
            except DataError as exc:
                result.damaged.append(Damaged(path, exc.message))
                continue
            if kind is not None and reflection.kind != kind:
                continue
            if wanted is not None and client_key(reflection.client) != wanted:
                continue
            result.items.append((path, reflection))
        return result

    def read_record(self, path: Path) -> dict[str, Any]:
        """One reflection as a plain dict, with the shape checks aggregation relies on.

        Cheaper than :meth:`load` (no model is built), for commands that read thousands
        of files. A file that fails here is damaged for every command.
        """
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise DataError(f"{path}: not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or "schema" not in data:
            raise DataError(f"{path}: not a clientcoach reflection (no 'schema')")
        schema = data["schema"]
        if type(schema) is not int or schema < 1:
            raise DataError(f"{path}: damaged reflection (schema {schema!r} is not a version)")
        if schema > REFLECTION_SCHEMA:
            raise DataError(
                f"{path}: written by a newer clientcoach (schema {schema!r})",
                "upgrade clientcoach to read it; the file is left as it is",
            )
        meeting = data.get("meeting")
        if (
            not isinstance(data.get("id"), str)
            or not isinstance(data.get("kind"), str)
            or not isinstance(data.get("client"), str)
            or not isinstance(meeting, dict)
            or not isinstance(meeting.get("date"), str)
            or not isinstance(data.get("answers"), list)
        ):
            raise DataError(f"{path}: damaged reflection (id, kind, client, meeting or answers)")
        try:
            date.fromisoformat(meeting["date"])
        except ValueError:
            raise DataError(f"{path}: damaged reflection (meeting date)") from None
        return data

    def scan_records(self, kind: str | None = None, client: str | None = None) -> RecordScan:
        """Like :meth:`scan`, but records are plain dicts (see :meth:`read_record`)."""
        result = RecordScan()
        wanted = client_key(client) if client is not None else None
        marker = f"_{kind}_" if kind else None
        named = f"_{slug(client)}_" if client is not None else None
        for path in self.files():
            if marker and marker not in path.name:
                continue
            if named is not None and named not in path.name:
                continue
            try:
                record = self.read_record(path)
            except DataError as exc:
                result.damaged.append(Damaged(path, exc.message))
                continue
            if kind is not None and record["kind"] != kind:
                continue
            if wanted is not None and client_key(record["client"]) != wanted:
                continue
            result.items.append((path, record))
        return result

    def iter_reflections(
        self, kind: str | None = None, client: str | None = None
    ) -> Iterator[tuple[Path, Reflection]]:
        """Readable reflections, filtered by kind and client; damaged files are skipped."""
        wanted = client_key(client) if client is not None else None
        marker = f"_{kind}_" if kind else None
        for path in self.files():
            if marker and marker not in path.name:
                continue
            if client is not None and f"_{slug(client)}_" not in path.name:
                continue
            try:
                reflection = self.load(path)
            except DataError:
                continue
            if kind is not None and reflection.kind != kind:
                continue  # a client called "Prep" puts "_prep_" in a debrief's name too
            if wanted is not None and client_key(reflection.client) != wanted:
                continue
            yield path, reflection

    def latest_prep(
        self, client: str, on_or_before: date, within_days: int = PREP_WINDOW_DAYS
    ) -> Reflection | None:
        """The client's most recent prep for a meeting on or before a date, if recent enough."""
        best: Reflection | None = None
        for _, reflection in self.iter_reflections("prep", client):
            age = (on_or_before - reflection.meeting.date).days
            if not 0 <= age <= within_days:
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
            raise DataError("an empty id matches nothing")
        matches = [p for p in self.files() if p.stem.rsplit("_", 1)[-1].lower().startswith(needle)]
        if not matches:
            raise DataError(
                f"no reflection with id {ref!r}",
                "ids are printed when a reflection is saved, and end its file name "
                f"under {self.reflections}",
            )
        if len(matches) > 1:
            ids = ", ".join(p.stem.rsplit("_", 1)[-1] for p in matches[:5])
            raise DataError(
                f"id {ref!r} matches {len(matches)} reflections ({ids})", "give more of the id"
            )
        return matches[0], self.load(matches[0])

    def client_names(self, slug_wanted: Callable[[str], bool] | None = None) -> list[str]:
        """Client names as saved, oldest first; one file read per file-name slug.

        Only the newest file of each slug is read, so listing clients (for matching a
        typed name, or shell completion) costs a few reads, not one per reflection.
        ``slug_wanted`` picks the slugs worth reading. Two clients whose names share a
        slug (``A&B``, ``A-B``) show as the newest of them.
        """
        newest: dict[str, Path] = {}
        for path in self.files():
            parts = path.stem.split("_")
            if len(parts) != 4:
                continue
            if slug_wanted is not None and not slug_wanted(parts[2]):
                continue
            newest[parts[2]] = path  # files() is sorted by meeting date
        names: list[str] = []
        for path in sorted(newest.values(), key=lambda p: p.name):
            try:
                names.append(self.read_record(path)["client"])
            except DataError:
                continue
        return names

    def update(self, path: Path, change: Callable[[dict[str, Any]], T]) -> tuple[T, bool]:
        """Change one saved reflection in place; returns ``change``'s result and whether
        the file was rewritten.

        ``change`` edits the record as read (a plain dict) and may leave it as it was, in
        which case nothing is written. The file must be laid out exactly as clientcoach
        writes it, so that writing it back changes only what ``change`` changed; a file
        edited by hand is refused rather than reformatted. The new text goes to a private
        temporary file, synced, then replaces the file with ``os.replace``. Just before
        that, the file is read again: if another process changed it since it was read,
        the update starts over from the new content, so no one's change is lost.
        Cooperating updaters also take a lock, so they never race inside that window.
        """
        self.read_record(path)  # a damaged or foreign file is refused before anything else
        for _ in range(UPDATE_ATTEMPTS):
            with self._update_lock():
                try:
                    original = path.read_bytes()
                    data = json.loads(original)
                except OSError as exc:
                    raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
                except ValueError as exc:
                    raise DataError(f"{path}: not valid JSON ({exc})") from exc
                if not isinstance(data, dict) or record_text(data).encode() != original:
                    raise DataError(
                        f"{path}: not laid out as clientcoach writes it (edited by hand?)",
                        "the file is left as it is; change it by hand, or restore its layout",
                    )
                result = change(data)
                text = record_text(data)
                if text.encode() == original:
                    return result, False
                if self._replace(path, text, original):
                    return result, True
        raise StorageError(
            f"{path} kept changing while it was being updated",
            "nothing was written; try again",
        )

    def _replace(self, path: Path, text: str, expected: bytes) -> bool:
        """Put ``text`` in place of ``path`` if it still holds ``expected``; False if not."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.update.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            try:
                os.fchmod(fd, FILE_MODE)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                if path.read_bytes() != expected:
                    return False
                tmp.replace(path)  # os.replace: atomic on the same file system
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        except OSError as exc:
            raise StorageError(
                f"cannot update {path}: {exc.strerror}",
                "the file is unchanged; check free space and permissions",
            ) from exc
        _sync_dir(path.parent)
        return True

    @contextlib.contextmanager
    def _update_lock(self) -> Iterator[None]:
        """An exclusive lock between processes updating reflections, where the OS has one."""
        try:
            import fcntl
        except ImportError:  # Windows: the re-read before replacing still guards updates
            yield
            return
        ensure_dir(self.reflections)
        fd = os.open(self.reflections / ".update.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
