"""Index benchmark: reading commands over many reflections, against baselines measured in
the same run, interleaved (one of each, then again), medians compared.

    python benchmarks/bench_index.py [--records 10000 100000] [--runs 5] [--work DIR]

For each size, reflections are generated once into ``WORK/data-N`` by
``benchmarks/generate.py`` (80 clients; kept for the next run), the index is built, and
every command then runs with the index warm, as a fresh process of ``python -m
clientcoach`` with this tree's ``src/`` first on the path. Targets (issue 15):

- ``history --grep WORD --json`` <= 1.0x ``grep -rli WORD`` over the data directory at
  10,000 records, <= 0.25x at 100,000;
- ``followups --json``, ``clients --json``, ``brief CLIENT``, ``done ID`` <= 2.0x
  ``coach --help``;
- a scripted 40-answer debrief with the records present <= 1.5x the same debrief on an
  empty data directory;
- ``review --json`` over all time <= 1.0x a bare ``orjson.loads`` of every file;
- the first build of the index <= 2.5x a bare ``json.loads`` of every file;
- peak resident memory (``getrusage`` of the child) <= 150 MiB for every command.

The home screen (``coach --json``, issue 17) is timed and its memory measured beside
``followups``, whose one read of the files it shares; it has no target of its own.

It prints the medians, the ratios and the peak memory, and exits 1 when a target is
missed. Not part of the test suite: timings belong to a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_startup import forty_answers  # noqa: E402

NOW = "2026-12-01T18:00:00+01:00"
WORD = "outage"
MIB = 1024 * 1024

# Runs a command and prints its peak resident memory (KiB on Linux) on stderr's last line.
PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
    " stderr=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)
LOAD = (
    "import sys, pathlib\n"
    "import {module}\n"
    "for p in pathlib.Path(sys.argv[1]).glob('reflections/*/*.json'):\n"
    "    {module}.loads(p.read_bytes())\n"
)


def coach(*args: str) -> list[str]:
    return [sys.executable, "-m", "clientcoach", *args]


def env_for(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CLIENTCOACH_HOME=str(home),
        CLIENTCOACH_NOW=NOW,
        CLIENTCOACH_CONFIG=str(home.parent / "no-config.toml"),
        PYTHONPATH=str(REPO / "src"),
        NO_COLOR="1",
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: compiled modules kept
    return env


def timed(command: list[str], env: dict[str, str], before: list[str] | None = None) -> float:
    if before is not None:
        subprocess.run(before, env=env, check=False, capture_output=True)
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def peak_mib(command: list[str], env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *command], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[0]) / 1024


def prepare(work: Path, n: int) -> Path:
    home = work / f"data-{n}"
    if not (home / "reflections").is_dir():
        subprocess.run(
            [
                sys.executable,
                str(REPO / "benchmarks" / "generate.py"),
                str(home),
                str(n),
                "--clients",
                "80",
                "--end",
                "2026-11-30",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return home


def a_client_and_follow_up(home: Path) -> tuple[str, str, str]:
    env = env_for(home)
    found = subprocess.run(coach("followups", "--json"), env=env, capture_output=True, text=True)
    first = json.loads(found.stdout)[0]
    return first["client"], first["short_id"], first["reflection"]


def bench(work: Path, n: int, runs: int) -> tuple[list[str], bool]:
    home = prepare(work, n)
    env = env_for(home)
    empty = work / "empty"
    answers = work / "answers.json"
    answers.write_text(json.dumps(forty_answers()), encoding="utf-8")
    index = home / "cache" / "index.sqlite3"
    drop_index = [
        sys.executable,
        "-c",
        "import pathlib\nfor s in ('', '-wal', '-shm'):\n"
        f"    pathlib.Path('{index}' + s).unlink(missing_ok=True)",
    ]

    # Build once (untimed), then a client and a follow-up id to look up.
    subprocess.run(coach("doctor", "--json"), env=env, capture_output=True, check=False)
    client, follow_up, reflection = a_client_and_follow_up(home)
    debrief = coach("debrief", client, "--answers", str(answers), "--prep", "none")

    def fresh_empty() -> list[str]:
        return [
            sys.executable,
            "-c",
            f"import shutil; shutil.rmtree({str(empty)!r}, ignore_errors=True)",
        ]

    cases: dict[str, tuple[list[str], dict[str, str], list[str] | None]] = {
        "coach --help": (coach("--help"), env, None),
        f"grep -rli {WORD}": (["grep", "-rli", WORD, str(home / "reflections")], env, None),
        f"history --grep {WORD} --json": (coach("history", "--grep", WORD, "--json"), env, None),
        "followups --json": (coach("followups", "--json"), env, None),
        # The floor every command pays before it reads anything (Typer's parameter
        # coercion imports pydantic; the store, the index module): no records at all.
        "followups --json, empty": (coach("followups", "--json"), env_for(empty), fresh_empty()),
        "history (text, all)": (coach("history"), env, None),
        "show ID": (coach("show", reflection), env, None),
        "export csv, last month": (
            coach("export", "-f", "csv", "-o", "-", "--since", "2026-11-01"),
            env,
            None,
        ),
        "coach --json (home screen)": (coach("--json"), env, None),
        "clients --json": (coach("clients", "--json"), env, None),
        "brief CLIENT": (coach("brief", client), env, None),
        "done ID": (coach("done", follow_up), env, None),
        "debrief (40 answers)": (debrief, env, None),
        "debrief (40 answers), empty": (debrief, env_for(empty), fresh_empty()),
        "review --json (all time)": (
            coach("review", "--json", "--since", "2000-01-01", "--until", "2026-12-01"),
            env,
            None,
        ),
        "orjson.loads every file": (
            [sys.executable, "-c", LOAD.format(module="orjson"), str(home)],
            env,
            None,
        ),
        "json.loads every file": (
            [sys.executable, "-c", LOAD.format(module="json"), str(home)],
            env,
            None,
        ),
        "first build (clients)": (coach("clients", "--json"), env, drop_index),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _run in range(runs):
        for name, (command, environment, before) in cases.items():
            times[name].append(timed(command, environment, before))
    median = {name: statistics.median(found) for name, found in times.items()}
    grep_limit = 1.0 if n <= 10_000 else 0.25
    targets = [
        (f"history --grep {WORD} --json", f"grep -rli {WORD}", grep_limit),
        ("followups --json", "coach --help", 2.0),
        ("followups --json, empty", "coach --help", 2.0),
        ("clients --json", "coach --help", 2.0),
        ("brief CLIENT", "coach --help", 2.0),
        ("done ID", "coach --help", 2.0),
        ("debrief (40 answers)", "debrief (40 answers), empty", 1.5),
        ("review --json (all time)", "orjson.loads every file", 1.0),
        ("first build (clients)", "json.loads every file", 2.5),
    ]
    lines = [f"## {n:,} records, {runs} runs, medians"]
    lines += [f"  {name:36} {median[name] * 1000:9.1f} ms" for name in cases]
    ok = True
    for subject, baseline, limit in targets:
        ratio = median[subject] / median[baseline]
        met = ratio <= limit
        ok &= met
        verdict = "ok" if met else "MISSED"
        lines.append(f"  {subject} / {baseline}: {ratio:.2f}x (target <= {limit}x) {verdict}")
    lines.append("  peak resident memory:")
    for name in (
        f"history --grep {WORD} --json",
        "followups --json",
        "coach --json (home screen)",
        "history (text, all)",
        "show ID",
        "export csv, last month",
        "clients --json",
        "brief CLIENT",
        "done ID",
        "debrief (40 answers)",
        "review --json (all time)",
        "first build (clients)",
    ):
        command, environment, before = cases[name]
        if before is not None:
            subprocess.run(before, env=environment, capture_output=True, check=False)
        peak = peak_mib(command, environment)
        met = peak <= 150 or n < 100_000
        ok &= met
        lines.append(f"    {name:34} {peak:7.1f} MiB{'' if met else '  MISSED (> 150 MiB)'}")
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="keep generated data here")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="coach-bench-index-"))
    work.mkdir(parents=True, exist_ok=True)
    ok = True
    try:
        for n in options.records:
            lines, met = bench(work, n, options.runs)
            ok &= met
            print("\n".join(lines), flush=True)
    finally:
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
