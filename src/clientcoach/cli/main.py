"""The command line: parse options, call the core, render, map errors to exit codes.

Heavy modules (pydantic models, the engine, the store) are imported inside the commands
that use them, so ``coach --version`` and ``coach --help`` start quickly.
"""

import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from clientcoach.cli import clients as cmd_clients
from clientcoach.cli import config as cmd_config
from clientcoach.cli import playbooks as cmd_playbooks
from clientcoach.cli import review as cmd_review
from clientcoach.cli.common import STATE, console, guard, library, silence_stdout
from clientcoach.errors import CoachError, PlaybookError, UsageError
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.app import session
    from clientcoach.core.engine import Run
    from clientcoach.model.playbook import Playbook
    from clientcoach.model.reflection import Reflection
    from clientcoach.storage.playbooks import Library
    from clientcoach.storage.store import Store
    from clientcoach.ui.terminal import TerminalAsker


def _help_width() -> int:
    # Help text is wrapped to the terminal, at most 80 columns wide. Click's own default
    # never goes below 50 columns, which garbles a narrow terminal; giving the width here
    # lifts that floor.
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 20)


app = typer.Typer(
    name="coach",
    help=_("Self-coaching for client meetings: prep before, debrief after, review monthly."),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": _help_width()},
)


def _version(value: bool) -> None:
    if value:
        from clientcoach.cli.entry import version_line

        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=_("Show tracebacks of unexpected errors."))
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help=_("No colours or styles."))] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help=_("Language of messages and playbooks: en or fr (default: locale).")
        ),
    ] = None,
) -> None:
    STATE.debug = debug
    STATE.no_color = no_color
    if lang is not None:  # main() has applied it already; this serves CliRunner callers
        from clientcoach import i18n

        with guard():
            i18n.set_language(i18n.choose(lang)[0])


# --- prep and debrief -----------------------------------------------------------------

ClientArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CLIENT",
        help=_("The client's name (asked for when not given)."),
        show_default=False,
        autocompletion=cmd_clients.complete_client,
    ),
]
PlaybookOpt = Annotated[
    str | None,
    typer.Option(
        "--playbook",
        "-p",
        help=_("Playbook id or .toml file to walk instead of the default."),
        autocompletion=cmd_clients.complete_playbook,
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


@app.command(help=_("Prepare a client meeting: walk the prep playbook and save it."))
def prep(
    client: ClientArg = None,
    playbook: PlaybookOpt = None,
    answers: AnswersOpt = None,
    meeting_date: DateOpt = None,
    meeting: MeetingOpt = None,
) -> None:
    with guard():
        _meeting_run("prep", client, playbook, answers, meeting_date, meeting, None)


@app.command(
    help=_("Debrief a client meeting right after it: walk the debrief playbook and save it.")
)
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
) -> None:
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
    from clientcoach.app import scripted as ask
    from clientcoach.app import session
    from clientcoach.core.engine import AnswerError, parse_date
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.config import now as clock
    from clientcoach.storage.store import Store

    now = clock()
    today = now.date()
    root = data_dir()
    store = Store(root)
    lib = library(root)
    playbook = pick_playbook(lib, playbook_ref, kind)
    included = lib.resolve(playbook)
    try:
        day = parse_date(meeting_date, today) if meeting_date else today
    except AnswerError as exc:
        raise UsageError(_("--date: {reason}").format(reason=exc)) from None

    answers = ask.load_answers(answers_path) if answers_path is not None else None
    from clientcoach.cli.common import is_terminal  # looked up now: tests stand in for it

    asker = None
    if answers is None and is_terminal():
        from clientcoach.ui.terminal import TerminalAsker

        asker = TerminalAsker(console())

    if client is None:
        if asker is None:
            raise UsageError(
                _("no client given"), _("name the client: coach {kind} CLIENT").format(kind=kind)
            )
        client = asker.ask_text(_("Which client is this meeting with?"))
    client = cmd_clients.choose_client(store, _clean_client(client), asker)

    prep: Reflection | None = None
    if kind == "debrief":
        prep = _linked_prep(store, client, prep_ref, day)
        if prep is not None:
            meeting_title = meeting_title or prep.meeting.title
            from clientcoach.ui.messages import linked

            linked(prep)

    memory = cmd_clients.recall(kind, store, client, playbook, included, prep, today)
    run = memory.run(playbook, included, today)
    # --- drafts, summary and save (session.py) ---
    meta = session.Meta(
        kind=kind,
        client=client,
        title=meeting_title,
        day=day,
        playbook=playbook,
        included=included,
        prep=prep.id if prep else None,
        started_at=now,
        source=session.source_of(playbook_ref),
    )
    walk_and_save(
        store,
        run,
        meta,
        answers=answers,
        answers_path=answers_path,
        asker=asker,
        heading=client,
        before=lambda: cmd_clients.announce(memory, today),
    )


def walk_and_save(
    store: "Store",
    run: "Run",
    meta: "session.Meta",
    *,
    answers: dict[str, Any] | None,
    answers_path: Path | None,
    asker: "TerminalAsker | None",
    heading: str,
    before: Callable[[], None] | None = None,
) -> Path:
    """Walk a run (from an answers file, or asking with drafts) and save the reflection.

    Shared by every command that saves a reflection (prep, debrief, the monthly review),
    so they all ask, keep drafts and save the same way. ``before`` shows what comes before
    the questions (the client brief): on a terminal before the first question, in a
    scripted run once the answers file is accepted.
    """
    from clientcoach.app import scripted as ask
    from clientcoach.app import session

    draft = None
    if answers is not None:
        assert answers_path is not None
        ask.ask_from_answers(run, answers, str(answers_path))
        if before is not None:
            before()  # only once the file is accepted: a bad file gets its one-line error
    elif asker is None:
        ask.refuse_without_terminal(run)
    else:
        if before is not None:
            before()
        asker.intro(meta.playbook, heading, meta.title)
        draft = session.walk(asker, run, store, meta)
    return session.save(store, run, meta, draft)


def _clean_client(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UsageError(_("the client name is empty"), _("give a name, e.g. coach prep ACME"))
    if any(ord(c) < 32 or ord(c) == 127 for c in name if c not in "\t\n"):
        raise UsageError(
            _("the client name contains control characters"), _("type it as plain text")
        )
    if len(cleaned) > 1000:
        raise UsageError(_("the client name is longer than 1000 characters"), _("shorten it"))
    return cleaned


def _linked_prep(
    store: "Store", client: str, prep_ref: str | None, day: date
) -> "Reflection | None":
    """The prep a debrief follows: ``--prep ID``, none, or the client's latest recent prep."""
    from clientcoach.errors import DataError
    from clientcoach.storage.store import client_key

    if prep_ref is not None and prep_ref.strip().lower() == "none":
        return None
    if prep_ref is None:
        return store.latest_prep(client, day)
    _path, found = store.find(prep_ref)
    if found.kind != "prep":
        raise DataError(
            _("{id} is a {kind}, not a prep").format(id=found.id, kind=found.kind),
            _("give the id of a prep"),
        )
    if client_key(found.client) != client_key(client):
        raise DataError(
            _("prep {id} is for {found!r}, not {client!r}").format(
                id=found.id, found=found.client, client=client
            ),
            _("check the id, or pass --prep none"),
        )
    return found


def pick_playbook(library: "Library", ref: str | None, kind: str) -> "Playbook":
    """The playbook a command walks: ``--playbook``, else the config file's, else the
    built-in one; a PlaybookError or UsageError says why it cannot be used."""
    from clientcoach.storage.config import DEFAULT_PLAYBOOKS

    if ref is not None and (ref.endswith(".toml") or "/" in ref or "\\" in ref):
        playbook = library.load_path(Path(ref))
    else:
        from clientcoach.storage.config import default_playbook

        configured = default_playbook(kind) if ref is None else None
        if configured is not None:
            from clientcoach.storage.config import configured_hint

            try:
                return pick_playbook(library, configured, kind)
            except (PlaybookError, UsageError) as exc:
                raise type(exc)(exc.message, configured_hint(kind)) from None
        playbook = library.get(ref or DEFAULT_PLAYBOOKS[kind])
    if playbook.kind not in (kind, "any"):
        hint = (
            _('give your own {id}.toml kind = "review"').format(id=playbook.id)
            if kind == "review"  # `coach review` has no --playbook
            else _("use `coach {actual}` or pick a {kind} playbook with --playbook").format(
                actual=playbook.kind, kind=kind
            )
        )
        raise UsageError(
            _("playbook {id!r} is a {actual} playbook, not a {kind} one").format(
                id=playbook.id, actual=playbook.kind, kind=kind
            ),
            hint,
        )
    return playbook


# --- other command groups (each in its own module) -------------------------------------

cmd_playbooks.register(app)
cmd_config.register(app)


from clientcoach.cli import doctor as cmd_doctor  # noqa: E402
from clientcoach.cli import drafts as cmd_drafts  # noqa: E402  (commands register after the app)

cmd_drafts.register(app)
cmd_doctor.register(app)

cmd_clients.register(app)

cmd_review.register(app)

_GLOBAL_FLAGS = ("--debug", "--no-color")


def _split_global(args: list[str]) -> tuple[list[str], list[str], str | None]:
    """Global flags and ``--lang X`` are accepted anywhere before ``--``."""
    cut = args.index("--") if "--" in args else len(args)
    flags: list[str] = []
    rest: list[str] = []
    lang: str | None = None
    head = args[:cut]
    index = 0
    while index < len(head):
        arg = head[index]
        if arg in _GLOBAL_FLAGS:
            flags.append(arg)
        elif arg == "--lang" and index + 1 < len(head):
            lang = head[index + 1]
            index += 1
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
        else:
            rest.append(arg)
        index += 1
    return flags, rest + args[cut:], lang


def _translate_help(command: object) -> None:
    """Help texts were written in English when the app was built: translate them now."""
    import inspect

    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if isinstance(text, str):
            translated = _(inspect.cleandoc(text))
            setattr(command, attr, translated if translated != inspect.cleandoc(text) else text)
    for param in getattr(command, "params", []):
        if isinstance(getattr(param, "help", None), str):
            param.help = _(param.help)
    original = getattr(command, "get_help_option", None)
    if original is not None:
        # Typer makes the -h/--help option on first use, with its text in English.
        def get_help_option(ctx: Any) -> Any:
            option = original(ctx)
            if option is not None and isinstance(option.help, str):
                option.help = _(option.help)
            return option

        command.get_help_option = get_help_option  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


def main() -> None:
    from clientcoach import i18n

    flags, rest, lang = _split_global(sys.argv[1:])
    try:
        language = i18n.init_language(lang)
    except CoachError as error:
        from clientcoach.ui.render import error_line

        error_line(console(), error.message, error.hint)
        raise SystemExit(int(error.exit_code)) from None
    command = typer.main.get_command(app)
    if language != i18n.DEFAULT:
        import typer.core as typer_core

        # Typer's own headings ("Options", "Commands", "required") go through gettext.
        typer_core._ = _  # type: ignore[attr-defined]
        _translate_help(command)
    try:
        command(args=flags + rest, prog_name="coach")
    except BrokenPipeError:
        silence_stdout()


if __name__ == "__main__":  # pragma: no cover
    main()
