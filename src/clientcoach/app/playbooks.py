"""Playbooks as use cases: list them, check files, create a starter or a copy, and the
JSON Schema of the format. Nothing here prints: the command line draws the results."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, NamedTuple

from clientcoach.errors import PlaybookError, UsageError
from clientcoach.i18n import _
from clientcoach.model.playbook import Playbook
from clientcoach.storage.playbooks import Entry, Library

SCHEMA_FILE = "playbook.schema.json"


def load(lib: Library, ref: str) -> Playbook:
    """The playbook ``ref`` names: an id, or a .toml file."""
    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        return lib.load_path(Path(ref))
    return lib.get(ref)


class Listed(NamedTuple):
    """One playbook of the list: where it is, and what it is (or what is wrong with it)."""

    entry: Entry
    playbook: Playbook | None
    problem: str | None

    def to_json(self) -> dict[str, Any]:
        entry, playbook = self.entry, self.playbook
        return {
            "id": entry.id,
            "kind": playbook.kind if playbook else None,
            "language": playbook.language if playbook else None,
            "title": playbook.title if playbook else None,
            "origin": entry.origin,
            "path": str(entry.path),
            "shadows": str(entry.shadows) if entry.shadows else None,
            "problem": self.problem,
        }


def listing(lib: Library) -> list[Listed]:
    """Every playbook, built-in and the user's, each read (a broken one says why)."""
    rows: list[Listed] = []
    for entry in lib.entries().values():
        try:
            rows.append(Listed(entry, lib.get(entry.id), None))
        except PlaybookError as exc:
            rows.append(Listed(entry, None, exc.message))
    return rows


def file_problems(path: Path, lib: Library) -> list[str]:
    """Every problem of one playbook file, each naming the file (and line when known)."""
    from clientcoach.storage import safe
    from clientcoach.storage.playbooks import playbook_problems

    try:
        # "-sig": a byte-order mark, as Windows Notepad writes, is read as no text.
        text = safe.read_bytes(path, safe.PLAYBOOK_LIMIT).decode("utf-8-sig")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and len(path.parts) == 1 and not path.suffix:
            return [
                _(
                    "{path}: no such file, nor a playbook with that id (run `coach playbooks`)"
                ).format(path=path)
            ]
        return [_("{path}: cannot read ({reason})").format(path=path, reason=exc.strerror)]
    except UnicodeDecodeError as exc:
        return [_("{path}: not UTF-8 text (byte {byte})").format(path=path, byte=exc.start)]
    found = playbook_problems(text, str(path))
    if isinstance(found, list):
        return found
    problems: list[str] = []
    if found.id != path.stem:
        problems.append(
            _("{path}: id {id!r} does not match the file name; name the file {id}.toml").format(
                path=path, id=found.id
            )
        )
    try:
        lib.resolve(found, str(path))
    except PlaybookError as exc:
        problems.append(exc.message)
    return problems


def own_files(lib: Library) -> list[Path]:
    """Every playbook file of the user's own.

    Every file, not only those that win their id: a file hidden by another of the same
    id (CLIENTCOACH_PLAYBOOKS comes first) is still yours to fix.
    """
    from clientcoach.storage.playbooks import toml_files

    return [path for folder in lib.user_dirs for path in toml_files(folder)]


def targets(refs: list[Path], lib: Library) -> list[Path]:
    """The files to check: each a file, or a playbook's id; none given: the user's own."""
    entries = lib.entries()
    if not refs:
        own = own_files(lib)
        if not own:
            raise UsageError(
                _("you have no playbooks of your own to check"),
                _("give a file, or create one with: coach playbooks new ID"),
            )
        return own
    found: list[Path] = []
    for ref in refs:
        entry = entries.get(str(ref))
        is_id = len(ref.parts) == 1 and not ref.suffix and not ref.is_file()
        found.append(entry.path if is_id and entry is not None else ref)
    return found


def check(refs: list[Path], lib: Library) -> dict[Path, list[str]]:
    """Every problem of each file to check, by file (an empty list: no problem)."""
    return {path: file_problems(path, lib) for path in targets(refs, lib)}


def check_default(command: str, ref: str, lib: Library) -> None:
    """Refuse, before it is saved as a default, a playbook `coach {command}` could not walk."""
    try:
        playbook = lib.load_path(Path(ref)) if ref.endswith(".toml") else lib.get(ref)
        lib.resolve(playbook)
    except PlaybookError as exc:
        raise UsageError(
            _("playbook.{command}: {reason}").format(command=command, reason=exc.message),
            exc.hint or _("run `coach playbooks list` to see the ids"),
        ) from None
    if playbook.kind not in (command, "any"):
        raise UsageError(
            _("playbook.{command}: {id!r} is a {kind} playbook").format(
                command=command, id=playbook.id, kind=playbook.kind
            ),
            _("pick a {command} playbook: coach playbooks list").format(command=command),
        )


