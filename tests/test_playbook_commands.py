"""``coach playbooks list|show|check|new|schema``: what a playbook author sees."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from clientcoach.model.playbook import Playbook
from clientcoach.storage.playbooks import load_file
from tests.helpers import REPO, run_coach

BUILTINS = sorted(REPO.glob("playbooks/*.toml")) + sorted(REPO.glob("playbooks/fr/*.toml"))


def test_there_are_english_and_french_builtins() -> None:
    languages = {tomllib.loads(p.read_text(encoding="utf-8"))["language"] for p in BUILTINS}
    assert languages == {"en", "fr"}


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    result = run_coach("playbooks", "schema")
    assert result.code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: str(p.relative_to(REPO / "playbooks")))
def test_every_builtin_validates_against_the_exported_schema(
    path: Path, schema: dict[str, object]
) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_the_schema_rejects_a_misspelt_key(schema: dict[str, object]) -> None:
    data = tomllib.loads((REPO / "playbooks" / "prep.toml").read_text(encoding="utf-8"))
    data["steps"][0]["promt"] = data["steps"][0].pop("prompt")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_every_builtin_passes_check() -> None:
    result = run_coach("playbooks", "check", *map(str, BUILTINS))
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.count(": OK") == len(BUILTINS)


def test_new_from_debrief_checks_and_loads_back_unchanged(home: Path) -> None:
    made = run_coach("playbooks", "new", "mine", "--from", "debrief")
    assert made.code == 0, made.stderr
    path = home / "playbooks" / "mine.toml"
    assert made.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#:schema ./playbook.schema.json\n")
    assert (home / "playbooks" / "playbook.schema.json").is_file()
    checked = run_coach("playbooks", "check", str(path))
    assert checked.code == 0, checked.stdout + checked.stderr

    original = load_file(REPO / "playbooks" / "debrief.toml")
    copy = load_file(path)
    assert copy == original.replace(id="mine")

    # The same file with a misspelt key: the key, the file and its line are named.
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("prompt = "))
    lines[index] = lines[index].replace("prompt = ", "promt = ", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = run_coach("playbooks", "check", str(path))
    assert bad.code == 3
    assert f"{path}:{index + 1}: " in bad.stdout
    assert "unknown key 'promt' (did you mean 'prompt'?)" in bad.stdout


def test_new_refuses_to_overwrite_and_bad_ids(home: Path) -> None:
    assert run_coach("playbooks", "new", "starter").code == 0
    path = home / "playbooks" / "starter.toml"
    before = path.read_text(encoding="utf-8")
    assert before.count("\n# ") >= 5  # a comment above each step of the starter
    again = run_coach("playbooks", "new", "starter", "--from", "prep")
    assert again.code == 2
    assert "already exists" in again.stderr
    assert path.read_text(encoding="utf-8") == before
    assert run_coach("playbooks", "check", str(path)).code == 0
    assert run_coach("playbooks", "new", "Bad Id").code == 2


def test_check_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(
        'schema = 1\nid = "two"\nkind = "prep"\ntitle = "Two problems"\n'
        '\n[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\nhepl = "x"\n'
        '\n[[steps]]\nid = "mood"\ntype = "rating"\nprompt = "Mood?"\nlows = "bad"\n',
        encoding="utf-8",
    )
    good = tmp_path / "good.toml"
    good.write_text(
        'schema = 1\nid = "good"\nkind = "any"\ntitle = "Good"\n'
        '[[steps]]\nid = "more"\ntype = "include"\nplaybook = "healthy-help"\n',
        encoding="utf-8",
    )
    result = run_coach("playbooks", "check", str(path), str(good))
    assert result.code == 3
    problems = result.stdout.splitlines()
    assert problems == [
        f"{path}:10: step 'goal': unknown key 'hepl' (did you mean 'help'?)",
        f"{path}:16: step 'mood': unknown key 'lows' (did you mean 'low'?)",
    ]
    assert f"{good}: OK" in result.stderr
    as_json = json.loads(run_coach("playbooks", "check", "--json", str(path)).stdout)
    assert as_json[0]["ok"] is False
    assert len(as_json[0]["problems"]) == 2


def test_user_playbook_includes_a_builtin_and_show_draws_the_tree(home: Path) -> None:
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "mine.toml").write_text(
        'schema = 1\nid = "mine"\nkind = "debrief"\ntitle = "Mine"\n'
        '[[steps]]\nid = "helped"\ntype = "confirm"\nprompt = "Helped?"\n'
        '[[steps]]\nid = "check_help"\ntype = "include"\nplaybook = "healthy-help"\n'
        'when = { step = "helped", equals = true }\n',
        encoding="utf-8",
    )
    shown = run_coach("playbooks", "show", "mine")
    assert shown.code == 0, shown.stderr
    assert "check_help [include]" in shown.stdout
    assert "if helped = true" in shown.stdout
    assert "includes healthy-help" in shown.stdout
    assert "r1_asked [confirm] role=help_rule" in shown.stdout
    debrief = run_coach("playbooks", "show", "debrief").stdout
    assert 'if came_up = "troll"' in debrief
    assert "trolls [loop]" in debrief
    replay = run_coach("playbooks", "show", "troll-bridge").stdout
    assert 'repeat while calm_back = "not-yet"' in replay


def test_list_shows_language_and_shadowed_builtins(home: Path) -> None:
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "prep.toml").write_text(
        'schema = 1\nid = "prep"\nkind = "prep"\nlanguage = "fr"\ntitle = "Ma prépa"\n'
        '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "But ?"\n',
        encoding="utf-8",
    )
    listed = json.loads(run_coach("playbooks", "list", "--json").stdout)
    by_id = {row["id"]: row for row in listed}
    assert by_id["prep"]["origin"] == "user"
    assert by_id["prep"]["language"] == "fr"
    assert by_id["prep"]["shadows"].endswith("prep.toml")
    assert by_id["debrief"] | {"path": None} == {
        "id": "debrief",
        "kind": "debrief",
        "language": "en",
        "title": "Meeting debrief",
        "origin": "built-in",
        "path": None,
        "shadows": None,
        "problem": None,
    }
    french = json.loads(run_coach("--lang", "fr", "playbooks", "list", "--json").stdout)
    assert {r["id"]: r["language"] for r in french}["debrief"] == "fr"


def test_schema_comes_from_the_models() -> None:
    exported = json.loads(run_coach("playbooks", "schema").stdout)
    assert set(exported["properties"]) == {
        f.alias or name for name, f in Playbook.model_fields.items()
    }
    assert exported["additionalProperties"] is False


def test_the_starter_rates_a_role_on_the_scale_the_built_ins_use() -> None:
    """The review reads a role as one figure (energy from -2 to +2): a starter step with
    that role must use the same scale, or its answers would skew the figure."""
    from clientcoach.app.playbooks import starter_text
    from clientcoach.model.playbook import RatingStep, walk
    from clientcoach.storage.playbooks import Library

    lib = Library([])
    scales = {
        (step.role, step.min, step.max)
        for entry in lib.entries()
        for step in walk(list(lib.get(entry).steps))
        if isinstance(step, RatingStep) and step.role
    }
    starter = tomllib.loads(starter_text("mine"))
    rated = [s for s in starter["steps"] if s["type"] == "rating" and s.get("role")]
    assert rated
    for step in rated:
        known = {(lo, hi) for role, lo, hi in scales if role == step["role"]}
        assert known, step["role"]
        assert (step.get("min", 1), step.get("max", 5)) in known, step


@pytest.mark.parametrize("width", ["40", "70", "80", "200"])
def test_the_playbook_list_never_cuts_a_path(home: Path, width: str) -> None:
    name = "a-rather-long-playbook-name"
    assert run_coach("playbooks", "new", name).code == 0
    listed = run_coach("playbooks", env={"COLUMNS": width})
    assert listed.code == 0, listed.stderr
    # Folded onto more lines where it must, but whole: no character cut, no ellipsis.
    assert f"playbooks/{name}.toml" in "".join(listed.stdout.split()), listed.stdout
    assert "…" not in listed.stdout
    assert max(len(line) for line in listed.stdout.splitlines()) <= int(width)


def test_check_takes_an_id_or_checks_every_playbook_of_your_own(home: Path, tmp_path: Path) -> None:
    none_yet = run_coach("playbooks", "check")
    assert none_yet.code == 2
    assert "no playbooks of your own" in none_yet.stderr
    made = run_coach("playbooks", "new", "mine")
    assert "Edit it, then run: coach playbooks check mine\n" in made.stderr
    path = home / "playbooks" / "mine.toml"
    assert "# Check it with: coach playbooks check mine\n" in path.read_text(encoding="utf-8")
    # The hint works from any folder: by id, not by a file name relative to the folder.
    by_id = run_coach("playbooks", "check", "mine", cwd=tmp_path)
    assert by_id.code == 0, by_id.stderr
    assert by_id.stderr.strip() == f"{path}: OK"
    path.write_text(path.read_text(encoding="utf-8").replace("prompt", "promtp", 1), "utf-8")
    every = run_coach("playbooks", "check", cwd=tmp_path)
    assert every.code == 3
    assert f"{path}:" in every.stdout
    assert "unknown key 'promtp'" in every.stdout
    unknown = run_coach("playbooks", "check", "nothere", cwd=tmp_path)
    assert unknown.code == 3
    assert "nothere: no such file, nor a playbook with that id" in unknown.stdout


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_playbook_table_keeps_every_origin_whole_at_every_width(
    home: Path, language: str
) -> None:
    """Drawn in this process at each width from 40 to 160, with a user playbook that
    overrides a built-in (the longest origin there is): every origin appears whole."""
    from rich.console import Console

    from clientcoach import i18n
    from clientcoach.storage.playbooks import Library
    from clientcoach.ui.render import playbook_table

    mine = home / "playbooks"
    mine.mkdir(parents=True)
    text = (REPO / "playbooks" / "debrief.toml").read_text(encoding="utf-8")
    (mine / "debrief.toml").write_text(text, encoding="utf-8")
    i18n.set_language(language)
    lib = Library([mine])
    rows = [(entry, lib.get(entry.id), None) for entry in lib.entries().values()]
    origin = "~data/playbooks/debrief.toml " + i18n._("(overrides built-in)")
    for width in range(40, 161):
        console = Console(width=width, record=True, no_color=True)
        console.print(playbook_table(rows, home, width))
        shown = console.export_text()
        assert max(len(line) for line in shown.splitlines()) <= width, width
        assert origin.replace(" ", "") in "".join(shown.split()), (width, shown)


def test_check_reads_an_id_even_beside_a_folder_of_that_name(home: Path, tmp_path: Path) -> None:
    assert run_coach("playbooks", "new", "sales").code == 0
    (tmp_path / "sales").mkdir()
    checked = run_coach("playbooks", "check", "sales", cwd=tmp_path)
    assert checked.code == 0, checked.stdout + checked.stderr
    assert checked.stderr.strip() == f"{home / 'playbooks' / 'sales.toml'}: OK"


def test_a_playbook_hidden_by_another_of_the_same_id_is_still_checked(
    home: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    first.mkdir()
    (first / "mine.toml").write_text(
        (REPO / "playbooks" / "prep.toml")
        .read_text(encoding="utf-8")
        .replace('id = "prep"', 'id = "mine"', 1),
        encoding="utf-8",
    )
    env = {"CLIENTCOACH_PLAYBOOKS": str(first)}
    made = run_coach("playbooks", "new", "mine", env=env)
    created = home / "playbooks" / "mine.toml"
    # `check mine` would check the other file: the hint names this one.
    assert f"Edit it, then run: coach playbooks check {created}\n" in made.stderr
    assert f"# Check it with: coach playbooks check {created}\n" in created.read_text("utf-8")
    created.write_text(created.read_text("utf-8").replace("prompt", "promtp", 1), "utf-8")
    every = run_coach("playbooks", "check", env=env)
    assert every.code == 3
    assert f"{created}:" in every.stdout
    assert f"{first / 'mine.toml'}: OK" in every.stderr


def test_an_editors_schema_check_names_a_wrong_type_and_a_wrong_key(
    tmp_path: Path, schema: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    from check_jsonschema import main as check_jsonschema

    schema_file = tmp_path / "playbook.schema.json"
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    playbook = tmp_path / "mine.toml"
    playbook.write_text(
        'schema = 1\nid = "mine"\nkind = "prep"\ntitle = "Mine"\n'
        '[[steps]]\nid = "a"\ntype = "txet"\nprompt = "A?"\n'
        '[[steps]]\nid = "b"\ntype = "text"\nprompt = "B?"\nrequird = true\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exited:
        check_jsonschema(["--schemafile", str(schema_file), str(playbook)])
    assert exited.value.code == 1
    said = capsys.readouterr().out
    assert "$.steps[0].type: 'txet' is not one of ['choice', 'confirm'," in said
    assert "$.steps[1]: Additional properties are not allowed ('requird' was unexpected)" in said
    assert "not valid under any of the given schemas" not in said
    # coach's own check says the same with the line of each.
    checked = run_coach("playbooks", "check", str(playbook))
    assert checked.code == 3
    assert f"{playbook}:13: step 'b': unknown key 'requird'" in checked.stdout
    assert "'txet'" in checked.stdout
