"""``coach delete``, ``trash``, ``restore`` and ``trash empty``: a deleted reflection is
moved aside byte for byte, seen by no other command, brought back exactly, and only
``trash empty`` deletes, after asking."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from clientcoach.errors import ExitCode
from tests.helpers import REPO, run_coach

DEBRIEF = REPO / "examples" / "debrief-answers.toml"
PREP = REPO / "examples" / "prep-answers.toml"
NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}


def saved(home: Path, *args: str) -> Path:
    before = set((home / "reflections").glob("*/*.json"))
    result = run_coach(*args, env=NOW)
    assert result.code == 0, result.stderr
    (path,) = set((home / "reflections").glob("*/*.json")) - before
    return path


def debrief(home: Path) -> Path:
    return saved(home, "debrief", "Acme", "--answers", str(DEBRIEF))


def rid(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1]


def edit(path: Path, tmp_path: Path, env: dict[str, str] | None = None) -> None:
    """``coach edit`` of ``path`` that changes one answer, so a previous version is kept."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('process = 4', 'process = 5'))\n"
    )
    edited = run_coach(
        "edit", rid(path), env={"EDITOR": f"{sys.executable} {script}", **(env or {})}
    )
    assert edited.code == 0, edited.stderr


def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from clientcoach.ui import console

    monkeypatch.setattr(console, "is_terminal", lambda: True)


def test_delete_and_restore_round_trip_byte_for_byte(home: Path) -> None:
    path = debrief(home)
    before = path.read_bytes()
    relative = path.relative_to(home / "reflections")

    deleted = run_coach("delete", rid(path), "--yes", env={"CLIENTCOACH_NOW": "2026-12-02T10:00"})
    assert deleted.code == 0, deleted.stderr
    assert "Moved to the trash" in deleted.stderr
    assert not path.exists()
    (trashed,) = (home / "trash").rglob("*.json")
    assert trashed.read_bytes() == before
    assert trashed.relative_to(home / "trash").parts[1:] == relative.parts

    listed = run_coach("trash", "--json")
    (row,) = json.loads(listed.stdout)["trash"]
    assert (row["id"], row["client"], row["kind"]) == (rid(path), "Acme", "debrief")
    assert row["deleted"].startswith("2026-12-02T")
    assert row["from"] == relative.as_posix()

    restored = run_coach("restore", rid(path)[:10])
    assert restored.code == 0, restored.stderr
    assert path.read_bytes() == before
    assert path.relative_to(home / "reflections") == relative
    assert not list((home / "trash").rglob("*.json"))
    assert "The trash is empty." in run_coach("trash").stderr


def test_delete_without_yes_and_without_a_terminal_refuses(home: Path) -> None:
    path = debrief(home)
    before = path.read_bytes()
    result = run_coach("delete", rid(path))
    assert result.code == ExitCode.USAGE, result.stderr
    (line,) = result.stderr.splitlines()
    assert "--yes" in line
    assert path.read_bytes() == before
    assert not (home / "trash").exists()


