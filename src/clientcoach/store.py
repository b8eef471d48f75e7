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
from typing import TYPE_CHECKING, Any

from clientcoach import REFLECTION_SCHEMA
from clientcoach.errors import DataError, StorageError

if TYPE_CHECKING:
    # The models (and pydantic) are loaded only by the methods that build them, so
    # reading records as plain dicts stays light.
    from clientcoach.reflection import Reflection

_NO_LINKS = {errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
DIR_MODE = 0o700
FILE_MODE = 0o600
SLUG_MAX = 32
# A prep older than this belongs to an earlier meeting, not to the one being debriefed.
PREP_WINDOW_DAYS = 30
NO_CLIENT_SLUG = "all-clients"


def _name_date(name: str) -> date | None:
    """The meeting date a generated file name starts with, if it has one."""
    try:
        return date.fromisoformat(name[:10])
    except ValueError:
        return None


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
    _write_via_tmp(path, text, _link_new)


def write_file(path: Path, text: str, *, replace: bool = False) -> None:
    """Write a file outside the data directory (a report) atomically and privately.

    Without ``replace`` an existing file is never touched (FileExistsError); with it, the
    new text replaces the old in one step, so a reader never sees half a report.
    """
    _write_via_tmp(path, text, _replace if replace else _link_new)


def _write_via_tmp(path: Path, text: str, place: Callable[[Path, Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        place(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_dir(path.parent)


def _link_new(tmp: Path, path: Path) -> None:
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


def _replace(tmp: Path, path: Path) -> None:
    tmp.replace(path)


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
        # A review of all clients has no client (""): its name says so instead.
        who = slug(reflection.client) if reflection.client.strip() else NO_CLIENT_SLUG
        name = f"{day.isoformat()}_{reflection.kind}_{who}_{reflection.id}.json"
        return self.reflections / f"{day:%Y-%m}" / name

    def save(self, reflection: Reflection) -> tuple[Reflection, Path]:
        """Save a new reflection; returns it (its id may change on a clash) and its path."""
        from clientcoach.reflection import new_id

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
        from pydantic import ValidationError

        from clientcoach.reflection import Reflection

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
        wanted = client_key(client) if client is not None else None
        marker = f"_{kind}_" if kind else None
        for path in self.files():
            if marker and marker not in path.name:
                continue
            if client is not None and f"_{slug(client)}_" not in path.name:
                continue
            if since is not None or until is not None:
                named = _name_date(path.name)
                if named is not None and (
                    (since is not None and named < since) or (until is not None and named > until)
                ):
                    continue
            try:
                record = self.read_record(path)
            except DataError as exc:
                damaged.append(Damaged(path, exc.message))
                continue
            if kind is not None and record["kind"] != kind:
                continue
            if wanted is not None and client_key(record["client"]) != wanted:
                continue
            yield path, record

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
