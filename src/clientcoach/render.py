"""Rendering: consoles, tables and messages. Data goes to stdout, everything else to stderr."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from clientcoach.draft import Changes, Draft
    from clientcoach.playbook import Entry, Playbook
    from clientcoach.reflection import Reflection
    from clientcoach.store import Damaged


def _color_allowed(no_color: bool) -> bool:
    return not (no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb")


def err_console(no_color: bool = False) -> Console:
    """Messages and prompts, on standard error."""
    color = _color_allowed(no_color)
    return Console(
        stderr=True,
        no_color=not color,
        highlight=False,
        emoji=False,
        color_system="auto" if color else None,
    )


def out_console(no_color: bool = False) -> Console:
    """Data, on standard output; plain whenever it is not a terminal."""
    color = _color_allowed(no_color)
    return Console(
        highlight=False, emoji=False, no_color=not color, color_system="auto" if color else None
    )


def error_line(console: Console, message: str, hint: str | None = None) -> None:
    line = Text("coach: error: ", style="bold red")
    line.append(message)
    if hint:
        line.append(f" ({hint})", style="")
    console.print(line, soft_wrap=True)


def saved(console: Console, reflection: Reflection, path: Path, show_path: bool) -> None:
    """Where the reflection went, and what to run next."""
    line = Text("Saved ", style="green")
    line.append(f"your {reflection.kind} for ")
    line.append(reflection.client, style="bold")
    line.append(f" (id {reflection.id})")
    if show_path:
        line.append(f" in {path}")
    console.print(line, soft_wrap=True)
    client = _quote(reflection.client)
    if reflection.kind == "prep":
        hint = f"Right after the meeting, run: coach debrief {client}"
    elif reflection.kind == "debrief":
        hint = f"Before your next meeting with them, run: coach prep {client}"
    else:
        hint = "Your reflections stay on this machine, in the data directory."
    console.print(Text(hint, style="dim"))


def linked(console: Console, prep: Reflection) -> None:
    line = Text(f"Following your prep of {prep.meeting.date:%Y-%m-%d}", style="dim")
    if prep.meeting.title:
        line.append(" (")
        line.append(prep.meeting.title)
        line.append(")")
    line.append(f", id {prep.id}.")
    console.print(line)


def _quote(client: str) -> str:
    import shlex

    return shlex.quote(client)


def playbook_table(rows: list[tuple[Entry, Playbook | None, str | None]], data_dir: Path) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
    table.add_column("id", no_wrap=True)
    table.add_column("kind")
    table.add_column("title")
    table.add_column("from")
    for entry, playbook, problem in rows:
        where = "built-in" if entry.origin == "built-in" else _short(entry.path, data_dir)
        if entry.shadows is not None:
            where += " (overrides built-in)"
        # Every cell is Text: ids, paths and titles are shown as they are, never as markup.
        if playbook is None:
            detail = (problem or "").replace(str(entry.path), entry.path.name)
            table.add_row(Text(entry.id), "?", Text(f"invalid: {detail}", style="red"), Text(where))
        else:
            table.add_row(Text(entry.id), playbook.kind, Text(playbook.title), Text(where))
    return table


def _short(path: Path, data_dir: Path) -> str:
    try:
        return "~data/" + str(path.relative_to(data_dir))
    except ValueError:
        return str(path)


def is_terminal() -> bool:
    return sys.stdin.isatty()


def damaged(console: Console, files: Sequence[Damaged]) -> int:
    """Name each damaged file once, with why, on the message console; how many there were."""
    from clientcoach.i18n import _

    seen: set[str] = set()
    for item in files:
        key = str(item.path)
        if key in seen:
            continue
        seen.add(key)
        line = Text(_("skipped damaged file "), style="yellow")
        line.append(key)
        line.append(": " + item.reason)
        console.print(line, soft_wrap=True)
    if seen:
        console.print(
            Text(
                _(
                    "{count} damaged file(s) skipped and left as they are; "
                    "`coach doctor --quarantine` moves them aside."
                ).format(count=len(seen)),
                style="dim",
            ),
            soft_wrap=True,
        )
    return len(seen)


def draft_table(drafts: Sequence[tuple[Path, Draft]]) -> Table:
    from clientcoach.i18n import _

    table = Table(show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
    for title in (_("id"), _("kind"), _("client"), _("meeting"), _("answers"), _("last answer")):
        table.add_column(title)
    for _path, draft in drafts:
        table.add_row(
            Text(draft.id),
            draft.kind,
            Text(draft.client),
            f"{draft.meeting.date:%Y-%m-%d}",
            str(draft.count),
            f"{draft.updated_at:%Y-%m-%d %H:%M}",
        )
    return table


def resuming(console: Console, draft: Draft, changes: Changes) -> None:
    from clientcoach.i18n import _

    line = Text(_("Resuming your {kind} for ").format(kind=draft.kind))
    line.append(draft.client, style="bold")
    line.append(
        _(" ({count} answer(s), started {started:%Y-%m-%d %H:%M}, draft {id}).").format(
            count=draft.count, started=draft.started_at, id=draft.id
        )
    )
    console.print(line, soft_wrap=True)
    if not changes.any:
        return
    console.print(
        Text(_("The playbook changed since this draft was saved."), style="yellow"),
        soft_wrap=True,
    )
    if changes.dropped:
        text = _("Steps no longer in it: {steps}").format(steps=", ".join(changes.dropped))
        if changes.lost_answers:
            text += _(" ({count} answer(s) to them are left out)").format(
                count=changes.lost_answers
            )
        console.print(Text("  " + text), soft_wrap=True)
    if changes.added:
        text = _("New steps, asked when you reach them: {steps}").format(
            steps=", ".join(changes.added)
        )
        console.print(Text("  " + text), soft_wrap=True)
