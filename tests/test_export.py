"""`coach export` as a user runs it: the files written, their content, the refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from markdown_it import MarkdownIt

from tests.helpers import run_coach
from tests.review_records import ans, debrief, follow_up, loop, november_set, october_prep, write

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}


def coach(*args: str, cwd: Path | None = None) -> Any:
    return run_coach(*args, env=NOW, cwd=cwd)


def with_touchpoint(client: str, day: str, touch: str, *more: dict[str, Any]) -> dict[str, Any]:
    return debrief(client, day, ans("next_touchpoint", touch, kind="date"), *more)


@pytest.fixture
def saved(home: Path) -> list[dict[str, Any]]:
    records = [
        october_prep(),
        *november_set(),
        with_touchpoint("Initech", "2026-11-21", "2027-01-15"),
        with_touchpoint(
            "Initech",
            "2026-11-22",
            "2027-02-01",
            loop("next_steps", "follow_up", [follow_up("Call = back, later", None)]),
        ),
    ]
    for record in records:
        write(home, record)
    return records


def answers_in(answers: Any) -> int:
    """Answers counted straight from the JSON: every answer that is neither an include
    nor a loop, inside includes and loop items too."""
    count = 0
    for answer in answers:
        if "answers" in answer:
            count += answers_in(answer["answers"])
        elif "items" in answer:
            count += sum(answers_in(item) for item in answer["items"])
        else:
            count += 1
    return count


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_one_row_per_answer(saved: list[dict[str, Any]], tmp_path: Path) -> None:
    result = coach("export", "--format", "csv", cwd=tmp_path)
    assert result.code == 0, result.stderr
    path = tmp_path / "clientcoach-export.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a spreadsheet reads UTF-8 right
    rows = read_csv(path)
    assert len(rows) == sum(answers_in(r["answers"]) for r in saved)
    assert list(rows[0]) == [
        "reflection",
        "date",
        "client",
        "kind",
        "step",
        "role",
        "prompt",
        "value",
    ]
    for record in saved:
        mine = [row for row in rows if row["reflection"] == record["id"]]
        assert len(mine) == answers_in(record["answers"])
        assert {row["client"] for row in mine} <= {record["client"]}
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)  # oldest first
    steps = {row["step"] for row in rows}
    assert "next_steps.2.what" in steps  # loop items numbered
    assert "trolls.1.troll_episode.topic" in steps  # includes flattened
    lists = [row for row in rows if row["step"].endswith("loss_reasons_need")]
    assert lists[0]["value"] == "need-misunderstood"
    formula = [row for row in rows if row["value"].startswith("'=")]
    assert formula == []  # "Call = back" does not start with "="
    assert f"{len(saved)} reflections written to" in result.stderr


def test_csv_to_stdout_has_no_mark_and_filters_like_history(saved: list[dict[str, Any]]) -> None:
    result = coach("export", "-f", "csv", "-o", "-", "--client", "glob", "--since", "2026-11-16")
    assert result.code == 0, result.stderr
    assert not result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    history = json.loads(
        coach("history", "--client", "glob", "--since", "2026-11-16", "--json").stdout
    )
    assert {row["reflection"] for row in rows} == {h["id"] for h in history}
    assert len(history) == 1
    assert {row["client"] for row in rows} == {"Globex"}
    grepped = coach("export", "-f", "csv", "-o", "-", "--grep", "workshop")
    assert {row["reflection"] for row in csv.DictReader(io.StringIO(grepped.stdout))} == {
        saved[2]["id"]
    }


def test_ics_holds_one_item_per_open_follow_up_and_touchpoint(
    saved: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "due.ics"
    result = coach("export", "-f", "ics", "-o", str(out))
    assert result.code == 0, result.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    todos = calendar.walk("VTODO")
    events = calendar.walk("VEVENT")
    listed = json.loads(coach("followups", "--json").stdout)
    touch = [f for f in listed if f["kind"] == "touchpoint"]
    others = [f for f in listed if f["kind"] != "touchpoint"]
    assert len(events) == len(touch) == 2
    assert len(todos) == len(others) == 3  # two of Acme's (one is done), Initech's undated
    assert {str(e["uid"]) for e in events} == {f"{f['id']}@clientcoach" for f in touch}
    assert {e.decoded("dtstart").isoformat() for e in events} == {"2027-01-15", "2027-02-01"}
    dated = {str(t["summary"]): t.decoded("due").isoformat() for t in todos if "due" in t}
    assert dated == {
        "Send the quote (Acme)": "2026-11-10",
        "Book the workshop (Acme)": "2026-11-24",
    }
    # The same follow-up keeps its UID from one export to the next.
    again = coach("export", "-f", "ics", "-o", "-")
    assert {str(t["uid"]) for t in Calendar.from_ical(again.stdout).walk("VTODO")} == {
        str(t["uid"]) for t in todos
    }
    assert "5 follow-ups and touchpoints written" in result.stderr


def test_markdown_folder_parses_and_front_matter_matches(
    saved: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = coach("export", "-f", "markdown", cwd=tmp_path)
    assert result.code == 0, result.stderr
    folder = tmp_path / "clientcoach-export"
    files = sorted(folder.iterdir())
    assert len(files) == len(saved)
    by_id = {r["id"]: r for r in saved}
    parser = MarkdownIt("commonmark")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        head, body = text[4:].split("\n---\n", 1)
        front = {k: json.loads(v) for k, v in (line.split(": ", 1) for line in head.splitlines())}
        record = by_id[front["id"]]
        assert front == {
            "id": record["id"],
            "date": record["meeting"]["date"],
            "client": record["client"],
            "kind": record["kind"],
            "playbook": record["playbook"]["id"],
            "title": record["meeting"]["title"],
        }
        tokens = parser.parse(body)
        assert tokens[0].type == "heading_open"
        assert record["client"] in parser.render(body)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no halfway folder


def test_nothing_is_replaced_without_force(saved: list[dict[str, Any]], tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    out.write_text("mine", encoding="utf-8")
    refused = coach("export", "-f", "csv", "-o", str(out))
    assert refused.code == 2
    assert "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "mine"
    assert coach("export", "-f", "csv", "-o", str(out), "--force").code == 0
    assert len(read_csv(out)) > 1

    folder = tmp_path / "md"
    assert coach("export", "-f", "markdown", "-o", str(folder)).code == 0
    first = sorted(p.name for p in folder.iterdir())
    again = coach("export", "-f", "markdown", "-o", str(folder))
    assert again.code == 2
    assert "--force" in again.stderr
    forced = coach("export", "-f", "markdown", "-o", str(folder), "--force", "-c", "Globex")
    assert forced.code == 0, forced.stderr
    assert len(list(folder.iterdir())) == 2 < len(first)

    # A folder that holds anything but an export's files is never replaced, even forced.
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    kept = coach("export", "-f", "markdown", "-o", str(precious), "--force")
    assert kept.code == 2
    assert "not a Markdown export" in kept.stderr
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_refusals_are_one_line_usage_errors(saved: list[dict[str, Any]], home: Path) -> None:
    for args, words in [
        (["-f", "pdf"], "not a format"),
        (["-f", "markdown", "-o", "-"], "standard output"),
        (["-f", "csv", "-o", str(home / "reflections" / "x.csv")], "inside the data directory"),
        (["-f", "csv", "-o", "/nonexistent-folder/x.csv"], "no folder"),
        (["-f", "csv", "--with-text"], "--redact"),
        (["-f", "csv", "--kind", "lunch"], "not a kind"),
    ]:
        result = coach("export", *args)
        assert result.code == 2, (args, result.stderr)
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (home / "reflections" / "x.csv").exists()
    history = coach("history", "--json")
    assert len(json.loads(history.stdout)) == len(saved)


def test_an_empty_selection_writes_an_empty_export(
    saved: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = coach("export", "-f", "csv", "--since", "2030-01-01", cwd=tmp_path)
    assert result.code == 0
    assert read_csv(tmp_path / "clientcoach-export.csv") == []
    assert "0 reflections written" in result.stderr


def test_damaged_files_are_named_and_exit_7(saved: list[dict[str, Any]], home: Path) -> None:
    bad = home / "reflections" / "2026-11" / "2026-11-23_debrief_acme_x.json"
    bad.write_text("{", encoding="utf-8")
    result = coach("export", "-f", "csv", "-o", "-")
    assert result.code == 7
    assert str(bad) in result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) > 1


def test_a_touchpoint_event_names_its_client_once(saved: list[dict[str, Any]]) -> None:
    result = coach("export", "-f", "ics", "-o", "-")
    assert result.code == 0, result.stderr
    summaries = [str(e["summary"]) for e in Calendar.from_ical(result.stdout).walk("VEVENT")]
    assert summaries == ["Next touchpoint with Initech (lost deal)"] * 2


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("failure", ["disk full", "ctrl-c"])
def test_a_forced_export_that_fails_midway_keeps_the_earlier_one(
    saved: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """The new export is written beside the earlier one, then swapped in: a failure while
    writing, or a stop at any point of the swap, leaves the earlier export whole."""
    import errno

    from clientcoach.storage import store

    out, folder = tmp_path / "all.csv", tmp_path / "md"
    assert coach("export", "-f", "csv", "-o", str(out)).code == 0
    assert coach("export", "-f", "markdown", "-o", str(folder)).code == 0
    earlier_csv, earlier_md = out.read_bytes(), _contents(folder)
    real_write_tmp = store._write_tmp
    written: list[Path] = []

    def failing(path: Path, text: str, root: Path | None = None) -> Path:
        written.append(path)
        if len(written) == 3:  # midway: the third file of the new export
            if failure == "ctrl-c":
                raise KeyboardInterrupt
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_write_tmp(path, text, root)

    monkeypatch.setattr(store, "_write_tmp", failing)
    result = coach("export", "-f", "markdown", "-o", str(folder), "--force", "-c", "Acme")
    assert result.code != 0, result.stderr
    assert _contents(folder) == earlier_md
    monkeypatch.setattr(store, "_write_tmp", real_write_tmp)

    # A stop at each point of the swap: after the earlier export is moved aside, and
    # after the new one is in place.
    real_rename = Path.rename
    for step in (1, 2):
        renamed: list[Path] = []

        def rename(
            self: Path, target: Path, step: int = step, renamed: list[Path] = renamed
        ) -> Path:
            moved = real_rename(self, target)
            renamed.append(Path(target))
            if len(renamed) == step:
                raise KeyboardInterrupt
            return moved

        monkeypatch.setattr(Path, "rename", rename)
        again = coach("export", "-f", "markdown", "-o", str(folder), "--force", "-c", "Acme")
        monkeypatch.setattr(Path, "rename", real_rename)
        assert again.code != 0
        now = _contents(folder)
        assert now == earlier_md or (0 < len(now) < len(earlier_md)), (step, sorted(now))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    def failing_csv(path: Path, text: str, root: Path | None = None) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(store, "_write_tmp", failing_csv)
    assert coach("export", "-f", "csv", "-o", str(out), "--force", "-c", "Acme").code == 6
    assert out.read_bytes() == earlier_csv


def test_a_csv_is_written_as_it_is_read_and_a_stop_midway_leaves_the_earlier_file(
    saved: list[dict[str, Any]], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reflections are read one at a time while the CSV is written (an export of
    thousands is never held whole): a stop while reading leaves the earlier export, and
    no piece of the new one, behind."""
    import os

    from clientcoach.storage.store import Store

    # Files written a moment ago are read again by every command (their times are not
    # trusted yet): made older, they are read once, by the index, before the patch.
    for path in home.glob("reflections/*/*.json"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    out = tmp_path / "all.csv"
    assert coach("export", "-f", "csv", "-o", str(out)).code == 0
    earlier = out.read_bytes()
    real_read = Store.read_record
    read: list[Path] = []

    pieces: list[Path] = []

    def stopping(self: Store, path: Path) -> dict[str, Any]:
        read.append(path)
        if len(read) == 3:
            # The first reflections are already on their way to the disk.
            pieces.extend(tmp_path.glob(".all.csv.*.tmp"))
            raise KeyboardInterrupt
        return real_read(self, path)

    monkeypatch.setattr(Store, "read_record", stopping)
    result = coach("export", "-f", "csv", "-o", str(out), "--force")
    assert result.code == 130, result.stderr
    assert len(read) == 3
    assert len(pieces) == 1  # written while read...
    assert not pieces[0].exists()  # ...and removed at the stop
    assert out.read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir() if "all.csv" in p.name] == ["all.csv"]


