"""Never lose a reflection: damaged files, migrations, concurrent and killed saves, modes.

Everything here runs the real program or real processes where the risk is real (two
writers, SIGKILL, the umask, the environment); the store is called directly only to
prepare data quickly.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import clientcoach
from clientcoach.errors import DataError
from clientcoach.model.draft import Draft, DraftPlaybook
from clientcoach.model.reflection import Answer, Links, Meeting, PlaybookRef, Reflection, new_id
from clientcoach.storage import store as store_module
from clientcoach.storage.store import ChangedError, DamagedFile, Store, replace_if_unchanged
from tests.helpers import REPO, reflection_files, run_coach

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
FIXTURES = REPO / "tests" / "fixtures" / "records"
PREP_ANSWERS = REPO / "examples" / "prep-answers.toml"


def make(client: str = "Acme", kind: str = "prep") -> Reflection:
    return Reflection(
        id=new_id(NOW),
        kind=kind,  # type: ignore[arg-type]
        client=client,
        meeting=Meeting(title=None, date=date(2026, 11, 24)),
        playbook=PlaybookRef(id=kind, version="1.0", language="en"),
        links=Links(prep=None),
        started_at=NOW,
        finished_at=NOW,
        answers=[Answer(step="goal", type="text", role="goal", prompt="Goal?", value="Sign")],
        app_version="0.1.0",
    )


def deep(levels: int) -> bytes:
    """A record whose answers nest ``levels`` deep through included playbooks."""
    answers: list[Any] = [{"step": "x", "type": "text", "value": "bottom"}]
    for _ in range(levels):
        answers = [{"step": "x", "type": "include", "answers": answers}]
    record = {
        "schema": 1,
        "id": "x",
        "kind": "prep",
        "client": "Acme",
        "meeting": {"date": "2026-11-24"},
        "answers": answers,
    }
    return json.dumps(record).encode()


def deep_value(levels: int) -> bytes:
    return b'{"schema": 1, "x": ' + b"[" * levels + b"]" * levels + b"}"


DAMAGED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "blank": (b"  \n\n", "empty file"),
    "truncated": (b'{"schema": 1, "id": "2026', "not valid JSON"),
    "not-json": (b"schema = 1\n", "not valid JSON"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "latin1": ('{"schema": 1, "client": "Société"}'.encode("latin-1"), "not UTF-8"),
    "nul": (b'{"schema": 1}\x00', "NUL"),
    "list": (b"[1, 2, 3]", "no 'schema'"),
    "string": (b'"hello"', "no 'schema'"),
    "schema-text": (b'{"schema": "1"}', "not a version"),
    "schema-bool": (b'{"schema": true}', "not a version"),
    "newer": (b'{"schema": 99, "id": "x"}', "newer clientcoach"),
    "wrong-shape": (b'{"schema": 1, "id": "x", "kind": "prep"}', "damaged reflection"),
    "nan": (b'{"schema": 1, "x": NaN}', "not valid JSON"),
    "huge-int": (b'{"schema": 1, "x": ' + b"9" * 5000 + b"}", "not valid JSON"),
    "nested": (deep(200), "nested more than"),
    "very-nested": (deep_value(200_000), "not valid JSON"),
}


def write_damaged(home: Path) -> dict[Path, bytes]:
    folder = home / "reflections" / "2026-11"
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[Path, bytes] = {}
    for name, (content, _reason) in DAMAGED.items():
        path = folder / f"2026-11-24_prep_acme_{name}.json"
        path.write_bytes(content)
        written[path] = content
    return written


def test_every_kind_of_damage_is_reported_once_by_both_scans(home: Path) -> None:
    store = Store(home)
    _, good = store.save(make())
    written = write_damaged(home)

    for scan in (store.scan(), store.scan_records()):
        assert [p for p, _ in scan.items] == [good]
        reasons = {d.path: d.reason for d in scan.damaged}
        assert len(scan.damaged) == len(written) == len(reasons)
        for path in written:
            name = path.stem.rsplit("_", 1)[-1]
            assert DAMAGED[name][1] in reasons[path], (name, reasons[path])
            assert str(path) not in reasons[path]  # the path is printed beside it, once
    for path, content in written.items():
        assert path.read_bytes() == content


def thousand_good_five_damaged(home: Path) -> dict[Path, bytes]:
    """1,000 readable reflections of November 2026 and 5 damaged files beside them."""
    store = Store(home)
    for index in range(1000):
        store.save(make(f"Client {index % 37}", "prep" if index % 3 else "debrief"))
    folder = home / "reflections" / "2026-11"
    bad = {
        folder / "2026-11-24_prep_a_x1.json": b"",
        folder / "2026-11-24_debrief_a_x2.json": b'{"schema": 1, "id": ',
        folder / "2026-11-24_prep_a_x3.json": b"\x89PNG\r\n\x1a\n\x00\x00",
        folder / "2026-11-24_debrief_a_x4.json": b'{"schema": 7}',
        folder / "2026-11-24_prep_a_x5.json": b'{"schema": 1, "kind": 3}',
    }
    for path, content in bad.items():
        path.write_bytes(content)
    return bad


def snapshot(home: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file's bytes and modification time, to prove a command changed nothing (the
    derived index aside: reading commands keep it up to date, it holds no data)."""
    return {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in home.rglob("*")
        if p.is_file() and not p.name.startswith("index.sqlite3")
    }


