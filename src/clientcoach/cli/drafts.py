"""Drafts: list unfinished runs, resume one where it stopped, or discard one."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli.common import console, guard, out, report_damaged
from clientcoach.errors import AnswersError, CoachError, UsageError
from clientcoach.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from clientcoach.cli.clients import Memory
    from clientcoach.model.draft import Draft
    from clientcoach.model.playbook import Playbook
    from clientcoach.storage.store import Store

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print the drafts as JSON."))]


def register(app: typer.Typer) -> None:
    drafts_app = typer.Typer(
        help=_("List unfinished runs (drafts); discard one."),
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @drafts_app.callback()
    def drafts_default(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        if ctx.invoked_subcommand is None:
            with guard():
                _list(as_json)

    @drafts_app.command("list")
    def drafts_list(as_json: JsonOpt = False) -> None:
        """Every draft, most recent first."""
        with guard():
            _list(as_json)

    @drafts_app.command("discard")
    def drafts_discard(
        draft_id: Annotated[
            str, typer.Argument(metavar="ID", help=_("The draft's id (or its start)."))
        ],
        yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask to confirm."))] = False,
    ) -> None:
        """Delete a draft and the answers it holds."""
        with guard():
            _discard(draft_id, yes)

    app.add_typer(drafts_app, name="drafts")

    @app.command()
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
        with guard():
            if list_only:
                _list(False)
                return
            _resume(draft_id)


def _list(as_json: bool) -> None:
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store
    from clientcoach.ui.render import print_drafts

    drafts, damaged = Store(data_dir()).scan_drafts()
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
            for path, d in drafts
        ]
        import json  # only the commands that print JSON pay for it

        out().print_json(json.dumps({"drafts": rows}))
    elif drafts:
        print_drafts(out(), drafts)
        console().print(_("Continue one with: coach resume ID"), style="dim")
    else:
        console().print(_("No drafts: every run was finished or discarded."))
    report_damaged(damaged)


def _discard(ref: str, yes: bool) -> None:
    from clientcoach.cli.common import is_terminal
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store
    from clientcoach.ui.render import client_label

    store = Store(data_dir())
    _path, draft = store.find_draft(ref)
    if not yes:
        if not is_terminal():
            raise UsageError(
                _("discarding a draft needs a confirmation"), _("add --yes to discard it")
            )
        question = _("Discard draft {id} ({kind} for {client}, {count} answer(s))?").format(
            id=draft.id, kind=draft.kind, client=client_label(draft.client), count=draft.count
        )
        if not typer.confirm(question, default=False, err=True):
            console().print(_("Kept."))
            return
    store.remove_draft(draft.id)
    console().print(_("Discarded draft {id}.").format(id=draft.id))


def _resume(ref: str | None) -> None:
    from clientcoach.app import session
    from clientcoach.cli.common import is_terminal
    from clientcoach.core.engine import Run
    from clientcoach.errors import PlaybookError
    from clientcoach.model.draft import compare
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.config import now as clock
    from clientcoach.storage.store import Store
    from clientcoach.ui.render import client_label, resuming
    from clientcoach.ui.terminal import TerminalAsker

    root = data_dir()
    store = Store(root)
    if ref is None:
        drafts, damaged = store.scan_drafts()
        if len(drafts) != 1:
            _list(False)
            if drafts:
                raise UsageError(
                    _("there are {count} drafts").format(count=len(drafts)),
                    _("name one: coach resume ID"),
                )
            return
        from clientcoach.ui.render import damaged as name_damaged

        name_damaged(console(), damaged)  # named, but they do not stop the resume
        _path, draft = drafts[0]
    else:
        _path, draft = store.find_draft(ref)
    if not is_terminal():
        raise AnswersError(
            _("standard input is not a terminal, so draft {id} cannot be resumed").format(
                id=draft.id
            ),
            _("run coach resume in a terminal"),
        )
    from clientcoach import i18n
    from clientcoach.storage.playbooks import Library, PlaybookCache, user_playbook_dirs

    # A resumed run goes on in the language it was started in (unless --lang says
    # otherwise): its questions, and the prompts saved with its answers, stay in one.
    language = draft.playbook.language
    if language in i18n.SUPPORTED and not i18n.chosen_by_option():
        i18n.set_language(language)
    lib = Library(user_playbook_dirs(root), language=i18n.language(), kept=PlaybookCache(root))
    source = Path(draft.playbook.path) if draft.playbook.path else None
    try:
        playbook = lib.load_path(source) if source is not None else lib.get(draft.playbook.id)
    except PlaybookError as exc:
        raise PlaybookError(
            exc.message,
            _(
                "the draft is kept; fix the playbook, or drop the draft: coach drafts discard {id}"
            ).format(id=draft.id),
        ) from None
    included = lib.resolve(playbook)
    meta = session.Meta(
        kind=draft.kind,
        client=draft.client,
        title=draft.meeting.title,
        day=draft.meeting.date,
        playbook=playbook,
        included=included,
        prep=draft.links.prep,
        started_at=draft.started_at,
        source=source,
        extra=_kept_fields(draft),
    )
    changes = compare(draft, playbook, included)
    # From now on the draft describes the playbook as it is, so a second stop and resume
    # does not report the same changes again.
    draft = draft.replace(playbook=session.new_draft(meta).playbook)
    con = console()
    asker = TerminalAsker(con)
    asker.pending = draft.pending()
    asker.remember(draft.offered())
    resuming(con, draft, changes)
    today = clock().date()
    # The run knows again what it knew when it started: without the linked prep's plan,
    # a debrief's plan-versus-outcome steps would vanish and their answers with them.
    memory = _memory(store, draft, playbook, included, today)
    if memory is not None and memory.plan:
        from clientcoach.ui.messages import plan

        plan(memory.plan)  # shown again: the steps ahead compare the meeting with it
    asker.intro(playbook, client_label(draft.client), draft.meeting.title)
    if memory is not None:
        run = memory.run(playbook, included, today)
    else:
        run = Run(playbook, included, today)
        _focus(con, meta.extra)
    final = session.walk(asker, run, store, meta, draft)
    session.save(store, run, meta, final)


def _memory(
    store: "Store",
    draft: "Draft",
    playbook: "Playbook",
    included: "dict[str, Playbook]",
    today: date,
) -> "Memory | None":
    """A prep's or debrief's memory of earlier reflections, rebuilt for a resumed run."""
    from clientcoach.cli.clients import recall

    if draft.kind not in ("prep", "debrief"):
        return None
    prep = None
    if draft.links.prep:
        try:
            _path, prep = store.find(draft.links.prep)
        except CoachError:
            prep = None  # removed or damaged since: the plan steps are skipped, as in a run
    return recall(draft.kind, store, draft.client, playbook, included, prep, today)


def _kept_fields(draft: "Draft") -> dict[str, Any]:
    """The record fields a command kept in the draft (a monthly review's period).

    Only known ones, checked now: a hand-edited draft must not fail at the final save.
    """
    from pydantic import ValidationError

    from clientcoach.model.reflection import ReviewInfo

    review = draft.extra().get("review")
    if draft.kind != "review" or review is None:
        return {}
    try:
        return {"review": ReviewInfo.model_validate(review)}
    except ValidationError:
        return {}  # saved without its period, as a draft from an older version would be


def _focus(con: "Console", extra: dict[str, Any]) -> None:
    """Remind a resumed monthly reflection of the mistake it builds on."""
    from rich.text import Text

    review = extra.get("review")
    mistake = getattr(review, "top_repeated_mistake", None)
    if isinstance(mistake, str) and mistake:
        line = Text(_("Your most repeated mistake: "), style="bold")
        line.append(mistake)
        con.print(line, soft_wrap=True)