def test_markdown_files_are_written_as_they_are_read_and_a_stop_leaves_the_earlier_export(
    saved: list[dict[str, Any]], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each reflection's file is written before the next is read (an export of thousands
    is never held whole); a stop while reading leaves the earlier export, and nothing of
    the new one."""
    import os

    from clientcoach.storage.store import Store

    for path in home.glob("reflections/*/*.json"):  # read once by the index (see above)
        os.utime(path, (1_700_000_000, 1_700_000_000))
    folder = tmp_path / "md"
    assert coach("export", "-f", "markdown", "-o", str(folder)).code == 0
    earlier = _contents(folder)
    assert len(earlier) >= 3
    real_read = Store.read_record
    read: list[Path] = []
    written_before: list[str] = []

    def stopping(self: Store, path: Path) -> dict[str, Any]:
        read.append(path)
        if len(read) == 3:
            written_before.extend(
                p.name for building in tmp_path.glob(".md.*.tmp") for p in building.iterdir()
            )
            raise KeyboardInterrupt
        return real_read(self, path)

    monkeypatch.setattr(Store, "read_record", stopping)
    result = coach("export", "-f", "markdown", "-o", str(folder), "--force")
    assert result.code == 130, result.stderr
    assert len(written_before) == 2  # the first two, already on disk
    assert _contents(folder) == earlier
    assert [p.name for p in tmp_path.iterdir() if "md" in p.name] == ["md"]


def test_a_file_damaged_after_the_listing_is_named_and_not_counted(
    saved: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientcoach.storage.store import DamagedFile, Store

    real_read = Store.read_record
    broken: list[Path] = []

    def damaging(self: Store, path: Path) -> dict[str, Any]:
        if not broken and "debrief" in path.name:
            broken.append(path)
            raise DamagedFile(path, "not JSON")
        return real_read(self, path)

    monkeypatch.setattr(Store, "read_record", damaging)
    result = coach("export", "-f", "csv", "-o", str(tmp_path / "all.csv"))
    assert result.code == 7
    assert str(broken[0]) in result.stderr
    assert f"{len(saved) - 1} reflections written" in result.stderr
    ids = {row["reflection"] for row in read_csv(tmp_path / "all.csv")}
    assert ids
    assert not any(r["id"] in broken[0].name for r in saved if r["id"] in ids)
