"""``coach export``: the reflections ``coach history`` selects, as a folder of Markdown
files, a CSV of every answer, or a calendar of the open follow-ups.

Only typer and the light command kit are imported here, so ``coach --help`` stays fast.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientcoach.cli import completion
from clientcoach.cli.clients import ClientOpt, GrepOpt, KindOpt, SinceOpt, UntilOpt, _store, _today
from clientcoach.cli.common import command, report_damaged
from clientcoach.i18n import _
from clientcoach.ui.console import console

if TYPE_CHECKING:
    from clientcoach.storage.store import Text

RedactOpt = Annotated[
    bool,
    typer.Option(
        "--redact",
        help=_(
            "Client names and meeting titles become Client A, Meeting 1...; free-text"
            " answers are left out."
        ),
    ),
]
WithTextOpt = Annotated[
    bool,
    typer.Option(
        "--with-text",
        help=_("With --redact: keep free-text answers, names in them replaced by aliases."),
    ),
]


def check_redact(redact: bool, with_text: bool) -> None:
    from clientcoach.errors import UsageError

    if with_text and not redact:
        raise UsageError(_("--with-text only goes with --redact"), _("add --redact"))


@command("export")
def export(
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help=_("markdown (a folder, one file per reflection), csv or ics."),
            shell_complete=completion.export_format,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help=_(
                "Where to write it (default: clientcoach-export, .csv or .ics here);"
                ' "-" for standard output (csv, ics).'
            ),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace an existing file or earlier export."))
    ] = False,
    client: ClientOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    grep: GrepOpt = None,
    redact: RedactOpt = False,
    with_text: WithTextOpt = False,
) -> None:
    """Export your reflections (the ones `coach history` lists with the same filters) as
    Markdown files, a CSV of every answer, or a calendar of open follow-ups."""
    from clientcoach.app import export as use
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.config import now as clock

    chosen = use.check_format(format_)
    check_redact(redact, with_text)
    path = use.target(output, chosen, Path.cwd(), data_dir())
    if path is not None:
        use.check_free(path, chosen == "markdown", force)
    store = _store()
    redaction = use.redaction(store, with_text) if redact else None
    selection = use.select(
        store,
        _today(),
        client=client,
        kind=kind,
        since=since,
        until=until,
        grep=grep,
        redact=redaction,
    )
    if chosen == "markdown":
        from clientcoach.ui.export import markdown_files

        assert path is not None  # refused by use.target
        count = use.write_folder(path, markdown_files(selection.records()), force)
    else:
        text: Text
        if chosen == "csv":
            text = use.csv_pieces(selection.records(), bom=path is not None)
        else:
            text, count = use.ics_text(selection.follow_ups(), clock())
        if path is None:
            sys.stdout.writelines([text] if isinstance(text, str) else text)
            sys.stdout.flush()
        else:
            use.write_file(path, text, force)
        if chosen == "csv":
            count = selection.read
    if path is not None:
        from clientcoach.i18n import ngettext

        line = (
            ngettext(
                "{count} follow-up or touchpoint written to {path}",
                "{count} follow-ups and touchpoints written to {path}",
                count,
            )
            if chosen == "ics"
            else ngettext(
                "{count} reflection written to {path}",
                "{count} reflections written to {path}",
                count,
            )
        )
        console().print(line.format(count=count, path=path), highlight=False, soft_wrap=True)
    report_damaged(use.shared_damaged(selection.damaged, redaction), hidden=redact)
