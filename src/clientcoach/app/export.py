"""``coach export`` as use cases: the reflections ``history`` selects, read whole (and
redacted when asked), their answers as spreadsheet rows, their follow-ups as a
calendar, and the writing of a file or a folder that never replaces one unasked.

Nothing here prints; the Markdown of each reflection is drawn by ``ui.export``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientcoach.errors import CoachError, StorageError, UsageError
from clientcoach.i18n import _
from clientcoach.storage.store import Damaged, DamagedFile, Store, Text

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp
    from clientcoach.insights.redact import Aliases, Redaction
    from clientcoach.storage.index import Index

FORMATS = ("markdown", "csv", "ics")
# Where the export goes when no --output is given, in the current folder.
DEFAULT_NAMES = {
    "markdown": "clientcoach-export",
    "csv": "clientcoach-export.csv",
    "ics": "clientcoach-export.ics",
}
CSV_COLUMNS = ("reflection", "date", "client", "kind", "step", "role", "prompt", "value")


@dataclass
class Selection:
    """The reflections an export holds, oldest first, and the damaged files skipped.

    The records are read one at a time (:meth:`records`), so an export of thousands
    never holds them all; a file found damaged while reading joins ``damaged``."""

    store: Store
    # As text: 100,000 paths weigh several times more as Path objects.
    files: list[str]
    damaged: list[Damaged]
    redact: Redaction | None = None
    read: int = 0  # records handed out so far

    def records(self) -> Iterator[dict[str, Any]]:
        """Each reflection as a plain record (redacted when asked), oldest first."""
        for file in self.files:
            path = Path(file)
            try:
                record = self.store.read_record(path)
            except DamagedFile as exc:  # damaged or gone since the index last saw it
                self.damaged.append(Damaged(path, exc.reason))
                continue
            self.read += 1
            yield record if self.redact is None else self.redact.record(record)

    def follow_ups(self) -> list[FollowUp]:
        """The open follow-ups and deep-dives of the reflections, read one at a time
        (the deep-dives are settled once every walk is known; only the open ones are
        kept, most of a long history's are done)."""
        from clientcoach.app.clients import deep_dives_of
        from clientcoach.insights.clients import follow_ups

        found: list[FollowUp] = []

        def each() -> Iterator[dict[str, Any]]:
            for record in self.records():
                # Drawn from the records as exported: redacted, a follow-up names no one.
                found.extend(f for f in follow_ups([record]) if f.done is None)
                yield record

        dives = deep_dives_of(self.store, each())
        return found + [d for d in dives if d.done is None]


def check_format(chosen: str) -> str:
    if chosen not in FORMATS:
        raise UsageError(
            _("--format {value!r} is not a format").format(value=chosen),
            _("use one of: {choices}").format(choices=", ".join(FORMATS)),
        )
    return chosen


def aliases(store: Store) -> Aliases:
    """The aliases of every client and meeting title of the data directory, in order of
    first appearance: a client is the same "Client A" whatever the filters."""
    from clientcoach.app.clients import records_of
    from clientcoach.app.indexed import answer
    from clientcoach.insights.redact import aliases as made
    from clientcoach.insights.redact import meetings_of

    def kept(index: Index) -> Aliases:
        import orjson

        from clientcoach.storage.index import OLDEST

        rows = index.walk_rows("f.damaged IS NULL", order=OLDEST)
        return made((row.client, orjson.loads(row.title) if row.title else None) for row in rows)

    def scanned() -> Aliases:
        return made(meetings_of(records_of(store.scan_records())))

    return answer(store, kept, scanned)


def redaction(store: Store, with_text: bool) -> Redaction:
    from clientcoach.insights.redact import Redaction

    return Redaction(aliases(store), with_text)


def shared_damaged(damaged: list[Damaged], redaction: Redaction | None) -> list[Damaged]:
    """The damaged files as a redacted output names them, on the terminal too: a
    reflection's file name holds its client's, so only its meeting date and id are kept
    (any other name is left out), and the reason is scrubbed of known names."""
    from clientcoach.storage.store import date_and_id

    if redaction is None:
        return damaged
    reasons: dict[Path, str] = {}
    for one in damaged:
        reasons.setdefault(one.path, one.reason)  # each file once, as the terminal names it
    shown: list[Damaged] = []
    for number, (path, reason) in enumerate(reasons.items(), 1):
        known = date_and_id(path.name)
        label = (
            _("damaged file {number} (of {date}, id {id})").format(
                number=number, date=known[0], id=known[1]
            )
            if known
            else _("damaged file {number}").format(number=number)
        )
        shown.append(Damaged(Path(label), redaction.text(reason)))
    return shown


def select(
    store: Store,
    today: date,
    *,
    client: str | None,
    kind: str | None,
    since: str | None,
    until: str | None,
    grep: str | None,
    redact: Redaction | None = None,
) -> Selection:
    """What ``coach history`` with the same filters finds, to be read whole."""
    from clientcoach.app.clients import history

    try:
        found, damaged = history(
            store, today, client=client, kind=kind, since=since, until=until, grep=grep
        )
    except CoachError as exc:
        if redact is not None:  # "did you mean Acme?", "could be Acme, Acorn": aliases
            exc.message = redact.text(exc.message)
            exc.hint = redact.text(exc.hint) if exc.hint else exc.hint
            exc.args = (exc.message,)
        raise
    # history is newest first; an export reads oldest first
    return Selection(store, [one.file for one in reversed(found)], damaged, redact)


# --- CSV ------------------------------------------------------------------------------


def answer_rows(record: dict[str, Any]) -> list[list[str]]:
    """One row per answer: includes flattened, loop items numbered in the step column
    (``next_steps.2.what``); loops and includes themselves hold no answer of their own."""
    meeting = record.get("meeting") or {}
    head = [str(record["id"]), str(meeting.get("date", "")), str(record["client"]), record["kind"]]
    rows: list[list[str]] = []

    def walk(answers: object, prefix: str) -> None:
        if not isinstance(answers, list):
            return
        for answer in answers:
            if not isinstance(answer, dict):
                continue
            step = f"{prefix}{answer.get('step', '?')}"
            if isinstance(answer.get("answers"), list):
                walk(answer["answers"], f"{step}.")
            elif answer.get("type") == "loop" or isinstance(answer.get("items"), list):
                for number, item in enumerate(answer.get("items") or [], start=1):
                    inner = item.get("answers") if isinstance(item, dict) else item
                    walk(inner, f"{step}.{number}.")
            else:
                role = answer.get("role")
                prompt = answer.get("prompt")
                rows.append(
                    [
                        *head,
                        step,
                        role if isinstance(role, str) else "",
                        prompt if isinstance(prompt, str) else "",
                        cell(answer.get("value")),
                    ]
                )

    walk(record.get("answers"), "")
    return rows


def cell(value: object) -> str:
    """An answer as a spreadsheet cell: lists joined with "; ", yes/no, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    text = str(value)
    # A cell starting like a formula is run by a spreadsheet: a quote makes it text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_pieces(records: Iterable[dict[str, Any]], *, bom: bool) -> Iterator[str]:
    """The CSV document, a piece per reflection (an export of thousands is never held
    whole); with ``bom``, a UTF-8 mark first, so a spreadsheet opening the file reads
    accents right (the mark is left out on standard output)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerows(answer_rows(record))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


# --- iCalendar ------------------------------------------------------------------------


def ics_text(found: list[FollowUp], now: datetime) -> tuple[str, int]:
    """Open follow-ups as to-dos (due on their day) and open touchpoints as all-day events.

    UIDs come from the follow-up's id, so importing a later export updates each item
    instead of adding it twice. Returns the calendar and how many items it holds."""
    from datetime import timedelta

    from icalendar import Calendar, Event, Todo

    from clientcoach import __version__

    calendar = Calendar()
    calendar.add("prodid", f"-//clientcoach//clientcoach {__version__}//EN")
    calendar.add("version", "2.0")
    stamp = now.astimezone().replace(microsecond=0)
    # Each item is written as soon as it is made, not held in the calendar: 25,000 open
    # items of a long history held as components took about 200 MB.
    head = calendar.to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    pieces = [head.removesuffix(end)]
    count = 0
    for item in found:
        if item.done is not None:
            continue
        uid = f"{item.id}@clientcoach"
        # A touchpoint's text already names the client ("Next touchpoint with Acme").
        named = item.client and item.kind != "touchpoint"
        summary = f"{item.what} ({item.client})" if named else item.what
        description = _(
            "From the meeting of {day} with {client}; when it is done: coach done {id}"
        ).format(day=item.meeting.isoformat(), client=item.client, id=item.short_id)
        if item.kind == "touchpoint":
            if item.due is None:
                continue
            event = Event()
            event.add("uid", uid)
            event.add("dtstamp", stamp)
            event.add("summary", summary)
            event.add("dtstart", item.due)
            event.add("dtend", item.due + timedelta(days=1))
            event.add("description", description)
            pieces.append(event.to_ical().decode("utf-8"))
            count += 1
        else:
            todo = Todo()
            todo.add("uid", uid)
            todo.add("dtstamp", stamp)
            todo.add("summary", summary)
            todo.add("status", "NEEDS-ACTION")
            if item.due is not None:
                todo.add("due", item.due)
            todo.add("description", description)
            pieces.append(todo.to_ical().decode("utf-8"))
            count += 1
    pieces.append(end)
    return "".join(pieces), count


# --- writing --------------------------------------------------------------------------


def target(output: str | None, chosen: str, cwd: Path, data: Path) -> Path | None:
    """Where the export goes: None for standard output ("-"); refused inside the data
    directory, where the files would be read as data."""
    if output == "-":
        if chosen == "markdown":
            raise UsageError(
                _("a Markdown export is a folder; it cannot go to standard output"),
                _("give a folder name with --output"),
            )
        return None
    path = cwd / (output if output else DEFAULT_NAMES[chosen])
    with contextlib.suppress(OSError):
        resolved = path.parent.resolve() / path.name
        if resolved.is_relative_to(data.resolve()):
            raise UsageError(
                _("{path} is inside the data directory").format(path=path),
                _("write the export elsewhere"),
            )
    if not path.parent.is_dir():
        raise UsageError(
            _("there is no folder {path}").format(path=path.parent),
            _("create it first, or write the export elsewhere"),
        )
    return path


def _exists(path: Path) -> UsageError:
    return UsageError(
        _("{path} already exists").format(path=path),
        _("add --force to replace it, or choose another name"),
    )


def check_free(path: Path, folder: bool, force: bool) -> None:
    """Refuse, before any work, to replace without ``force``, or to replace what an
    export would not have written."""
    if not os.path.lexists(path):
        return
    if not force:
        raise _exists(path)
    if folder:
        if path.is_symlink() or not path.is_dir() or not _export_folder(path):
            raise UsageError(
                _("{path} is not a Markdown export; it is not replaced").format(path=path),
                _("choose another name"),
            )
    elif path.is_dir():
        raise UsageError(
            _("{path} is a folder").format(path=path),
            _("give a file name, e.g. {path}").format(path=path / DEFAULT_NAMES["csv"]),
        )


def _export_folder(path: Path) -> bool:
    """Only a folder of Markdown files alone is taken for an earlier export: --force
    never removes anything else."""
    with os.scandir(path) as entries:
        return all(
            entry.is_file(follow_symlinks=False) and entry.name.endswith(".md") for entry in entries
        )


def write_file(path: Path, text: Text, force: bool) -> None:
    from clientcoach.storage.store import write_file as write

    check_free(path, False, force)
    try:
        write(path, text, replace=force)
    except FileExistsError:
        raise _exists(path) from None  # created since the check: still not replaced
    except OSError as exc:
        raise _cannot(path, exc) from exc


def write_folder(path: Path, files: Iterable[tuple[str, str]], force: bool) -> int:
    """Build the folder beside ``path`` under a hidden name, then rename it into place;
    an earlier export replaced (with ``force``) is moved aside just before, and removed
    only once the new one is in place. A failure or a stop (Ctrl-C) at any point, while
    the files are made too, leaves the earlier export whole, where it was. How many
    files were written."""
    from clientcoach.storage.store import write_new

    check_free(path, True, force)
    building = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    built = False
    count = 0
    try:
        building.mkdir(mode=0o700)
        built = True
        for name, text in files:
            write_new(building / name, text)
            count += 1
        if os.path.lexists(path):
            path.rename(old)
        building.rename(path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise _cannot(path, exc) from exc
    finally:
        # What is on disk says how far it went, even after a stop between two steps.
        if built and not os.path.lexists(building):  # the new export is in place
            shutil.rmtree(old, ignore_errors=True)
        else:
            if os.path.lexists(old) and not os.path.lexists(path):
                old.rename(path)  # the earlier export back where it was
            shutil.rmtree(building, ignore_errors=True)
    return count


def _cannot(path: Path, exc: OSError) -> StorageError:
    return StorageError(
        _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror),
        _("check the folder exists and is writable"),
    )
