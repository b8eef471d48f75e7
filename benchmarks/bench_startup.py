"""Start-up benchmark: how long `coach` takes, against baselines measured in the same run.

Run it with the Python of the environment where clientcoach is installed:

    .venv/bin/python benchmarks/bench_startup.py [--runs 30]

or, to time the code of this source tree whatever that environment has installed (a
git worktree beside the main checkout, say), with `--source`: the commands then run a
script that does what the installed console script does, with `src/` first on the path.

Every command runs as a user would run it: a fresh process of the `coach` console
script. The commands are run round-robin (one of each, then again), so a load
change on the machine hits all of them alike, and the median of each is compared:

- `coach --help` against a bare Typer application with the same commands and groups
  (generated from the real application, so it follows new commands);
- `coach --version` against `python -c pass` (target: 2 times);
- a scripted debrief of exactly 40 answers against `coach --help` (`--prep none`: the
  debrief of a meeting without a prep; target: 2.5 times);
- for information, with no target: the same debrief following a prep (read, linked, its
  plan shown, three plan-versus-outcome answers more).

A first untimed run of each command checks it works.

It prints the medians and the ratios, and exits 1 when a target is missed. It is not
part of the test suite: timings belong to a quiet machine, not to a test run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "debrief-answers.toml"
PREP_EXAMPLE = REPO / "examples" / "prep-answers.toml"
# The debrief's plan-versus-outcome questions, asked when a prep is linked.
PLAN_ANSWERS = {"goal_reached": "partly", "next_step_reached": "as-planned"}
PLAN_ANSWERS["expected_trolls_seen"] = "some"
ANSWERS = 40
NOW = "2026-11-24T09:30:00+01:00"

# Read the real application's command tree in a child process (not timed), so the bare
# application always has the same command and group names as `coach`.
INTROSPECT = """
import json
import typer.main
from clientcoach.cli.main import app

SIMPLE = {"str", "Path", "bool", "int", "float"}
TYPER_OWN = {"install_completion", "show_completion", "help"}

def params(command):
    found = []
    for p in command.params:
        if p.name in TYPER_OWN:
            continue
        described = getattr(p, "type_descriptor", None)  # Typer 0.29 and later
        if described is not None:
            name = getattr(described.annotation, "__name__", "str")
        else:  # Click's parameter type, as Typer before 0.29 gives it
            name = {"integer": "int", "float": "float", "boolean": "bool", "path": "Path"}.get(
                getattr(p.type, "name", ""), "str"
            )
        found.append({
            "name": p.name,
            "opts": [o for o in p.opts if o.startswith("-")],
            "argument": not any(o.startswith("-") for o in p.opts),
            "type": name if name in SIMPLE else "str",
            "flag": bool(getattr(p, "is_flag", False)),
        })
    return found

def walk(command):
    node = {"help": (command.help or "").strip().splitlines()[0:1], "params": params(command)}
    if hasattr(command, "commands"):
        node["commands"] = {name: walk(sub) for name, sub in sorted(command.commands.items())}
    return node

tree = walk(typer.main.get_command(app))
tree["markup"] = app.rich_markup_mode
print(json.dumps(tree))
"""


@dataclass(frozen=True)
class Target:
    label: str
    subject: str
    baseline: str
    limit: float


TARGETS = [
    Target("--help vs bare Typer", "coach --help", "bare Typer --help", 1.1),
    Target("--version vs python -c pass", "coach --version", "python -c pass", 2.0),
    Target("40-answer debrief vs coach --help", "debrief (40 answers)", "coach --help", 2.5),
]


def bare_app_source(tree: dict[str, Any]) -> str:
    """A Typer application with `coach`'s commands, groups and parameters, doing nothing."""
    lines = [
        "from pathlib import Path",
        "from typing import Annotated",
        "",
        "import typer",
        "",
        f"app = typer.Typer(name='coach', help={_first(tree)!r}, no_args_is_help=True,",
        f"    rich_markup_mode={tree['markup']!r}, pretty_exceptions_enable=False)",
        "",
        "@app.callback()",
        f"def root({_signature(tree)}) -> None:",
        "    pass",
    ]
    counter = iter(range(10_000))

    def add(parent: str, node: dict[str, Any]) -> None:
        for name, sub in node["commands"].items():
            n = next(counter)
            if "commands" in sub:
                lines.append(f"g{n} = typer.Typer(help={_first(sub)!r})")
                lines.append(f"{parent}.add_typer(g{n}, name={name!r})")
                add(f"g{n}", sub)
            else:
                lines.append(f"@{parent}.command({name!r}, help={_first(sub)!r})")
                lines.append(f"def c{n}({_signature(sub)}) -> None:")
                lines.append("    pass")

    add("app", tree)
    lines += ["", "if __name__ == '__main__':", "    app(prog_name='coach')", ""]
    return "\n".join(lines)


