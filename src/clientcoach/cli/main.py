"""The command line's entry: global options, every command module, and ``main``.

Each command module declares its commands with :func:`clientcoach.cli.common.command`
when imported here; heavy modules (pydantic models, the engine, the store) are imported
inside the commands that use them, so ``coach --version`` and ``coach --help`` start
quickly.
"""

import sys
from typing import Annotated, Any

import typer

# Imported for the commands they declare, in the order `coach --help` lists them.
from clientcoach.cli import (  # noqa: F401
    clients,
    config,
    doctor,
    drafts,
    meeting,
    playbooks,
    review,
)
from clientcoach.cli.common import STATE, app, guard, help_width, silence_stdout
from clientcoach.errors import CoachError
from clientcoach.i18n import _
from clientcoach.ui.console import STYLE

__all__ = ["app", "main"]

# The order `coach --help` lists commands in: the meeting loop first, groups last.
ORDER = ["prep", "debrief", "resume", "doctor", "brief", "followups", "done", "history"]
ORDER += ["show", "clients", "review", "playbooks", "config", "drafts"]
app.registered_commands.sort(
    key=lambda info: ORDER.index(str(info.name or getattr(info.callback, "__name__", "")))
)
app.registered_groups.sort(key=lambda info: ORDER.index(info.name or ""))


def _version(value: bool) -> None:
    if value:
        from clientcoach import version_line

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
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help=_("Print long output at once, without a pager."))
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help=_("Language of messages and playbooks: en or fr (default: locale).")
        ),
    ] = None,
) -> None:
    STATE.debug = debug
    STYLE.no_color = no_color
    STYLE.no_pager = no_pager
    if lang is not None:  # main() has applied it already; this serves CliRunner callers
        from clientcoach import i18n
        from clientcoach.cli import language

        with guard():
            i18n.set_language(language.choose(lang)[0])


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


def main(argv: list[str] | None = None) -> None:
    """Run ``coach`` with ``argv`` (default: the process's arguments)."""
    from clientcoach import i18n
    from clientcoach.cli import language

    flags, rest, lang = _split_global(sys.argv[1:] if argv is None else list(argv))
    try:
        chosen = language.init_language(lang)
    except CoachError as error:
        from clientcoach.cli.common import fail

        raise SystemExit(fail(error).exit_code) from None
    command = typer.main.get_command(app)
    # Help is wrapped to the terminal of this run (the app was built at import time).
    command.context_settings = {**command.context_settings, "terminal_width": help_width()}
    if chosen != i18n.DEFAULT:
        from clientcoach.cli import compat

        compat.translate_typer_headings(_)
        _translate_help(command)
    try:
        command(args=flags + rest, prog_name="coach")
    except BrokenPipeError:
        silence_stdout()
