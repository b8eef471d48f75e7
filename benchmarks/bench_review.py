"""Benchmark: ``coach review --json`` on 10,000 reflections against a bare-parse baseline.

Generates the reflections in a temporary data directory (``generate.py``), then runs, in
turn and several times each, two subprocesses over the same files:

- ``coach review --json`` over a period covering all the data, and
- a baseline: a bare Python script that only reads every file and ``json.loads`` it;
- for information, the same script with ``orjson.loads``, the parser coach reads with:
  the ratio against it is what the review does beyond reading the files (no target).

Both pay the interpreter's start-up, so the ratio compares what each does with the files.
Prints the median wall time of each, the ratio (target: at most 2.0), the median CPU time
of each, and the peak resident memory of the coach runs (target: under 150 MiB).

    python benchmarks/bench_review.py [--n 10000] [--runs 7] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASELINE = """
import json, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("reflections/*/*.json")):
    json.loads(path.read_bytes())
"""

BASELINE_ORJSON = BASELINE.replace("import json,", "import orjson as json,")

RATIO_TARGET = 2.0
MEMORY_TARGET_MIB = 150


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}:\n{errors}")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="reflections to generate")
    parser.add_argument("--runs", type=int, default=7, help="runs of each (at least 5)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    runs = max(5, args.runs)

    end = date(2026, 11, 24)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        # In a child process: a child's peak memory counts its parent's at fork time, so
        # this process must stay small while it measures.
        subprocess.run(
            [
                *(sys.executable, str(HERE / "generate.py"), str(home), str(args.n)),
                *("--seed", str(args.seed), "--end", end.isoformat()),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        paths = list(home.glob("reflections/*/*.json"))
        size = sum(p.stat().st_size for p in paths)
        print(
            f"generated {len(paths)} reflections ({size / 2**20:.1f} MiB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        env = dict(os.environ, CLIENTCOACH_HOME=str(home), CLIENTCOACH_NOW=f"{end}T18:00")
        env.pop("CLIENTCOACH_PLAYBOOKS", None)
        since = (end - timedelta(days=400)).isoformat()
        coach = [sys.executable, "-m", "clientcoach", "review", "--json"]
        coach += ["--since", since, "--until", end.isoformat()]
        baseline = [sys.executable, "-c", BASELINE, str(home)]
        baseline_orjson = [sys.executable, "-c", BASELINE_ORJSON, str(home)]

        _run(coach, env)  # warm the file cache and the bytecode once, unmeasured
        _run(baseline, env)
        coach_runs, base_runs, fast_runs = [], [], []
        for _ in range(runs):  # interleaved, so a busy moment hits all alike
            coach_runs.append(_run(coach, env))
            base_runs.append(_run(baseline, env))
            fast_runs.append(_run(baseline_orjson, env))

    coach_wall = statistics.median(r[0] for r in coach_runs)
    base_wall = statistics.median(r[0] for r in base_runs)
    coach_cpu = statistics.median(r[1] for r in coach_runs)
    base_cpu = statistics.median(r[1] for r in base_runs)
    fast_wall = statistics.median(r[0] for r in fast_runs)
    peak = max(r[2] for r in coach_runs)
    ratio = coach_wall / base_wall
    print(f"runs: {runs} of each, interleaved")
    print(f"coach review --json   median wall {coach_wall:.3f} s   median cpu {coach_cpu:.3f} s")
    print(f"baseline (json.loads) median wall {base_wall:.3f} s   median cpu {base_cpu:.3f} s")
    print(f"ratio (wall)          {ratio:.2f}   target <= {RATIO_TARGET}")
    print(f"ratio (cpu)           {coach_cpu / base_cpu:.2f}")
    print(f"baseline (orjson)     median wall {fast_wall:.3f} s")
    print(f"ratio to orjson       {coach_wall / fast_wall:.2f}   no target: the review's own work")
    print(f"peak memory (coach)   {peak:.1f} MiB   target < {MEMORY_TARGET_MIB} MiB")
    ok = ratio <= RATIO_TARGET and peak < MEMORY_TARGET_MIB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
