"""``coach deepdive``: walk later what a debrief flagged for depth. Parse, one call into
:mod:`clientcoach.app.deepdive` to find it and one to walk it, render."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientcoach.cli import completion
from clientcoach.cli.common import command, report_damaged
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp
    from clientcoach.ui.terminal import TerminalAsker


@command(
    "deepdive",
    help=_(
        "Walk a deep-dive a debrief left for later (a hot moment's replay...), saved "
        "linked to that debrief. Without ID or CLIENT, pick one of those waiting. "
        "Example: coach deepdive acme"
    ),
)
def deepdive(
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|CLIENT]",
            help=_("The deep-dive's id (as `coach followups` shows it), or the client's name."),
            show_default=False,
            shell_complete=completion.client,
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", "-a", help=_("Answers file (TOML or JSON): run without asking.")),
    ] = None,
) -> None:
    from clientcoach.app import deepdive as dives
    from clientcoach.app.workspace import library
    from clientcoach.cli.common import saved
    from clientcoach.storage.config import data_dir, now
    from clientcoach.storage.store import Store
    from clientcoach.ui import console as terminal
    from clientcoach.ui.deepdive import intro

    asker = None
    if answers is None and terminal.is_terminal():
        from clientcoach.ui.terminal import TerminalAsker

        asker = TerminalAsker(terminal.console())
    root = data_dir()
    store = Store(root)

    def before(dive: "FollowUp") -> None:
        intro(dive)
        if asker is not None and (waiting := dives.unfinished(store, dive)):
            from clientcoach.ui.messages import unfinished

            unfinished(waiting)

    try:
        done = dives.deepdive(
            store,
            library(root),
            ref,
            asker=asker,
            pick=(lambda found: _pick(found, asker)) if asker is not None else None,
            answers_path=answers,
            now=now(),
            before=before,
        )
    except dives.NoneWaiting as none:
        if ref is not None:
            raise
        _say(_("No deep-dive is waiting."), none.hint)
        return
    if done is None:
        _say(_("Nothing walked."))
        return
    reflection, path, damaged = done
    saved(reflection, path)
    report_damaged(damaged)


def _say(line: str, hint: str | None = None) -> None:
    from rich.text import Text

    from clientcoach.ui.console import console

    console().print(Text(line))
    if hint:
        console().print(Text(hint, style="dim"))


def _pick(found: list["FollowUp"], asker: "TerminalAsker") -> "FollowUp | None":
    """One of several deep-dives, picked by a person at a terminal (Enter: none)."""
    from clientcoach.ui.deepdive import choice_line

    picked = asker.ask_pick(
        _("Which deep-dive do you want to walk now?"),
        [choice_line(d) for d in found],
        _("Enter = none for now"),
    )
    return None if picked is None else found[picked]
