"""How long `coach prep CLIENT` takes to show its brief, with thousands of reflections.

Generates N reflections (``benchmarks/generate.py``) in a temporary data directory,
then measures, each as a fresh process and several times in the same run:

- baseline: a bare Python script that reads and ``json.loads`` every reflection file;
- prep: ``coach prep CLIENT`` in a real pseudo-terminal, from start until the whole
  brief is on screen (the playbook's title, printed right after it, has appeared),
  then stopped;
- brief: ``coach brief CLIENT``, the same brief as a command of its own, to the end.

The client is the one with the most reflections. Prints the medians and their ratio to
the baseline; the target is a ratio of at most 2.0 for prep.

    python benchmarks/bench_brief.py [--n 5000] [--runs 7] [--clients 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BASELINE = """
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("reflections/*/*.json")):
    json.loads(path.read_bytes())
"""


def timed(action: Callable[[], None], runs: int) -> float:
    """The median wall time of ``runs`` calls, in seconds."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def busiest_client(root: Path) -> str:
    """The slug with the most files, then the client name saved under it."""
    import json

    counts = collections.Counter(p.name.split("_")[2] for p in root.glob("reflections/*/*.json"))
    top = counts.most_common(1)[0][0]
    sample = next(root.glob(f"reflections/*/*_{top}_*.json"))
    name: str = json.loads(sample.read_bytes())["client"]
    return name


def _slug(name: str) -> str:
    from clientcoach.core.text import slug

    return slug(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")

    import pexpect

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        generate(root, args.n, seed=args.seed, clients=args.clients)
        client = busiest_client(root)
        files = list(root.glob("reflections/*/*.json"))
        theirs = sum(1 for f in files if f"_{_slug(client)}_" in f.name)
        env = dict(os.environ, CLIENTCOACH_HOME=str(root), NO_COLOR="1", TERM="xterm")
        env.pop("CLIENTCOACH_NOW", None)

        def baseline() -> None:
            subprocess.run([sys.executable, "-c", BASELINE, str(root)], check=True, env=env)

        def prep() -> None:
            child = pexpect.spawn(
                sys.executable,
                ["-m", "clientcoach", "prep", client],
                env=env,
                encoding="utf-8",
                timeout=60,
                dimensions=(50, 200),
            )
            child.expect_exact("What you know about")
            # The playbook's title comes right after the brief's last line.
            child.expect_exact("Meeting prep · ")
            child.close(force=True)

        def brief() -> None:
            subprocess.run(
                [sys.executable, "-m", "clientcoach", "brief", client],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )

        prep()  # warm the file cache and bytecode before any timing
        base = timed(baseline, args.runs)
        to_prompt = timed(prep, args.runs)
        alone = timed(brief, args.runs)
        print(
            f"reflections on disk: {len(files)}, {theirs} of them for {client!r}; "
            f"runs: {args.runs} each"
        )
        print(f"baseline (read + json.loads every file): {base * 1000:7.1f} ms")
        print(f"coach prep, until the brief is shown:    {to_prompt * 1000:7.1f} ms", end="")
        print(f"  ratio {to_prompt / base:.2f} (target <= 2.0)")
        print(f"coach brief CLIENT:                      {alone * 1000:7.1f} ms", end="")
        print(f"  ratio {alone / base:.2f}")


if __name__ == "__main__":
    main()
