"""Property tests: whatever the input, only the documented errors come out."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcoach.app.scripted import ask_from_answers, load_answers
from clientcoach.core.engine import Run
from clientcoach.errors import AnswersError, PlaybookError
from clientcoach.model import record_schema
from clientcoach.model.playbook import Library, Playbook, parse_playbook
from clientcoach.model.reflection import Answer, Links, Meeting, PlaybookRef, Reflection, from_data

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TODAY = date(2026, 11, 24)

# --- playbooks ------------------------------------------------------------------------

KEYS = [
    "schema", "id", "kind", "version", "language", "title", "summary", "steps", "type",
    "prompt", "help", "why", "role", "refs", "when", "required", "default", "choices",
    "value", "label", "min", "max", "low", "high", "item", "min_items", "max_items",
    "repeat_while", "playbook", "step", "equals", "in", "gte", "lte", "answered", "all",
    "any", "not", "max_length", "integer", "unit", "min_selected", "max_selected", "summary",
]  # fmt: skip
TYPES = [
    "text", "longtext", "confirm", "rating", "choice", "multichoice", "number", "date",
    "list", "info", "loop", "include", "nope",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(TYPES),
    st.sampled_from(["prep", "debrief", "any", "x", "a", "today", "+3d"]),
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
)
tables = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=6),
    ),
    max_leaves=40,
)


def playbook_like(data: dict[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {"schema": 1, "id": "p", "kind": "prep", "title": "P", "steps": []}
    base.update(data)
    return base


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), tables, max_size=8))
def test_random_toml_gives_a_playbook_or_a_playbook_error(data: dict[str, Any]) -> None:
    try:
        text = tomli_w.dumps(playbook_like(data))
    except (TypeError, ValueError):
        return  # not expressible as TOML (e.g. mixed arrays in old writers)
    message = "random.toml"
    try:
        parse_playbook(text, "random.toml")
    except PlaybookError as exc:
        message = exc.message
    assert message.startswith("random.toml")


step_tables = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "c", "A", "1"]), "type": st.sampled_from(TYPES)},
    optional=dict.fromkeys(["prompt", "when", "default", "choices", "min", "max", "steps"], tables),
)


@SETTINGS
@given(st.lists(step_tables, max_size=5))
def test_random_steps_give_a_playbook_or_a_playbook_error(steps: list[dict[str, Any]]) -> None:
    try:
        text = tomli_w.dumps(playbook_like({"steps": steps}))
    except (TypeError, ValueError):
        return
    playbook: Playbook | None = None
    message = ""
    try:
        playbook = parse_playbook(text, "steps.toml")
    except PlaybookError as exc:
        message = exc.message
    if playbook is None:
        assert message.startswith("steps.toml"), message  # the error names the file
    else:
        assert [step.id for step in playbook.steps] == [step["id"] for step in steps]


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_gives_a_playbook_error(text: str) -> None:
    # Random text never has the keys a playbook needs (schema, id, kind, title, steps).
    with pytest.raises(PlaybookError) as raised:
        parse_playbook(text, "text.toml")
    assert raised.value.message.startswith("text.toml"), raised.value.message


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_in_a_playbook_file_give_a_playbook_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "raw.toml"
    path.write_bytes(raw)
    with pytest.raises(PlaybookError) as raised:
        Library([]).load_path(path)
    assert raised.value.message.startswith(str(path)), raised.value.message


# --- reflections ----------------------------------------------------------------------

texts = st.text(max_size=30)
values = st.one_of(
    st.none(),
    texts,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(texts, max_size=3),
)
answers = st.recursive(
    st.builds(Answer, step=texts, type=texts, role=st.none() | texts, value=values),
    lambda inner: st.builds(
        Answer,
        step=texts,
        type=st.sampled_from(["loop", "include"]),
        items=st.lists(st.lists(inner, max_size=3), max_size=2),
        answers=st.none() | st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


reflections = st.builds(
    Reflection,
    schema_=st.just(1),
    id=texts,
    kind=st.sampled_from(["prep", "debrief", "review", "any"]),
    client=texts,
    meeting=st.builds(Meeting, title=st.none() | texts, date=st.dates()),
    playbook=st.builds(PlaybookRef, id=texts, version=texts, language=texts),
    links=st.builds(Links, prep=st.none() | texts),
    started_at=st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))]),
    ),
    finished_at=moments,
    answers=st.lists(answers, max_size=4),
    app_version=texts,
)


@SETTINGS
@given(reflections)
def test_a_reflection_survives_a_json_round_trip(reflection: Reflection) -> None:
    text = reflection.to_json()
    again = record_schema.reflection(json.loads(text))
    assert again == reflection
    assert again.to_json() == text
    assert json.loads(text)["schema"] == 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "2026-11-24", "2026-11-24T09:30:00Z", "20261124", "prep", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
KEYS = ["schema", "schema_", "id", "kind", "client", "meeting", "date", "title", "playbook",
        "links", "prep", "started_at", "answers", "step", "type", "value", "label", "items",
        "repeat_of", "review", "start", "other"]  # fmt: skip


def tables(data: object) -> list[dict[str, object]]:
    """Every JSON object inside ``data``, the outermost first."""
    found = []
    if isinstance(data, dict):
        found.append(data)
        for value in data.values():
            found += tables(value)
    elif isinstance(data, list):
        for value in data:
            found += tables(value)
    return found


@SETTINGS
@given(reflections, st.data())
def test_the_quick_reader_reads_what_the_models_read(
    reflection: Reflection, data: st.DataObject
) -> None:
    """Files this version writes are read without pydantic; anything the quick reader
    accepts, even changed by hand, the models accept and read the same."""
    record = json.loads(reflection.to_json())
    assert from_data(record) == record_schema.reflection(record)
    for _ in range(data.draw(st.integers(1, 3))):
        table = data.draw(st.sampled_from(tables(record)))
        key = data.draw(st.sampled_from(KEYS))
        if data.draw(st.booleans()):
            table[key] = data.draw(json_values)
        else:
            table.pop(key, None)
    quick = from_data(record)
    if quick is not None:
        checked = record_schema.reflection(record)
        assert quick == checked
        assert quick.to_json() == checked.to_json()


# --- answers files --------------------------------------------------------------------

LIBRARY = Library([])
PREP = LIBRARY.get("prep")
DEBRIEF = LIBRARY.get("debrief")
STEP_IDS = sorted(
    {"goal", "channel", "knowledge", "next_steps", "next_steps_agreed", "trolls", "owner"}
    | {"what", "due", "help", "troll_episode", "passes", "mistakes", "energy", "outcome"}
)
answer_values = st.recursive(
    st.one_of(
        st.none(),
        st.text(max_size=20),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.dates(),
        st.sampled_from(["yes", "me", "video", "3", "today", "+3d", "progressing"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(STEP_IDS) | st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=30,
)
answer_files = st.dictionaries(
    st.sampled_from(STEP_IDS) | st.text(max_size=8), answer_values, max_size=10
)


@SETTINGS
@given(answer_files, st.sampled_from(["prep", "debrief"]))
def test_random_answers_never_crash_the_scripted_asker(data: dict[str, Any], which: str) -> None:
    playbook = PREP if which == "prep" else DEBRIEF
    run = Run(playbook, LIBRARY.resolve(playbook), TODAY)
    message = None
    try:
        ask_from_answers(run, data, "answers.toml")
    except AnswersError as exc:
        message = exc.message
    assert run.done if message is None else message.startswith("answers.toml")


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from([".toml", ".json", ".txt"]))
def test_random_answers_files_give_an_answers_error(
    tmp_path: Path, raw: bytes, suffix: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    path.write_bytes(raw)
    data: dict[str, Any] | None = None
    message = ""
    try:
        data = load_answers(path)
    except AnswersError as exc:
        message = exc.message
    if data is None:
        assert message.startswith(str(path)), message  # the error names the file
    else:
        # Only bytes that are a table in the file's format load, and as that table
        # (b"" is an empty TOML table): JSON for .json, or for another suffix when the
        # text starts with "{"; else TOML.
        text = raw.decode("utf-8")
        as_json = suffix == ".json" or (suffix != ".toml" and text.lstrip().startswith("{"))
        expected = json.loads(text) if as_json else tomllib.loads(text)
        assert repr(data) == repr(expected)  # repr: a NaN value equals itself
