"""A non-editable install carries the built-in playbooks and works from a fresh environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.e2e  # builds a wheel and installs it in a fresh virtualenv

BUILTINS = {"prep", "debrief", "troll-bridge", "healthy-help", "lost-deal", "won-deal"}


def test_wheel_ships_the_builtin_playbooks_and_a_fresh_venv_runs_them(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("clientcoach-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for playbook in BUILTINS:
        assert f"clientcoach/playbooks/{playbook}.toml" in names
        assert f"clientcoach/playbooks/fr/{playbook}.toml" in names
    assert "clientcoach/locales/fr/LC_MESSAGES/clientcoach.mo" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    install = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr

    data = tmp_path / "data"
    env = dict(
        os.environ,
        CLIENTCOACH_HOME=str(data),
        CLIENTCOACH_CONFIG=str(tmp_path / "config.toml"),
        NO_COLOR="1",
    )
    # Run from an empty folder so nothing from the source tree can be picked up.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def installed(*args: str) -> subprocess.CompletedProcess[str]:
        """Run a program of the fresh environment, outside the source tree."""
        return subprocess.run(
            [str(bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            cwd=elsewhere,
            check=False,
        )

    listed = installed("coach", "playbooks")
    assert listed.returncode == 0, listed.stderr
    shown = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert shown >= BUILTINS
    french = installed("coach", "--lang", "fr", "playbooks", "list", "--json")
    assert french.returncode == 0, french.stderr
    assert {row["language"] for row in json.loads(french.stdout)} == {"fr"}
    assert "Préparer" in installed("coach", "--lang", "fr", "--help").stdout
    where = installed(
        "python", "-c", "import clientcoach.storage.playbooks as p; print(p.builtin_dir())"
    )
    assert "site-packages" in where.stdout

    prep = installed(
        "coach", "prep", "Acme", "--answers", str(REPO / "examples" / "prep-answers.toml")
    )
    assert prep.returncode == 0, prep.stderr
    saved = Path(prep.stdout.strip())
    assert saved.is_file()
    assert saved.is_relative_to(data)


def test_sdist_and_wheel_carry_the_licence_and_the_examples_and_pass_twine_check(
    tmp_path: Path,
) -> None:
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (sdist,) = out.glob("clientcoach-*.tar.gz")
    (wheel,) = out.glob("clientcoach-*.whl")
    examples = sorted(p.name for p in (REPO / "examples").glob("*.toml"))
    assert examples, "the README points to examples/"

    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "LICENSE" in in_sdist
    assert {f"examples/{name}" for name in examples} <= in_sdist

    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in in_wheel)
    assert {f"clientcoach/examples/{name}" for name in examples} <= in_wheel

    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