def test_coach_doctor_json_counts_1000_lists_5_exits_7_and_changes_nothing(home: Path) -> None:
    bad = thousand_good_five_damaged(home)
    before = snapshot(home)

    result = run_coach("doctor", "--json")
    assert result.code == 7, result.stderr
    report = json.loads(result.stdout)
    assert report["reflections"]["total"] == 1000
    assert report["reflections"]["by_kind"] == {"debrief": 334, "prep": 666}
    assert sorted(d["path"] for d in report["damaged"]) == sorted(str(p) for p in bad)
    for path in bad:
        assert result.stderr.count(str(path)) == 1  # named once on stderr
    assert snapshot(home) == before


def test_coach_review_json_counts_1000_lists_5_exits_7_and_changes_nothing(home: Path) -> None:
    bad = thousand_good_five_damaged(home)
    before = snapshot(home)

    result = run_coach(
        "review", "--json", "--month", "2026-11", env={"CLIENTCOACH_NOW": "2026-11-30T18:00"}
    )
    assert result.code == 7, result.stderr
    report = json.loads(result.stdout)
    assert report["reflections"] == 1000
    assert report["meetings"]["debriefed"] == 334
    assert sorted(d["path"] for d in report["damaged"]) == sorted(str(p) for p in bad)
    for path in bad:
        assert result.stderr.count(str(path)) == 1  # named once on stderr
    assert snapshot(home) == before


def test_quarantine_moves_damaged_files_aside_never_deleting_or_overwriting(home: Path) -> None:
    store = Store(home)
    _, good = store.save(make())
    folder = home / "reflections" / "2026-11"
    bad = folder / "2026-11-24_prep_acme_bad.json"
    bad.write_bytes(b"{oops")
    earlier = home / "quarantine" / "reflections" / "2026-11" / bad.name
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"quarantined before")
    (home / "drafts").mkdir()
    bad_draft = home / "drafts" / "20261124T093000-zzzzzz.json"
    bad_draft.write_bytes(b"\xff\xfe")

    result = run_coach("doctor", "--quarantine", "--json")
    assert result.code == 0, result.stderr
    moved = {m["from"]: m["to"] for m in json.loads(result.stdout)["quarantined"]}
    assert moved == {
        str(bad): str(earlier) + ".1",
        str(bad_draft): str(home / "quarantine" / "drafts" / bad_draft.name),
    }
    assert earlier.read_bytes() == b"quarantined before"
    assert Path(moved[str(bad)]).read_bytes() == b"{oops"
    assert Path(moved[str(bad_draft)]).read_bytes() == b"\xff\xfe"
    assert not bad.exists()
    assert not bad_draft.exists()
    assert good.exists()
    again = run_coach("doctor")
    assert again.code == 0, again.stderr
    assert "Damaged files: none." in again.stdout


# --- migrations -----------------------------------------------------------------------


@pytest.fixture
def schema_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """A future schema 2 that renames ``links.prep`` to ``links.follows``."""

    def one_to_two(data: dict[str, object]) -> dict[str, object]:
        links = data["links"]
        assert isinstance(links, dict)
        links["follows"] = links.pop("prep")
        return data

    monkeypatch.setattr(clientcoach, "REFLECTION_SCHEMA", 2)
    monkeypatch.setitem(store_module.MIGRATIONS, 1, one_to_two)


def copy_fixture(home: Path, name: str) -> Path:
    target = home / "reflections" / "2026-03" / f"2026-03-02_debrief_acme_{name}"
    target.parent.mkdir(parents=True)
    target.write_bytes((FIXTURES / name).read_bytes())
    return target


@pytest.mark.usefixtures("schema_two")
def test_an_older_record_is_migrated_on_read_and_never_written_back(home: Path) -> None:
    path = copy_fixture(home, "schema1-debrief.json")
    original = path.read_bytes()
    store = Store(home)

    loaded = store.load(path)
    assert loaded.schema_ == 2
    assert loaded.links.extra() == {"follows": None}
    assert [a.step for a in loaded.answers] == ["next_steps_agreed", "energy"]
    record = store.read_record(path)
    assert record["schema"] == 2
    assert record["links"] == {"follows": None}
    assert [p for p, _ in store.scan_records().items] == [path]
    assert path.read_bytes() == original


