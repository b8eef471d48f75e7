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
    from clientcoach.playbook import Entry, Playbook
    from clientcoach.reflection import Reflection


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
    line.append(f"your {reflection.kind}")
    if reflection.client:  # a review of all clients has none
        line.append(" for ")
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
    elif reflection.kind == "review":
        hint = "Next month, run: coach review --last"
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
