"""The command line's entry: global options, every command module, and ``main``.

Each command module declares its commands with :func:`clientcoach.cli.common.command`
when imported here; heavy modules (pydantic models, the engine, the store) are imported
inside the commands that use them, so ``coach --version`` and ``coach --help`` start
quickly.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

# Imported for the commands they declare, in the order `coach --help` lists them.
from clientcoach.cli import (  # noqa: F401
    clients,
    completion,
    config,
    deepdive,
    doctor,
    drafts,
    edit,
    export,
    home,
    meeting,
    playbooks,
    review,
)
from clientcoach.cli.common import STATE, app, command, guard, help_width, silence_stdout
from clientcoach.errors import UsageError
from clientcoach.i18n import _
from clientcoach.ui.console import STYLE

__all__ = ["app", "main"]


@command(
    "help",
    help=_("Show the help of a command: coach help prep, coach help playbooks check."),
)
def help_command(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="COMMAND", help=_("The command, and its subcommand if any.")),
    ] = None,
) -> None:
    parent = ctx.find_root()
    target: Any = parent.command
    for name in names or []:
        found = target.get_command(parent, name) if hasattr(target, "get_command") else None
        if found is None:
            import difflib

            known = list(getattr(target, "list_commands", lambda _ctx: [])(parent))
            close = difflib.get_close_matches(name, known, n=1)
            hint = (
                _("did you mean: coach help {name}?").format(name=close[0])
                if close
                else _("run `coach --help` to see the commands")
            )
            raise UsageError(_("no command named {name!r}").format(name=name), hint)
        # Its own context class: a translated command writes Click's words translated.
        parent = found.context_class(found, info_name=name, parent=parent)
        target = found
    text = target.get_help(parent)
    if text:  # Typer's own help formatter prints as it goes and returns nothing
        typer.echo(text)


# The order `coach --help` lists commands in: the meeting loop first, groups last.
ORDER = ["prep", "debrief", "deepdive", "resume", "doctor", "brief", "followups", "done"]
ORDER += ["history", "show", "edit", "delete", "restore", "export", "clients", "review"]
ORDER += ["playbooks", "config", "drafts", "trash", "help"]
app.registered_commands.sort(
    key=lambda info: ORDER.index(str(info.name or getattr(info.callback, "__name__", "")))
)
app.registered_groups.sort(key=lambda info: ORDER.index(info.name or ""))


def _version(value: bool) -> None:
    if value:
        from clientcoach import version_line

        typer.echo(version_line())
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
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
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help=_("Print long output at once, without a pager."))
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="en|fr",
            shell_complete=completion.language,
            help=_("Language of messages and playbooks: en or fr (default: locale)."),
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("With no command: the home screen as JSON."))
    ] = False,
) -> None:
    STATE.debug = debug
    STYLE.no_color = no_color
    STYLE.no_pager = no_pager
    if lang is not None:  # main() has applied it already; this serves CliRunner callers
        from clientcoach import i18n
        from clientcoach.cli import language

        with guard():
            i18n.set_language(language.choose(lang)[0])
    if ctx.invoked_subcommand is None:
        home.home(as_json)
    elif as_json:
        home.json_without_home()


_GLOBAL_FLAGS = ("--debug", "--no-color", "--no-pager")


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


def _mends_config(rest: list[str]) -> bool:
    """Whether this run must go on whatever the config file holds: ``coach config ...``
    (which puts it right) and help. Every other command reports a problem in the file."""
    head = next((arg for arg in rest if not arg.startswith("-")), None)
    return head in ("config", "help") or any(arg in ("--help", "-h") for arg in rest)


def _translate_help(command: object) -> None:
    """Help texts were written in English when the app was built: translate them now,
    and Click's own words in them (:class:`clientcoach.cli.usage.HelpContext`)."""
    import inspect

    from clientcoach.cli.usage import HelpContext

    command.context_class = HelpContext  # type: ignore[attr-defined]
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


def _add_examples(command: Any, path: str = "") -> None:
    """Put each command's examples under its help, one per line as written."""
    from clientcoach.cli.examples import EXAMPLES

    lines = EXAMPLES.get(path)
    if lines:
        # "\b" keeps Click from re-flowing the lines into one paragraph.
        command.epilog = "\b\n" + _("Examples:") + "\n" + "\n".join("  " + x for x in lines)
    for name, sub in getattr(command, "commands", {}).items():
        _add_examples(sub, f"{path} {name}".strip())


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _names_shell(args: list[str]) -> bool:
    """Whether ``args`` name the shell to complete for (``--show-completion zsh``)."""
    return any(
        option in args[:-1] and args[args.index(option) + 1] in SHELLS
        for option in ("--show-completion", "--install-completion")
    )


