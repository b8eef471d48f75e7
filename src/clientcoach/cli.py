"""The command line: parse options, call the core, render, map errors to exit codes.

Heavy modules (pydantic models, the engine, the store) are imported inside the commands
that use them, so ``coach --version`` and ``coach --help`` start quickly.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from clientcoach import __version__, cmd_review
from clientcoach.clikit import STATE, console, guard, library, out, silence_stdout
from clientcoach.errors import UsageError

if TYPE_CHECKING:
    from clientcoach.ask import TerminalAsker
    from clientcoach.playbook import Entry, Library, Playbook
    from clientcoach.reflection import Reflection
    from clientcoach.store import Store

app = typer.Typer(
    name="coach",
    help="Self-coaching for client meetings: prep before, debrief after, review monthly.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
playbooks_app = typer.Typer(
    help="List the playbooks (built-in and your own).",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(playbooks_app, name="playbooks")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coach (clientcoach) {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours or styles.")] = False,
) -> None:
    STATE.debug = debug
    STATE.no_color = no_color


# --- prep and debrief -----------------------------------------------------------------

ClientArg = Annotated[
    str | None,
    typer.Argument(help="The client's name (asked for when not given).", show_default=False),
]
PlaybookOpt = Annotated[
    str | None,
    typer.Option(
        "--playbook", "-p", help="Playbook id or .toml file to walk instead of the default."
    ),
]
AnswersOpt = Annotated[
    Path | None,
    typer.Option("--answers", "-a", help="Answers file (TOML or JSON): run without asking."),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", help="Meeting date: YYYY-MM-DD, yesterday, -2d... (default today)."
    ),
]
MeetingOpt = Annotated[str | None, typer.Option("--meeting", "-m", help="Meeting title.")]


@app.command()
def prep(
    client: ClientArg = None,
    playbook: PlaybookOpt = None,
    answers: AnswersOpt = None,
    meeting_date: DateOpt = None,
    meeting: MeetingOpt = None,
) -> None:
    """Prepare a client meeting: walk the prep playbook and save it."""
    with guard():
        _meeting_run("prep", client, playbook, answers, meeting_date, meeting, None)


@app.command()
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
            help="Id of the prep this debrief follows; 'none' for no link "
            "(default: the client's latest prep).",
        ),
    ] = None,
) -> None:
    """Debrief a client meeting right after it: walk the debrief playbook and save it."""
    with guard():
        _meeting_run("debrief", client, playbook, answers, meeting_date, meeting, prep_id)


def _meeting_run(
    kind: Literal["prep", "debrief"],
    client: str | None,
    playbook_ref: str | None,
    answers_path: Path | None,
    meeting_date: str | None,
    meeting_title: str | None,
    prep_ref: str | None,
) -> None:
    from clientcoach import ask, render
    from clientcoach.config import data_dir
    from clientcoach.config import now as clock
    from clientcoach.engine import AnswerError, parse_date
    from clientcoach.reflection import Links, Meeting
    from clientcoach.store import Store

    now = clock()
    today = now.date()
    root = data_dir()
    store = Store(root)
    lib = library(root)
    playbook = _pick_playbook(lib, playbook_ref, kind)
    included = lib.resolve(playbook)
    try:
        day = parse_date(meeting_date, today) if meeting_date else today
    except AnswerError as exc:
        raise UsageError(f"--date: {exc}") from None

    answers = ask.load_answers(answers_path) if answers_path is not None else None
    interactive = answers is None and render.is_terminal()
    con = console()
    asker = ask.TerminalAsker(con) if interactive else None

    if client is None:
        if asker is None:
            raise UsageError("no client given", f"name the client: coach {kind} CLIENT")
        client = asker.ask_text("Which client is this meeting with?")
    client = _clean_client(client)

    prep: Reflection | None = None
    if kind == "debrief":
        prep = _linked_prep(store, client, prep_ref, day)
        if prep is not None:
            meeting_title = meeting_title or prep.meeting.title
            render.linked(con, prep)

    _, path = walk_and_save(
        store,
        playbook,
        included,
        {
            "kind": kind,
            "client": client,
            "meeting": Meeting(title=meeting_title, date=day),
            "links": Links(prep=prep.id if prep else None),
        },
        now=now,
        answers=answers,
        answers_path=answers_path,
        asker=asker,
        heading=client,
    )
    if not sys.stdout.isatty():
        typer.echo(str(path))  # for scripts: path=$(coach prep ACME --answers a.toml)


def walk_and_save(
    store: Store,
    playbook: Playbook,
    included: dict[str, Playbook],
    known: dict[str, Any],
    *,
    now: datetime,
    answers: dict[str, Any] | None,
    answers_path: Path | None,
    asker: TerminalAsker | None,
    heading: str,
) -> tuple[Reflection, Path]:
    """Walk a playbook (from an answers file, or asking) and save the reflection.

    ``known`` holds the record's fields the command knows before the walk (kind, client,
    meeting, links...); the walk adds the answers, the playbook and the times. Shared by every
    command that saves a reflection, so they all save the same way.
    """
    from clientcoach import ask, render
    from clientcoach.config import now as clock
    from clientcoach.engine import Run
    from clientcoach.reflection import PlaybookRef, Reflection, new_id

    run = Run(playbook, included, now.date())
    if answers is not None:
        assert answers_path is not None
        ask.ask_from_answers(run, answers, str(answers_path))
    elif asker is None:
        ask.refuse_without_terminal(run)
    else:
        asker.intro(playbook, heading)
        asker.ask(run)

    finished = max(clock(), now)
    reflection = Reflection(
        **known,
        id=new_id(finished),
        playbook=PlaybookRef(id=playbook.id, version=playbook.version, language=playbook.language),
        started_at=now,
        finished_at=finished,
        answers=run.records(),
        app_version=__version__,
    )
    reflection, path = store.save(reflection)
    render.saved(console(), reflection, path, show_path=sys.stdout.isatty())
    return reflection, path


def _clean_client(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UsageError("the client name is empty", "give a name, e.g. coach prep ACME")
    if any(ord(c) < 32 or ord(c) == 127 for c in name if c not in "\t\n"):
        raise UsageError("the client name contains control characters", "type it as plain text")
    if len(cleaned) > 1000:
        raise UsageError("the client name is longer than 1000 characters", "shorten it")
    return cleaned


def _linked_prep(store: Store, client: str, prep_ref: str | None, day: date) -> Reflection | None:
    """The prep a debrief follows: ``--prep ID``, none, or the client's latest recent prep."""
    from clientcoach.errors import DataError
    from clientcoach.store import client_key

    if prep_ref is not None and prep_ref.strip().lower() == "none":
        return None
    if prep_ref is None:
        return store.latest_prep(client, day)
    _, found = store.find(prep_ref)
    if found.kind != "prep":
        raise DataError(f"{found.id} is a {found.kind}, not a prep", "give the id of a prep")
    if client_key(found.client) != client_key(client):
        raise DataError(
            f"prep {found.id} is for {found.client!r}, not {client!r}",
            "check the id, or pass --prep none",
        )
    return found


