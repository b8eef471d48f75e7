"""Playbook files: reading the TOML, pointing problems at their line, the library.

What a valid playbook is lives in :mod:`clientcoach.model.playbook` (the models) and
:mod:`clientcoach.core.checks` (what a schema cannot say); this module reads the files,
maps each problem to the line of the file it is about, and finds playbooks by id: the
built-ins shipped in the package, overridden by the user's own folders.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from clientcoach.core.checks import check_located
from clientcoach.errors import PlaybookError
from clientcoach.i18n import _, ngettext
from clientcoach.model.playbook import PLAYBOOK_SCHEMA, IncludeStep, Playbook, validate, walk

if TYPE_CHECKING:
    import tomllib

# Patterns are compiled on first use (re caches them).
_TOML_POSITION = r"\(at line (\d+), column (\d+)\)"


def parse_playbook(text: str, source: str) -> Playbook:
    """Parse and check one playbook's TOML text; ``source`` names it in errors."""
    problems = playbook_problems(text, source)
    if isinstance(problems, Playbook):
        return problems
    first, *rest = problems
    more = (
        ngettext(" (and {n} more problem)", " (and {n} more problems)", len(rest)).format(
            n=len(rest)
        )
        if rest
        else ""
    )
    raise PlaybookError(f"{first}{more}")


def toml_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> str:
    """``source:line:col: TOML syntax error: ...``, the way compilers point at a line."""
    message = str(exc)
    match = re.search(_TOML_POSITION, message)
    if match:
        line, col = match.groups()
        detail = re.sub(_TOML_POSITION, "", message).strip()
        return f"{source}:{line}:{col}: TOML syntax error: {detail}"
    if "(at end of document)" in message:
        # Something left open until the end: point at the last line.
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        detail = message.replace("(at end of document)", "").strip()
        return f"{source}:{max(last, 1)}: TOML syntax error: {detail} at the end of the file"
    return f"{source}: TOML syntax error: {message}"


def playbook_problems(text: str, source: str) -> Playbook | list[str]:
    """The playbook, or every problem found in it, each naming ``source``."""
    try:
        return _problems(text, source)
    except RecursionError:
        # A condition or table nested thousands deep: Python's parsers recurse.
        return [f"{source}: nested too deeply (thousands of levels); flatten it"]


def _problems(text: str, source: str) -> Playbook | list[str]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [toml_error(exc, text, source)]
    if not data:
        return [f"{source}: the file is empty; a playbook needs schema, id, kind, title and steps"]
    playbook = validate(data)
    if isinstance(playbook, list):
        lines = _LineMap(text)  # only a file with problems is scanned for lines
        return [_at(source, lines.find(loc), line) for loc, line in playbook]
    problems = check_located(playbook, data)
    if problems:
        lines = _LineMap(text)
        # The n-th step with an id is the n-th table with that id in the file: a
        # duplicate is pointed at where it is, not at the first step of that name.
        nth: dict[int, int] = {}
        counts: dict[str, int] = {}
        for step in walk(list(playbook.steps)):
            nth[id(step)] = counts.get(step.id, 0)
            counts[step.id] = nth[id(step)] + 1
        return [
            _at(
                source,
                lines.step(step.id, nth[id(step)]) if step else lines.find(("schema",)),
                p,
            )
            for step, p in problems
        ]
    return playbook


def _at(source: str, line: int | None, message: str) -> str:
    """``file:line: message``, the way compilers point at a line (no line: ``file: ...``)."""
    return f"{source}:{line}: {message}" if line else f"{source}: {message}"


