"""A French run shows no English message: prep, quick debrief, full debrief and review.

The English messages are read from the catalogue itself (its English side): every one
of a few words or more, cut at its placeholders, must be absent from what a French user
sees. A message printed without ``_()``, or missing from the French catalogue, fails here.
"""

from __future__ import annotations

import json
import re
import string
from functools import cache
from pathlib import Path

import pytest

from tests.catalogues import messages
from tests.helpers import REPO, run_coach
from tests.pty_helpers import Coach

# Shorter pieces ("Saved", "done", "client") may be French too, or a command's name.
MIN_WORDS = 4
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _flat(text: str) -> str:
    """One line, every kind of space one space: wrapping and no-break spaces aside."""
    return " ".join(_ANSI.sub("", text).replace("\u00a0", " ").replace("\u202f", " ").split())


@cache
def english_messages() -> frozenset[str]:
    """The literal pieces of every English message of a few words, placeholders cut out,
    unless the French translation holds the same words (a command line, a name)."""
    catalogue: dict[str, str] = messages("fr")
    pieces: set[str] = set()
    for english, french in catalogue.items():
        for literal, _field, _spec, _conv in string.Formatter().parse(english):
            piece = _flat(literal).strip(" .,;:!?()[]'\"`")
            if len(piece.split()) >= MIN_WORDS and piece not in _flat(french):
                pieces.add(piece)
    return frozenset(pieces)


def english_on(screen: str) -> list[str]:
    shown = _flat(screen)
    return sorted(piece for piece in english_messages() if piece in shown)


def test_the_check_knows_enough_english_and_catches_it() -> None:
    assert len(english_messages()) > 200
    assert english_on("Planned:  x\nIs it a repeat of one of these\n earlier ones?") == [
        "Is it a repeat of one of these earlier ones"
    ]
    assert not english_on("Est-ce la répétition de l'une de ces réponses précédentes ?")


# --- in process: scripted runs, every message they print -----------------------------


def test_scripted_french_runs_print_no_english_message(home: Path) -> None:
    examples = REPO / "examples"
    runs = [
        ("prep", "Société Générale", "prep-answers.toml", ()),
        ("debrief", "Dupont SA", "debrief-quick-answers.toml", ("--quick", "--prep", "none")),
        ("debrief", "Société Générale", "debrief-answers.toml", ()),
    ]
    shown = ""
    for kind, client, answers, extra in runs:
        done = run_coach("--lang", "fr", kind, client, "--answers", str(examples / answers), *extra)
        assert done.code == 0, done.stderr
        shown += done.stdout + done.stderr
    for args in (
        ("review", "--no-reflect"),
        ("review", "--focus"),
        ("followups",),
        ("brief", "Société Générale"),
        ("history",),
        ("clients",),
    ):
        result = run_coach("--lang", "fr", *args, env={"COLUMNS": "80"})
        assert result.code == 0, result.stderr
        shown += result.stdout + result.stderr
    narrow = run_coach("--lang", "fr", "review", "--no-reflect", env={"COLUMNS": "40"})
    shown += narrow.stdout + narrow.stderr
    assert "Chiffres clés" in shown
    assert not english_on(shown), english_on(shown)


def test_french_errors_print_no_english_message(home: Path, tmp_path: Path) -> None:
    typo = tmp_path / "typo.toml"
    typo.write_text('goall = "x"\n', encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2]", encoding="utf-8")
    shown = ""
    for args, code in (
        (("prep", "Acme", "--playbook", "nope"), 3),
        (("prep", "Acme", "--answers", str(typo)), 4),
        (("prep", "Acme", "--answers", str(broken)), 4),
        (("prep", "Acme", "--answers", str(tmp_path / "missing.toml")), 4),
    ):
        result = run_coach("--lang", "fr", *args)
        assert result.code == code, result.stderr
        shown += result.stderr
    assert "aucun playbook n'a l'identifiant 'nope'" in shown
    assert "vouliez-vous dire 'goal'\u202f?" in shown
    assert not english_on(shown), english_on(shown)


# --- in a real terminal ---------------------------------------------------------------


def _run(*args: str) -> str:
    from tests.test_french import _walk

    coach = Coach(*args)
    try:
        screen = _walk(coach)
    finally:
        coach.kill()
    assert coach.child.exitstatus == 0, screen[-2000:]
    return screen


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_french_prep_quick_and_full_debrief_and_review_show_no_english(
    home: Path,
) -> None:
    screens = {
        "prep": _run("--lang", "fr", "prep", "Société Générale"),
        "quick debrief": _run("--lang", "fr", "debrief", "Dupont SA", "--quick"),
        "full debrief": _run("--lang", "fr", "debrief", "Société Générale"),
    }
    review = Coach("--lang", "fr", "review")
    try:
        review.expect("[O/n] ")
        review.type("o")
        from tests.test_french import _walk

        screens["review"] = _walk(review)
    finally:
        review.kill()
    assert review.child.exitstatus == 0, screens["review"][-2000:]
    assert "Chiffres clés" in screens["review"]
    assert "Étape 1 sur environ" in screens["quick debrief"]
    for name, screen in screens.items():
        found = english_on(screen)
        assert not found, f"English on the French {name} screen: {found}"


def test_a_french_table_at_80_columns_cuts_no_heading_and_no_text(home: Path) -> None:
    examples = REPO / "examples"
    for client in ("Société Générale", "Compagnie Nationale du Rhône"):
        done = run_coach(
            "--lang", "fr", "debrief", client, "--answers", str(examples / "debrief-answers.toml")
        )
        assert done.code == 0, done.stderr
    shown = run_coach("--lang", "fr", "followups", env={"COLUMNS": "80"})
    assert shown.code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["id", "client", "échéance", "responsable", "quoi"]
    assert "…" not in shown.stdout
    # Each follow-up's text is there whole, however its column wrapped it.
    assert shown.stdout.count("sample") == 2
    assert shown.stdout.count("plan") == 2


def test_french_names_the_kind_of_a_reflection_in_show_doctor_and_drafts(home: Path) -> None:
    prep = REPO / "examples" / "prep-answers.toml"
    assert run_coach("prep", "Acme", "--answers", str(prep)).code == 0
    (record,) = json.loads(run_coach("history", "--json").stdout)
    shown = run_coach("--lang", "fr", "show", record["id"]).stdout
    assert re.search(r"^type\s*:\s*préparation$", shown, re.MULTILINE), shown
    assert "(préparation 1)" in run_coach("--lang", "fr", "doctor").stdout
    assert re.search(r"^kind: prep$", run_coach("show", record["id"]).stdout, re.MULTILINE)
