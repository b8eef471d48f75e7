"""The editor ``coach edit`` opens, and the lines of ``delete``, ``trash`` and ``restore``.

The text to edit goes to a private temporary folder (0700) as a 0600 file, never into
the data directory, and is removed once read back, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from clientcoach.errors import UsageError
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.app.edit import TrashItem


def editor_command() -> list[str]:
    """``$VISUAL``, else ``$EDITOR``, else ``vi``, split as a shell would."""
    chosen = os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip()
    if not chosen:
        from clientcoach.ui.console import is_terminal

        if not is_terminal():
            # vi on a pipe draws its screen into the output and waits for keys that
            # never come: only an editor the user chose can run without a terminal.
            raise UsageError(
                _("no terminal to open the editor on, and no $EDITOR set"),
                _("set $EDITOR to a command that edits the file it is given; nothing was changed"),
            )
        chosen = "vi"
    try:
        words = shlex.split(chosen)
    except ValueError as exc:
        raise UsageError(
            _("cannot read the editor command {command!r}: {reason}").format(
                command=chosen, reason=exc
            ),
            _("set $EDITOR (or $VISUAL) to your editor's command"),
        ) from None
    if not words:
        words = ["vi"]
    return words


def edit_text(text: str, name: str) -> str:
    """Open ``text`` in the user's editor; the text as saved when the editor ends."""
    command = editor_command()
    folder = Path(tempfile.mkdtemp(prefix="coach-edit-"))
    path = folder / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            with _ctrl_c_left_to_the_editor():
                done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise UsageError(
                _("cannot start the editor {command!r}: {reason}").format(
                    command=" ".join(command), reason=exc.strerror or exc
                ),
                _("set $EDITOR (or $VISUAL) to your editor's command; nothing was changed"),
            ) from None
        if done.returncode == -signal.SIGINT:
            raise KeyboardInterrupt  # the editor was stopped with Ctrl-C: so is the edit
        if done.returncode != 0:
            raise UsageError(
                _("the editor {command!r} ended with status {code}").format(
                    command=" ".join(command), code=done.returncode
                ),
                _("nothing was changed"),
            )
        try:
            # "-sig": an editor that saves a byte-order mark (Notepad) adds no text.
            return path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return ""  # the editor removed it: as good as emptied
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _ctrl_c_left_to_the_editor() -> Iterator[None]:
    """While the editor runs, Ctrl-C is the editor's: an editor that does not take the
    keyboard raw (``code --wait``, a script) gets it as a signal, and so would coach,
    which stopped and dropped what the editor then saved. A handler that does nothing,
    not ``SIG_IGN``: the editor, started after, gets the default one back at ``exec``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _ignore)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore(signum: int, frame: object) -> None:
    del signum, frame


def _kind(kind: object) -> str:
    from clientcoach.ui.messages import kind_name

    return kind_name(str(kind))


def summary(record: dict[str, Any]) -> str:
    """A reflection in one line: kind, client, meeting date and title, id."""
    from clientcoach.ui.render import client_label

    meeting = record.get("meeting") if isinstance(record.get("meeting"), dict) else {}
    parts = [_kind(record.get("kind")), client_label(str(record.get("client", "")))]
    parts.append(str((meeting or {}).get("date", "?")))
    title = (meeting or {}).get("title")
    if title:
        parts.append(str(title))
    return " · ".join(parts) + f" ({record.get('id')})"


def trash_rows(items: Sequence[TrashItem]) -> tuple[list[str], list[list[Text]]]:
    columns = [_("id"), _("meeting"), _("client"), _("kind"), _("deleted")]
    rows: list[list[Text]] = []
    for item in items:
        shown = item.to_json()
        deleted = item.trashed.deleted_at()
        if item.record is None:
            rows.append(
                [
                    Text(str(shown["id"])),
                    Text("?"),
                    Text(_("damaged: {reason}").format(reason=item.damaged), style="red"),
                    Text("?"),
                    Text(f"{deleted:%Y-%m-%d %H:%M}" if deleted else "?"),
                ]
            )
            continue
        from clientcoach.ui.render import client_label

        rows.append(
            [
                Text(str(shown["id"])),
                Text(str(shown["date"])),
                Text(client_label(str(shown["client"] or ""))),
                Text(_kind(shown["kind"])),
                Text(f"{deleted:%Y-%m-%d %H:%M}" if deleted else "?"),
            ]
        )
    return columns, rows


def print_trash(console: Console, items: Sequence[TrashItem]) -> None:
    """The trash as a table (as stacks on a narrow terminal); the id is never cut."""
    from rich import box
    from rich.table import Table

    from clientcoach.ui.render import NARROW, stacked

    columns, rows = trash_rows(items)
    if console.width < NARROW:
        stacked(console, columns, rows)
        return
    table = Table(show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
    for index, name in enumerate(columns):
        table.add_column(name, no_wrap=index != 2)
    for row in rows:
        table.add_row(*row)
    console.print(table)
