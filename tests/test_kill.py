"""A save stopped at any instant loses nothing and leaves no broken file.

Two ways, both deterministic:

- In process, the points where a save touches the disk (the temporary file's write, its
  fsync, the link or replace that publishes it, the folder's sync) are instrumented. At
  each point the data directory is photographed as a SIGKILL would leave it there, and
  every photograph is checked; then the same points are made to fail, as a full disk or
  a dying device would, and the command must say so and keep what was saved.
- End to end (marked), a real ``coach prep`` is stopped by a real SIGKILL while it is at
  one of those points (the child says where it is, then waits to be killed), at least
  20 times, and the data directory is checked after each kill.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from clientcoach.storage.store import Store

REPO = Path(__file__).resolve().parents[1]
PREP_ANSWERS = REPO / "examples" / "prep-answers.toml"
NOW = "2026-11-24T09:30"

Photo = dict[str, bytes]


def photograph(root: Path) -> Photo:
    """Every file under ``root`` and its bytes, as a process killed now would leave them."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def broken_visible_files(photo: Photo) -> list[str]:
    """Files a reader would read (names not starting with a dot) that are not whole JSON."""
    broken = []
    for name, data in photo.items():
        if Path(name).name.startswith("."):
            continue  # halfway copies: hidden, never read, tidied by the next save
        if Path(name).name.startswith("index.sqlite3"):
            continue  # the derived index: never trusted, reconciled by every command
        try:
            json.loads(data)
        except ValueError:
            broken.append(name)
    return broken


def reflections(photo: Photo) -> list[str]:
    """The reflection files a reader sees in ``photo``."""
    return sorted(
        k for k in photo if k.startswith("reflections") and not Path(k).name.startswith(".")
    )


class Points:
    """Instruments the calls a save makes to the disk; ``at`` runs at each of them."""

    def __init__(self, at: Callable[[str], None]) -> None:
        self.at = at
        self.seen: list[str] = []

    def hit(self, point: str) -> None:
        self.seen.append(point)
        self.at(point)

    @contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        real_fdopen, real_fsync = os.fdopen, os.fsync
        real_link, real_replace = os.link, os.replace
        points = self

        class TornWriter:
            """A file whose write stops halfway for a look, then finishes."""

            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> TornWriter:
                self.handle.__enter__()
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.__exit__(*exc)

            def write(self, text: str) -> int:
                half = len(text) // 2
                self.handle.write(text[:half])
                self.handle.flush()
                points.hit("write")
                return self.handle.write(text[half:]) + half

            def __getattr__(self, name: str) -> Any:
                return getattr(self.handle, name)

        def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
            return TornWriter(real_fdopen(fd, *args, **kwargs))

        def fsync(fd: int) -> None:
            points.hit("fsync")
            real_fsync(fd)

        def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            points.hit("link")
            real_link(src, dst, *args, **kwargs)
            points.hit("linked")

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            points.hit("replace")
            real_replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "fdopen", fdopen)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "link", link)
        monkeypatch.setattr(os, "replace", replace)
        try:
            yield
        finally:
            monkeypatch.setattr(os, "fdopen", real_fdopen)
            monkeypatch.setattr(os, "fsync", real_fsync)
            monkeypatch.setattr(os, "link", real_link)
            monkeypatch.setattr(os, "replace", real_replace)


def coach(*args: str) -> int:
    """Run coach in this process; its exit code."""
    from clientcoach.cli.main import main

    try:
        main(list(args))
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW)