@contextmanager
def _shell_named(named: bool) -> Iterator[None]:
    """``--show-completion zsh``: the shell named, not the one this runs from.

    Typer reads the shell from the parent process unless shell detection is off when
    the command is built, and only then do its completion options take a shell's name.
    """
    import os

    key = "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"
    before = os.environ.get(key)
    if named:
        os.environ[key] = "1"
    try:
        yield
    finally:
        if named and before is None:
            del os.environ[key]


# What users type for a command that has another name here: the command that does it.
_GUESSED: dict[str, Callable[[], str]] = {
    **dict.fromkeys(
        ("language", "lang", "langue"), lambda: _("to change it: coach config set language fr")
    ),
    **dict.fromkeys(
        ("log", "list", "ls", "search", "find", "grep"),
        lambda: _("to see your reflections: coach history (--grep WORD searches them)"),
    ),
    **dict.fromkeys(
        ("todo", "todos", "tasks", "actions", "next"),
        lambda: _("to see what is open: coach followups"),
    ),
    **dict.fromkeys(
        ("stats", "report", "monthly", "summary"),
        lambda: _("for the month's figures and reflection: coach review"),
    ),
}


def _point_to_command(command: Any, rest: list[str]) -> None:
    """An unknown command users often type, named with the one that does it; Click's
    own error (and its "did you mean") for any other."""
    name = rest[0] if rest else ""
    if name not in _GUESSED or name in getattr(command, "commands", {}):
        return
    try:
        with guard():  # the one place errors become a line and an exit code
            raise UsageError(_("no command named {name!r}").format(name=name), _GUESSED[name]())
    except typer.Exit as stop:
        raise SystemExit(stop.exit_code) from None


# The Click command, by what its build depends on: the language its help is written in
# and whether Typer's shell detection is off. Building it turns every command's signature
# into Click parameters (about 6 ms); one process may run main() many times (callers that
# run coach in process, such as the test suite), and each run then reuses it.
_BUILT: dict[tuple[str, bool], Any] = {}


def _built(language: str, shell_named: bool) -> Any:
    """The Click command for this run, built (with its examples, in ``language``) once."""
    from clientcoach import i18n

    key = (language, shell_named)
    command = _BUILT.get(key)
    if command is None:
        with _shell_named(shell_named):
            command = typer.main.get_command(app)
        _add_examples(command)
        if language != i18n.DEFAULT:
            _translate_help(command)
        _BUILT[key] = command
    return command


def main(argv: list[str] | None = None) -> None:
    """Run ``coach`` with ``argv`` (default: the process's arguments)."""
    from clientcoach import i18n
    from clientcoach.cli import language

    flags, rest, lang = _split_global(sys.argv[1:] if argv is None else list(argv))
    try:
        # The config file is read here (for the language): inside the one error handler,
        # so a damaged config is one line and its exit code, never a traceback.
        with guard():
            chosen = language.init_language(lang, _mends_config(rest))
    except typer.Exit as stop:
        raise SystemExit(stop.exit_code) from None
    command = _built(chosen, _names_shell(rest))
    _point_to_command(command, rest)
    # Help is wrapped to the terminal of this run.
    command.context_settings = {**command.context_settings, "terminal_width": help_width()}
    if chosen != i18n.DEFAULT:
        from clientcoach.cli import compat

        compat.translate_typer_headings(_)
    try:
        if chosen == i18n.DEFAULT:
            command(args=flags + rest, prog_name="coach")
            return
        # Another language: Click's own errors are caught here to be shown translated.
        code = command.main(args=flags + rest, prog_name="coach", standalone_mode=False)
    except BrokenPipeError:
        silence_stdout()
        return
    except typer.Abort:
        print(_("Aborted!"), file=sys.stderr)
        raise SystemExit(1) from None
    except Exception as error:
        from clientcoach.cli import usage

        if not usage.is_click_error(error):
            raise
        usage.show(error)
        raise SystemExit(error.exit_code) from None  # type: ignore[attr-defined]
    raise SystemExit(code if isinstance(code, int) else 0)
