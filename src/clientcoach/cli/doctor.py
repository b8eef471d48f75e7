"""``coach doctor``: where the data lives, whether it is private, what is damaged."""

import os
import stat
from pathlib import Path
from typing import Annotated, Any

import typer

from clientcoach.cli.common import guard, library, out, report_damaged
from clientcoach.i18n import _


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        as_json: Annotated[
            bool, typer.Option("--json", help=_("Print the report as JSON."))
        ] = False,
        quarantine: Annotated[
            bool,
            typer.Option(
                "--quarantine",
                help=_("Move damaged files to quarantine/ in the data directory (never deletes)."),
            ),
        ] = False,
    ) -> None:
        """Check the data directory: folders, permissions, counts and damaged files."""
        with guard():
            report = _examine(quarantine)
            if as_json:
                import json  # only the commands that print JSON pay for it

                out().print_json(json.dumps(report))
            else:
                _show(report)
            if not quarantine:
                from clientcoach.storage.store import Damaged

                report_damaged([Damaged(Path(d["path"]), d["reason"]) for d in report["damaged"]])


def _mode_problems(root: Path) -> list[dict[str, str]]:
    """Files not 0600 and folders not 0700 anywhere in the data directory."""
    from clientcoach.storage.store import DIR_MODE, FILE_MODE

    problems: list[dict[str, str]] = []
    if not root.is_dir():
        return problems
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name, wanted in [(".", DIR_MODE)] + [(f, FILE_MODE) for f in files]:
            path = here if name == "." else here / name
            try:
                mode = stat.S_IMODE(path.lstat().st_mode)
            except OSError:
                continue
            if mode != wanted:
                problems.append(
                    {"path": str(path), "mode": f"{mode:04o}", "expected": f"{wanted:04o}"}
                )
        dirs.sort()
    return problems


def _examine(quarantine: bool) -> dict[str, Any]:
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.playbooks import PlaybookCache, builtin_dir
    from clientcoach.storage.store import Store

    root = data_dir()
    store = Store(root)
    records = store.scan_records()
    drafts, damaged_drafts = store.scan_drafts()
    by_kind: dict[str, int] = {}
    for _path, record in records.items:
        by_kind[record["kind"]] = by_kind.get(record["kind"], 0) + 1
    damaged = [*records.damaged, *damaged_drafts]
    moved: list[dict[str, str]] = []
    if quarantine:
        for item in damaged:
            moved.append({"from": str(item.path), "to": str(store.quarantine(item.path))})
    lib = library(root)
    kept = PlaybookCache(root)
    quarantined = (
        sum(1 for p in store.quarantine_dir.rglob("*") if p.is_file())
        if store.quarantine_dir.is_dir()
        else 0
    )
    return {
        "data_dir": str(root),
        "exists": root.is_dir(),
        "playbook_dirs": [{"path": str(d), "exists": d.is_dir()} for d in lib.user_dirs],
        "builtin_playbooks": str(builtin_dir()),
        "permissions": _mode_problems(root),
        "reflections": {"total": len(records.items), "by_kind": dict(sorted(by_kind.items()))},
        "drafts": len(drafts),
        "damaged": [{"path": str(d.path), "reason": d.reason} for d in damaged],
        "quarantined": moved,
        "in_quarantine": quarantined,
        "unfinished_saves": [str(p) for p in store.leftovers()],
        "playbook_cache": {"path": str(kept.folder), "entries": kept.count()},
    }


def _show(report: dict[str, Any]) -> None:
    from rich.text import Text

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
    kinds = ", ".join(f"{kind} {n}" for kind, n in counts["by_kind"].items())
    total = _("Reflections: {total}").format(total=counts["total"])
    con.print(total + (f" ({kinds})" if kinds else ""))
    con.print(_("Drafts: {count}").format(count=report["drafts"]))
    cache = report["playbook_cache"]
    if cache["entries"]:
        kept = _("Checked playbooks kept: {count} in {path} (safe to delete)")
        con.print(Text(kept.format(count=cache["entries"], path=cache["path"])), soft_wrap=True)
    if report["in_quarantine"]:
        con.print(_("In quarantine: {count} file(s)").format(count=report["in_quarantine"]))
    problems = report["permissions"]
    if problems:
        con.print(Text(_("Not private (files should be 0600, folders 0700):"), style="yellow"))
        for item in problems:
            con.print(Text(f"  {item['mode']}  {item['path']}"), soft_wrap=True)
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
    if not report["damaged"]:
        con.print(_("Damaged files: none."))
