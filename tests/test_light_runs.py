"""Scripted runs stay light: playbooks checked once and kept, records built without pydantic.

The program holds playbooks, reflections and drafts as the plain classes of
``clientcoach.model.playbook``, ``clientcoach.model.reflection`` and
``clientcoach.model.draft``; the
pydantic models in ``playbook_schema`` and ``record_schema`` only check files. These
tests hold the two sets of classes together and check what the cache of checked
playbooks may and may not do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined

from clientcoach.model import draft, playbook, playbook_schema, record_schema, reflection
from clientcoach.model.plain import Plain, iso_time
from clientcoach.model.playbook import Library, from_kept, to_kept
from tests.helpers import REPO, reflection_files, run_coach

PREP_ANSWERS = REPO / "examples" / "prep-answers.toml"
DEBRIEF_ANSWERS = REPO / "examples" / "debrief-answers.toml"

# Runs a command in this process and prints which heavy libraries it loaded.
LOADED = """
import json, sys
sys.argv = ["coach", *sys.argv[1:]]
from clientcoach.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({
    "code": code,
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "rich", "tomllib"}),
}))
"""


def run_loaded(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


def pairs(models: Any, *modules: Any) -> list[tuple[type[Plain], type[BaseModel]]]:
    """Each pydantic model of ``models`` with the plain class of the same name."""
    found = []
    for name, model in vars(models).items():
        ours = isinstance(model, type) and getattr(model, "__module__", "") == models.__name__
        if ours and issubclass(model, BaseModel) and not name.startswith("_"):
            plain_class = next(getattr(m, name) for m in modules if hasattr(m, name))
            found.append((plain_class, model))
    return found


ALL_PAIRS = pairs(playbook_schema, playbook) + pairs(record_schema, reflection, draft)


def test_every_checked_model_has_a_plain_class() -> None:
    names = sorted(model.__name__ for _plain, model in ALL_PAIRS)
    assert len(names) == len(set(names)) == 24, names
    assert all(issubclass(plain_class, Plain) for plain_class, _model in ALL_PAIRS)


@pytest.mark.parametrize(("plain_class", "model"), ALL_PAIRS, ids=lambda c: c.__name__)
def test_plain_classes_have_the_fields_and_defaults_of_their_models(
    plain_class: type[Plain], model: type[BaseModel]
) -> None:
    assert tuple(model.model_fields) == plain_class.FIELDS
    for name, field in model.model_fields.items():
        assert plain_class.ALIASES.get(name, name) == (field.alias or name), name
        if name == "type":  # the tag pydantic requires; the plain class knows its own
            continue
        kept = getattr(plain_class, name, PydanticUndefined)
        if field.default_factory is not None:
            made = field.default_factory()  # type: ignore[call-arg]
            expected = list(made) if isinstance(made, list) else made
            got = list(kept) if isinstance(kept, tuple) else kept
            assert type(got).__name__ == type(expected).__name__, name
            if isinstance(got, Plain):
                got = {f: getattr(got, f) for f in got.FIELDS}
                expected = expected.model_dump()
            assert got == expected, name
        else:
            assert kept == field.default, name


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_kept_playbook_is_the_playbook_checked(language: str) -> None:
    lib = Library([], language=language)
    for entry in lib.entries():
        checked = lib.get(entry)
        kept = from_kept(json.loads(json.dumps(to_kept(checked))))
        assert kept == checked
        assert kept.data() == checked.data()
        # ...and it writes back what the author wrote, checked by the models as they were
        model = playbook_schema.Playbook.model_validate(kept.data())
        assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == kept.data()


def as_json(source: Path, folder: Path) -> Path:
    """The example answers file as JSON, so that reading it needs no TOML parser."""
    import tomllib

    path = folder / f"{source.stem}.json"
    path.write_text(json.dumps(tomllib.loads(source.read_text(encoding="utf-8"))), "utf-8")
    return path


@pytest.mark.e2e  # modules loaded by a fresh interpreter
def test_a_second_scripted_run_loads_neither_pydantic_nor_rich(home: Path, tmp_path: Path) -> None:
    prep_answers = as_json(PREP_ANSWERS, tmp_path)
    debrief_answers = as_json(DEBRIEF_ANSWERS, tmp_path)
    # The first save creates the data directory; from then on checked playbooks are kept.
    for kind, answers in (
        ("prep", prep_answers),
        ("prep", prep_answers),
        ("debrief", debrief_answers),
    ):
        first = run_loaded(kind, "Acme", "--answers", str(answers))
        assert first["code"] == 0, first["stderr"]
        assert "pydantic" in first["loaded"]  # the built-in playbooks are checked once...
    assert list((home / "cache" / "playbooks").glob("*.json"))

    # ...then kept: no pydantic, no TOML parser, and no Rich while nothing is on a terminal.
    again = run_loaded("debrief", "Bolt", "--answers", str(debrief_answers), "--prep", "none")
    assert again["code"] == 0, again["stderr"]
    assert again["loaded"] == [], again
    assert "Saved your debrief for Bolt" in again["stderr"]
    # A debrief that follows a prep reads it, and shows its plan, without either.
    linked = run_loaded("debrief", "Acme", "--answers", str(debrief_answers))
    assert linked["code"] == 0, linked["stderr"]
    assert linked["loaded"] == [], linked
    assert "Following your prep of" in linked["stderr"]
    assert "Your plan:\n  Goal: Agree the scope of the pilot\n" in linked["stderr"]
    # The prep's brief is a table: Rich draws it, still without pydantic.
    brief = run_loaded("prep", "Acme", "--answers", str(prep_answers))
    assert brief["code"] == 0, brief["stderr"]
    assert brief["loaded"] == ["rich"], brief

    files = reflection_files(home)
    clients = [json.loads(p.read_text(encoding="utf-8"))["client"] for p in files]
    assert sorted(clients) == ["Acme"] * 5 + ["Bolt"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        # Built without pydantic, the files are still what the models accept and write.
        assert record_schema.reflection(json.loads(text)).to_json() == text


def write_playbook(home: Path, body: str) -> Path:
    folder = home / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mine.toml"
    path.write_text(
        'schema = 1\nid = "mine"\nkind = "prep"\ntitle = "Mine"\n' + body, encoding="utf-8"
    )
    return path


def test_an_edited_playbook_is_checked_again_never_read_from_the_cache(
    home: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('goal = "Sign"\n', encoding="utf-8")
    step = '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\n'
    path = write_playbook(home, step)
    args = ["prep", "Acme", "--playbook", "mine", "--answers", str(answers)]
    assert run_coach(*args).code == 0
    assert list((home / "cache" / "playbooks").glob("mine-*.json"))  # kept, yet...

    # Same length, one key misspelt: only a check of the new bytes can catch it.
    path.write_text(path.read_text(encoding="utf-8").replace("prompt", "promtp"), "utf-8")
    broken = run_coach(*args)
    assert broken.code == 3, broken.stderr
    assert "unknown key 'promtp' (did you mean 'prompt'?)" in broken.stderr

    path.write_text(path.read_text(encoding="utf-8").replace("promtp", "prompt"), "utf-8")
    fixed = run_coach(*args)
    assert fixed.code == 0, fixed.stderr
    assert len(reflection_files(home)) == 2


def kept_after_a_prep(home: Path) -> list[Path]:
    """Entries of the cache once a prep has run with the data directory there."""
    home.mkdir(parents=True, exist_ok=True)
    assert run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS)).code == 0
    entries = sorted((home / "cache" / "playbooks").glob("*.json"))
    assert len(entries) >= 2  # the prep and what it includes
    return entries


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\x01 not json",
        b'{"stamp": "x", "playbook": {}}',
        b"[1, 2, 3]",
        b"null",
    ],
    ids=["empty", "binary", "other-stamp", "a-list", "null"],
)
def test_a_damaged_cache_entry_is_ignored_and_replaced(home: Path, damage: bytes) -> None:
    entries = kept_after_a_prep(home)
    for entry in entries:
        entry.write_bytes(damage)
    again = run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS))
    assert again.code == 0, again.stderr
    assert "\nSaved your prep for Acme" in again.stderr, again.stderr
    for entry in entries:
        assert json.loads(entry.read_bytes())["stamp"].startswith("0.")  # written anew


@pytest.mark.parametrize(
    "edit",
    [
        lambda kept: {**kept, "steps": "abc"},
        lambda kept: {**kept, "@": "Unknown"},
        lambda kept: {**kept, "steps": [{"@": "TextStep", "id": 3}]},
    ],
    ids=["steps-not-a-list", "unknown-class", "wrong-types"],
)
def test_an_edited_cache_entry_is_never_used(home: Path, edit: Any) -> None:
    """The header (stamp, checksum) is kept as it was; only the kept playbook changes."""
    for entry in kept_after_a_prep(home):
        kept = json.loads(entry.read_bytes())
        assert kept["stamp"]
        kept["playbook"] = json.dumps(edit(json.loads(kept["playbook"])))
        entry.write_text(json.dumps(kept), encoding="utf-8")
    again = run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS))
    assert again.code == 0, again.stderr
    assert "Saved your prep for Acme" in again.stderr


def test_an_unwritable_cache_never_stops_a_run(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "cache").write_text("a file where the cache folder would go", encoding="utf-8")
    done = run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS))
    assert done.code == 0, done.stderr
    assert len(reflection_files(home)) == 1


def test_keys_a_record_does_not_know_are_kept_even_named_like_methods(home: Path) -> None:
    assert run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS)).code == 0
    (path,) = reflection_files(home)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update({"data": 1, "replace": "x", "values": [1]})
    data["answers"][0]["given"] = True
    loaded = record_schema.reflection(data)
    assert loaded.extra() == {"data": 1, "replace": "x", "values": [1]}
    assert loaded.answers[0].extra() == {"given": True}
    assert json.loads(loaded.to_json()) == data
    assert loaded.replace(client="Other").data()["data"] == 1


moments = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.none()
    | st.just(UTC)
    | st.builds(timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))),
)


@given(moments)
def test_times_are_written_as_the_models_write_them(moment: datetime) -> None:
    assert iso_time(moment) == TypeAdapter(datetime).dump_python(moment, mode="json")


def test_doctor_says_where_checked_playbooks_are_kept(home: Path) -> None:
    before = json.loads(run_coach("doctor", "--json").stdout)
    assert before["playbook_cache"]["entries"] == 0
    assert "Checked playbooks" not in run_coach("doctor").stdout
    for _ in range(2):  # the first creates the data directory, the second keeps playbooks
        assert run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS)).code == 0
    kept = len(list((home / "cache" / "playbooks").glob("*.json")))
    assert kept >= 2  # the prep and what it includes
    report = json.loads(run_coach("doctor", "--json").stdout)
    assert report["playbook_cache"] == {"path": str(home / "cache" / "playbooks"), "entries": kept}
    shown = run_coach("doctor").stdout
    assert f"Checked playbooks kept: {kept} in {home / 'cache' / 'playbooks'}" in shown


def test_the_stamp_changes_with_the_bytes_and_with_the_classes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = (REPO / "playbooks" / "prep.toml").read_bytes()
    before = playbook.stamp(raw)
    assert playbook.stamp(raw) == before
    assert playbook.stamp(raw.replace(b"goal", b"gaol", 1)) != before  # same length
    assert playbook.stamp(raw + b"\n") != before
    monkeypatch.setattr(playbook.TextStep, "FIELDS", (*playbook.TextStep.FIELDS, "new"))
    assert playbook.stamp(raw) != before  # a kept copy from other classes is stale


@pytest.mark.parametrize(
    ("step", "answers"),
    [
        (
            '[[steps]]\nid = "notes"\ntype = "list"\nprompt = "Notes?"\n'
            "max_items = 100000000000000000000\n",
            'notes = ["a"]\n',
        ),
        (
            '[[steps]]\nid = "score"\ntype = "number"\nprompt = "Score?"\n'
            '[[steps]]\nid = "big"\ntype = "text"\nprompt = "Big?"\nrequired = false\n'
            'when = { step = "score", gte = inf }\n',
            "score = 5\n",
        ),
    ],
    ids=["integer-beyond-64-bits", "infinite-bound"],
)
def test_a_playbook_json_cannot_keep_exactly_is_checked_every_time(
    home: Path, tmp_path: Path, step: str, answers: str
) -> None:
    write_playbook(home, step)
    answers_file = tmp_path / "answers.toml"
    answers_file.write_text(answers, encoding="utf-8")
    args = ["prep", "Acme", "--playbook", "mine", "--answers", str(answers_file)]
    for _ in range(2):  # the second run behaves as the first: nothing kept changed it
        done = run_coach(*args)
        assert done.code == 0, done.stderr
    assert not list((home / "cache" / "playbooks").glob("mine-*.json"))
    assert len(reflection_files(home)) == 2


def test_looking_at_playbooks_creates_no_data_directory(home: Path) -> None:
    assert run_coach("playbooks").code == 0
    assert run_coach("playbooks", "show", "prep").code == 0
    assert not home.exists()  # the first save creates it (coach doctor says so)


def test_a_key_named_self_is_kept_like_any_other(home: Path) -> None:
    assert run_coach("prep", "Acme", "--answers", str(PREP_ANSWERS)).code == 0
    (path,) = reflection_files(home)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"][0]["self"] = "note"
    data["self"] = 1
    path.write_text(json.dumps(data), encoding="utf-8")
    shown = run_coach("show", data["id"], "--json")
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout)["answers"][0]["self"] == "note"
    assert record_schema.reflection(data).extra() == {"self": 1}


def test_plain_messages_carry_no_control_characters(home: Path) -> None:
    title = "Kick\x07off \x1b]0;owned\x07"
    assert run_coach("prep", "Acme", "-m", title, "--answers", str(PREP_ANSWERS)).code == 0
    done = run_coach("debrief", "Acme", "--answers", str(DEBRIEF_ANSWERS))
    assert done.code == 0, done.stderr
    assert "Following your prep of" in done.stderr
    assert "Kickoff ]0;owned" in done.stderr
    assert not any(ord(c) < 32 and c not in "\n\t" for c in done.stderr), repr(done.stderr)
