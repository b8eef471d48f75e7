"""The command line: parse options, call the core, render, map errors to exit codes.

Heavy modules (pydantic models, the engine, the store) are imported inside the commands
that use them, so ``coach --version`` and ``coach --help`` start quickly.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer

from clientcoach import __version__
from clientcoach.errors import CoachError, ExitCode, UsageError

if TYPE_CHECKING:
    from rich.console import Console

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


class _State:
    debug = False
    no_color = False


STATE = _State()


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


def _console() -> Console:
    from clientcoach.render import err_console

    return err_console(STATE.no_color)


def _fail(error: CoachError) -> NoReturn:
    from clientcoach.render import error_line

    error_line(_console(), error.message, error.hint)
    raise typer.Exit(int(error.exit_code))


@contextmanager
def _guard() -> Iterator[None]:
    """Turn every failure into one line and its documented exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        # The reader went away (`coach playbooks | head -1`): nothing is wrong here.
        _silence_stdout()
        raise typer.Exit(int(ExitCode.OK)) from None
    except CoachError as error:
        _fail(error)
    except (KeyboardInterrupt, EOFError):
        _console().print(
            "\nStopped. Nothing from this run was saved; earlier reflections are untouched."
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as error:
        if STATE.debug:
            traceback.print_exc()
        from clientcoach.render import error_line

        error_line(
            _console(),
            f"unexpected {type(error).__name__}: {error}",
            "this is a bug; run again with --debug for the traceback",
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


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
    with _guard():
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
    with _guard():
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
    from clientcoach.engine import AnswerError, Run, parse_date
    from clientcoach.reflection import Links, Meeting, PlaybookRef, Reflection, new_id
    from clientcoach.store import Store

    now = datetime.now(UTC).astimezone()
    today = now.date()
    root = data_dir()
    store = Store(root)
    library = _library(root)
    playbook = _pick_playbook(library, playbook_ref, kind)
    included = library.resolve(playbook)
    try:
        day = parse_date(meeting_date, today) if meeting_date else today
    except AnswerError as exc:
        raise UsageError(f"--date: {exc}") from None

    answers = ask.load_answers(answers_path) if answers_path is not None else None
    interactive = answers is None and render.is_terminal()
    console = _console()
    asker = ask.TerminalAsker(console) if interactive else None

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
            render.linked(console, prep)

    run = Run(playbook, included, today)
    if answers is not None:
        assert answers_path is not None
        ask.ask_from_answers(run, answers, str(answers_path))
    elif asker is None:
        ask.refuse_without_terminal(run)
    else:
        asker.intro(playbook, client)
        asker.ask(run)

    finished = datetime.now(UTC).astimezone()
    reflection = Reflection(
        id=new_id(finished.astimezone(UTC)),
        kind=kind,
        client=client,
        meeting=Meeting(title=meeting_title, date=day),
        playbook=PlaybookRef(id=playbook.id, version=playbook.version, language=playbook.language),
        links=Links(prep=prep.id if prep else None),
        started_at=now,
        finished_at=finished,
        answers=run.records(),
        app_version=__version__,
    )
    reflection, path = store.save(reflection)
    render.saved(console, reflection, path, show_path=sys.stdout.isatty())
    if not sys.stdout.isatty():
        typer.echo(str(path))  # for scripts: path=$(coach prep ACME --answers a.toml)


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


def _library(root: Path) -> Library:
    from clientcoach.playbook import Library, user_playbook_dirs

    return Library(user_playbook_dirs(root))


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
    with _guard():
        from clientcoach.config import data_dir
        from clientcoach.errors import PlaybookError
        from clientcoach.render import out_console, playbook_table

        root = data_dir()
        library = _library(root)
        rows: list[tuple[Entry, Playbook | None, str | None]] = []
        for entry in library.entries().values():
            try:
                rows.append((entry, library.get(entry.id), None))
            except PlaybookError as exc:
                rows.append((entry, None, exc.message))
        out_console(STATE.no_color).print(playbook_table(rows, root))


_GLOBAL_FLAGS = ("--debug", "--no-color")


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    # --debug and --no-color are accepted anywhere, not only before the command name.
    args = sys.argv[1:]
    cut = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:cut] if a in _GLOBAL_FLAGS]
    rest = [a for a in args[:cut] if a not in _GLOBAL_FLAGS] + args[cut:]
    try:
        app(args=flags + rest, prog_name="coach")
    except BrokenPipeError:
        _silence_stdout()


if __name__ == "__main__":  # pragma: no cover
    main()
