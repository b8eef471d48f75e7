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
            autocompletion=completion.client,
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", "-a", help=_("Answers file (TOML or JSON): run without asking.")),
    ] = None,
) -> None:
    from clientcoach.app import deepdive as dives
    from clientcoach.app import scripted
    from clientcoach.app.workspace import library
    from clientcoach.cli.meeting import saved
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
    try:
        choice = dives.choose(store, ref)
    except dives.NoneWaiting as none:
        if ref is not None:
            raise
        from rich.text import Text

        terminal.console().print(Text(_("No deep-dive is waiting.")))
        if none.hint:
            terminal.console().print(Text(none.hint, style="dim"))
        return
    dive = choice.found
    if dive is None and asker is None and len(choice.pending) == 1:
        dive = choice.pending[0]  # a script with one waiting: that one; a terminal picks
    if dive is None:
        dive = _pick(choice.pending, asker)
    if dive is None:
        from rich.text import Text

        terminal.console().print(Text(_("Nothing walked.")))
        return
    given = scripted.load_answers(answers) if answers is not None else None
    reflection, path = dives.walk_later(
        store,
        library(root),
        dive,
        asker=asker,
        answers=given,
        answers_path=answers,
        now=now(),
        before=lambda: intro(dive),
    )
    saved(reflection, path)
    report_damaged(choice.damaged)


def _pick(found: list["FollowUp"], asker: "TerminalAsker | None") -> "FollowUp | None":
    """One of several deep-dives: picked at a terminal, else a usage error naming them."""
    from clientcoach.errors import UsageError
    from clientcoach.ui.deepdive import choice_line

    if asker is None:
        ids = ", ".join(d.short_id for d in found[:5])
        raise UsageError(
            _("{n} deep-dives are waiting ({ids})").format(n=len(found), ids=ids),
            _("name one: coach deepdive ID"),
        )
    picked = asker.ask_pick(
        _("Which deep-dive do you want to walk now?"),
        [choice_line(d) for d in found],
        _("Enter = none for now"),
    )
    return None if picked is None else found[picked]