def _signature(node: dict[str, Any]) -> str:
    parts = []
    for param in node["params"]:
        if param["flag"]:
            parts.append(f"{param['name']}: bool = typer.Option(False, *{param['opts']!r})")
        elif param["argument"]:
            parts.append(
                f"{param['name']}: Annotated[{param['type']} | None, typer.Argument()] = None"
            )
        else:
            parts.append(
                f"{param['name']}: Annotated[{param['type']} | None, "
                f"typer.Option(*{param['opts']!r})] = None"
            )
    return ", ".join(parts)


def _first(node: dict[str, Any]) -> str:
    return node["help"][0] if node["help"] else ""


def forty_answers() -> dict[str, Any]:
    """The example debrief cut to its main path and first difficult moment, then topped
    up with next-step items (a loop) until it holds exactly 40 answers."""
    with EXAMPLE.open("rb") as handle:
        example = tomllib.load(handle)
    # The main path and one hot moment: no help, drama-role or mistake section (the
    # checklist that opens them ticks only the hot moment), no lost-deal include.
    deeper = ("help_", "drama_role", "client_drama_role", "role_switch")
    answers = {
        k: v
        for k, v in example.items()
        if not isinstance(v, dict) and not k.startswith(deeper) and k not in ("mistakes",)
    }
    answers["came_up"] = ["troll"]
    answers["outcome"] = "progressing"
    answers["trolls"] = example["trolls"][:1]
    answers["next_steps"] = []
    steps = example["next_steps"]
    while _count_file(answers) < ANSWERS:
        item = dict(steps[len(answers["next_steps"]) % len(steps)])
        if ANSWERS - _count_file(answers) == 2:
            del item["due"]  # optional: leaves out one answer to land on exactly 40
        item["what"] = f"{item['what']} ({len(answers['next_steps']) + 1})"
        answers["next_steps"].append(item)
    if _count_file(answers) != ANSWERS:
        sys.exit(f"could not build an answers file of {ANSWERS} answers from {EXAMPLE}")
    return answers


def _count_file(node: Any) -> int:
    if isinstance(node, dict):
        return sum(_count_file(v) for v in node.values())
    if isinstance(node, list) and node and isinstance(node[0], dict):
        return sum(_count_file(v) for v in node)
    return 1


