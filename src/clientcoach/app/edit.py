"""Fixing or removing a saved reflection: ``coach edit``, ``delete``, ``trash``,
``restore`` and ``trash empty`` as use cases. Nothing here prints or opens an editor:
the command line does, and hands the edited text back to :func:`check`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from clientcoach.core.edit import EditProblems, Steps, read_toml, to_toml
from clientcoach.errors import AnswersError, DataError
from clientcoach.i18n import _
from clientcoach.storage.store import ChangedError, DamagedFile, Store, Trashed, record_text

__all__ = ["EditProblems", "Editing", "Saved", "TrashItem"]


@dataclass
class Editing:
    """One reflection being edited: its file, the bytes it was read from, the record
    and the text handed to the editor."""

    path: Path
    original: bytes
    record: dict[str, Any]
    text: str
    steps: Steps


def _steps(store: Store, record: dict[str, Any]) -> Steps:
    """The playbook (and includes) the record was made with, when the library still has
    it; else nothing, and the record alone says what a value may be."""
    from clientcoach.app.workspace import library

    made = record.get("playbook")
    if not isinstance(made, dict) or not isinstance(made.get("id"), str):
        return Steps()
    language = made.get("language") if isinstance(made.get("language"), str) else None
    lib = library(store.root, language)

    def get(playbook_id: str) -> Any:
        try:
            return lib.get(playbook_id)
        except Exception:  # gone, renamed or broken since: the record still describes itself
            return None

    return Steps(get(made["id"]), get)


def begin(store: Store, ref: str, header: Callable[[dict[str, Any]], list[str]]) -> Editing:
    """The reflection ``ref`` names, and its answers as the text to edit, under the
    comment lines ``header`` gives for the record."""
    from clientcoach.app.clients import find

    path = find(store, ref)
    record, original = store.read_exact(path)
    store.kept_folder(_record_id(record, path))  # a link in edits/ refused before editing
    steps = _steps(store, record)
    return Editing(path, original, record, to_toml(record, header(record), steps), steps)


def check(editing: Editing, text: str, today: date) -> dict[str, Any] | None:
    """The record with the edited answers, or None when nothing changed; EditProblems
    when the text cannot be saved."""
    answers = read_toml(text, editing.record, editing.steps, today)
    if answers is None:
        return None
    record = dict(editing.record)
    record["answers"] = answers
    return record


def refused(problems: EditProblems) -> AnswersError:
    """An edit that cannot be reopened (no terminal), as one line."""
    return AnswersError(
        _("the edit was not saved: {problems}").format(problems=_("; ").join(problems.problems)),
        _("nothing was changed; run `coach edit` again"),
    )


def _record_id(record: dict[str, Any], path: Path) -> str:
    return str(record.get("id") or path.stem)


@dataclass
class Saved:
    path: Path
    kept: Path


def save(store: Store, editing: Editing, record: dict[str, Any], now: datetime) -> Saved:
    """Write the edited record in place of the file, the previous version kept."""
    record["edited"] = now.astimezone(UTC).isoformat(timespec="seconds")
    rid = _record_id(record, editing.path)
    try:
        kept = store.replace_keeping(editing.path, editing.original, record_text(record), rid, now)
    except ChangedError as exc:
        raise DataError(
            _("{path} changed while it was being edited").format(path=editing.path),
            _("nothing was written; run `coach edit` again to work on the new version"),
        ) from exc
    return Saved(editing.path, kept)


# --- the trash -----------------------------------------------------------------------


@dataclass
class TrashItem:
    """A reflection in the trash, as ``coach trash`` lists it."""

    trashed: Trashed
    record: dict[str, Any] | None
    damaged: str | None = None

    def to_json(self) -> dict[str, Any]:
        record = self.record or {}
        meeting = record.get("meeting") if isinstance(record.get("meeting"), dict) else {}
        deleted = self.trashed.deleted_at()
        return {
            "id": record.get("id", self.trashed.id),
            "date": (meeting or {}).get("date"),
            "client": record.get("client"),
            "kind": record.get("kind"),
            "title": (meeting or {}).get("title"),
            "deleted": deleted.isoformat() if deleted else None,
            "path": str(self.trashed.path),
            "from": self.trashed.relative.as_posix(),
            "damaged": self.damaged,
        }


def to_delete(store: Store, ref: str) -> tuple[Path, dict[str, Any]]:
    """The file ``ref`` names and its record, before asking."""
    from clientcoach.app.clients import find

    path = find(store, ref)
    store.refuse_links(store.trash_dir)  # refused before asking
    return path, store.read_record(path)


def delete(store: Store, path: Path, now: datetime) -> Path:
    return store.trash(path, now)


def trash(store: Store) -> list[TrashItem]:
    """What the trash holds, most recently deleted first."""
    found: list[TrashItem] = []
    for item in store.trash_list():
        try:
            found.append(TrashItem(item, store.read_record(item.path)))
        except DamagedFile as exc:
            found.append(TrashItem(item, None, exc.reason))
    return found


def restore(store: Store, ref: str) -> tuple[Path, TrashItem]:
    """Put the reflection ``ref`` names back where it was deleted from."""
    item = store.find_trashed(ref)
    try:
        shown = TrashItem(item, store.read_record(item.path))
    except DamagedFile as exc:
        shown = TrashItem(item, None, exc.reason)
    return store.restore(item), shown


def empty(store: Store, listed: list[TrashItem]) -> int:
    """Delete for good what was ``listed`` (and confirmed), nothing that came since."""
    return store.empty_trash([item.trashed for item in listed])
