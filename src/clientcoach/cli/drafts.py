"""Drafts: list unfinished runs, resume one where it stopped, or discard one."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli.common import callback, command, group, report_damaged
from clientcoach.errors import UsageError
from clientcoach.i18n import _, ngettext
from clientcoach.ui import console as terminal
from clientcoach.ui.console import console, out

if TYPE_CHECKING:
    from rich.console import Console

    from clientcoach.model.draft import Draft
    from clientcoach.storage.store import Damaged, Store

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print the drafts as JSON."))]

drafts = group(
    "drafts", _("List unfinished runs (drafts); discard one."), invoke_without_command=True
)


@callback(drafts)
def drafts_default(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    if ctx.invoked_subcommand is None:
        _list(as_json)


@command("list", parent=drafts)
def drafts_list(as_json: JsonOpt = False) -> None:
    """Every draft, most recent first."""
    _list(as_json)


@command("discard", parent=drafts)
def drafts_discard(
    draft_id: Annotated[
        str, typer.Argument(metavar="ID", help=_("The draft's id (or its start)."))
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask to confirm."))] = False,
) -> None:
    """Delete a draft and the answers it holds."""
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store
    from clientcoach.ui.render import client_label

    store = Store(data_dir())
    _path, draft = store.find_draft(draft_id)
    if not yes:
        if not terminal.is_terminal():
            raise UsageError(
                _("discarding a draft needs a confirmation"), _("add --yes to discard it")
            )
        question = ngettext(
            "Discard draft {id} ({kind} for {client}, {count} answer)?",
            "Discard draft {id} ({kind} for {client}, {count} answers)?",
            draft.count,
        ).format(id=draft.id, kind=draft.kind, client=client_label(draft.client), count=draft.count)
        from clientcoach.ui.terminal import confirm

        if not confirm(console(), question):
            console().print(_("Kept."))
            return
    store.remove_draft(draft.id)
    console().print(_("Discarded draft {id}.").format(id=draft.id))


@command("resume")
def resume(
    draft_id: Annotated[
        str | None,
        typer.Argument(
            metavar="ID",
            help=_("The draft's id (or its start); default: the only draft."),
            show_default=False,
        ),
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help=_("List the drafts."))] = False,
) -> None:
    """Continue an interrupted prep or debrief where it stopped."""
    if list_only:
        _list(False)
        return
    from clientcoach.app import resume as use
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    store = Store(data_dir())
    try:
        draft, damaged = use.pick(store, draft_id)
    except use.ManyDrafts as many:
        if many.count > 1 and terminal.is_terminal():
            chosen = _which(many.drafts)
            if chosen is None:
                return
            draft, damaged = chosen, many.damaged
        else:
            _list(False)
            if many.count:
                raise
            return
    continue_draft(store, draft, damaged)


def continue_draft(store: "Store", draft: "Draft", damaged: "list[Damaged] | None" = None) -> None:
    """Go on with ``draft`` where it stopped, at this terminal, and save it: `coach
    resume`, and a prep or debrief started again while its draft waits."""
    from clientcoach.app import resume as use
    from clientcoach.app import session
    from clientcoach.cli.common import saved
    from clientcoach.cli.language import chosen_by_option
    from clientcoach.storage.config import now
    from clientcoach.ui.render import client_label, resuming
    from clientcoach.ui.render import damaged as name_damaged
    from clientcoach.ui.terminal import TerminalAsker

    name_damaged(console(), damaged or [])  # named, but they do not stop the resume
    found = use.resume(
        store, draft, terminal=terminal.is_terminal(), language_given=chosen_by_option(), now=now()
    )
    con = console()
    asker = TerminalAsker(con)
    asker.pending = found.draft.pending()
    asker.links = found.links
    asker.remember(found.draft.offered(), found.draft.halfway())
    resuming(con, found.draft, found.changes)
    if found.recorded is not None:
        from clientcoach.ui.messages import recorded_since

        recorded_since(found.draft, found.recorded)
    if found.memory is not None and found.memory.plan:
        from clientcoach.ui.messages import plan

        plan(found.memory.plan)  # shown again: the steps ahead compare the meeting with it
    asker.intro(found.meta.playbook, client_label(draft.client), draft.meeting.title)
    if found.memory is None:
        _focus(con, found.meta.extra)
    final = session.walk(asker, found.run, store, found.meta, found.draft)
    saved(*session.save(store, found.run, found.meta, final))


def _which(drafts: "list[Draft]") -> "Draft | None":
    """The draft a person picks, newest first; None for Enter."""
    from clientcoach.ui.messages import kind_name
    from clientcoach.ui.terminal import TerminalAsker

    # Two drafts of one meeting differ only by how far each got: the count tells them apart.
    options = [
        f"{kind_name(d.kind)} · {d.client} · {d.started_at:%Y-%m-%d %H:%M} · "
        + ngettext("{count} answer", "{count} answers", d.count).format(count=d.count)
        + f" · {d.id}"
        for d in drafts
    ]
    picked = TerminalAsker(console()).ask_pick(
        _("Which draft do you want to continue?"), options, _("Enter = none")
    )
    return None if picked is None else drafts[picked]


def _list(as_json: bool) -> None:
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store
    from clientcoach.ui.render import print_drafts

    found, damaged = Store(data_dir()).scan_drafts()
    if as_json:
        rows = [
            {
                "id": d.id,
                "kind": d.kind,
                "client": d.client,
                "meeting": {"title": d.meeting.title, "date": d.meeting.date.isoformat()},
                "playbook": d.playbook.id,
                "answers": d.count,
                "started_at": d.started_at.isoformat(),
                "updated_at": d.updated_at.isoformat(),
                "path": str(path),
            }
            for path, d in found
        ]
        import json  # only the commands that print JSON pay for it

        out().print_json(json.dumps({"drafts": rows}))
    elif found:
        print_drafts(out(), found)
        console().print(_("Continue one with: coach resume ID"), style="dim")
    elif damaged:
        console().print(_("No draft can be read: each one that cannot is named below."))
    else:
        console().print(_("No drafts: every run was finished or discarded."))
    report_damaged(damaged)


def _focus(con: "Console", extra: dict[str, Any]) -> None:
    """Remind a resumed monthly reflection of the focus points and the mistake it
    builds on."""
    from rich.text import Text

    review = extra.get("review")
    points = getattr(review, "focus", None)
    if isinstance(points, list) and points:
        con.print(Text(_("Focus for next month"), style="bold underline"))
        for number, point in enumerate(points, 1):
            if isinstance(point, str):
                con.print(Text(f"{number}. {point}"), soft_wrap=True)
    mistake = getattr(review, "top_repeated_mistake", None)
    if isinstance(mistake, str) and mistake:
        line = Text(_("Your most repeated mistake: "), style="bold")
        line.append(mistake)
        con.print(line, soft_wrap=True)