KINDS = ("prep", "debrief", "review", "any")


def starter_kind(playbook_id: str, kind: str | None) -> str:
    """The kind asked for, else the one the id names (``my-prep``), else debrief."""
    if kind is not None:
        if kind not in KINDS:
            raise UsageError(
                _("{kind!r} is not a kind of playbook").format(kind=kind),
                _("use one of: {kinds}").format(kinds=", ".join(KINDS)),
            )
        return kind
    words = set(re.split(r"[-_]", playbook_id))
    named = [k for k in KINDS[:3] if k in words] + (["review"] if "monthly" in words else [])
    return named[0] if len(set(named)) == 1 else "debrief"


def create(
    root: Path, lib: Library, playbook_id: str, source: str | None, kind: str | None = None
) -> tuple[Path, str]:
    """Write a new playbook in the data directory's playbook folder: a commented starter
    of ``kind``, or a copy of ``source``. Its path, and what to give ``coach playbooks check``."""
    from clientcoach.model.playbook import PLAYBOOK_ID_PATTERN
    from clientcoach.storage.store import ensure_dir, write_new

    if not re.fullmatch(PLAYBOOK_ID_PATTERN, playbook_id) or len(playbook_id) > 64:
        raise UsageError(
            _("{id!r} is not a playbook id").format(id=playbook_id),
            _("use lowercase letters, digits, '-' and '_', starting with a letter"),
        )
    folder = root / "playbooks"
    target = folder / f"{playbook_id}.toml"
    # The hint names the id, unless the id leads to another file of yours (a folder in
    # CLIENTCOACH_PLAYBOOKS comes first): then it names this file.
    winner = lib.entries().get(playbook_id)
    hidden = winner is not None and winner.origin == "user" and winner.path != target
    check_ref = str(target) if hidden else playbook_id
    if source is not None:
        if kind is not None:
            raise UsageError(
                _("--kind and --from do not go together"),
                _("a copy keeps the kind of the playbook it copies"),
            )
        text = copy_text(load(lib, source), playbook_id, check_ref)
    else:
        text = starter_text(playbook_id, check_ref, starter_kind(playbook_id, kind))
    ensure_dir(folder)
    try:
        write_new(target, text)
    except FileExistsError:
        raise UsageError(
            _("{path} already exists").format(path=target),
            _("choose another id, or edit that file"),
        ) from None
    _write_schema(folder)
    return target, check_ref


def _write_schema(folder: Path) -> None:
    """Keep the schema that the ``#:schema`` line points to beside the playbooks."""
    from clientcoach.storage.store import write_new

    path = folder / SCHEMA_FILE
    text = schema_text() + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
        path.unlink()
    except OSError:
        pass
    # The schema helps editors; the playbook is written either way.
    with contextlib.suppress(OSError):
        write_new(path, text)


def _header(playbook_id: str, check: str | None = None) -> list[str]:
    return [
        f"#:schema ./{SCHEMA_FILE}",
        "# "
        + _("Playbook {id}: edit the texts, steps and conditions to suit you.").format(
            id=playbook_id
        ),
        "# " + _("Check it with: coach playbooks check {id}").format(id=check or playbook_id),
        "# " + _("Keep step ids and roles stable: your past reflections are grouped by them."),
        "",
    ]


def copy_text(playbook: Playbook, new_id: str, check: str | None = None) -> str:
    """A copy of ``playbook`` under a new id, as TOML that parses back to the same steps."""
    import tomli_w

    data = playbook.data()
    data["id"] = new_id
    return "\n".join(_header(new_id, check)) + "\n" + tomli_w.dumps(_ordered(data))


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """``id`` and ``type`` first, steps last, so the file reads like the built-ins."""
    first = {"schema": -1, "id": 0, "type": 1}
    ordered = dict(
        sorted(
            data.items(),
            key=lambda kv: (kv[0] == "steps", first.get(kv[0], 2)),
        )
    )
    if isinstance(ordered.get("steps"), list):
        ordered["steps"] = [_ordered(s) if isinstance(s, dict) else s for s in ordered["steps"]]
    return ordered


