"""The playbook language: its classes, loading, checks and the library of playbooks.

A playbook is data. Nothing read from a playbook is ever evaluated: conditions are
declarative trees checked by :mod:`clientcoach.core.engine`, and prompts are shown as plain
text. A file is checked in two passes: the pydantic models of
:mod:`clientcoach.model.playbook_schema` reject unknown keys and wrong types, then
:func:`check_playbook` catches what a schema cannot (step ids, condition references,
defaults, includes). What passes is held as the light classes below, and kept in a cache
so an unchanged file is not checked (nor pydantic loaded) again.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Protocol

from clientcoach.errors import PlaybookError
from clientcoach.model.plain import Plain

if TYPE_CHECKING:
    import tomllib

PLAYBOOK_SCHEMA = 1
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PLAYBOOK_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
Scalar = str | int | float | bool
Kind = Literal["prep", "debrief", "review", "any"]
Summary = Literal["rate", "mean", "distribution", "top"]


class Condition(Plain):
    """A declarative test on earlier answers.

    Either a leaf (``step`` plus one test) or one combinator (``all``, ``any``, ``not``).
    """

    ALIASES: ClassVar[dict[str, str]] = {"in_": "in", "not_": "not"}

    step: str | None = None
    equals: Scalar | None = None
    in_: list[Scalar] | None = None
    gte: float | None = None
    lte: float | None = None
    answered: bool | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = None

    def leaves(self) -> Iterator[Condition]:
        if self.step is not None:
            yield self
        for sub in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            yield from sub.leaves()


class Choice(Plain):
    """One option of a choice: a stable ``value`` stored in reflections, a shown ``label``."""

    value: str
    label: str | None = None
    help: str | None = None

    @property
    def text(self) -> str:
        return self.label or self.value


class _StepBase(Plain):
    id: str
    prompt: str
    help: str | None = None
    why: str | None = None
    required: bool = True
    role: str | None = None
    refs: Sequence[str] = ()
    when: Condition | None = None
    summary: Summary | None = None
    plan: str | None = None


class TextStep(_StepBase):
    type: Literal["text"] = "text"
    default: str | None = None
    max_length: int = 500


class LongTextStep(_StepBase):
    type: Literal["longtext"] = "longtext"
    default: str | None = None


class ConfirmStep(_StepBase):
    type: Literal["confirm"] = "confirm"
    default: bool | None = None


class RatingStep(_StepBase):
    type: Literal["rating"] = "rating"
    min: int = 1
    max: int = 5
    low: str | None = None
    high: str | None = None
    default: int | None = None


class ChoiceStep(_StepBase):
    type: Literal["choice"] = "choice"
    choices: list[str | Choice]
    default: str | None = None

    @property
    def options(self) -> list[Choice]:
        return _options(self.choices)


class MultiChoiceStep(_StepBase):
    type: Literal["multichoice"] = "multichoice"
    choices: list[str | Choice]
    default: list[str] | None = None
    min_selected: int = 0
    max_selected: int | None = None

    @property
    def options(self) -> list[Choice]:
        return _options(self.choices)


class NumberStep(_StepBase):
    type: Literal["number"] = "number"
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    default: float | None = None


class DateStep(_StepBase):
    type: Literal["date"] = "date"
    default: str | None = None


class ListStep(_StepBase):
    type: Literal["list"] = "list"
    default: list[str] | None = None
    max_items: int = 20


class InfoStep(_StepBase):
    type: Literal["info"] = "info"
    required: bool = False


class LoopStep(_StepBase):
    type: Literal["loop"] = "loop"
    steps: list[Step]
    item: str | None = None
    min_items: int = 0
    max_items: int = 20
    repeat_while: Condition | None = None
    required: bool = False


class IncludeStep(_StepBase):
    type: Literal["include"] = "include"
    prompt: str | None = None  # type: ignore[assignment]  # defaults to the playbook's title
    playbook: str
    required: bool = False


Step = (
    TextStep
    | LongTextStep
    | ConfirmStep
    | RatingStep
    | ChoiceStep
    | MultiChoiceStep
    | NumberStep
    | DateStep
    | ListStep
    | InfoStep
    | LoopStep
    | IncludeStep
)
AnswerStep = (
    TextStep
    | LongTextStep
    | ConfirmStep
    | RatingStep
    | ChoiceStep
    | MultiChoiceStep
    | NumberStep
    | DateStep
    | ListStep
)
ANSWER_TYPES = (
    TextStep,
    LongTextStep,
    ConfirmStep,
    RatingStep,
    ChoiceStep,
    MultiChoiceStep,
    NumberStep,
    DateStep,
    ListStep,
)
_STEPS = (*ANSWER_TYPES, InfoStep, LoopStep, IncludeStep)


class Playbook(Plain):
    ALIASES: ClassVar[dict[str, str]] = {"schema_": "schema"}

    schema_: int
    id: str
    kind: Kind
    version: str = "1"
    language: str = "en"
    title: str
    summary: str | None = None
    steps: list[Step]


def _options(choices: list[str | Choice]) -> list[Choice]:
    return [Choice(value=c) if isinstance(c, str) else c for c in choices]


# --- checks a schema cannot express -------------------------------------------------

# Relative defaults ("today", "+7d") are checked against a fixed day: only their form matters.
_SOME_DAY = date(2000, 1, 3)


def _check_default(step: Step) -> str | None:
    """Why a step's default cannot be its answer, or None when it can."""
    default = getattr(step, "default", None)
    if default is None or not isinstance(step, ANSWER_TYPES):
        return None
    # The engine's own coercion decides, so a default is valid exactly when the same
    # answer typed by a user would be. Imported here: the engine imports this module.
    from clientcoach.core.engine import AnswerError, coerce

    try:
        coerce(step, default, _SOME_DAY, by_position=False)
    except AnswerError as exc:
        if isinstance(step, ChoiceStep | MultiChoiceStep):
            values = [c.value for c in step.options]
            return f"default {default!r} is not among the choices {values}"
        return f"default {default!r} does not fit this step: {exc}"
    return None