class _LineMap:
    """Which line of a TOML text defines each table and key, for pointing at problems.

    A light scanner, not a parser: the text has already parsed, so it only follows table
    headers, keys and values that go on over several lines (strings, arrays, inline
    tables). Anything inside such a value is located at the line of its key.
    """

    _HEADER = r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$"
    _KEY = r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*="
    _STEP_ID = r"^\s*id\s*=\s*[\"']([^\"']*)[\"']"

    def __init__(self, text: str) -> None:
        self.where: dict[tuple[Any, ...], int] = {}
        self.step_lines: dict[str, list[int]] = {}
        counts: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] = ()
        open_: list[str] = []  # delimiters of a value that goes on to the next lines
        for number, line in enumerate(text.splitlines(), start=1):
            if open_:
                open_ = _still_open(line, open_)
                continue
            header = re.match(self._HEADER, line)
            if header:
                current = self._resolve(_split_key(header.group(2)), counts)
                if header.group(1) == "[[":
                    counts[current] = counts.get(current, 0) + 1
                    current = (*current, counts[current] - 1)
                self.where.setdefault(current, number)
                continue
            key = re.match(self._KEY, line)
            if key:
                self.where.setdefault((*current, *_split_key(key.group(1))), number)
                step_id = re.match(self._STEP_ID, line)
                if step_id and current and isinstance(current[-1], int):
                    self.step_lines.setdefault(step_id.group(1), []).append(self.where[current])
                open_ = _still_open(line[key.end() :], [])

    @staticmethod
    def _resolve(keys: list[str], counts: dict[tuple[Any, ...], int]) -> tuple[Any, ...]:
        """A dotted header's path, each array of tables standing for its last element."""
        path: tuple[Any, ...] = ()
        for index, key in enumerate(keys):
            path = (*path, key)
            if index < len(keys) - 1 and path in counts:
                path = (*path, counts[path] - 1)
        return path

    def find(self, loc: tuple[Any, ...]) -> int | None:
        """The line of the deepest part of ``loc`` the text defines."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.where:
                return self.where[loc[:end]]
        return None

    def step(self, step_id: str, nth: int = 0) -> int | None:
        """The line of the ``nth`` step table (from 0) with this id."""
        found = self.step_lines.get(step_id, [])
        return found[nth] if nth < len(found) else (found[-1] if found else None)


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


_TRIPLE = ('"""', "'''")


def _still_open(text: str, open_: list[str]) -> list[str]:
    """The delimiters still open after ``text``, given those open before it."""
    stack = list(open_)
    index = 0
    while index < len(text):
        if stack and stack[-1] in _TRIPLE:
            end = text.find(stack[-1], index)
            if end < 0:
                return stack
            stack.pop()
            index = end + 3
            continue
        if text.startswith(_TRIPLE, index):
            stack.append(text[index : index + 3])
            index += 3
            continue
        char = text[index]
        if char == "#":
            break
        if char in "\"'":
            index = _string_end(text, index)
            continue
        if char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
        index += 1
    return stack


