"""``coach doctor``: where the data lives, whether it is private, what is damaged."""

import os
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from clientcoach.cli.common import command, print_json, report_damaged, watch_index
from clientcoach.i18n import _, ngettext
from clientcoach.ui.console import out

# Permission problems named one by one on the screen; `--json` lists them all.
SHOWN_PROBLEMS = 20


@command("doctor")
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the report as JSON."))] = False,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine",
            help=_("Move damaged files to quarantine/ in the data directory (never deletes)."),
        ),
    ] = False,
    reindex: Annotated[
        bool,
        typer.Option(
            "--reindex",
            help=_("Build the index of your reflections again from the files (loses nothing)."),
        ),
    ] = False,
) -> None:
    """Check the data directory: folders, permissions, counts and damaged files."""
    from clientcoach.app.doctor import examine
    from clientcoach.storage.config import data_dir

    watch_index()
    report = examine(data_dir(), quarantine, reindex)
    if as_json:
        # As every command prints JSON: a long report (a permission problem on each of
        # 100,000 files) is not coloured and wrapped by Rich (30 s and 1.6 GB there).
        print_json(report)
    else:
        _show(report)
    if not quarantine:
        from clientcoach.storage.store import Damaged

        report_damaged([Damaged(Path(d["path"]), d["reason"]) for d in report["damaged"]])


def _show(report: dict[str, Any]) -> None:
    from rich.text import Text

    from clientcoach.ui.messages import kind_name

    con = out()
    where = Text(_("Data directory: "), style="bold").append(report["data_dir"], style="")
    if not report["exists"]:
        where.append(_(" (not created yet: your first save creates it)"), style="dim")
    con.print(where, soft_wrap=True)
    for folder in report["playbook_dirs"]:
        line = Text(_("Your playbooks: "), style="bold").append(folder["path"], style="")
        if not folder["exists"]:
            line.append(_(" (none yet)"), style="dim")
        con.print(line, soft_wrap=True)
    con.print(
        Text(_("Built-in playbooks: "), style="bold").append(report["builtin_playbooks"], style=""),
        soft_wrap=True,
    )
    counts = report["reflections"]
    kinds = ", ".join(f"{kind_name(kind)} {n}" for kind, n in counts["by_kind"].items())
    total = _("Reflections: {total}").format(total=counts["total"])
    con.print(total + (f" ({kinds})" if kinds else ""))
    con.print(_("Drafts: {count}").format(count=report["drafts"]))
    cache = report["playbook_cache"]
    if cache["entries"]:
        kept = _("Checked playbooks kept: {count} in {path} (safe to delete)")
        con.print(Text(kept.format(count=cache["entries"], path=cache["path"])), soft_wrap=True)
    _show_index(report["index"])
    if report["in_quarantine"]:
        quarantined = report["in_quarantine"]
        con.print(
            ngettext(
                "In quarantine: {count} file", "In quarantine: {count} files", quarantined
            ).format(count=quarantined)
        )
    problems = report["permissions"]
    if problems:
        con.print(Text(_("Not private (files should be 0600, folders 0700):"), style="yellow"))
        for item in problems[:SHOWN_PROBLEMS]:
            con.print(Text(f"  {item['mode']}  {item['path']}"), soft_wrap=True)
        if len(problems) > SHOWN_PROBLEMS:
            more = _("... and {n} more; coach doctor --json lists them all.")
            con.print(more.format(n=len(problems) - SHOWN_PROBLEMS), style="dim")
        if os.name == "posix":
            fix = _("Make them private with: chmod -R go-rwx {path}")
            con.print(Text(fix.format(path=shlex.quote(report["data_dir"]))), soft_wrap=True)
    else:
        con.print(_("Permissions: private (files 0600, folders 0700)."))
    for leftover in report["unfinished_saves"]:
        con.print(
            Text(_("Left by an interrupted save (never reported as saved): ")).append(leftover),
            soft_wrap=True,
        )
    for item in report["quarantined"]:
        con.print(
            Text(_("Moved to quarantine: ")).append(item["from"]).append(" -> ").append(item["to"]),
            soft_wrap=True,
        )
    for twin in report["same_id"]:
        line = Text(
            _("Same id {id} in {count} files (a sync conflict's copy?): ").format(
                id=twin["id"], count=len(twin["paths"])
            ),
            style="yellow",
        )
        line.append(", ".join(twin["paths"]), style="")
        con.print(line, soft_wrap=True)
    if report["same_id"]:
        con.print(
            Text(_("Each is shown once; `coach done` marks every copy. Keep one of the files.")),
            soft_wrap=True,
        )
    if not report["damaged"]:
        con.print(_("Damaged files: none."))


def _show_index(index: dict[str, Any]) -> None:
    from rich.text import Text

    state = index["state"]
    if state == "off":
        line = _("Index: off (CLIENTCOACH_INDEX=0): every command reads the files.")
    elif state == "unavailable":
        line = _(
            "Index: unavailable (this Python's SQLite has no FTS5): every command reads the files."
        )
    elif state == "bypassed":
        line = _(
            "Index: not used (a link leading out, one id in two files, or a file name that"
            " is not UTF-8): every command reads the files."
        )
    elif state == "none":
        line = _("Index: none yet (your first save creates the data directory).")
    else:
        done = _("built now") if state == "rebuilt" else _("up to date")
        line = ngettext(
            "Index: {state}, {files} file, {damaged} damaged, in {path} (safe to delete)",
            "Index: {state}, {files} files, {damaged} damaged, in {path} (safe to delete)",
            index["files"],
        ).format(state=done, files=index["files"], damaged=index["damaged"], path=index["path"])
    out().print(Text(line), soft_wrap=True)
