"""Usage errors (unknown command or option, missing argument...) in the run's language.

Typer's bundled Click writes these in English with no way to translate them. An English
run shows them exactly as Click does; another language gets the same three parts, the
usage line, the hint and the error, from the product's catalogue. Click's messages are
recognised by their public text, one pattern per message; a message with no pattern
here is shown as it is, never lost.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import typer

from clientcoach.i18n import _

# Each English message, as a pattern, and the catalogue message it becomes.
_MESSAGES: list[tuple[re.Pattern[str], Callable[[], str]]] = [
    (re.compile(r"^No such option: (?P<name>\S+)$"), lambda: _("No such option: {name}")),
    (
        re.compile(r"^Option (?P<name>'[^']*') requires an argument\.$"),
        lambda: _("Option {name} requires a value."),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']*') does not take a value\.$"),
        lambda: _("Option {name} takes no value."),
    ),
    (
        re.compile(r"^Missing argument (?P<name>'[^']*')\.$"),
        lambda: _("Missing argument {name}."),
    ),
    (re.compile(r"^Missing option (?P<name>'[^']*')\.$"), lambda: _("Missing option {name}.")),
    (
        re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<name>.*)\)$"),
        lambda: _("Unexpected extra argument(s): {name}"),
    ),
    (
        re.compile(r"^Invalid value for (?P<name>'[^']*'|[^:]+): (?P<rest>.*)$", re.S),
        lambda: _("Invalid value for {name}: {rest}"),
    ),
]
_SUGGESTION = re.compile(r"^(?P<head>.*?)[.]? Did you mean (?P<name>.+)\?$", re.S)
_POSSIBLE = re.compile(r"^(?P<head>.*) \(Possible options: (?P<name>.+)\)$", re.S)


def translate(message: str) -> str:
    """One of Click's messages in the run's language (unchanged when not recognised)."""
    wrappers: list[tuple[re.Pattern[str], Callable[[], str]]] = [
        (_SUGGESTION, lambda: _("{head}. Did you mean {name}?")),
        (_POSSIBLE, lambda: _("{head} (possible options: {name})")),
    ]
    for pattern, wrap in wrappers:
        match = pattern.match(message)
        if match:
            return wrap().format(head=translate(match["head"]), name=match["name"])
    for pattern, target in _MESSAGES:
        match = pattern.match(message)
        if match:
            return target().format(**match.groupdict())
    return message


# Click's help formatter as Typer's Context makes it. Typer carries its own Click and
# exports neither module, so this public attribute is the way to its class.
_Formatter: Any = typer.Context.formatter_class


class _HelpFormatter(_Formatter):  # type: ignore[misc]  # a class known only at run time
    """Click's help layout with Click's own words (the usage prefix, the headings and
    the placeholders of a group's subcommand) in the run's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("COMMAND [ARGS]...", _("COMMAND [ARGS]..."))
        super().write_usage(prog, args, _("Usage:") + " " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        # Click adds the colon itself: French puts a space before it.
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=_(heading))}\n")


class HelpContext(typer.Context):
    """The context a translated command makes: its help is written by the formatter
    above (``context_class``, Click's public way to choose it)."""

    formatter_class = _HelpFormatter


def is_click_error(error: BaseException) -> bool:
    """Whether ``error`` is one of Click's (UsageError, BadParameter...): checked by what
    it offers, as Typer does not export the classes."""
    return hasattr(error, "format_message") and isinstance(getattr(error, "exit_code", None), int)


def show(error: Any) -> None:
    """Print a Click error as Click would, with every part in the run's language."""
    ctx = getattr(error, "ctx", None)
    if ctx is not None and error.format_message() == ctx.get_help():
        # A group run without its command: Click shows the group's help, and so does this.
        print(error.format_message(), file=sys.stderr)
        return
    lines: list[str] = []
    if ctx is not None:
        usage = ctx.get_usage()
        # A translated command's usage already has its prefix in the run's language.
        for prefix in ("Usage:", _("Usage:")):
            usage = usage.removeprefix(prefix)
        # Click's placeholders for a group's subcommand, in the run's language.
        usage = usage.replace(" COMMAND [ARGS]...", " " + _("COMMAND [ARGS]..."))
        lines.append(_("Usage:") + usage)
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(
                _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
            )
        lines.append("")
    lines.append(_("Error: {message}").format(message=translate(error.format_message())))
    from clientcoach.ui.escape import visible

    # What was typed is in the message: shown, never able to drive the terminal.
    print(visible("\n".join(lines)), file=sys.stderr)
