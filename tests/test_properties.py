"""Property tests: whatever the input, only the documented errors come out."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from clientcoach.app.scripted import ask_from_answers, load_answers
from clientcoach.core.engine import Run
from clientcoach.errors import AnswersError, PlaybookError
from clientcoach.model.reflection import Answer, Links, Meeting, PlaybookRef, Reflection
from clientcoach.storage.playbooks import Library, parse_playbook

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
    with contextlib.suppress(PlaybookError):
        parse_playbook(text, "steps.toml")


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_gives_a_playbook_error(text: str) -> None:
    with contextlib.suppress(PlaybookError):
        parse_playbook(text, "text.toml")


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_in_a_playbook_file_give_a_playbook_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "raw.toml"
    path.write_bytes(raw)
    with contextlib.suppress(PlaybookError):
        Library([]).load_path(path)


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
    **{"schema": st.just(1)},
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
    again = Reflection.model_validate(json.loads(text))
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
def test_a_record_changed_by_hand_writes_back_what_it_reads(
    reflection: Reflection, data: st.DataObject
) -> None:
    """Whatever the model accepts, even changed by hand, it writes back in a form it
    reads the same, byte for byte, and no key given is lost on the way."""
    record = json.loads(reflection.to_json())
    for _ in range(data.draw(st.integers(1, 3))):
        table = data.draw(st.sampled_from(tables(record)))
        key = data.draw(st.sampled_from(KEYS))
        if data.draw(st.booleans()):
            table[key] = data.draw(json_values)
        else:
            table.pop(key, None)
    try:
        read = Reflection.model_validate(record)
    except (ValidationError, RecursionError):
        return
    text = read.to_json()
    written = json.loads(text)
    assert set(written) == set(record) | {"schema"}
    again = Reflection.model_validate(written)
    assert again == read
    assert again.to_json() == text


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
    with contextlib.suppress(AnswersError):
        load_answers(path)
