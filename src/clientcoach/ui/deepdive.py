"""Rendering deep-dives: the ones waiting, what a walk shows before its first question,
and the brief's line about them."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from clientcoach.i18n import _
from clientcoach.insights.clients import FollowUp
from clientcoach.ui.messages import emit


def choice_line(dive: FollowUp) -> str:
    """One deep-dive as a line of a list to pick from."""
    return _("{what} · {client}, meeting of {day} [{id}]").format(
        what=dive.what, client=dive.client, day=dive.meeting.isoformat(), id=dive.short_id
    )


def waiting(console: Console, found: list[FollowUp]) -> None:
    """The deep-dives waiting, one a line, and how to walk one."""
    console.print(Text(_("Deep-dives waiting:"), style="bold"))
    for dive in found:
        console.print(Text("  " + choice_line(dive)), soft_wrap=True)
    console.print(Text(_("Walk one with: coach deepdive ID"), style="dim"))


def intro(dive: FollowUp) -> None:
    """What a walk shows before its first question: the debrief it deepens."""
    line = _("{what}, left for later by your debrief of {day} with {client}.").format(
        day=dive.meeting.isoformat(), client=dive.client, what=dive.what
    )
    emit((line, "dim"), soft_wrap=True)


def in_brief(console: Console, found: list[FollowUp]) -> None:
    """The brief's lines about deep-dives still waiting for this client."""
    if not found:
        return
    console.print(Text(_("Deep-dives waiting:"), style="bold"))
    for dive in found:
        line = Text("  " + dive.what)
        line.append(f"  [coach deepdive {dive.short_id}]", style="dim")
        console.print(line, soft_wrap=True)