def test_a_record_whose_migration_fails_is_damaged_and_left_alone(home: Path) -> None:
    path = copy_fixture(home, "schema1-debrief.json")
    original = path.read_bytes()
    with pytest.MonkeyPatch.context() as patch:  # a later schema, for this part only
        patch.setattr(clientcoach, "REFLECTION_SCHEMA", 3)
        patch.setitem(store_module.MIGRATIONS, 1, lambda data: {**data, "x": data["nope"]})
        with pytest.raises(DamagedFile, match="cannot migrate it from schema 1"):
            Store(home).load(path)
        patch.setitem(store_module.MIGRATIONS, 1, lambda data: data)  # no step 2 -> 3
        with pytest.raises(DamagedFile, match="schema 2 cannot be read"):
            Store(home).read_record(path)
    result = run_coach("doctor", "--json")  # schema 1 is current in a real run: readable
    assert result.code == 0, result.stderr
    assert path.read_bytes() == original


def test_the_current_schema_reads_the_fixture_without_migrating(home: Path) -> None:
    path = copy_fixture(home, "schema1-debrief.json")
    loaded = Store(home).load(path)
    assert loaded.schema_ == 1
    assert loaded.links.prep is None


# --- updates and concurrency ----------------------------------------------------------


def test_replace_if_unchanged_never_overwrites_a_newer_version(home: Path) -> None:
    home.mkdir(parents=True)
    path = home / "record.json"
    path.write_text('{"v": 1}', encoding="utf-8")
    seen = path.read_bytes()
    replace_if_unchanged(path, seen, '{"v": 2}')
    assert path.read_text(encoding="utf-8") == '{"v": 2}'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    path.write_text('{"v": 3, "by": "another process"}', encoding="utf-8")
    with pytest.raises(ChangedError, match="changed by another program"):
        replace_if_unchanged(path, seen, '{"v": 4}')
    assert json.loads(path.read_text(encoding="utf-8"))["by"] == "another process"
    path.unlink()
    with pytest.raises(DataError, match="removed"):
        replace_if_unchanged(path, seen, '{"v": 4}')
    assert not path.exists()
    assert [p.name for p in home.iterdir()] == []  # no temporary file left behind


WRITER = """
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from clientcoach.model.reflection import Answer, Links, Meeting, PlaybookRef, Reflection
from clientcoach.storage.store import Store

now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
store = Store(Path(sys.argv[1]))
for index in range(50):
    reflection = Reflection(
        # The same id in both processes: every name clashes, and must never overwrite.
        id=f"20261124T093000-{index:06d}",
        kind="prep", client="Acme", meeting=Meeting(date=date(2026, 11, 24)),
        playbook=PlaybookRef(id="prep", version="1", language="en"), links=Links(),
        started_at=now, finished_at=now, app_version="0",
        answers=[Answer(step="who", type="text", value=f"{sys.argv[2]}-{index}")],
    )
    store.save(reflection)
"""


@pytest.mark.e2e  # two real processes
def test_two_processes_saving_50_each_leave_100_valid_files(home: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(home), name]) for name in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    files = reflection_files(home)
    assert len(files) == 100
    store = Store(home)
    values = sorted(str(store.load(p).answers[0].value) for p in files)
    assert values == sorted(f"{n}-{i}" for n in "ab" for i in range(50))


# A save killed at any instant: see test_kill.py (points instrumented, real SIGKILL).


# --- permissions and the data directory -----------------------------------------------


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> set[tuple[str, int]]:
    found = {("dir", stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode)))
    return found


def test_umask_zero_still_gives_private_files_and_folders(home: Path, umask_zero: None) -> None:
    result = run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS))
    assert result.code == 0, result.stderr
    draft = Draft(
        id="20261124T093000-abcdef",
        kind="prep",
        client="Acme",
        meeting=Meeting(date=date(2026, 11, 24)),
        playbook=DraftPlaybook(id="prep", version="1", language="en"),
        started_at=NOW,
        updated_at=NOW,
        app_version="0",
    )
    path = Store(home).save_draft(draft)
    Store(home).save_draft(draft)  # replaced in place: still private
    assert path.parent == home / "drafts"
    assert modes(home) == {("dir", 0o700), ("file", 0o600)}
    assert run_coach("doctor", "--json").code == 0


@pytest.mark.parametrize("xdg", ["", "relative/data"])
def test_an_empty_or_relative_xdg_data_home_never_writes_to_the_current_folder(
    tmp_path: Path, xdg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_home = tmp_path / "home"
    cwd = tmp_path / "cwd"
    user_home.mkdir()
    cwd.mkdir()
    monkeypatch.delenv("CLIENTCOACH_HOME")
    env = {"HOME": str(user_home), "XDG_DATA_HOME": xdg}
    result = run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS), env=env, cwd=cwd)
    assert result.code == 0, result.stderr
    saved = Path(result.stdout.strip())
    assert saved.is_relative_to(user_home / ".local" / "share" / "clientcoach")
    assert list(cwd.rglob("*")) == []
    doctor = run_coach("doctor", "--json", env=env, cwd=cwd)
    assert json.loads(doctor.stdout)["data_dir"] == str(user_home / ".local/share/clientcoach")
    assert list(cwd.rglob("*")) == []