def test_delete_on_a_terminal_asks_with_the_reflection_named(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_terminal(monkeypatch)
    path = debrief(home)
    kept = run_coach("delete", rid(path), stdin="n\n")
    assert kept.code == 0, kept.stderr
    assert "Move debrief · Acme · 2026-11-20" in kept.stderr
    assert "Kept." in kept.stderr
    assert path.exists()
    gone = run_coach("delete", rid(path), stdin="y\n")
    assert gone.code == 0, gone.stderr
    assert not path.exists()


def test_ctrl_d_at_the_confirmation_stops_and_says_nothing_changed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_terminal(monkeypatch)
    path = debrief(home)
    before = path.read_bytes()
    stopped = run_coach("delete", rid(path), stdin="")  # end of input: Ctrl-D
    assert stopped.code == ExitCode.INTERRUPTED, stopped.stderr
    assert "Stopped. Nothing was changed." in stopped.stderr
    assert "from this run" not in stopped.stderr
    assert path.read_bytes() == before


def test_trash_empty_asks_first_and_says_how_many(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = debrief(home)
    second = saved(home, "prep", "Acme", "--answers", str(PREP))
    for path in (first, second):
        assert run_coach("delete", rid(path), "-y").code == 0
    assert len(list((home / "trash").rglob("*.json"))) == 2

    refused = run_coach("trash", "empty")  # no terminal, no --yes
    assert refused.code == ExitCode.USAGE, refused.stderr
    assert len(list((home / "trash").rglob("*.json"))) == 2

    on_a_terminal(monkeypatch)
    kept = run_coach("trash", "empty", stdin="n\n")
    assert kept.code == 0, kept.stderr
    assert "Delete 2 reflections for good?" in kept.stderr
    assert len(list((home / "trash").rglob("*.json"))) == 2

    emptied = run_coach("trash", "empty", stdin="y\n")
    assert emptied.code == 0, emptied.stderr
    assert "Deleted 2 reflections for good." in emptied.stderr
    assert not list((home / "trash").rglob("*"))
    assert run_coach("restore", rid(first)).code == ExitCode.DATA


def test_restore_never_replaces_a_file_already_there(home: Path) -> None:
    path = debrief(home)
    before = path.read_bytes()
    assert run_coach("delete", rid(path), "--yes").code == 0
    path.write_text("someone else's file\n")
    result = run_coach("restore", rid(path))
    assert result.code == ExitCode.DATA, result.stderr
    assert "already exists" in result.stderr
    assert path.read_text() == "someone else's file\n"
    (trashed,) = (home / "trash").rglob("*.json")
    assert trashed.read_bytes() == before


@pytest.mark.parametrize("index", ["1", "0"], ids=["index", "files"])
def test_a_reflection_in_the_trash_is_seen_by_no_other_command(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: str
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    env = {"CLIENTCOACH_INDEX": index, **NOW}
    path = debrief(home)
    # Edited first, so that a previous version is kept in edits/: no reflection either.
    edit(path, tmp_path, env)
    assert list((home / "edits").rglob("*.json"))
    assert json.loads(run_coach("followups", "--json", env=env).stdout)  # it has some
    assert [f["id"] for f in json.loads(run_coach("history", "--json", env=env).stdout)] == [
        rid(path)
    ]
    assert run_coach("delete", rid(path), "--yes", env=env).code == 0

    assert json.loads(run_coach("history", "--json", env=env).stdout) == []
    assert json.loads(run_coach("followups", "--all", "--json", env=env).stdout) == []
    assert "No reflection matches." in run_coach("history", "--grep", "pilot", env=env).stderr
    review = run_coach("review", "--json", "--month", "2026-11", env=env)
    assert review.code == 0, review.stderr
    assert rid(path) not in review.stdout
    doctor = json.loads(run_coach("doctor", "--json", env=env).stdout)
    assert doctor["reflections"]["total"] == 0
    assert doctor["damaged"] == []
    assert doctor["permissions"] == []
    assert run_coach("show", rid(path), env=env).code == ExitCode.DATA


def test_the_trash_lists_when_each_was_deleted(home: Path) -> None:
    path = debrief(home)
    when = {"CLIENTCOACH_NOW": "2026-12-02T10:00"}
    assert run_coach("delete", rid(path), "-y", env=when).code == 0
    listed = run_coach("trash", env={"COLUMNS": "120"})
    assert listed.code == 0, listed.stderr
    assert rid(path) in listed.stdout
    assert "2026-12-02 10:00" in listed.stdout
    assert "Acme" in listed.stdout
    assert "coach restore ID" in listed.stderr


def test_a_trash_that_leads_out_is_named_by_doctor_and_never_written_through(
    home: Path, tmp_path: Path
) -> None:
    path = debrief(home)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (home / "trash").symlink_to(elsewhere)
    result = run_coach("delete", rid(path), "--yes")
    assert result.code == ExitCode.STORAGE, result.stderr
    assert path.exists()
    assert not list(elsewhere.iterdir())
    doctor = json.loads(run_coach("doctor", "--json").stdout)
    assert [d["path"] for d in doctor["damaged"]] == [str(home / "trash")]


def test_restore_takes_the_short_end_of_the_id_as_delete_does(home: Path) -> None:
    path = debrief(home)
    before = path.read_bytes()
    short = rid(path).rsplit("-", 1)[-1]  # what follow-up ids start with
    assert run_coach("delete", short, "--yes").code == 0
    restored = run_coach("restore", short)
    assert restored.code == 0, restored.stderr
    assert path.read_bytes() == before


def test_in_french_the_confirmation_asks_o_n_and_takes_oui(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_terminal(monkeypatch)
    path = debrief(home)
    unclear = run_coach("--lang", "fr", "delete", rid(path), stdin="peut-être\nnon\n")
    assert unclear.code == 0, unclear.stderr
    assert "[o/N]" in unclear.stderr
    assert "répondez oui ou non" in unclear.stderr
    assert "invalid input" not in unclear.stderr
    assert path.exists()
    gone = run_coach("--lang", "fr", "delete", rid(path), stdin="oui\n")
    assert gone.code == 0, gone.stderr
    assert not path.exists()
    emptied = run_coach("--lang", "fr", "trash", "empty", stdin="o\n")
    assert emptied.code == 0, emptied.stderr
    assert not list((home / "trash").rglob("*.json"))


def _linked(home: Path, folder: Path) -> Path:
    """``folder`` moved to a real folder elsewhere in the data directory, a symbolic link
    left in its place: a link that does not lead out."""
    real = home / f"real-{folder.name}"
    folder.rename(real)
    folder.symlink_to(real, target_is_directory=True)
    return real


def test_a_linked_trash_is_refused_by_delete_even_leading_inside(home: Path) -> None:
    path = debrief(home)
    inside = home / "inside"
    inside.mkdir()
    (home / "trash").symlink_to(inside, target_is_directory=True)
    result = run_coach("delete", rid(path), "--yes")
    assert result.code == ExitCode.STORAGE, result.stderr
    assert "symbolic link" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert path.exists()
    assert not list(inside.iterdir())


@pytest.mark.parametrize("where", ["trash", "when", "month"])
@pytest.mark.parametrize("command", [["restore"], ["trash", "empty", "--yes"], ["trash"]])
def test_restore_and_empty_refuse_a_link_anywhere_in_the_trash(
    home: Path, where: str, command: list[str]
) -> None:
    path = debrief(home)
    assert run_coach("delete", rid(path), "--yes").code == 0
    (trashed,) = (home / "trash").rglob("*.json")
    before = trashed.read_bytes()
    folder = {
        "trash": home / "trash",
        "when": trashed.parent.parent,
        "month": trashed.parent,
    }[where]
    real = _linked(home, folder)
    args = [*command, rid(path)] if command == ["restore"] else command
    result = run_coach(*args)
    assert result.code == ExitCode.STORAGE, result.stderr
    assert "symbolic link" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not path.exists()
    (kept,) = real.rglob("*.json")
    assert kept.read_bytes() == before
    assert folder.is_symlink()


def deleted_after_an_edit(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A debrief edited once (a previous version kept in ``edits/``), then deleted."""
    monkeypatch.delenv("VISUAL", raising=False)
    path = debrief(home)
    edit(path, tmp_path)
    assert run_coach("delete", rid(path), "--yes").code == 0
    return path


@pytest.mark.parametrize("where", ["trash", "month", "edits", "id"])
def test_doctor_names_each_link_in_the_trash_or_kept_versions_even_leading_inside(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = deleted_after_an_edit(home, tmp_path, monkeypatch)
    assert json.loads(run_coach("doctor", "--json").stdout)["damaged"] == []
    (trashed,) = (home / "trash").rglob("*.json")
    folder = {
        "trash": home / "trash",
        "month": trashed.parent,
        "edits": home / "edits",
        "id": home / "edits" / rid(path),
    }[where]
    _linked(home, folder)
    result = run_coach("doctor", "--json")
    damaged = json.loads(result.stdout)["damaged"]
    assert [d["path"] for d in damaged] == [str(folder)]
    assert "symbolic link" in damaged[0]["reason"]


@pytest.mark.parametrize("where", ["edits", "id"])
def test_empty_refuses_a_link_among_the_kept_versions(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = deleted_after_an_edit(home, tmp_path, monkeypatch)
    folder = home / "edits" if where == "edits" else home / "edits" / rid(path)
    real = _linked(home, folder)
    result = run_coach("trash", "empty", "--yes")
    assert result.code == ExitCode.STORAGE, result.stderr
    assert "symbolic link" in result.stderr
    assert list(real.rglob("*.json"))  # the kept version
    assert list((home / "trash").rglob("*.json"))  # nothing deleted at all


def test_trash_empty_deletes_only_what_it_listed_and_was_confirmed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from rich.console import Console

    from clientcoach.storage.store import Store
    from clientcoach.ui import terminal

    listed = debrief(home)
    late = saved(home, "prep", "Acme", "--answers", str(PREP))
    late_bytes = late.read_bytes()
    assert run_coach("delete", rid(listed), "--yes").code == 0
    asked = terminal.confirm

    def confirm(console: Console, question: str) -> bool:
        answer = asked(console, question)
        # Deleted by another process while the question was on the screen.
        Store(home).trash(late, datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
        return answer

    monkeypatch.setattr(terminal, "confirm", confirm)
    on_a_terminal(monkeypatch)
    emptied = run_coach("trash", "empty", stdin="y\n")
    assert emptied.code == 0, emptied.stderr
    assert "Delete 1 reflection for good?" in emptied.stderr
    assert "Deleted 1 reflection for good." in emptied.stderr
    (survivor,) = (home / "trash").rglob("*.json")
    assert survivor.read_bytes() == late_bytes
    assert run_coach("restore", rid(late)).code == 0
    assert late.read_bytes() == late_bytes
