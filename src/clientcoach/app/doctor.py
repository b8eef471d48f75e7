"""``coach doctor`` as a use case: where the data lives, whether it is private, what is
damaged, and the quarantine of damaged files. Returns a report; nothing here prints."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from clientcoach.app.workspace import library
from clientcoach.storage.index import Index
from clientcoach.storage.playbooks import PlaybookCache, builtin_dir
from clientcoach.storage.safe import leads_out, link_reason, outside_reason
from clientcoach.storage.store import DIR_MODE, FILE_MODE, Damaged, Store


def mode_problems(root: Path) -> list[dict[str, str]]:
    """Files not 0600 and folders not 0700 anywhere in the data directory."""
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


def examine(root: Path, quarantine: bool, reindex: bool = False) -> dict[str, Any]:
    """The doctor's report on the data directory ``root``; with ``quarantine``, damaged
    files are moved to its quarantine folder first; with ``reindex``, the derived index
    is built again from the files."""
    from clientcoach.app.indexed import answer, report

    store = Store(root)
    index = report(store, reindex)
    # The index is not used when some id is held by two files (see ``open_index``): the
    # sync conflicts are then found by the scan of the files.
    total, by_kind, damaged_records, duplicates = answer(
        store, _kept_counts, lambda: _counts(store)
    )
    drafts, damaged_drafts = store.scan_drafts()
    # Links leading out where no scan reads (the cache, the quarantine): named too.
    folders = (root / "cache", root / "cache" / "playbooks", store.quarantine_dir)
    links = [Damaged(path, outside_reason()) for path in folders if leads_out(root, path)]
    links += _links_kept_apart(store)
    damaged = [*damaged_records, *damaged_drafts, *links]
    moved: list[dict[str, str]] = []
    if quarantine:
        for item in damaged:
            moved.append({"from": str(item.path), "to": str(store.quarantine(item.path))})
    lib = library(root)
    kept = PlaybookCache(root)
    quarantined = (
        sum(1 for p in store.quarantine_dir.rglob("*") if p.is_file())
        if store.quarantine_dir.is_dir() and not leads_out(root, store.quarantine_dir)
        else 0
    )
    return {
        "data_dir": str(root),
        "exists": root.is_dir(),
        "playbook_dirs": [{"path": str(d), "exists": d.is_dir()} for d in lib.user_dirs],
        "builtin_playbooks": str(builtin_dir()),
        "permissions": mode_problems(root),
        "reflections": {"total": total, "by_kind": dict(sorted(by_kind.items()))},
        "drafts": len(drafts),
        "damaged": [{"path": str(d.path), "reason": d.reason} for d in damaged],
        "same_id": [
            {"id": rid, "paths": [str(p) for p in paths]} for rid, paths in duplicates.items()
        ],
        "quarantined": moved,
        "in_quarantine": quarantined,
        "unfinished_saves": [str(p) for p in store.leftovers()],
        "playbook_cache": {"path": str(kept.folder), "entries": kept.count()},
        "index": index,
    }


def _links_kept_apart(store: Store) -> list[Damaged]:
    """Every symbolic link in the trash and the kept previous versions, wherever it
    points: the commands that use those folders refuse one (``Store.refuse_links``), so
    the doctor names each, as the first step to replacing it."""
    found: list[Damaged] = []
    for top in (store.trash_dir, store.edits_dir):
        if leads_out(store.root, top):
            found.append(Damaged(top, outside_reason()))
        elif top.is_symlink():
            found.append(Damaged(top, link_reason()))
        elif top.is_dir():
            # os.walk lists a link to a folder among the folders and does not enter it.
            for folder, dirs, files in os.walk(top):
                dirs.sort()
                for name in sorted((*dirs, *files)):
                    path = Path(folder) / name
                    if path.is_symlink():
                        found.append(Damaged(path, link_reason()))
    return found


Counts = tuple[int, dict[str, int], list[Damaged], dict[str, list[Path]]]


def _counts(store: Store) -> Counts:
    from clientcoach.app.clients import same_id

    records = store.scan_records()
    by_kind: dict[str, int] = {}
    for _path, record in records.items:
        by_kind[record["kind"]] = by_kind.get(record["kind"], 0) + 1
    return len(records.items), by_kind, records.damaged, same_id(records)


def _kept_counts(index: Index) -> Counts:
    by_kind: dict[str, int] = {}
    total = 0
    damaged: list[Damaged] = []
    for row in index.walk_rows():
        if row.damaged is not None:
            damaged.append(Damaged(row.path, row.damaged))
            continue
        total += 1
        by_kind[row.kind] = by_kind.get(row.kind, 0) + 1
    return total, by_kind, damaged, {}  # an index holding one id twice is not used
