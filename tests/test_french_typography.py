"""French typography: a no-break space before ? ! : ; and inside « », in every message
of the catalogue and every text of the French playbooks, and never a line broken there."""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.catalogues import messages
from tests.helpers import REPO

FRENCH = sorted((REPO / "playbooks" / "fr").glob("*.toml"))
NARROW, NBSP = "\u202f", "\u00a0"
# A format field ({value!r}, {day:%H:%M}) is code, not French: it stands as one word.
_FIELD = re.compile(r"\{[^{}]*\}")


def problems(text: str) -> list[str]:
    """Where ``text`` puts an ordinary space, or none, before ? ! : ; or inside « »."""
    plain = _FIELD.sub("x", text)
    found: list[str] = []
    for mark in re.finditer(r"[?!:;»]", plain):
        at = mark.start()
        before = plain[at - 1] if at else ""
        after = plain[at + 1 : at + 2]
        if not before or before in "\n'\"`":
            continue  # a mark alone, as a symbol: "! marks a gap", typing '?'
        if mark.group() in ":;" and after and not after.isspace() and after not in ")»\"'":
            continue  # 09:30, a path or a URL
        if mark.group() == "»" and before == NBSP:
            continue
        if mark.group() != "»" and before in (NARROW, NBSP):
            continue
        found.append(plain[max(0, at - 20) : at + 5])
    # A percentage too: "50 %" could be wrapped before its sign.
    found += [m.group() for m in re.finditer(r"\S %", plain)]
    for mark in re.finditer("«", plain):
        if plain[mark.end() : mark.end() + 1] != NBSP:
            found.append(plain[mark.start() : mark.start() + 20])
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_the_check_finds_an_ordinary_space_and_a_missing_one() -> None:
    for wrong in ("Prêt ?", "Prêt?", "Note : ceci", "« bien »", f"«{NBSP}bien »", "{n} %"):
        assert problems(wrong), wrong
    assert not problems(f"Prêt{NARROW}? Note{NBSP}: «{NBSP}bien{NBSP}»{NARROW}!")
    assert not problems("! marque un écart, {value!r} à 09:30, {day:%H:%M}, tapez '?'")


def test_every_french_message_has_its_no_break_spaces() -> None:
    catalogue: dict[str, str] = messages("fr")
    wrong = {fr: p for fr in catalogue.values() if (p := problems(fr))}
    assert not wrong, f"{len(wrong)} message(s) in the French catalogue: {list(wrong.items())[:10]}"


def test_every_french_playbook_text_has_its_no_break_spaces() -> None:
    assert len(FRENCH) >= 8
    for path in FRENCH:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        wrong = [(t, p) for t in _strings(data) if (p := problems(t))]
        assert not wrong, f"{path.name}: {wrong[:10]}"


def test_no_french_message_is_ever_wrapped_before_its_punctuation() -> None:
    from rich.text import Text

    from clientcoach.ui.nobreak import NoBreakConsole

    catalogue: dict[str, str] = messages("fr")
    # A message may start with a mark: a symbol ("! marks a gap"), or a separator ("; ").
    texts = [
        t
        for t in catalogue.values()
        if (NBSP in t or NARROW in t) and t.lstrip(f" {NBSP}{NARROW}")[:1] not in "!?;:"
    ]
    assert len(texts) > 150
    for width in (30, 40, 52):
        buffer = io.StringIO()
        console = NoBreakConsole(file=buffer, width=width, color_system=None, highlight=False)
        for text in texts:
            console.print(Text(text))
        lines = buffer.getvalue().splitlines()
        assert not [line for line in lines if re.match(r"\s*[?!:;»]", line)], width


def test_a_french_prompt_leaves_the_answer_on_its_line() -> None:
    """``console.input`` prints its prompt with ``end=""``: a question holding a no-break
    space must not be followed by a line break, or the answer lands under it."""
    from rich.text import Text

    from clientcoach.ui.nobreak import NoBreakConsole

    buffer = io.StringIO()
    console = NoBreakConsole(file=buffer, width=80, color_system=None)
    console.print(Text(f"Mettre ce débrief à la corbeille{NARROW}? [o/N] "), end="")
    assert buffer.getvalue() == f"Mettre ce débrief à la corbeille{NARROW}? [o/N] "
    console.print(Text(f"Gardé{NARROW}!"))
    assert buffer.getvalue().endswith(f"Gardé{NARROW}!\n")


def test_a_reflection_shown_in_french_names_its_fields_with_a_no_break_space(home: Path) -> None:
    from tests.helpers import run_coach

    saved = run_coach("prep", "Acme", "--answers", str(REPO / "examples" / "prep-answers.toml"))
    assert saved.code == 0, saved.stderr
    rid = json.loads(Path(saved.stdout.strip()).read_text(encoding="utf-8"))["id"]
    shown = run_coach("--lang", "fr", "show", rid)
    assert shown.code == 0, shown.stderr
    header = shown.stdout.splitlines()[:4]
    assert [line.split(NBSP + ":")[0] for line in header] == ["type", "client", "rendez-vous", "id"]
    assert [problems(line) for line in header] == [[], [], [], []]
