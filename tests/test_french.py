"""The product in French: playbook twins, the message catalogue, a real French session."""

from __future__ import annotations

import ast
import json
import re
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.catalogues import messages, po_path
from tests.helpers import REPO, run_coach
from tests.pty_helpers import TIMEOUT, Coach, answer_tree, load_json, saved_files

ENGLISH = sorted((REPO / "playbooks").glob("*.toml"))
# What must be identical between languages: everything but the words people read.
TRANSLATED = {"prompt", "help", "why", "label", "low", "high", "item", "title", "summary"}


def _shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if k not in TRANSLATED | {"language"}}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.stem)
def test_every_builtin_has_a_french_twin_with_the_same_ids_roles_and_values(
    english: Path,
) -> None:
    french = REPO / "playbooks" / "fr" / english.name
    assert french.is_file(), f"translate {english.name} into playbooks/fr/{english.name}"
    en, fr = _load(english), _load(french)
    assert fr["language"] == "fr"
    assert _shape(fr) == _shape(en)
    # Every text a person reads is translated, none left in English by mistake.
    for key in ("title", "summary"):
        if key in en:
            assert fr[key] != en[key]


def _literals() -> dict[str, str]:
    """Every ``_("...")`` literal in src/, and the help docstrings of command functions."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
                and node.args
            ):
                # _(text), or ngettext(singular, plural, n): both forms are in the catalogue
                texts = node.args[:1] if node.func.id == "_" else node.args[:2]
                for arg in texts:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, str(path))
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call)
                # `@command(...)` of cli.common, or a Typer app's `@app.command(...)`
                and (
                    (isinstance(d.func, ast.Attribute) and d.func.attr in ("command", "callback"))
                    or (isinstance(d.func, ast.Name) and d.func.id in ("command", "callback"))
                )
                and not any(k.arg == "help" for k in d.keywords)
                for d in node.decorator_list
            ):
                doc = ast.get_docstring(node)
                if doc:  # typer shows it as the command's help
                    found.setdefault(doc, str(path))
    return found


def test_the_french_catalogue_has_every_message_with_the_same_placeholders() -> None:
    po = po_path("fr").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', po, re.M)
    assert len(ids) == len(set(ids)), "a message is in the catalogue twice"
    catalogue = messages("fr")
    literals = _literals()
    assert len(literals) > 150
    missing = sorted(m for m in literals if m not in catalogue)
    assert not missing, f"add to src/clientcoach/locales/the French catalogue: {missing}"
    fields = string.Formatter()
    for english, french in catalogue.items():
        wanted = sorted(f for _t, f, _s, _c in fields.parse(english) if f is not None)
        got = sorted(f for _t, f, _s, _c in fields.parse(french) if f is not None)
        assert got == wanted, f"placeholders differ: {english!r} -> {french!r}"


def test_french_messages_and_help() -> None:
    shown = run_coach("--lang", "fr", "prep", "--help")
    assert "Préparer un rendez-vous client" in shown.stdout
    # Click's own words too: the usage line and the headings, with French typography.
    assert shown.stdout.startswith("Utilisation\u00a0: coach prep [OPTIONS] [CLIENT]\n")
    assert "\nOptions\u00a0:\n" in shown.stdout
    assert "\nArguments\u00a0:\n" in shown.stdout
    assert "Usage:" not in shown.stdout
    assert "Options:" not in shown.stdout
    group = run_coach("--lang", "fr", "playbooks", "--help").stdout
    assert group.startswith("Utilisation\u00a0: coach playbooks [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert "\nCommandes\u00a0:\n" in group
    english = run_coach("prep", "--help").stdout
    assert english.startswith("Usage: coach prep [OPTIONS] [CLIENT]\n")
    assert "\nOptions:\n" in english
    assert run_coach("--lang", "fr", "help", "prep").stdout == shown.stdout
    bare = run_coach("--lang", "fr", "config")
    assert bare.code == 2
    assert bare.stderr.startswith("Utilisation\u00a0: coach config [OPTIONS] COMMANDE")
    assert "Erreur" not in bare.stderr
    assert "Afficher et modifier les réglages" in bare.stderr
    typo = run_coach("--lang", "fr", "prep", "--bogus")
    assert typo.code == 2
    assert typo.stderr.startswith("Utilisation\u00a0: coach prep [OPTIONS] [CLIENT]\n")
    assert typo.stderr.count("Utilisation") == 1
    wrong = run_coach("debrief", "Acme", "--playbook", "prep", "--lang", "fr")
    assert wrong.code == 2
    assert "coach: erreur\u00a0: le playbook 'prep' est de type prep, pas debrief" in wrong.stderr
    unknown = run_coach("--lang", "de", "prep")
    assert unknown.code == 2
    assert "--lang de: unknown language" in unknown.stderr


def _records(home: Path, kind: str) -> list[dict[str, Any]]:
    return [d for d in map(load_json, saved_files(home)) if d["kind"] == kind]


def _meaning(answers: list[dict[str, Any]]) -> list[Any]:
    """Answers without their wording: step ids, types, roles and values."""
    kept: list[Any] = []
    for a in answers:
        entry = {k: a.get(k) for k in ("step", "type", "role", "value")}
        if "items" in a:
            entry["items"] = [_meaning(item) for item in a["items"]]
        if "answers" in a:
            entry["answers"] = _meaning(a["answers"])
        kept.append(entry)
    return kept


def test_english_and_french_debriefs_save_the_same_meaning(home: Path) -> None:
    answers = str(REPO / "examples" / "debrief-answers.toml")
    # Two clients: a second debrief of the same one would ask about the first one's lesson.
    en = run_coach("debrief", "Acme", "--answers", answers, "--prep", "none")
    fr = run_coach("debrief", "Globex", "--answers", answers, "--prep", "none", "--lang", "fr")
    assert en.code == 0, en.stderr
    assert fr.code == 0, fr.stderr
    assert "Enregistré\u00a0: votre débrief pour Globex" in fr.stderr
    records = sorted(_records(home, "debrief"), key=lambda r: r["playbook"]["language"])
    assert [r["playbook"]["language"] for r in records] == ["en", "fr"]
    english, french = records
    assert english["playbook"]["id"] == french["playbook"]["id"] == "debrief"
    assert _meaning(english["answers"]) == _meaning(french["answers"])
    assert english["answers"][0]["prompt"] != french["answers"][0]["prompt"]


# --- a whole session in French, in a real terminal ------------------------------------

FRENCH = {p.stem: _load(p) for p in sorted((REPO / "playbooks" / "fr").glob("*.toml"))}
TYPED = "Réponse accentuée : élan, ça, où, « guillemets »"


def _steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for step in steps:
        flat.append(step)
        flat.extend(_steps(step.get("steps", [])))
    return flat


PROMPTS = [
    (s["prompt"][:40], s) for pb in FRENCH.values() for s in _steps(pb["steps"]) if "prompt" in s
]


# The list of answers shown before saving ends with the hint of what Enter does.
SUMMARY = re.compile(r"Enter saves|Entrée enregistre")
# More inputs than any built-in asks for means the walk is going round in circles.
MOST_INPUTS = 300


def _walk(coach: Coach) -> str:
    """Answer every question of a French session until the program ends; the screen."""
    import pexpect

    child = coach.child
    for _count in range(MOST_INPUTS):
        index = child.expect(["\n> ", "\n» ", pexpect.EOF], timeout=TIMEOUT)
        if index == 2:
            return coach.screen
        before = child.before
        if SUMMARY.search(before):
            child.sendline("")  # the answers shown before saving: Enter saves
            continue
        shown = [(before.rfind(n), s) for n, s in PROMPTS if n in before]
        assert shown, f"no known French prompt before the input line:\n{before[-800:]}"
        step = max(shown, key=lambda found: found[0])[1]
        kind = step["type"]
        if kind == "loop":
            child.sendline("n")  # no other item
        elif kind == "confirm":
            child.sendline("o")
        elif kind in ("rating", "number"):
            child.sendline("2")
        elif kind in ("choice", "multichoice"):
            child.sendline("1")
        elif kind == "date":
            child.sendline("+7j")  # French units: jours
        elif kind == "list":
            child.sendline(TYPED)
            child.expect_exact("» ")
            child.sendline("")
        else:
            child.sendline(TYPED)
    raise AssertionError(f"still asking after {MOST_INPUTS} answers:\n{coach.screen[-2000:]}")


@pytest.mark.e2e  # in a pseudo-terminal
@pytest.mark.parametrize("how", ["option", "locale"])
def test_prep_and_debrief_entirely_in_french_in_a_terminal(
    how: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args: tuple[str, ...] = ()
    if how == "option":
        args = ("--lang", "fr")
    else:
        # fr_FR.UTF-8 need not be installed: only the variable's text is read.
        monkeypatch.delenv("LC_ALL", raising=False)
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    client = "Société Générale"
    for kind in ("prep", "debrief"):
        coach = Coach(kind, client, *args)
        try:
            screen = _walk(coach)
        finally:
            coach.kill()
        assert coach.child.exitstatus == 0, screen[-2000:]
        assert re.search(r"Étape 1 sur environ \d+", screen)
        assert FRENCH[kind]["steps"][0]["prompt"] in screen
        assert "Tapez ? pour l'aide" in screen
        assert (
            f"Enregistré\u00a0: votre {'préparation' if kind == 'prep' else 'débrief'} pour"
            in screen
        )
        assert client in screen
        assert "Step " not in screen
        (record,) = _records(home, kind)
        assert record["client"] == client
        assert record["playbook"] == {
            "id": kind,
            "version": record["playbook"]["version"],
            "language": "fr",
        }
        tree = answer_tree(record["answers"])
        first = FRENCH[kind]["steps"][0]
        assert record["answers"][0]["prompt"] == first["prompt"]
        assert TYPED in json.dumps(tree, ensure_ascii=False)
        if kind == "debrief":  # a next step's due date, typed as "+7j", echoed in French
            assert re.search(r'"due": "\d{4}-\d{2}-\d{2}"', json.dumps(tree)), tree
            days = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
            assert re.search(rf"= ({days}) \d+ [a-zéû]+ 20\d\d", screen), screen[-1500:]
        path = next(p for p in saved_files(home) if load_json(p)["id"] == record["id"])
        raw = path.read_text(encoding="utf-8")
        assert TYPED in raw or json.dumps(TYPED)[1:-1] in raw


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_run_started_in_french_resumes_in_french(home: Path) -> None:
    steps = FRENCH["prep"]["steps"]
    coach = Coach("prep", "Société Générale", "--lang", "fr")
    try:
        coach.expect(steps[0]["prompt"])
        coach.expect_input()
        coach.type("Cadrer le pilote")
        coach.expect(steps[1]["prompt"])
        coach.expect_input()
        coach.interrupt()
        assert coach.finish() == 130
    finally:
        coach.kill()

    resumed = Coach("resume")  # no --lang: the draft's language is kept
    try:
        resumed.expect("Étape 2 sur environ")
        resumed.expect(steps[1]["prompt"])
        resumed.expect_input()
        resumed.type("Ils envoient les données vendredi")
        resumed.expect(steps[2]["prompt"])
        resumed.expect_input()
        resumed.interrupt()
        assert resumed.finish() == 130
    finally:
        resumed.kill()
    (draft_file,) = (home / "drafts").glob("*.json")
    draft = json.loads(draft_file.read_text(encoding="utf-8"))
    assert draft["playbook"]["language"] == "fr"
    assert [a["value"] for a in draft["answers"]] == [
        "Cadrer le pilote",
        "Ils envoient les données vendredi",
    ]


def test_every_help_text_of_the_built_app_is_translated() -> None:
    """Read from the application itself, so a command registered in any way is covered."""
    import inspect

    import typer.main

    from clientcoach.cli.main import app

    catalogue = messages("fr")
    texts: set[str] = set()

    def walk(command: Any) -> None:
        if command.help:
            texts.add(inspect.cleandoc(command.help))
        texts.update(p.help for p in command.params if getattr(p, "help", None))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert len(texts) > 60
    missing = sorted(t for t in texts if t not in catalogue)
    assert not missing, f"add to src/clientcoach/locales/the French catalogue: {missing}"
    shown = run_coach("--lang", "fr", "brief", "--help", env={"COLUMNS": "100"}).stdout
    assert "Le résumé que `coach prep` affiche" in shown
    assert "Afficher cette aide et quitter." in shown  # Typer's own -h/--help line
    assert "Show this message" not in shown


def test_not_found_and_empty_ids_are_told_in_french(home: Path) -> None:
    from tests.helpers import run_coach

    missing = run_coach("--lang", "fr", "show", "nope")
    assert missing.code == 5
    assert missing.stderr.startswith(
        "coach: erreur\u00a0: aucune réflexion n'a l'identifiant 'nope'"
    )
    empty = run_coach("--lang", "fr", "resume", " ")
    assert empty.code == 2
    assert "l'identifiant du brouillon est vide" in empty.stderr
    assert "lancez `coach drafts` pour les voir" in empty.stderr


def test_the_compiled_catalogue_is_in_step_with_its_source() -> None:
    from tests.catalogues import problems

    assert problems("fr") == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["0 reflections", "1 reflection", "2 reflections"]),
        ("fr", ["0 réflexion", "1 réflexion", "2 réflexions"]),
    ],
)
def test_a_plural_message_takes_the_right_form_for_0_1_and_2(
    language: str, expected: list[str]
) -> None:
    from clientcoach import i18n

    i18n.set_language(language)
    try:
        shown = [
            i18n.ngettext("{n} reflection", "{n} reflections", n).format(n=n) for n in (0, 1, 2)
        ]
    finally:
        i18n.set_language(i18n.DEFAULT)
    assert shown == expected


def test_a_plural_message_on_screen_in_both_languages(home: Path) -> None:
    answers = REPO / "examples" / "prep-answers.toml"
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    assert "1 reflection," in run_coach("brief", "Acme").stdout
    assert "1 réflexion," in run_coach("--lang", "fr", "brief", "Acme").stdout
    assert run_coach("prep", "Acme", "--answers", str(answers)).code == 0
    assert "2 reflections," in run_coach("brief", "Acme").stdout
    assert "2 réflexions," in run_coach("--lang", "fr", "brief", "Acme").stdout


@pytest.mark.parametrize(
    ("content", "french", "english"),
    [
        (b"", "fichier vide", "empty file"),
        (b"{", "JSON non valide", "not valid JSON"),
        (b'{"schema": 99}', "version plus récente", "newer clientcoach"),
        (b'{"schema": 1}', "réflexion abîmée", "damaged reflection"),
        (b"[1, 2]", "pas une réflexion clientcoach", "not a clientcoach reflection"),
    ],
    ids=["empty", "not-json", "newer", "fields", "not-ours"],
)
def test_a_damaged_file_is_explained_in_french(
    home: Path, content: bytes, french: str, english: str
) -> None:
    saved = run_coach("prep", "Acme", "--answers", str(REPO / "examples" / "prep-answers.toml"))
    assert saved.code == 0, saved.stderr
    (path,) = (home / "reflections").glob("*/*.json")
    path.write_bytes(content)
    for command in (["history"], ["doctor"]):
        result = run_coach("--lang", "fr", *command)
        assert french in result.stderr + result.stdout, command
        assert english not in result.stderr + result.stdout, command
    assert english in run_coach("history").stderr  # English stays English


def test_french_lines_built_from_parts_keep_the_space_before_a_colon(
    home: Path, tmp_path: Path
) -> None:
    """Lines assembled in code (the brief's follow-ups, a refused edit's problems, the
    review page's chart descriptions) take their colon from the catalogue too."""
    import sys

    answers = str(REPO / "examples" / "debrief-answers.toml")
    saved = run_coach("--lang", "fr", "debrief", "Acme", "--answers", answers)
    assert saved.code == 0, saved.stderr
    glued = re.compile(r"[^\s\u00a0\u202f]:\s")  # a word, then its colon

    brief = run_coach("--lang", "fr", "brief", "Acme")
    assert brief.code == 0, brief.stderr
    assert brief.stdout.lstrip().startswith("Ce que vous savez sur Acme")  # never "de Acme"
    owners = [line for line in brief.stdout.splitlines() if "moi\u00a0: " in line]
    assert owners, brief.stdout
    assert not [line for line in brief.stdout.splitlines() if glued.search(line)]

    page = run_coach("--lang", "fr", "review", "--html", "-")
    assert page.code == 0, page.stderr
    descriptions = re.findall(r"<desc>(.*?)</desc>", page.stdout)
    assert descriptions
    assert not [d for d in descriptions if glued.search(d)]

    (path,) = (home / "reflections").glob("*/*.json")
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text().replace('process = 4', 'process = 9')\n"
        "p.write_text(t.replace('authenticity = 3', 'authenticity = 8'))\n"
    )
    edit = run_coach(
        "--lang",
        "fr",
        "edit",
        path.stem.rsplit("_", 1)[-1],
        env={"EDITOR": f"{sys.executable} {script}"},
    )
    assert edit.code == 4, edit.stderr
    assert "process\u00a0: " in edit.stderr
    assert "\u202f; authenticity\u00a0: " in edit.stderr  # two problems, joined in French

    # A damaged file, named in the report and the page.
    path.write_bytes(b'{"schema": 1}')
    for option in ("--markdown", "--html"):
        shown = run_coach("--lang", "fr", "review", option, "-")
        assert shown.code == 7, shown.stderr
        (line,) = [x for x in shown.stdout.splitlines() if "réflexion abîmée" in x]
        assert ".json\u00a0: réflexion abîmée" in line, line


def test_an_id_naming_many_reflections_lists_them_in_french(home: Path) -> None:
    from tests.review_records import debrief, write

    for day in range(2, 9):
        write(home, debrief("Acme", f"2026-11-0{day}"))
    shown = run_coach("--lang", "fr", "show", "2026")
    assert shown.code == 5
    assert "désigne 7 réflexions" in shown.stderr
    assert " et 2 autres)" in shown.stderr
    assert " more" not in shown.stderr
