"""Issue 16, paths: nothing written outside the data directory, no read that blocks or
grows without bound, whatever a synced folder planted in it.

The symlink matrix plants a link leading out at a month folder, ``drafts``, ``cache``,
``quarantine``, the lock and a record, runs every command, and checks that each one
refuses or skips with one line, and that the outside tree is byte for byte unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from clientcoach.model.draft import Draft
from clientcoach.storage.store import Store
from tests.helpers import REPO, reflection_files, run_coach

NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}
DEBRIEF = REPO / "examples" / "debrief-answers.toml"
PREP = REPO / "examples" / "prep-answers.toml"


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under ``root``: its kind, mode and a digest of its bytes or target."""
    found: dict[str, tuple[str, int, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            info = path.lstat()
            if path.is_symlink():
                found[str(path)] = ("link", info.st_mode, str(path.readlink()))
            elif path.is_dir():
                found[str(path)] = ("dir", info.st_mode, "")
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[str(path)] = ("file", info.st_mode, digest)
    return found


def saved_debrief(home: Path) -> dict[str, object]:
    result = run_coach("debrief", "Acme", "--answers", str(DEBRIEF), env=NOW)
    assert result.code == 0, result.stderr
    (path,) = reflection_files(home)
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def follow_up_id() -> str:
    listed = run_coach("followups", "--json", env=NOW)
    return str(json.loads(listed.stdout)[0]["short_id"])


def plant_month(home: Path, outside: Path) -> None:
    month = home / "reflections" / "2026-11"
    shutil.move(str(month), str(outside / "2026-11"))
    month.symlink_to(outside / "2026-11", target_is_directory=True)


def plant_drafts(home: Path, outside: Path) -> None:
    (outside / "drafts").mkdir()
    (home / "drafts").symlink_to(outside / "drafts", target_is_directory=True)


def plant_cache(home: Path, outside: Path) -> None:
    shutil.rmtree(home / "cache", ignore_errors=True)
    (outside / "cache").mkdir()
    (home / "cache").symlink_to(outside / "cache", target_is_directory=True)


def plant_quarantine(home: Path, outside: Path) -> None:
    (outside / "quarantine").mkdir()
    (home / "quarantine").symlink_to(outside / "quarantine", target_is_directory=True)
    # something damaged for `doctor --quarantine` to move
    (home / "reflections" / "2026-11" / "2026-11-20_debrief_acme_broken.json").write_text("{")


def plant_lock(home: Path, outside: Path) -> None:
    lock = home / "reflections" / ".update.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(outside / "created-by-the-lock")


def plant_record(home: Path, outside: Path) -> None:
    (path,) = reflection_files(home)
    shutil.move(str(path), str(outside / path.name))
    path.symlink_to(outside / path.name)


PLANTS: dict[str, Callable[[Path, Path], None]] = {
    "month": plant_month,
    "drafts": plant_drafts,
    "cache": plant_cache,
    "quarantine": plant_quarantine,
    "lock": plant_lock,
    "record": plant_record,
}


def commands(item: str, record_id: str, tmp_path: Path) -> list[list[str]]:
    return [
        ["history"],
        ["followups"],
        ["clients"],
        ["brief", "Acme"],
        ["show", record_id[-6:]],
        ["show", record_id[-6:], "--markdown"],
        ["review", "--month", "2026-11"],
        ["doctor"],
        ["drafts"],
        ["resume", "nothing"],
        ["done", item],
        ["prep", "Acme", "--answers", str(PREP)],
        ["debrief", "Acme", "--answers", str(DEBRIEF)],
        ["doctor", "--quarantine"],
    ]


@pytest.mark.parametrize("where", sorted(PLANTS))
def test_symlink_matrix_every_command_refuses_or_skips_and_nothing_outside_changes(
    home: Path, tmp_path: Path, where: str
) -> None:
    record = saved_debrief(home)
    item = follow_up_id()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("not yours\n")
    PLANTS[where](home, outside)
    before = snapshot(outside)
    for argv in commands(item, str(record["id"]), tmp_path):
        result = run_coach(*argv, env=NOW)
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        assert result.code != 1, (argv, result.stderr)
        assert snapshot(outside) == before, (where, argv)
    assert not (outside / "created-by-the-lock").exists()


def test_a_month_folder_link_is_named_once_by_readers_and_done_writes_nothing(
    home: Path, tmp_path: Path
) -> None:
    saved_debrief(home)
    item = follow_up_id()
    outside = tmp_path / "outside"
    outside.mkdir()
    plant_month(home, outside)
    before = snapshot(outside)
    listed = run_coach("followups", env=NOW)
    assert listed.code == 7
    assert listed.stderr.count("2026-11") == 1
    assert "symbolic link leading out of the data directory" in listed.stderr
    done = run_coach("done", item, env=NOW)
    assert done.code in (5, 7)
    saving = run_coach("debrief", "Acme", "--answers", str(DEBRIEF), env=NOW)
    assert saving.code == 6
    assert "symbolic link leading out" in saving.stderr
    assert len(saving.stderr.strip().splitlines()) <= 2
    assert snapshot(outside) == before


def test_a_drafts_link_never_receives_a_draft(home: Path, tmp_path: Path) -> None:
    from clientcoach.errors import StorageError
    from clientcoach.model.draft import DraftPlaybook

    outside = tmp_path / "outside"
    outside.mkdir()
    home.mkdir()
    plant_drafts(home, outside)
    from clientcoach.model.reflection import Meeting

    draft = Draft(
        id="20261120T090000-abc123",
        kind="prep",
        client="Acme",
        meeting=Meeting(date=date(2026, 11, 20)),
        playbook=DraftPlaybook(id="prep", version="1", language="en"),
        started_at=datetime(2026, 11, 20, tzinfo=UTC),
        updated_at=datetime(2026, 11, 20, tzinfo=UTC),
        app_version="0",
    )
    with pytest.raises(StorageError) as raised:
        Store(home).save_draft(draft)
    assert "symbolic link leading out" in raised.value.message
    assert "coach resume" in str(raised.value.hint)
    assert list((outside / "drafts").iterdir()) == []
    listed = run_coach("drafts")
    assert listed.code == 7
    assert "drafts" in listed.stderr
    assert "symbolic link" in listed.stderr


def test_a_cache_link_receives_no_cache_file(home: Path, tmp_path: Path) -> None:
    saved_debrief(home)
    outside = tmp_path / "outside"
    outside.mkdir()
    plant_cache(home, outside)
    prep = run_coach("prep", "Acme", "--answers", str(PREP), env=NOW)
    assert prep.code == 0
    assert list((outside / "cache").iterdir()) == []
    # Skipped, and said in one line naming the link.
    (said,) = [line for line in prep.stderr.splitlines() if "Not used:" in line]
    assert f"{home / 'cache'} is a symbolic link leading out of the data directory" in said
    doctor = run_coach("doctor", env=NOW)
    assert doctor.code == 7
    assert f"{home / 'cache'}" in doctor.stderr
    assert "symbolic link leading out" in doctor.stderr


def test_doctor_quarantine_never_follows_a_quarantine_link(home: Path, tmp_path: Path) -> None:
    saved_debrief(home)
    outside = tmp_path / "outside"
    outside.mkdir()
    plant_quarantine(home, outside)
    result = run_coach("doctor", "--quarantine")
    assert result.code == 6
    assert "symbolic link leading out" in result.stderr
    assert list((outside / "quarantine").iterdir()) == []
    assert (home / "reflections" / "2026-11" / "2026-11-20_debrief_acme_broken.json").exists()


def test_a_lock_link_is_never_followed_nor_its_target_created(home: Path, tmp_path: Path) -> None:
    saved_debrief(home)
    item = follow_up_id()
    outside = tmp_path / "outside"
    outside.mkdir()
    plant_lock(home, outside)
    result = run_coach("done", item, env=NOW)
    assert result.code in (6, 7)
    assert ".update.lock" in result.stderr
    assert not (outside / "created-by-the-lock").exists()


def test_doctor_quarantine_moves_a_record_linked_to_etc_passwd_as_the_link(
    home: Path, tmp_path: Path
) -> None:
    saved_debrief(home)
    link = home / "reflections" / "2026-11" / "2026-11-20_debrief_acme_passwd.json"
    link.symlink_to("/etc/passwd")
    looked = run_coach("doctor")
    assert looked.code == 7
    assert "symbolic link" in looked.stderr
    result = run_coach("doctor", "--quarantine")
    assert result.code == 0, result.stderr
    moved = home / "quarantine" / "reflections" / "2026-11" / link.name
    assert moved.is_symlink()
    assert str(moved.readlink()) == "/etc/passwd"
    assert not os.path.lexists(link)


def test_coach_done_in_a_read_only_data_directory_says_so_in_one_line(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientcoach.storage import safe

    saved_debrief(home)
    item = follow_up_id()

    def read_only(path: Path, root: Path, mode: int) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    # The tests run as root, whom permissions do not stop: the lock is refused as a
    # read-only folder refuses it to a normal user.
    monkeypatch.setattr(safe, "open_lock", read_only)
    result = run_coach("done", item, env=NOW)
    assert result.code == 6, result.stderr
    assert "cannot lock" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


# --- FIFOs and /dev/zero: no hang, no unbounded read ------------------------------------

LIMIT_KIB = 200 * 1024  # 200 MiB, in ru_maxrss's unit on Linux
HANG = 30  # seconds: far beyond any command's run, short of a stuck test run


def run_bounded(args: list[str], env: dict[str, str]) -> tuple[int, str, int]:
    """Run coach in a process; its exit code, stderr and peak memory (KiB).

    A run still going after HANG seconds is killed and fails the test: it hung.
    """
    import subprocess
    import sys
    import time

    from tests.helpers import require_e2e

    require_e2e("run_bounded")
    full = {**os.environ, **env, "PYTHONPATH": str(REPO / "src")}
    with subprocess.Popen(
        [sys.executable, "-m", "clientcoach", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=full,
    ) as proc:
        deadline = time.monotonic() + HANG
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"coach {' '.join(args)} hung")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.stderr is not None
        stderr = proc.stderr.read().decode("utf-8", "replace")
    return proc.returncode, stderr, usage.ru_maxrss


def _planted(home: Path, where: str, kind: str) -> Path:
    folder = home / ("drafts" if where == "drafts" else "reflections/2026-11")
    folder.mkdir(parents=True, exist_ok=True)
    name = "20261120T090000-abc123.json" if where == "drafts" else "2026-11-20_prep_acme_x.json"
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


READERS = [
    ["history"],
    ["followups"],
    ["clients"],
    ["review", "--month", "2026-11"],
    ["doctor"],
    ["brief", "Acme"],
    ["drafts"],
    ["resume", "abc123"],
    ["prep", "Acme", "--answers", str(PREP)],
]


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["fifo", "zero"])
@pytest.mark.parametrize("where", ["records", "drafts"])
def test_fifo_and_dev_zero_in_the_data_directory_never_hang_nor_grow(
    home: Path, where: str, kind: str
) -> None:
    planted = _planted(home, where, kind)
    for argv in READERS:
        code, stderr, peak = run_bounded(argv, NOW)
        assert "Traceback" not in stderr, (argv, stderr)
        assert code != 1, (argv, stderr)
        assert peak < LIMIT_KIB, (argv, peak)
        names_it = ("doctor", "drafts") if where == "drafts" else ("history", "doctor")
        if argv[0] in names_it:
            assert str(planted) in stderr, (argv, stderr)


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["fifo", "zero"])
@pytest.mark.parametrize("given", ["answers", "playbook", "config"])
def test_fifo_and_dev_zero_as_answers_playbook_or_config_never_hang_nor_grow(
    tmp_path: Path, given: str, kind: str
) -> None:
    if kind == "fifo":
        target = tmp_path / f"given.{'toml'}"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    env = dict(NOW)
    argv = ["prep", "Acme", "--answers", str(PREP)]
    if given == "answers":
        argv = ["prep", "Acme", "--answers", str(target)]
    elif given == "playbook":
        argv = ["prep", "Acme", "--playbook", str(target), "--answers", str(PREP)]
    else:
        env["CLIENTCOACH_CONFIG"] = str(target)
    code, stderr, peak = run_bounded(argv, env)
    assert "Traceback" not in stderr, stderr
    assert code in (2, 3, 4), stderr
    assert str(target) in stderr
    assert "never read" in stderr
    assert len(stderr.strip().splitlines()) <= 2, stderr
    assert peak < LIMIT_KIB


# --- size caps ---------------------------------------------------------------------------


def test_files_past_their_documented_limit_are_refused_as_damaged_naming_them(
    home: Path, tmp_path: Path
) -> None:
    from clientcoach.storage import safe

    saved_debrief(home)
    big_record = home / "reflections" / "2026-11" / "2026-11-20_prep_acme_big.json"
    big_record.write_bytes(b" " * (safe.RECORD_LIMIT + 1))
    history = run_coach("history", env=NOW)
    assert history.code == 7
    assert f"{big_record}" in history.stderr
    assert "larger than 8 MiB" in history.stderr

    answers = tmp_path / "big.toml"
    answers.write_bytes(b"#" * (safe.ANSWERS_LIMIT + 1))
    refused = run_coach("prep", "Acme", "-a", str(answers), env=NOW)
    assert refused.code == 4
    assert str(answers) in refused.stderr
    assert "larger than 4 MiB" in refused.stderr

    playbook = tmp_path / "big-playbook.toml"
    playbook.write_bytes(b"#" * (safe.PLAYBOOK_LIMIT + 1))
    walked = run_coach("prep", "Acme", "-p", str(playbook), "-a", str(PREP), env=NOW)
    assert walked.code == 3
    assert "larger than 1 MiB" in walked.stderr

    config = tmp_path / "big-config.toml"
    config.write_bytes(b"#" * (safe.CONFIG_LIMIT + 1))
    configured = run_coach("history", env={**NOW, "CLIENTCOACH_CONFIG": str(config)})
    assert configured.code == 2
    assert "larger than 64 KiB" in configured.stderr
