"""The store: safe names, private permissions, atomic saves that never overwrite."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from clientcoach.core.text import fold, slug
from clientcoach.errors import DataError
from clientcoach.model.reflection import Answer, Links, Meeting, PlaybookRef, Reflection, new_id
from clientcoach.storage.store import Store

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def make(client: str = "Acme", kind: str = "prep", day: date = date(2026, 11, 24)) -> Reflection:
    return Reflection(
        id=new_id(NOW),
        kind=kind,  # type: ignore[arg-type]
        client=client,
        meeting=Meeting(title=None, date=day),
        playbook=PlaybookRef(id=kind, version="1.0", language="en"),
        links=Links(prep=None),
        started_at=NOW,
        finished_at=NOW,
        answers=[
            Answer(step="goal", type="text", role="goal", prompt="Goal?", value="Sign"),
            Answer(
                step="actions",
                type="loop",
                role="follow_up",
                prompt="Add?",
                items=[[Answer(step="what", type="text", prompt="What?", value="Quote")]],
            ),
        ],
        app_version="0.1.0",
    )


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    "client",
    ["../../etc", "CON", "🦄", "x" * 300, "a/b\\c", ".", "..", "NUL.txt", "Société Générale"],
)
def test_hostile_client_names_give_safe_names_inside_the_data_dir(home: Path, client: str) -> None:
    store = Store(home)
    saved, path = store.save(make(client))
    assert path.resolve().is_relative_to(home.resolve())
    assert path.parent.parent == home / "reflections"
    name = path.name
    assert len(name) < 120
    assert all(c.isascii() and (c.isalnum() or c in "-_.T") for c in name)
    assert not name.upper().startswith(("CON", "NUL", "PRN", "AUX"))
    assert json.loads(path.read_text(encoding="utf-8"))["client"] == client
    assert saved.client == client


def test_slug_and_fold() -> None:
    assert slug("../../etc") == "etc"
    assert slug("🦄") == "client"
    assert slug("Société  Générale") == "societe-generale"
    assert len(slug("y" * 300)) <= 32
    assert fold("Société Générale") == fold("  societe   GENERALE ")


def test_private_permissions_whatever_the_umask(home: Path, umask_zero: None) -> None:
    _, path = Store(home).save(make())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (home, home / "reflections", path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_saved_file_round_trips_through_the_model(home: Path) -> None:
    store = Store(home)
    original, path = store.save(make())
    text = path.read_text(encoding="utf-8")
    loaded = store.load(path)
    assert loaded == original
    assert loaded.to_json() == text
    data = json.loads(text)
    assert data["schema"] == 1
    assert data["links"] == {"prep": None}
    assert data["answers"][1]["items"][0][0]["value"] == "Quote"


def test_no_temporary_file_is_left_behind(home: Path) -> None:
    store = Store(home)
    for _ in range(5):
        store.save(make())
    leftovers = [p for p in home.rglob("*") if p.is_file() and not p.name.endswith(".json")]
    assert leftovers == []
    assert len(store.files()) == 5


def test_an_id_clash_never_overwrites(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(home)
    first, first_path = store.save(make())
    before = first_path.read_bytes()
    clash = make().replace(id=first.id)
    second, second_path = store.save(clash)
    assert second.id != first.id
    assert second_path != first_path
    assert first_path.read_bytes() == before
    assert json.loads(second_path.read_text())["id"] == second.id


def test_latest_prep_matches_client_regardless_of_case_and_accents(home: Path) -> None:
    store = Store(home)
    store.save(make("Société Générale", day=date(2026, 11, 1)))
    later, _ = store.save(make("societe generale", day=date(2026, 11, 20)))
    store.save(make("Other", day=date(2026, 11, 21)))
    store.save(make("Société Générale", day=date(2026, 11, 30)))  # after the meeting
    found = store.latest_prep("SOCIETE  Générale", date(2026, 11, 24))
    assert found is not None
    assert found.id == later.id


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b'{"schema": 1, "id": ', "not valid JSON"),
        (b"\x00\xff\xfe binary", "not UTF-8"),
        (b"[1, 2]", "not a clientcoach reflection"),
        (b'{"schema": 99}', "newer clientcoach"),
        (b'{"schema": 1, "id": "x"}', "damaged reflection"),
    ],
)
def test_damaged_files_raise_a_clear_data_error(home: Path, content: bytes, message: str) -> None:
    path = home / "bad.json"
    home.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        Store(home).load(path)
    assert path.read_bytes() == content


def test_find_by_unique_id_prefix(home: Path) -> None:
    store = Store(home)
    saved, path = store.save(make())
    found_path, found = store.find(saved.id)
    assert found_path == path
    assert found.id == saved.id
    with pytest.raises(DataError, match="no reflection"):
        store.find("19990101")


def test_doctor_names_twenty_files_that_are_not_private_and_says_how_to_fix_them(
    home: Path,
) -> None:
    from tests.helpers import run_coach

    notes = home / "notes"
    notes.mkdir(mode=0o700, parents=True)
    for number in range(30):
        made = notes / f"note-{number:02d}.txt"
        made.write_text("x", encoding="utf-8")
        made.chmod(0o644)
    every = json.loads(run_coach("doctor", "--json").stdout)["permissions"]
    assert len([p for p in every if p["mode"] == "0644"]) == 30
    shown = run_coach("doctor")
    assert shown.code == 0, shown.stderr
    listed = [line for line in shown.stdout.splitlines() if re.match(r"  0\d{3}  /", line)]
    assert listed == [f"  {p['mode']}  {p['path']}" for p in every[:20]]
    more = len(every) - 20
    assert f"... and {more} more; coach doctor --json lists them all." in shown.stdout
    assert f"Make them private with: chmod -R go-rwx {home}" in shown.stdout
