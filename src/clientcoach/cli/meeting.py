"""``coach prep`` and ``coach debrief``: parse, call :func:`clientcoach.app.meeting.meet`,
say where the reflection went."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from clientcoach.cli import completion
from clientcoach.cli.common import command, saved, watch_index
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.app.memory import Memory
    from clientcoach.insights.clients import FollowUp
    from clientcoach.model.draft import Draft
    from clientcoach.model.reflection import Reflection

ClientArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CLIENT",
        help=_("The client's name (asked for when not given)."),
        show_default=False,
        shell_complete=completion.client,
    ),
]
PlaybookOpt = Annotated[
    str | None,
    typer.Option(
        "--playbook",
        "-p",
        help=_("Playbook id or .toml file to walk instead of the default."),
        shell_complete=completion.playbook,
    ),
]
AnswersOpt = Annotated[
    Path | None,
    typer.Option("--answers", "-a", help=_("Answers file (TOML or JSON): run without asking.")),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", help=_("Meeting date: YYYY-MM-DD, yesterday, -2d... (default today).")
    ),
]
MeetingOpt = Annotated[str | None, typer.Option("--meeting", "-m", help=_("Meeting title."))]
QuickOpt = Annotated[
    bool,
    typer.Option(
        "--quick",
        help=_("Walk the quick playbook (a few questions) this time, whatever the mode setting."),
    ),
]
FullOpt = Annotated[
    bool,
    typer.Option("--full", help=_("Walk the full playbook this time, whatever the mode setting.")),
]
NewClientOpt = Annotated[
    bool,
    typer.Option(
        "--new-client",
        help=_("The client named is a new one, even if the name is close to a known client's."),
    ),
]


@command(help=_("Prepare a client meeting: walk the prep playbook and save it."))
def prep(
    client: ClientArg = None,
    playbook: PlaybookOpt = None,
    answers: AnswersOpt = None,
    meeting_date: DateOpt = None,
    meeting: MeetingOpt = None,
    quick: QuickOpt = False,
    full: FullOpt = False,
    new_client: NewClientOpt = False,
) -> None:
    mode = _mode(quick, full)
    _meet("prep", client, playbook, answers, meeting_date, meeting, None, mode, new_client)


@command(help=_("Debrief a client meeting right after it: walk the debrief playbook and save it."))
def debrief(
    client: ClientArg = None,
    playbook: PlaybookOpt = None,
    answers: AnswersOpt = None,
    meeting_date: DateOpt = None,
    meeting: MeetingOpt = None,
    prep_id: Annotated[
        str | None,
        typer.Option(
            "--prep",
            help=_(
                "Id of the prep this debrief follows; 'none' for no link "
                "(default: the client's latest prep)."
            ),
        ),
    ] = None,
    quick: QuickOpt = False,
    full: FullOpt = False,
    new_client: NewClientOpt = False,
) -> None:
    mode = _mode(quick, full)
    _meet("debrief", client, playbook, answers, meeting_date, meeting, prep_id, mode, new_client)


def _mode(quick: bool, full: bool) -> Literal["quick", "full"] | None:
    """The mode asked for on the command line; None leaves it to the config file."""
    if quick and full:
        from clientcoach.errors import UsageError

        raise UsageError(_("--quick and --full cannot be used together"), _("pick one"))
    return "quick" if quick else "full" if full else None


class _Shown:
    """What a meeting run shows around its questions, drawn for the terminal or a pipe."""

    def linked(self, prep: "Reflection") -> None:
        from clientcoach.ui.messages import linked

        linked(prep)

    def not_linked(self, prep: "Reflection") -> None:
        from clientcoach.ui.messages import not_linked

        not_linked(prep)

    def unfinished(self, drafts: "list[Draft]") -> None:
        from clientcoach.ui.messages import unfinished

        unfinished(drafts, offered=True)

    def deep_dive_waiting(self, dive: "FollowUp", scripted: bool) -> None:
        from clientcoach.ui.messages import deep_dive_waiting

        deep_dive_waiting(dive, scripted)

    def before_questions(self, memory: "Memory", today: date) -> None:
        """The brief (prep) or the plan (debrief), on standard error.

        A terminal run shows it before the first question; a scripted run once its
        answers were all accepted, so that a bad answers file still gets a one-line error.
        """
        if memory.brief is None:
            from clientcoach.ui.messages import plan

            plan(memory.plan)  # lines of text: no Rich when no one is looking
            return
        from clientcoach.ui.clients import brief
        from clientcoach.ui.console import console

        brief(console(), memory.brief, today, damaged=memory.damaged)


def _meet(
    kind: Literal["prep", "debrief"],
    client: str | None,
    playbook: str | None,
    answers: Path | None,
    meeting_date: str | None,
    title: str | None,
    prep: str | None,
    mode: Literal["quick", "full"] | None,
    new_client: bool = False,
) -> None:
    from clientcoach.app.meeting import ContinueDraft, MeetingRequest, WalkDeepDive, meet
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir, now
    from clientcoach.ui import console as terminal

    asker = None
    if answers is None and terminal.is_terminal():
        from clientcoach.ui.terminal import TerminalAsker

        asker = TerminalAsker(terminal.console())
    root = data_dir()
    request = MeetingRequest(
        kind, client, playbook, answers, meeting_date, title, prep, mode, new_client
    )
    watch_index()
    try:
        reflection, path = meet(
            request,
            root=root,
            library=library(root),
            asker=asker,
            pick=asker.pick_client if asker is not None else None,
            show=_Shown(),
            now=now(),
        )
    except ContinueDraft as chosen:
        from clientcoach.cli.drafts import continue_draft
        from clientcoach.storage.store import Store
        from clientcoach.ui.messages import emit

        if chosen.ignored:
            emit(
                (
                    _(
                        "The draft goes on as it was started: its day, playbook, title and "
                        "prep link; what this command gave does not apply to it."
                    ),
                    "yellow",
                ),
                soft_wrap=True,
            )
        continue_draft(Store(root), chosen.draft)
        return
    except WalkDeepDive as chosen:
        from clientcoach.cli.deepdive import deepdive

        deepdive(chosen.dive.id, None)
        return
    saved(reflection, path)