def _check_shape(step: Step) -> str | None:
    if isinstance(step, RatingStep) and step.min >= step.max:
        return f"rating bounds are inverted or equal (min {step.min}, max {step.max})"
    if isinstance(step, RatingStep) and step.max - step.min > 20:
        return "a rating scale has at most 21 points; use a number step for more"
    if (
        isinstance(step, NumberStep)
        and step.min is not None
        and step.max is not None
        and step.min >= step.max
    ):
        return f"number bounds are inverted or equal (min {step.min}, max {step.max})"
    if isinstance(step, ChoiceStep | MultiChoiceStep):
        if not step.choices:
            return "choices is empty; give at least one choice"
        values = [c.value for c in step.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            return f"choices repeat the value(s) {dupes}"
        if isinstance(step, MultiChoiceStep):
            if step.max_selected is not None and step.max_selected < step.min_selected:
                return "max_selected is below min_selected"
            if step.min_selected > len(values):
                return "min_selected is more than the number of choices"
    if isinstance(step, LoopStep) and step.min_items > step.max_items:
        return f"min_items ({step.min_items}) is above max_items ({step.max_items})"
    return _check_default(step)


class _Scope(NamedTuple):
    """Steps visible to a condition: earlier siblings, then the enclosing scopes."""

    declared: dict[str, Step]
    parent: _Scope | None

    def find(self, step_id: str) -> Step | None:
        scope: _Scope | None = self
        while scope is not None:
            if step_id in scope.declared:
                return scope.declared[step_id]
            scope = scope.parent
        return None


def _check_condition(cond: Condition, scope: _Scope, later: set[str], where: str) -> str | None:
    for leaf in cond.leaves():
        assert leaf.step is not None
        target = scope.find(leaf.step)
        if target is None:
            if leaf.step in later:
                return (
                    f"{where} names step {leaf.step!r}, which comes later; "
                    "a condition can only read earlier answers"
                )
            return f"{where} names unknown step {leaf.step!r}"
        if not isinstance(target, ANSWER_TYPES):
            return f"{where} names {target.type} step {leaf.step!r}, which has no answer to test"
        numeric = isinstance(target, RatingStep | NumberStep)
        if (leaf.gte is not None or leaf.lte is not None) and not numeric:
            return f"{where} uses gte/lte on {leaf.step!r}, which is not a rating or number"
        tested = [leaf.equals] if leaf.equals is not None else list(leaf.in_ or [])
        if isinstance(target, ChoiceStep | MultiChoiceStep):
            values = [c.value for c in target.options]
            wrong = [v for v in tested if v not in values]
            if wrong:
                return (
                    f"{where} tests {leaf.step!r} against {wrong[0]!r}, "
                    f"which is not one of its choices {values}"
                )
        if isinstance(target, ConfirmStep) and any(not isinstance(v, bool) for v in tested):
            return (
                f"{where} tests confirm step {leaf.step!r} against a non-boolean; use true or false"
            )
    return None


def _check_steps(
    steps: list[Step], scope: _Scope | None, seen: set[str], where: str
) -> Iterator[tuple[Step, str]]:
    """Problems as (the step they are about, message)."""
    local = _Scope({}, scope)
    all_ids = {s.id for s in steps}
    for step in steps:
        label = f"{where}step {step.id!r}"
        if step.id in seen:
            yield step, f"{label}: duplicate step id {step.id!r}"
        seen.add(step.id)
        problem = _check_shape(step)
        if problem:
            yield step, f"{label}: {problem}"
        if step.when is not None:
            later = all_ids - set(local.declared)
            problem = _check_condition(step.when, local, later, f"{label}: 'when'")
            if problem:
                yield step, problem
        if isinstance(step, LoopStep):
            yield from _check_steps(step.steps, local, seen, f"{label} > ")
            if step.repeat_while is not None:
                item_scope = _Scope({s.id: s for s in step.steps}, local)
                problem = _check_condition(
                    step.repeat_while, item_scope, set(), f"{label}: 'repeat_while'"
                )
                inner = {s.id for s in step.steps}
                if problem is None and not any(
                    leaf.step in inner for leaf in step.repeat_while.leaves()
                ):
                    problem = (
                        f"{label}: 'repeat_while' reads no step inside the loop, so nothing "
                        "answered in an item could ever end it"
                    )
                if problem:
                    yield step, problem
        local.declared[step.id] = step


def _check_plans(playbook: Playbook) -> Iterator[tuple[Step, str]]:
    """``plan`` reads the prep a debrief follows: only question and info steps of a
    playbook that can be walked as a debrief have one."""
    for step in _walk(list(playbook.steps)):
        if step.plan is None:
            continue
        label = f"step {step.id!r}: 'plan'"
        if isinstance(step, LoopStep | IncludeStep):
            yield step, f"{label} goes on a question or info step, not on a {step.type}"
        elif playbook.kind not in ("debrief", "any"):
            yield (
                step,
                (
                    f"{label} reads the prep a debrief follows, and a {playbook.kind} "
                    "playbook has none; remove it or make the playbook a debrief"
                ),
            )


def check_playbook(playbook: Playbook) -> list[str]:
    """Problems in one playbook that do not depend on other playbooks."""
    return [message for _where, message in _check_located(playbook)]


def _check_located(playbook: Playbook) -> list[tuple[Step | None, str]]:
    """Like :func:`check_playbook`, each problem with the step it is about (None: top)."""
    problems: list[tuple[Step | None, str]] = []
    if playbook.schema_ > PLAYBOOK_SCHEMA:
        newer = (
            f"schema {playbook.schema_} is newer than this clientcoach understands "
            f"({PLAYBOOK_SCHEMA}); upgrade clientcoach"
        )
        problems.append((None, newer))
    elif playbook.schema_ < 1:
        older = f"schema {playbook.schema_} is not a playbook format version; use 1"
        problems.append((None, older))
    problems.extend(_check_steps(list(playbook.steps), None, set(), ""))
    problems.extend(_check_plans(playbook))
    return problems


# --- reading files -----------------------------------------------------------------

# Patterns are compiled on first use (re caches them): a kept playbook needs none of them.
_TOML_POSITION = r"\(at line (\d+), column (\d+)\)"


def parse_playbook(text: str, source: str) -> Playbook:
    """Parse and check one playbook's TOML text; ``source`` names it in errors."""
    problems = playbook_problems(text, source)
    if isinstance(problems, Playbook):
        return problems
    first, *rest = problems
    more = f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''})" if rest else ""
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
    import tomllib  # an unchanged playbook is read from the cache, not parsed

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [toml_error(exc, text, source)]
    if not data:
        return [f"{source}: the file is empty; a playbook needs schema, id, kind, title and steps"]
    from clientcoach.model import playbook_schema  # pydantic: only for a file not yet checked

    lines = _LineMap(text)
    playbook = playbook_schema.validate(data)
    if isinstance(playbook, list):
        return [_at(source, lines.find(loc), line) for loc, line in playbook]
    problems = _check_located(playbook)
    if problems:
        # The n-th step with an id is the n-th table with that id in the file: a
        # duplicate is pointed at where it is, not at the first step of that name.
        nth: dict[int, int] = {}
        counts: dict[str, int] = {}
        for step in _walk(list(playbook.steps)):
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
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read playbook ({exc.strerror})") from exc