def starter_text(playbook_id: str, check: str | None = None, kind: str = "debrief") -> str:
    """A small working playbook with a comment above each step saying what it shows.

    tomli-w writes no comments, so the data is written by tomli-w and a comment line is
    then put above each ``[[steps]]`` header, in the order the steps were written.
    """
    import tomli_w

    from clientcoach import i18n

    steps: list[tuple[str, dict[str, Any]]] = [
        (
            _("A one-line answer; 'why' is shown when the user types '?'."),
            {
                "id": "goal",
                "type": "text",
                "prompt": _("What do you want from this meeting?"),
                "why": _("A clear goal makes the meeting easier to steer."),
                "role": "goal",
            },
        ),
        (
            _("A yes/no question; its answer can switch later steps on or off."),
            {
                "id": "agreed",
                "type": "confirm",
                "prompt": _("Did you agree on next steps?"),
                "role": "next_steps_agreed",
                "summary": "rate",
            },
        ),
        (
            _("Asked only when the condition in 'when' holds; 'required = false' allows a skip."),
            {
                "id": "why_not",
                "type": "text",
                "prompt": _("What stopped you?"),
                "required": False,
                "when": {"step": "agreed", "equals": False},
            },
        ),
        (
            _("A scale with labelled ends; the review averages steps with summary = 'mean'."),
            {
                "id": "energy",
                "type": "rating",
                "prompt": _("How much energy did this give you?"),
                # The scale of the built-in debrief: the review reads every answer with
                # the role "energy" as one figure from -2 to +2.
                "min": -2,
                "max": 2,
                "low": _("drained"),
                "high": _("energised"),
                "role": "energy",
                "summary": "mean",
            },
        ),
        (
            _("One of several stable values; labels are what the user sees."),
            {
                "id": "outcome",
                "type": "choice",
                "prompt": _("Where does it stand?"),
                "choices": [
                    {"value": "progressing", "label": _("Progressing")},
                    {"value": "stalled", "label": _("Stalled")},
                ],
                "role": "outcome",
                "summary": "distribution",
            },
        ),
    ]
    if kind != "debrief":
        # The debrief's yes/no, scale and choice make no sense before a meeting or over a
        # month: the same three kinds of step, asked the way this kind needs them.
        steps = [steps[0], *_other_steps(kind, [comment for comment, _step in steps[1:]])]
    data: dict[str, Any] = {
        "schema": 1,
        "id": playbook_id,
        "kind": kind,
        "version": "1",
        "language": i18n.language(),
        "title": _("My playbook"),
        "summary": _("A starting point: change it to suit you."),
        "steps": [step for _comment, step in steps],
    }
    lines = tomli_w.dumps(data).splitlines()
    comments = iter(comment for comment, _step in steps)
    body: list[str] = []
    for line in lines:
        if line.strip() == "[[steps]]":
            while body and not body[-1]:
                body.pop()
            body.extend(["", "", "# " + next(comments)])
        body.append(line)
    intro = [
        "# " + _("kind: prep, debrief, review or any. Step types: text, longtext, confirm,"),
        "# " + _("rating, choice, multichoice, number, date, list, info, loop, include."),
        "# " + _("Run `coach playbooks show debrief` to see a full playbook as a tree."),
    ]
    return "\n".join([*_header(playbook_id, check), *intro, *body]) + "\n"


def _other_steps(kind: str, comments: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The starter's last four steps for a prep, a review or any kind."""
    before = kind == "prep"
    ask = _("Could a hot topic come up?") if before else _("Did it go as you meant it to?")
    then = _("What will you do first if it does?") if before else _("What got in the way?")
    scale = _("How ready do you feel?") if before else _("How much energy is left?")
    pick = _("What do you want to leave with?") if before else _("Where do things stand?")
    return list(
        zip(
            comments,
            [
                {"id": "asked", "type": "confirm", "prompt": ask},
                {
                    "id": "then",
                    "type": "text",
                    "prompt": then,
                    "required": False,
                    "when": {"step": "asked", "equals": before},
                },
                {
                    "id": "scale",
                    "type": "rating",
                    "prompt": scale,
                    "min": 1,
                    "max": 5,
                    "low": _("not at all"),
                    "high": _("fully"),
                    "summary": "mean",
                },
                {
                    "id": "pick",
                    "type": "choice",
                    "prompt": pick,
                    "choices": [
                        {"value": "decision", "label": _("A decision")},
                        {"value": "information", "label": _("Information")},
                    ],
                    "summary": "distribution",
                },
            ],
            strict=True,
        )
    )


# --- schema -----------------------------------------------------------------------------


def schema_text() -> str:
    """The JSON Schema of a playbook file, generated from the models."""
    from clientcoach.model.playbook import json_schema

    schema = json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "clientcoach playbook",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    import json  # only the commands that print JSON pay for it

    return json.dumps(schema, ensure_ascii=False, indent=2)