def count_record(answers: list[dict[str, Any]]) -> int:
    """Answered steps in a saved reflection, inside loops and includes too."""
    total = 0
    for answer in answers:
        for item in answer.get("items") or []:
            total += count_record(item)
        total += count_record(answer.get("answers") or [])
        if answer.get("value") is not None:
            total += 1
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each command")
    parser.add_argument("--coach", type=Path, help="the console script (default: beside python)")
    parser.add_argument(
        "--source",
        action="store_true",
        help=f"time the code in {REPO / 'src'}, not the installed package",
    )
    options = parser.parse_args()
    python = Path(sys.executable)
    work = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    source: Path | None = None
    if options.source:
        source = REPO / "src"
        coach = work / "coach"
        # What pip writes as the console script, run by the same Python.
        coach.write_text(
            f"#!{python}\nimport sys\nfrom clientcoach.cli.entry import main\nsys.exit(main())\n",
            encoding="utf-8",
        )
        coach.chmod(0o755)
    else:
        coach = options.coach or python.parent / "coach"
    if not coach.exists():
        sys.exit(f"no console script at {coach}: install clientcoach in this environment")

    try:
        return _bench(python, coach, work, max(options.runs, 15), source)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(python: Path, coach: Path, work: Path, runs: int, source: Path | None) -> int:
    data = work / "data"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "COLUMNS": "80",
        "CLIENTCOACH_HOME": str(data),
        "CLIENTCOACH_NOW": NOW,
    }
    if source is not None:
        env["PYTHONPATH"] = str(source)  # the baselines get it too: same path, same cost

    tree_json = subprocess.run(
        [str(python), "-c", INTROSPECT], capture_output=True, text=True, env=env, check=True
    ).stdout
    bare = work / "bare_typer.py"
    bare.write_text(bare_app_source(json.loads(tree_json)), encoding="utf-8")

    answers = work / "answers.json"
    answers.write_text(json.dumps(forty_answers()), encoding="utf-8")

    debrief_args = ["debrief", "Bench Corp", "--answers", str(answers), "--prep", "none"]
    linked_answers = work / "linked.json"
    linked_answers.write_text(json.dumps({**forty_answers(), **PLAN_ANSWERS}), encoding="utf-8")
    prep = subprocess.run(
        [str(coach), "prep", "Linked Corp", "--answers", str(PREP_EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if prep.returncode != 0:
        sys.exit(f"the prep to link failed ({prep.returncode}): {prep.stderr.strip()}")
    # Named outright: run after run, the debriefs all follow this one prep.
    prep_id = json.loads(Path(prep.stdout.strip()).read_text(encoding="utf-8"))["id"]
    commands = {
        "python -c pass": [str(python), "-c", "pass"],
        "bare Typer --help": [str(python), str(bare), "--help"],
        "coach --version": [str(coach), "--version"],
        "coach --help": [str(coach), "--help"],
        "bare Typer debrief": [str(python), str(bare), *debrief_args],
        "debrief (40 answers)": [str(coach), *debrief_args],
        "debrief after a prep": [
            str(coach),
            "debrief",
            "Linked Corp",
            "--answers",
            str(linked_answers),
            "--prep",
            prep_id,
        ],
    }

    # Untimed: every command works, and the debrief really saves 40 answers.
    for name, argv in commands.items():
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            sys.exit(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
        if name == "debrief (40 answers)":
            record = json.loads(Path(done.stdout.strip()).read_text(encoding="utf-8"))
            counted = count_record(record["answers"])
            if counted != ANSWERS:
                sys.exit(f"the debrief saved {counted} answers, not {ANSWERS}")
            print(f"debrief answers in the saved record: {counted}")
        if name == "debrief after a prep":
            record = json.loads(Path(done.stdout.strip()).read_text(encoding="utf-8"))
            if not record["links"].get("prep"):
                sys.exit("the debrief after a prep was not linked to it")

    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                check=True,
            )
            times[name].append(time.perf_counter() - start)

    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"python {platform.python_version()} on {platform.platform()}, "
        f"{os.cpu_count()} cpu, load {os.getloadavg()[0]:.2f}, {runs} runs each, round-robin"
    )
    for name, value in median.items():
        spread = statistics.quantiles(times[name], n=4)
        print(
            f"  {name:<22} median {value * 1000:7.1f} ms  (quartiles "
            f"{spread[0] * 1000:.1f}-{spread[2] * 1000:.1f})"
        )
    missed = 0
    for target in TARGETS:
        ratio = median[target.subject] / median[target.baseline]
        ok = ratio <= target.limit
        missed += not ok
        print(
            f"  {target.label:<36} {ratio:5.2f}x  (target <= {target.limit}x)  "
            f"{'ok' if ok else 'MISSED'}"
        )
    floor = median["debrief (40 answers)"] / median["bare Typer debrief"]
    print(
        f"  {'(40-answer debrief vs bare Typer debrief':<36} {floor:5.2f}x  no target: "
        "the part of the run that is clientcoach's own)"
    )
    linked = median["debrief after a prep"] / median["coach --help"]
    print(f"  {'(debrief after a prep vs coach --help':<36} {linked:5.2f}x  no target)")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
