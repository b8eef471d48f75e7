"""The lowest versions pyproject.toml declares install together and run the product.

Every dependency in ``[project] dependencies`` is pinned to its ``>=`` floor (through a
constraints file) in a fresh virtual environment, the project is installed from the
source tree, and a scripted prep, debrief and review are run with the installed ``coach``.
A floor that does not install, or with which the product misbehaves, fails this test: it
is never skipped. It needs the package index and takes a minute or two.

Why the floors are where they are: before 0.26 Typer used the separate ``click`` package,
whose "Commands" heading the French help cannot translate (and Typer up to 0.15.3 crashes
on Click 8.2 and later); from 0.26 on Typer carries its own copy of Click, so ``click`` is
not a dependency of this project at all. orjson before 3.9.15 dies of SIGSEGV on a deeply
nested damaged file instead of reporting it.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement  # declared in the test extras (pytest needs it too)
from packaging.version import Version

from tests.helpers import REPO

EXAMPLES = REPO / "examples"


def declared_floors() -> dict[str, str]:
    """Each runtime dependency's lowest version, from its ``>=`` specifier."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors: dict[str, str] = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        lowest = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(lowest) == 1, f"{line!r}: declare exactly one '>=' floor"
        floors[requirement.name.lower()] = lowest[0]
    return floors


def test_the_declared_floors_are_read() -> None:
    floors = declared_floors()
    assert {"typer", "rich", "pydantic", "orjson"} <= floors.keys()


@pytest.mark.e2e
def test_the_lowest_declared_versions_install_and_run(home: Path, tmp_path: Path) -> None:
    floors = declared_floors()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("".join(f"{name}=={v}\n" for name, v in floors.items()), "utf-8")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = str(bindir / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    install = subprocess.run(
        [*pip, "-c", str(constraints), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert install.returncode == 0, f"the declared floors do not install:\n{install.stderr}"

    versions = subprocess.run(
        [python, "-c", VERSIONS, *floors, "click"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = json.loads(versions.stdout)
    for name, floor in floors.items():
        assert installed[name] is not None, f"{name} is not installed"
        assert Version(installed[name]) == Version(floor), (name, installed[name], floor)
    if "click" not in floors:  # the product runs without the click package
        assert installed["click"] is None, "Typer's floor pulled in click: see the docstring"

    env = dict(os.environ, CLIENTCOACH_HOME=str(home), NO_COLOR="1", COLUMNS="100")
    elsewhere = tmp_path / "elsewhere"  # nothing from the source tree can be imported
    elsewhere.mkdir()

    def coach(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bindir / "coach"), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd=elsewhere,
            check=False,
            timeout=120,
        )

    shown = coach("--help")
    assert shown.returncode == 0, shown.stderr
    assert "prep" in shown.stdout
    assert "review" in shown.stdout
    # Through Typer's own eager option, not entry.py's shortcut.
    version = coach("--lang", "en", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("coach (clientcoach) ")
    usage = coach("brief", "--help")
    assert usage.returncode == 0, usage.stderr
    # Typer 0.29 and later put braces around a required argument; both name it as typed.
    assert usage.stdout.splitlines()[0] in {
        "Usage: coach brief [OPTIONS] CLIENT",
        "Usage: coach brief [OPTIONS] {CLIENT}",
    }
    unknown = coach("nosuch")
    assert unknown.returncode == 2, unknown.stdout

    day = ("--date", "2026-11-20")
    prep = coach("prep", "ACME", "--answers", str(EXAMPLES / "prep-answers.toml"), *day)
    assert prep.returncode == 0, prep.stderr
    debrief = coach("debrief", "ACME", "--answers", str(EXAMPLES / "debrief-answers.toml"), *day)
    assert debrief.returncode == 0, debrief.stderr
    prep_file, debrief_file = Path(prep.stdout.strip()), Path(debrief.stdout.strip())
    assert sorted((home / "reflections").rglob("*.json")) == sorted([prep_file, debrief_file])
    prep_record = json.loads(prep_file.read_text(encoding="utf-8"))
    debrief_record = json.loads(debrief_file.read_text(encoding="utf-8"))
    assert (prep_record["kind"], prep_record["client"]) == ("prep", "ACME")
    assert (debrief_record["kind"], debrief_record["client"]) == ("debrief", "ACME")
    assert debrief_record["links"]["prep"] == prep_record["id"]

    review = coach("review", "--json", "--month", "2026-11")
    assert review.returncode == 0, review.stderr
    meetings = json.loads(review.stdout)["meetings"]
    assert (meetings["prepared"], meetings["debriefed"]) == (1, 1)

    # A damaged file is reported, not a crash: orjson before 3.9.15 overflows the stack on
    # deep nesting and the process dies of SIGSEGV.
    deep = prep_file.parent / "2026-11-24_prep_acme_deep.json"
    deep.write_bytes(b'{"schema": 1, "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    doctor = coach("doctor", "--json")
    assert doctor.returncode == 7, (doctor.returncode, doctor.stderr)  # ExitCode.DAMAGED
    assert [d["path"] for d in json.loads(doctor.stdout)["damaged"]] == [str(deep)]

    french = coach("--lang", "fr", "--help")
    assert french.returncode == 0, french.stderr
    assert "Commandes\u00a0:" in french.stdout  # Click's own heading, in French typography
    assert french.stdout.startswith("Utilisation\u00a0: coach")
    assert "Afficher cette aide et quitter." in french.stdout


# Run by the fresh environment's Python: the installed version of each name, or None.
VERSIONS = """
import json, sys
from importlib.metadata import PackageNotFoundError, version

def installed(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None

print(json.dumps({name: installed(name) for name in sys.argv[1:]}))
"""