def _text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlaybookError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


# --- checked playbooks, kept ---------------------------------------------------------


class Cache(Protocol):
    """Where checked playbooks are kept (:class:`clientcoach.storage.store.PlaybookCache`)."""

    def get(self, path: Path, stamp: str) -> Any: ...

    def put(self, path: Path, stamp: str, data: Any) -> None: ...


def stamp(raw: bytes) -> str:
    """What a kept playbook must match: this clientcoach, its classes, these bytes.

    The classes are named with their fields, so a change to them (even between two
    builds of one version) makes every kept playbook stale. Two checksums and the length
    of the file: an edit that keeps all three is not a real risk, and zlib is already
    loaded, where a cryptographic hash would cost a library load.
    """
    import zlib

    from clientcoach import __version__

    shape = ";".join(f"{c.__name__}:{','.join(c.FIELDS)}" for c in _kept_classes().values())
    classes = zlib.crc32(shape.encode("utf-8"))
    content = f"{len(raw)}/{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"
    return f"{__version__}/{PLAYBOOK_SCHEMA}/{classes:08x}/{content}"


def to_kept(value: Any) -> Any:
    """A checked playbook as JSON data that names each class, for :func:`from_kept`.

    ValueError for a value JSON would not give back as it was (a number beyond 64 bits,
    an infinity): such a playbook is simply not kept.
    """
    if isinstance(value, Plain):
        return {"@": type(value).__name__, **{k: to_kept(v) for k, v in value.values().items()}}
    if isinstance(value, list | tuple):
        return [to_kept(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        raise ValueError("an integer beyond 64 bits")
    return value


_KEPT: dict[str, type[Plain]] = {}


def _kept_classes() -> dict[str, type[Plain]]:
    if not _KEPT:
        _KEPT.update({cls.__name__: cls for cls in (Condition, Choice, Playbook, *_STEPS)})
    return _KEPT


def from_kept(data: Any) -> Any:
    """The playbook :func:`to_kept` wrote; ValueError when the data is not such."""
    if isinstance(data, list):
        return [from_kept(v) for v in data]
    if isinstance(data, dict):
        kind = _kept_classes().get(data.get("@", ""))
        if kind is None:
            raise ValueError("not a kept playbook")
        return kind(**{k: from_kept(v) for k, v in data.items() if k != "@"})
    return data


# --- the library: built-ins plus the user's folders ---------------------------------


def builtin_dir() -> Path:
    """The folder of built-in playbooks shipped in the package."""
    # The package is always a folder on disk (the playbooks are read as files), so its
    # own location is found without importlib.resources.
    package = Path(__file__).resolve().parents[1]  # clientcoach/, above this sub-package
    packaged = package / "playbooks"
    if packaged.is_dir():
        return packaged
    # An editable install runs from the source tree, where the playbooks sit at the top.
    return package.parents[1] / "playbooks"


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
        kept: Cache | None = None,
    ) -> None:
        from clientcoach import i18n

        self.builtins = builtins if builtins is not None else builtin_dir()
        self.user_dirs = user_dirs
        self.language = language if language is not None else i18n.language()
        self.kept = kept
        self._cache: dict[str, Playbook] = {}

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
        if playbook_id in self._cache:
            return self._cache[playbook_id]
        entry = self.entries().get(playbook_id)
        if entry is None:
            known = ", ".join(self.entries()) or "none"
            raise PlaybookError(
                f"no playbook with id {playbook_id!r}",
                f"known playbooks: {known}; run `coach playbooks` to list them",
            )
        playbook = self._read(entry.path)
        self._cache[playbook_id] = playbook
        return playbook

    def _read(self, path: Path) -> Playbook:
        playbook = self._checked(path)
        if playbook.id != path.stem:
            raise PlaybookError(
                f"{path}: id {playbook.id!r} does not match the file name; "
                f"name the file {playbook.id}.toml or set id = {path.stem!r}"
            )
        return playbook

    def _checked(self, path: Path) -> Playbook:
        """The playbook in ``path``: as kept when its bytes were checked before, else checked
        now (and kept). A kept copy that cannot be read is checked again, never trusted."""
        raw = _raw(path)
        key = stamp(raw) if self.kept is not None else ""
        if self.kept is not None:
            found = self.kept.get(path, key)
            if found is not None:
                try:
                    playbook = from_kept(found)
                except (TypeError, ValueError, RecursionError):
                    playbook = None
                if isinstance(playbook, Playbook):
                    return playbook
        playbook = parse_playbook(_text(path, raw), str(path))
        if self.kept is not None:
            with contextlib.suppress(ValueError, RecursionError):
                self.kept.put(path, key, to_kept(playbook))
        return playbook

    def load_path(self, path: Path) -> Playbook:
        """A playbook given as a file, checked with its includes."""
        playbook = self._read(path)
        self._cache.setdefault(playbook.id, playbook)
        self.resolve(playbook, str(path))
        return playbook

    def resolve(self, playbook: Playbook, source: str | None = None) -> dict[str, Playbook]:
        """Every playbook reachable through includes, by id; catches unknown ids and cycles."""
        resolved: dict[str, Playbook] = {playbook.id: playbook}
        where = source or playbook.id

        def visit(pb: Playbook, chain: list[str]) -> None:
            for step in _walk(list(pb.steps)):
                if not isinstance(step, IncludeStep):
                    continue
                if step.playbook in chain:
                    cycle = " -> ".join([*chain, step.playbook])
                    raise PlaybookError(f"{where}: include cycle {cycle}")
                try:
                    target = resolved.get(step.playbook) or self.get(step.playbook)
                except PlaybookError as exc:
                    if exc.message.startswith("no playbook"):
                        raise PlaybookError(
                            f"{where}: step {step.id!r} includes unknown playbook "
                            f"{step.playbook!r}",
                            exc.hint,
                        ) from exc
                    raise
                resolved[step.playbook] = target
                visit(target, [*chain, step.playbook])

        visit(playbook, [playbook.id])
        return resolved


def _walk(steps: list[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, LoopStep):
            yield from _walk(list(step.steps))


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
