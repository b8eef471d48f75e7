"""Rendering: consoles, tables and messages. Data goes to stdout, everything else to stderr."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from clientcoach.playbook import Entry, Playbook


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


def saved(console: Console, kind: str, client: str, reflection_id: str, path: Path) -> None:
    line = Text("Saved ", style="green")
    line.append(f"{kind} for ")
    line.append(client, style="bold")
    line.append(f" (id {reflection_id}) in {path}")
    console.print(line, soft_wrap=True)
    if kind == "prep":
        hint = f"After the meeting, run: coach debrief {_quote(client)}"
    elif kind == "debrief":
        hint = "At the end of the month, run: coach review"
    else:
        hint = "Saved reflections stay on this machine, in the data directory."
    console.print(Text(hint, style="dim"), soft_wrap=True)


def _quote(client: str) -> str:
    import shlex

    return shlex.quote(client)


def playbook_table(rows: list[tuple[Entry, Playbook | None, str | None]], data_dir: Path) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("kind")
    table.add_column("title")
    table.add_column("from")
    for entry, playbook, problem in rows:
        where = "built-in" if entry.origin == "built-in" else _short(entry.path, data_dir)
        if entry.shadows is not None:
            where += " (overrides built-in)"
        if playbook is None:
            table.add_row(entry.id, "?", Text(f"invalid: {problem}", style="red"), where)
        else:
            table.add_row(entry.id, playbook.kind, Text(playbook.title), where)
    return table


def _short(path: Path, data_dir: Path) -> str:
    try:
        return "~data/" + str(path.relative_to(data_dir))
    except ValueError:
        return str(path)


def is_terminal() -> bool:
    return sys.stdin.isatty()