def test_a_kill_at_any_point_of_a_save_leaves_only_whole_files(
    home: Path, fixed_now: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert coach("prep", "Acme", "--answers", str(PREP_ANSWERS)) == 0
    earlier = photograph(home)
    photos: list[tuple[str, Photo]] = []
    points = Points(lambda point: photos.append((point, photograph(home))))
    with points.installed(monkeypatch):
        assert coach("prep", "Acme", "--answers", str(PREP_ANSWERS)) == 0
    capsys.readouterr()

    assert {"write", "fsync", "link", "linked"} <= set(points.seen)
    assert len(photos) >= 4
    for point, photo in photos:
        assert broken_visible_files(photo) == [], point
        # What was saved before is there, byte for byte, whatever the instant.
        assert {k: photo[k] for k in earlier} == earlier, point
    # Until the link, the new reflection is not visible; from it on, it is, whole.
    visible = {point: reflections(photo) for point, photo in photos}
    assert len(visible["link"]) == len(reflections(earlier)) == 1
    assert len(visible["linked"]) == 2


@pytest.mark.parametrize("point", ["write", "fsync", "link"])
def test_a_save_that_fails_at_a_point_says_so_and_keeps_what_was_saved(
    home: Path,
    fixed_now: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    point: str,
) -> None:
    assert coach("prep", "Acme", "--answers", str(PREP_ANSWERS)) == 0
    earlier = photograph(home)
    capsys.readouterr()

    def fail(at: str) -> None:
        if at == point:
            raise OSError(errno.EIO, "Input/output error")

    with Points(fail).installed(monkeypatch):
        code = coach("prep", "Acme", "--answers", str(PREP_ANSWERS))
    err = capsys.readouterr().err
    assert code == 6, err  # StorageError: the documented exit code of a failed save
    assert err.splitlines()[-1].startswith("coach: error: ")
    assert "Traceback" not in err
    after = photograph(home)
    assert {k: after[k] for k in earlier} == earlier
    assert broken_visible_files(after) == []
    # Nothing new among the reflections: not even a hidden halfway copy.
    assert sorted(k for k in after if k.startswith("reflections")) == reflections(earlier)

    assert coach("prep", "Acme", "--answers", str(PREP_ANSWERS)) == 0
    assert len(Store(home).files()) == 2


# --- end to end: a real SIGKILL at each point ------------------------------------------

# Runs coach with the same points instrumented; at the N-th point it says where it is
# on stderr, then waits to be killed.
STOPPER = """
import os, sys, time
stop_at = int(sys.argv[1])
count = [0]
def waiting(name, real):
    def call(*args, **kwargs):
        count[0] += 1
        if count[0] == stop_at:
            sys.stderr.write(f"AT {name}\\n")
            sys.stderr.flush()
            time.sleep(60)
        return real(*args, **kwargs)
    return call
os.fsync = waiting("fsync", os.fsync)
os.link = waiting("link", os.link)
os.replace = waiting("replace", os.replace)
sys.argv = ["coach", *sys.argv[2:]]
from clientcoach.cli.entry import main
main()
"""


def _stopped_save(home: Path, stop_at: int) -> str | None:
    """Start a save that stops at its ``stop_at``-th point; SIGKILL it there."""
    env = {**os.environ, "CLIENTCOACH_HOME": str(home), "CLIENTCOACH_NOW": NOW}
    args = [sys.executable, "-c", STOPPER, str(stop_at), "prep", "Acme"]
    proc = subprocess.Popen(
        [*args, "--answers", str(PREP_ANSWERS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    where = None
    for line in proc.stderr:
        if line.startswith("AT "):
            where = line.split()[1]
            proc.send_signal(signal.SIGKILL)
            break
    proc.communicate(timeout=60)
    return where if proc.returncode == -signal.SIGKILL else None


@pytest.mark.e2e
def test_sigkill_in_the_middle_of_saves_never_breaks_a_file_or_loses_one(home: Path) -> None:
    assert coach_process(home) == 0
    saved = kept_files(photograph(home))
    interrupted: list[str] = []
    # A prep's save passes fsync (the file), link, then fsync (the folder): 3 points.
    for round_ in range(8):
        for stop_at in (1, 2, 3):
            where = _stopped_save(home, stop_at)
            if where is not None:
                interrupted.append(where)
            photo = photograph(home)
            assert broken_visible_files(photo) == [], (round_, stop_at, where)
            assert {k: photo[k] for k in saved} == saved
            saved = kept_files(photo)
    assert len(interrupted) >= 20, interrupted
    assert {"fsync", "link"} <= set(interrupted)
    # The index, killed with the saves, answers as the files do.
    from tests.helpers import run_coach

    env = {"CLIENTCOACH_HOME": str(home), "CLIENTCOACH_NOW": NOW}
    indexed = run_coach("history", "--json", env=env)
    reference = run_coach("history", "--json", env={**env, "CLIENTCOACH_INDEX": "0"})
    assert (indexed.code, indexed.stdout) == (reference.code, reference.stdout)
    assert len(json.loads(indexed.stdout)) == len(reflections(photograph(home)))

    # Halfway copies are hidden and never read; the next save tidies them.
    assert coach_process(home) == 0
    assert Store(home).leftovers() == []
    assert broken_visible_files(photograph(home)) == []


def kept_files(photo: Photo) -> Photo:
    """The files a save must never change again: not the halfway copies, not the index."""
    return {
        k: v
        for k, v in photo.items()
        if not Path(k).name.startswith(".") and not Path(k).name.startswith("index.sqlite3")
    }


def coach_process(home: Path) -> int:
    env = {**os.environ, "CLIENTCOACH_HOME": str(home), "CLIENTCOACH_NOW": NOW}
    return subprocess.run(
        [sys.executable, "-m", "clientcoach", "prep", "Acme", "--answers", str(PREP_ANSWERS)],
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    ).returncode
