"""Which ideas of the domain brief the built-in playbooks and the review carry.

The brief (``../shared/DOMAIN.md`` from the repository root) numbers its ideas S0-01 to
S4-16. A playbook step names the ideas it carries in ``refs``; a review figure names
them in :data:`clientcoach.insights.review.IDEAS`. The ids are kept here, with a short
name of ours for each, so the check needs no file outside the repository.

``python -m tests.coverage`` prints one Markdown line per idea: what carries it, or
"not carried".
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PLAYBOOKS = REPO / "playbooks"
DOMAIN = REPO.parent / "shared" / "DOMAIN.md"

IDEAS: dict[str, str] = {
    "S0-01": "no weak link: every condition needed",
    "S0-02": "a good meeting process",
    "S0-03": "an authentic conversation",
    "S0-04": "a productive conversation",
    "S0-05": "ending on agreed next steps",
    "S0-06": "learning from others, not only one's mistakes",
    "S0-07": "experience breeding over-confidence",
    "S0-08": "working on the basics, regularly",
    "S0-09": "a regular rhythm with each client",
    "S0-10": "one careless act upsets the balance",
    "S0-11": "people are doing their best",
    "S0-12": "difficult conversations end calmly on next steps",
    "S1-01": "mistakes are useful",
    "S1-02": "new mistakes, not repeated ones",
    "S1-03": "analysing mistakes deliberately",
    "S1-04": "asking a lost client why",
    "S1-05": "listening without ego or blame",
    "S1-06": "pressing to meet in person",
    "S1-07": "what the client gains from a debrief",
    "S1-08": "an open request, not a demand",
    "S1-09": "leaving the door open",
    "S1-10": "price is often, not always, the reason",
    "S1-11": "price as an easy excuse",
    "S1-12": "price and something else",
    "S1-13": "being understood, and a complete team",
    "S1-14": "trust and chemistry",
    "S1-15": "understanding of the need",
    "S1-16": "assuming the client is wrong about the need",
    "S1-17": "redirecting a client in pre-sales",
    "S1-18": "answering every point, flexibly",
    "S1-19": "alternatives as options",
    "S1-20": "a loss is not fatal if it teaches",
    "S1-21": "a mistake depends on the client",
    "S1-22": "staying in touch during pre-sales",
    "S1-23": "lose now, win later",
    "S1-24": "a specification is not a fixed need",
    "S2-01": "energy kept or drained by clients",
    "S2-02": "loyalty is not a stable resource",
    "S2-03": "dependence and imbalance",
    "S2-04": "the drama triangle",
    "S2-05": "keeping the other dependent",
    "S2-06": "a shared project between adults",
    "S2-07": "the five rules of healthy help",
    "S2-08": "their interest, respect, enjoying time together",
    "S2-09": "starting from the client's interest",
    "S2-10": "acting on the client's remarks",
    "S2-11": "each touchpoint a good moment for both",
    "S2-12": "aiming for the client's autonomy, win-win",
    "S2-13": "the common project",
    "S2-14": "rich, respectful, enthusiastic relationships",
    "S3-01": "knowing and perceiving a client",
    "S3-02": "the gap between knowing and perceiving",
    "S3-03": "facts, feel, and the channel",
    "S3-04": "dead ends from not knowing or not perceiving",
    "S3-05": "first impressions",
    "S3-06": "letting the client speak",
    "S3-07": "knowledge and perception growing together",
    "S3-08": "sharing knowledge rather than pitching",
    "S3-09": "what interests them in us",
    "S3-10": "asking for impressions",
    "S3-11": "competence still needed",
    "S3-12": "balance of knowledge and perception",
    "S3-13": "intuitions not acted on",
    "S4-01": "risk aversion as a reflex",
    "S4-02": "signs of a no-risk culture",
    "S4-03": "internal rules or fears in the way",
    "S4-04": "practices that no longer fit clients",
    "S4-05": "lending the client bad intentions",
    "S4-06": "engagement lost to reflex",
    "S4-07": "skills, autonomy and sensible risks",
    "S4-08": "making the client's life easier",
    "S4-09": "processes that remove load",
    "S4-10": "trust with the client and the team",
    "S4-11": "serving clients pays; the block is cultural",
    "S4-12": "keeping client notes up to date",
    "S4-13": "service rules turned into numbers",
    "S4-14": "holidays leave answers missing",
    "S4-15": "handing over to a backup",
    "S4-16": "the client is a person",
}
IDEA_ID = re.compile(r"^S[0-4]-\d{2}$")
# Other ids of the brief a step may name: the sources (A0-A3), the troll loop (P1-P3,
# L1-L6, EXIT) and the rules of healthy help (R1-R5).
OTHER_REFS = {"A0", "A1", "A2", "A3", "P1", "P2", "P3", "EXIT"}
OTHER_REFS |= {f"L{n}" for n in range(1, 7)} | {f"R{n}" for n in range(1, 6)}
GOAL = 66
# Carriers named per idea in the table; the rest are counted.
SHOWN = 3


def steps(items: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every step of a playbook with its path (``loop.step`` inside a loop)."""
    for step in items:
        path = f"{prefix}{step.get('id', '?')}"
        yield path, step
        yield from steps(step.get("steps", []), f"{path}.")


def playbook_refs(folder: Path = PLAYBOOKS) -> dict[str, list[str]]:
    """Each ``playbook.step`` of a folder's playbooks, with its refs."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for where, step in steps(data.get("steps", [])):
            found[f"{data.get('id', path.stem)}.{where}"] = list(step.get("refs", []))
    return found


def unknown_refs(refs: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(where, ref) for every ref that is neither an idea nor another id of the brief."""
    return [
        (where, ref)
        for where, names in refs.items()
        for ref in names
        if ref not in IDEAS and ref not in OTHER_REFS
    ]


def review_refs() -> dict[str, list[str]]:
    from clientcoach.insights.review import IDEAS as FIGURES

    return {f"review: {path}": list(ideas) for path, ideas in FIGURES.items()}


def carriers(folder: Path = PLAYBOOKS) -> dict[str, list[str]]:
    """Each idea with the steps and review figures that carry it (empty: not carried)."""
    found: dict[str, list[str]] = {idea: [] for idea in IDEAS}
    for where, names in {**playbook_refs(folder), **review_refs()}.items():
        for ref in names:
            if ref in found:
                found[ref].append(where)
    return found


def domain_ids(path: Path = DOMAIN) -> list[str] | None:
    """The idea ids of the brief's tables, when the brief is there."""
    if not path.is_file():
        return None
    return re.findall(r"^\| (S[0-4]-\d{2}) \|", path.read_text(encoding="utf-8"), re.M)


def table(found: dict[str, list[str]] | None = None) -> str:
    found = carriers() if found is None else found
    carried = sum(1 for where in found.values() if where)
    lines = [
        f"Carried: {carried} of {len(found)} ideas.",
        "",
        "| idea | what it is about | carried by |",
        "|---|---|---|",
    ]
    for idea, where in found.items():
        shown = ", ".join(where[:SHOWN]) or "not carried"
        if len(where) > SHOWN:
            shown += f" (and {len(where) - SHOWN} more)"
        lines.append(f"| {idea} | {IDEAS[idea]} | {shown} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(table())


if __name__ == "__main__":
    main()
