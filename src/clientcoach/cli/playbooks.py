"""``coach playbooks``: list, show, check and create playbooks, and export their schema."""

from pathlib import Path
from typing import Annotated

import typer

from clientcoach.cli.common import callback, command, group, print_json
from clientcoach.errors import ExitCode
from clientcoach.i18n import _, ngettext
from clientcoach.ui.console import console, out

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Output JSON."))]


playbooks = group(
    "playbooks",
    _("List, show, check and create playbooks (built-in and your own)."),
    invoke_without_command=True,
)


@callback(playbooks)
def _default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        _list(as_json=False)


@command(
    "list",
    parent=playbooks,
    help=_(
        "Id, kind, language, title and origin of every playbook; your own override built-ins by id."
    ),
)
def list_playbooks(as_json: JsonOpt = False) -> None:
    _list(as_json)


@command("show", parent=playbooks, help=_("The steps of a playbook as a tree."))
def show(
    ref: Annotated[str, typer.Argument(metavar="ID", help=_("Playbook id or .toml file."))],
    as_json: JsonOpt = False,
) -> None:
    from clientcoach.app import playbooks as use
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir
    from clientcoach.ui.render import playbook_tree

    lib = library(data_dir())
    playbook = use.load(lib, ref)
    if as_json:
        # The playbook as its file says it, in the keys of the file format.
        print_json(playbook.model_dump(mode="json", by_alias=True, exclude_none=True))
        return
    out().print(playbook_tree(playbook, lib.resolve(playbook)))


@command(
    "check",
    parent=playbooks,
    help=_("Check playbook files and list every problem, with file and line."),
)
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE|ID",
            help=_("Files or playbook ids to check; none: every playbook of your own."),
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    _check(files or [], as_json)


@command(
    "new",
    parent=playbooks,
    help=_(
        "Create a playbook in your playbook folder: a commented starter, "
        "or a copy of another playbook to adapt."
    ),
)
def new(
    playbook_id: Annotated[
        str, typer.Argument(metavar="ID", help=_("Id of the new playbook, e.g. my-debrief."))
    ],
    source: Annotated[
        str | None, typer.Option("--from", help=_("Start from a copy of this playbook."))
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=_(
                "prep, debrief, review or any: the command that walks it. Default: read "
                "from the id (my-prep is a prep), else debrief."
            ),
        ),
    ] = None,
) -> None:
    _new(playbook_id, source, kind)


@command(
    "schema",
    parent=playbooks,
    help=_(
        "Print the JSON Schema of the playbook format, for editors that complete "
        "and check TOML files."
    ),
)
def schema() -> None:
    from clientcoach.app.playbooks import schema_text

    typer.echo(schema_text())


# --- list -------------------------------------------------------------------------------


def _list(as_json: bool) -> None:
    from clientcoach.app import playbooks as use
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir
    from clientcoach.ui.render import playbook_table

    root = data_dir()
    rows = use.listing(library(root))
    if as_json:
        print_json([row.to_json() for row in rows])
        return
    data = out()
    data.print(playbook_table([(r.entry, r.playbook, r.problem) for r in rows], root, data.width))


# --- check ------------------------------------------------------------------------------


def _check(refs: list[Path], as_json: bool) -> None:
    from clientcoach.app import playbooks as use
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir

    lib = library(data_dir())
    if as_json and not refs and not use.own_files(lib):
        print_json([])  # nothing of your own to check: an empty list, not an error
        return
    results = use.check(refs, lib)
    failed = [path for path, problems in results.items() if problems]
    if as_json:
        print_json([{"file": str(p), "ok": not pr, "problems": pr} for p, pr in results.items()])
    else:
        from rich.text import Text

        for path, problems in results.items():
            for problem in problems:
                out().print(Text(problem), soft_wrap=True)
            if not problems:
                console().print(Text(_("{path}: OK").format(path=path), style="green"))
        if failed:
            count = sum(len(results[p]) for p in failed)
            console().print(
                Text(
                    (
                        ngettext("{count} problem", "{count} problems", count)
                        + ngettext(
                            " in {files} of {total} file.",
                            " in {files} of {total} files.",
                            len(results),
                        )
                    ).format(count=count, files=len(failed), total=len(results)),
                    style="red",
                )
            )
    if failed:
        raise typer.Exit(int(ExitCode.PLAYBOOK))


# --- new --------------------------------------------------------------------------------


def _new(playbook_id: str, source: str | None, kind: str | None) -> None:
    from clientcoach.app import playbooks as use
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir

    root = data_dir()
    target, check = use.create(root, library(root), playbook_id, source, kind)
    console().print(_("Created {path}").format(path=target), soft_wrap=True)
    # Not wrapped: the command is meant to be copied whole.
    console().print(
        _("Edit it, then run: coach playbooks check {id}").format(id=check),
        style="dim",
        soft_wrap=True,
    )
    if not console().is_terminal:
        typer.echo(str(target))
