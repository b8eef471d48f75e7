"""Client memory commands: ``followups``, ``done``, ``history``, ``show``, ``clients``,
``brief``. Each parses, calls :mod:`clientcoach.app.clients`, and draws the result.

Only typer and the light ``cli.common``/``errors``/``i18n`` modules are imported at
module level, so ``coach --help`` does not pay for the store, insights or Rich tables.
"""

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from clientcoach.cli import completion
from clientcoach.cli.common import (
    command,
    print_json,
    print_json_items,
    report_damaged,
    watch_index,
)
from clientcoach.i18n import _
from clientcoach.ui.console import console, out, paged

if TYPE_CHECKING:
    from clientcoach.storage.store import Store

ClientOpt = Annotated[
    str | None,
    typer.Option(
        "--client",
        "-c",
        help=_("Only this client (a unique start of the name will do)."),
        shell_complete=completion.client,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON on stdout."))]


def _today() -> date:
    from clientcoach.storage.config import now

    return now().date()


def _store() -> "Store":
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    watch_index()
    return Store(data_dir())


@command("followups")
def followups(
    client: ClientOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=_("Only the overdue ones."))] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help=_("Include the follow-ups already done."))
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Open follow-ups from your debriefs, overdue first."""
    from clientcoach.app import clients as memory

    today = _today()
    shown, damaged = memory.followups(_store(), client, today, overdue=overdue, show_all=show_all)
    if as_json:
        print_json_items(f.to_json(today) for f in shown)
    elif shown:
        from clientcoach.ui.clients import follow_up_table, print_rows

        with paged() as con:
            print_rows(con, follow_up_table(shown, today))
    else:
        console().print(_("No overdue follow-ups.") if overdue else _("No open follow-ups."))
    if shown and not as_json and not overdue:
        console().print(_("Mark one done with: coach done ID"), style="dim")
        if any(f.kind == "deep_dive" for f in shown):
            console().print(_("Walk a deep-dive with: coach deepdive ID"), style="dim")
    report_damaged(damaged)


@command("done")
def done(
    follow_up: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help=_("The follow-up's id, as `coach followups` shows it."),
            shell_complete=completion.follow_up,
        ),
    ],
    undo: Annotated[
        bool, typer.Option("--undo", help=_("Open it again (a done mark given by mistake)."))
    ] = False,
    relayout: Annotated[
        bool,
        typer.Option(
            "--relayout",
            help=_(
                "Also lay the debrief's file out as clientcoach writes it, when a tool or an "
                "editor changed its layout (its data stays the same)."
            ),
        ),
    ] = False,
) -> None:
    """Mark a follow-up done (in the debrief that holds it); harmless when repeated."""
    from clientcoach.app import clients as memory
    from clientcoach.ui.messages import emit

    marked, damaged = memory.mark_done(_store(), follow_up, _today(), undo, relayout)
    if undo:
        line = (
            _("Open again: {what} ({client}).")
            if marked.changed
            else _("Not done: {what} ({client}). Nothing changed.")
        )
    else:
        line = (
            _("Done: {what} ({client}), marked {day}.")
            if marked.changed
            else _("Already done: {what} ({client}), marked {day}. Nothing changed.")
        )
    if marked.relaid:  # the mark stood, but the file was written: "Nothing changed" is wrong
        line = (
            _("Not done: {what} ({client}). Its file was laid out as clientcoach writes it.")
            if undo
            else _(
                "Already done: {what} ({client}), marked {day}. Its file was laid out as "
                "clientcoach writes it."
            )
        )
    found = marked.follow_up
    text = line.format(what=found.what, client=found.client, day=marked.day)
    emit((text, ""), soft_wrap=True)  # piped: a plain line, without loading Rich
    report_damaged(damaged)


# The filters of `coach history`, shared with `coach export`, which selects the same way.
KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind", "-k", help=_("prep, debrief or review."), shell_complete=completion.kind
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help=_("From this meeting date (YYYY-MM-DD, -30d...)."))
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help=_("Up to this meeting date, included."))
]
GrepOpt = Annotated[
    str | None,
    typer.Option("--grep", "-g", help=_("Only reflections whose answers contain this text.")),
]


@command("history")
def history(
    client: ClientOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    grep: GrepOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Your reflections, newest first; filter by client, kind, dates, or text in answers."""
    from clientcoach.app import clients as memory

    today = _today()
    found, damaged = memory.history(
        _store(),
        today,
        client=client,
        kind=kind,
        since=since,
        until=until,
        grep=grep,
    )
    if as_json:
        print_json_items(f.to_json() for f in found)
    elif found:
        from clientcoach.ui.clients import print_history

        with paged() as con:
            print_history(con, [(f.record, f.hits) for f in found], grep is not None)
    else:
        console().print(_("No reflection matches."))
    report_damaged(damaged)


@command("show")
def show(
    reflection: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help=_("Id (or a unique start of it), or a file."),
            shell_complete=completion.reflection,
        ),
    ],
    as_json: JsonOpt = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help=_("Print it as a Markdown document."))
    ] = False,
) -> None:
    """Show one reflection: every question asked and its answer."""
    from clientcoach.app import clients as memory
    from clientcoach.cli.common import one_format

    one_format(json=as_json, markdown=markdown)
    record = memory.show(_store(), reflection)
    if as_json:
        print_json(record)
    elif markdown:
        from clientcoach.ui.clients import show_markdown

        sys.stdout.write(show_markdown(record))
    else:
        from clientcoach.ui.clients import show_text

        with paged() as con:
            show_text(con, record)


@command("clients")
def clients(as_json: JsonOpt = False) -> None:
    """Your clients: meetings, when you last saw them, open follow-ups."""
    from clientcoach.app import clients as memory

    found, damaged = memory.clients(_store(), _today())
    if as_json:
        print_json_items(s.to_json() for s in found)
    elif found:
        from clientcoach.ui.clients import clients_table, print_rows

        with paged() as con:
            print_rows(con, clients_table(found))
    else:
        console().print(_("No clients yet: start with coach prep CLIENT."))
    report_damaged(damaged)


@command("brief")
def brief(
    client: Annotated[
        str,
        typer.Argument(
            metavar="CLIENT",
            help=_("The client (a unique start of the name will do)."),
            shell_complete=completion.client,
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """The brief `coach prep` shows before its first question, on its own."""
    from clientcoach.app import clients as memory

    today = _today()
    known, damaged = memory.brief(_store(), client, today)
    if as_json:
        print_json(known.to_json(today))
    else:
        from clientcoach.ui.clients import brief as show_brief

        show_brief(out(), known, today, before_prep=False)
    report_damaged(damaged)  # named on stderr, exit 7: as history and followups do