def _pick_playbook(library: Library, ref: str | None, kind: str) -> Playbook:
    if ref is not None and (ref.endswith(".toml") or "/" in ref or "\\" in ref):
        playbook = library.load_path(Path(ref))
    else:
        playbook = library.get(ref or kind)
    if playbook.kind not in (kind, "any"):
        raise UsageError(
            f"playbook {playbook.id!r} is a {playbook.kind} playbook, not a {kind} one",
            f"use `coach {playbook.kind}` or pick a {kind} playbook with --playbook",
        )
    return playbook


# --- playbooks ------------------------------------------------------------------------


@playbooks_app.callback()
def _playbooks_default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        list_playbooks()


@playbooks_app.command("list")
def list_playbooks() -> None:
    """Id, kind, title and origin of every playbook; your own override built-ins by id."""
    with guard():
        from clientcoach.config import data_dir
        from clientcoach.errors import PlaybookError
        from clientcoach.render import playbook_table

        root = data_dir()
        lib = library(root)
        rows: list[tuple[Entry, Playbook | None, str | None]] = []
        for entry in lib.entries().values():
            try:
                rows.append((entry, lib.get(entry.id), None))
            except PlaybookError as exc:
                rows.append((entry, None, exc.message))
        out().print(playbook_table(rows, root))


cmd_review.register(app)

_GLOBAL_FLAGS = ("--debug", "--no-color")


def main() -> None:
    # --debug and --no-color are accepted anywhere, not only before the command name.
    args = sys.argv[1:]
    cut = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:cut] if a in _GLOBAL_FLAGS]
    rest = [a for a in args[:cut] if a not in _GLOBAL_FLAGS] + args[cut:]
    try:
        app(args=flags + rest, prog_name="coach")
    except BrokenPipeError:
        silence_stdout()


if __name__ == "__main__":  # pragma: no cover
    main()