def _string_end(text: str, start: int) -> int:
    """The index just after the one-line string that starts at ``start``."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return index


def load_file(path: Path) -> Playbook:
    return parse_playbook(_text(path, _raw(path)), str(path))


def _raw(path: Path) -> bytes:
    from clientcoach.storage import safe

    try:
        return safe.read_bytes(path, safe.PLAYBOOK_LIMIT)
    except OSError as exc:
        raise PlaybookError(
            _("{path}: cannot read playbook ({reason})").format(path=path, reason=exc.strerror)
        ) from exc


def _text(path: Path, raw: bytes) -> str:
    try:
        # "-sig": a byte-order mark, as Windows Notepad writes, is read as no text.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlaybookError(
            _("{path}: not UTF-8 text (byte {byte})").format(path=path, byte=exc.start)
        ) from exc


# --- the library: built-ins plus the user's folders ---------------------------------


def builtin_dir() -> Path:
    """The folder of built-in playbooks shipped in the package."""
    # The package is always a folder on disk (the playbooks are read as files), so its
    # own location is found without importlib.resources.
    packaged = Path(__file__).resolve().parents[1] / "playbooks"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the playbooks sit at the top.
    return Path(__file__).resolve().parents[3] / "playbooks"


Origin = Literal["built-in", "user"]


class Entry(NamedTuple):
    """Where a playbook id is defined, before it is read."""

    id: str
    path: Path
    origin: Origin
    shadows: Path | None = None  # a built-in hidden by this user playbook


class Library:
    """Finds playbooks by id; a user playbook overrides a built-in with the same id.

    A playbook's id is its file name (``prep.toml`` holds ``id = "prep"``), so one
    broken file never stops the others from loading. Built-ins come in English at the
    top of their folder and translated in a subfolder per language (``fr/prep.toml``),
    with the same ids, step ids, roles and choice values; a built-in not yet translated
    is shown in English.
    """

    def __init__(
        self,
        user_dirs: list[Path],
        builtins: Path | None = None,
        language: str | None = None,
        kept: PlaybookCache | None = None,
    ) -> None:
        from clientcoach import i18n

        self.builtins = builtins if builtins is not None else builtin_dir()
        self.user_dirs = user_dirs
        self.language = language if language is not None else i18n.language()
        self.kept = kept
        self._loaded: dict[str, Playbook] = {}

    def builtin_path(self, playbook_id: str) -> Path:
        """The built-in file for an id in the library's language, else the English one."""
        english = self.builtins / f"{playbook_id}.toml"
        if self.language != "en":
            translated = self.builtins / self.language / english.name
            if translated.is_file():
                return translated
        return english

    def entries(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        for path in toml_files(self.builtins):
            found[path.stem] = Entry(path.stem, self.builtin_path(path.stem), "built-in")
        for folder in reversed(self.user_dirs):  # earlier folders win
            for path in toml_files(folder):
                previous = found.get(path.stem)
                shadows = None
                if previous is not None:
                    shadows = previous.path if previous.origin == "built-in" else previous.shadows
                found[path.stem] = Entry(path.stem, path, "user", shadows)
        return dict(sorted(found.items()))

    def get(self, playbook_id: str) -> Playbook:
        if playbook_id in self._loaded:
            return self._loaded[playbook_id]
        entry = self.entries().get(playbook_id)
        if entry is None:
            known = ", ".join(self.entries()) or _("none")
            raise PlaybookError(
                _("no playbook with id {id!r}").format(id=playbook_id),
                _("known playbooks: {known}; run `coach playbooks` to list them").format(
                    known=known
                ),
            )
        playbook = self._read(entry.path)
        self._loaded[playbook_id] = playbook
        return playbook

    def _read(self, path: Path) -> Playbook:
        playbook = self._checked(path)
        if playbook.id != path.stem:
            raise PlaybookError(
                _(
                    "{path}: id {id!r} does not match the file name; "
                    "name the file {id}.toml or set id = {stem!r}"
                ).format(path=path, id=playbook.id, stem=path.stem)
            )
        return playbook

    def _checked(self, path: Path) -> Playbook:
        """The playbook in ``path``: rebuilt from the data kept when these bytes were
        checked before, else parsed and checked now (and kept)."""
        raw = _raw(path)
        if self.kept is not None:
            found = self.kept.get(path, raw)
            if found is not None:
                return found
        playbook = parse_playbook(_text(path, raw), str(path))
        if self.kept is not None:
            self.kept.put(path, raw, playbook)
        return playbook

    def load_path(self, path: Path) -> Playbook:
        """A playbook given as a file, checked with its includes."""
        playbook = self._read(path)
        self._loaded.setdefault(playbook.id, playbook)
        self.resolve(playbook, str(path))
        return playbook

    def resolve(self, playbook: Playbook, source: str | None = None) -> dict[str, Playbook]:
        """Every playbook reachable through includes, by id; catches unknown ids and cycles."""
        resolved: dict[str, Playbook] = {playbook.id: playbook}
        where = source or playbook.id

        def visit(pb: Playbook, chain: list[str]) -> None:
            for step in walk(list(pb.steps)):
                if not isinstance(step, IncludeStep):
                    continue
                if step.playbook in chain:
                    cycle = " -> ".join([*chain, step.playbook])
                    raise PlaybookError(
                        _("{where}: include cycle {cycle}").format(where=where, cycle=cycle)
                    )
                if step.playbook not in resolved and step.playbook not in self.entries():
                    known = ", ".join(self.entries()) or _("none")
                    raise PlaybookError(
                        _("{where}: step {step!r} includes unknown playbook {playbook!r}").format(
                            where=where, step=step.id, playbook=step.playbook
                        ),
                        _("known playbooks: {known}; run `coach playbooks` to list them").format(
                            known=known
                        ),
                    )
                target = resolved.get(step.playbook) or self.get(step.playbook)
                resolved[step.playbook] = target
                visit(target, [*chain, step.playbook])

        visit(playbook, [playbook.id])
        return resolved


def toml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def user_playbook_dirs(data_dir: Path) -> list[Path]:
    """Folders of user playbooks: ``CLIENTCOACH_PLAYBOOKS`` first, then the data directory's."""
    dirs = [Path(p) for p in os.environ.get("CLIENTCOACH_PLAYBOOKS", "").split(os.pathsep) if p]
    dirs.append(data_dir / "playbooks")
    return dirs


# --- checked playbooks, kept ---------------------------------------------------------


class PlaybookCache:
    """Checked playbooks, kept in ``cache/playbooks`` of the data directory.

    What is kept is the validated data of a playbook (what its author wrote, as JSON),
    so an unchanged file is neither parsed as TOML nor checked again: the next run
    validates the kept data with the same models (:meth:`Playbook.model_validate`),
    never trusting it. Only a speed-up, so it never stands in the way: an entry that
    cannot be read or validated is ignored (the file is checked again), a failed write
    is silent, and deleting the folder is always safe.

    An entry is a JSON object: a stamp (this clientcoach's version, the playbook format,
    the file's length and two checksums of its bytes), the kept data as JSON text, and a
    checksum of that text, so an entry is used only for the exact bytes it was made
    from, and a damaged or hand-edited one is never used. The checksums are zlib's: an
    edit that keeps the length and both is not a real risk.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "cache" / "playbooks"

    @staticmethod
    def stamp(raw: bytes) -> str:
        import zlib

        from clientcoach import __version__

        content = f"{len(raw)}/{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"
        return f"{__version__}/{PLAYBOOK_SCHEMA}/{content}"

    def _file(self, path: Path) -> Path:
        import zlib

        from clientcoach.core.text import slug

        where = zlib.crc32(str(path.absolute()).encode("utf-8", "surrogateescape"))
        return self.folder / f"{slug(path.stem)[:40]}-{where:08x}.json"

    def count(self) -> int:
        """How many checked playbooks are kept."""
        from clientcoach.storage import safe

        if not safe.is_inside(self.root, self.folder):
            return 0
        try:
            return sum(1 for p in self.folder.glob("*.json") if p.is_file())
        except OSError:
            return 0

    def get(self, path: Path, raw: bytes) -> Playbook | None:
        """The playbook kept for these bytes of ``path``, validated again; None if none."""
        import zlib

        import orjson
        from pydantic import ValidationError

        from clientcoach.storage import safe

        if safe.skip_if_out(self.root, self.folder):
            return None
        try:
            entry = orjson.loads(
                safe.read_bytes(self._file(path), safe.CACHE_LIMIT, root=self.root)
            )
            if not isinstance(entry, dict) or entry.get("stamp") != self.stamp(raw):
                return None
            text = entry.get("playbook")
            if not isinstance(text, str) or entry.get("check") != zlib.crc32(text.encode()):
                return None
            return Playbook.model_validate(orjson.loads(text))
        except (OSError, ValueError, ValidationError, UnicodeEncodeError, RecursionError):
            return None  # orjson's JSONDecodeError is a ValueError

    def put(self, path: Path, raw: bytes, playbook: Playbook) -> None:
        """Keep a checked playbook, when its data gives it back exactly."""
        import zlib

        import orjson
        from pydantic import ValidationError

        from clientcoach.errors import StorageError
        from clientcoach.storage import safe
        from clientcoach.storage.store import ensure_dir, tidy, write_replace

        if not self.root.is_dir():
            return  # the first save creates the data directory, never a look at playbooks
        if safe.skip_if_out(self.root, self.folder):
            return
        with contextlib.suppress(OSError, StorageError, TypeError, ValueError, ValidationError):
            text = orjson.dumps(playbook.data()).decode("utf-8")
            # Not kept unless it reads back as the same playbook: JSON cannot hold an
            # integer beyond 64 bits (orjson refuses it) nor an infinite bound (written
            # as null), so such a playbook is checked from its file every time.
            if Playbook.model_validate(orjson.loads(text)) != playbook:
                return
            entry = {"stamp": self.stamp(raw), "check": zlib.crc32(text.encode()), "playbook": text}
            ensure_dir(self.folder, self.root)
            tidy(self.folder, self.root)
            write_replace(self._file(path), orjson.dumps(entry).decode("utf-8"), self.root)
