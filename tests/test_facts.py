"""The review's facts of one record, as the index keeps them: written and read back
whole, and nothing but a fact class made from what the index holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import pytest

from clientcoach.insights.facts import Facts, facts_from_json, facts_to_json, record_facts
from tests.review_records import debrief, follow_up, loop, mistake, november_set, troll


def test_every_record_s_facts_come_back_from_the_index_as_they_were_made() -> None:
    records = [
        *november_set(),
        debrief(
            "Ünïcode Corp",
            "2026-11-20",
            loop("next_steps", "follow_up", [follow_up("Send the plan", "2026-11-27")]),
            loop("trolls", "troll", [troll("Price", calm="no", paused=False, too_much=True)]),
            loop("mistakes", "mistake", [mistake("Talked over them", repeat="repeat")]),
        ),
    ]
    checked = 0
    for record in records:
        kept = record_facts(record)
        if kept is None:
            continue
        back = facts_from_json(orjson.loads(orjson.dumps(facts_to_json(kept))))
        assert back == kept, record["id"]
        assert isinstance(back[0], Facts)
        checked += 1
    assert checked == len(records)


def test_facts_are_rebuilt_with_their_types_not_as_lists() -> None:
    record = debrief(
        "Acme",
        "2026-11-03",
        loop("next_steps", "follow_up", [follow_up("Call back", "2026-11-10")]),
    )
    kept = record_facts(record)
    assert kept is not None
    facts = facts_from_json(orjson.loads(orjson.dumps(facts_to_json(kept))))[0]
    assert facts.day == date(2026, 11, 3)
    assert facts.follow_ups[0].due == date(2026, 11, 10)
    assert facts.follow_ups[0].what == "Call back"


@pytest.mark.parametrize("name", ["Review", "Path", "_Facts", "__class__"])
def test_a_kept_fact_naming_another_class_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is not a fact"):
        facts_from_json([{"c": name, "v": []}, [], "en", []])


def test_an_object_that_is_not_a_fact_is_refused_when_written() -> None:
    @dataclass
    class Stray:
        text: str

    kept = record_facts(november_set()[0])
    assert kept is not None
    facts, summaries, language, words = kept
    facts.follow_ups = (*facts.follow_ups, Stray("not a fact"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot hold Stray"):
        facts_to_json((facts, summaries, language, words))


def _kept(facts: Facts) -> object:
    return orjson.loads(orjson.dumps(facts_to_json((facts, [], "en", {}))))


def test_facts_read_together_hold_each_equal_value_once_and_keep_its_type() -> None:
    """A review of all time holds every record's facts: equal texts, codes and numbers
    are held once among them; a yes/no is never taken for a number, nor 1 for 1.0."""
    day = date(2026, 11, 3)

    def made(rid: str, **values: Any) -> Facts:
        return Facts(rid, "debrief", "Acme Corp", "acme corp", day, False, **values)

    first = made(
        "a",
        bad_intent=[True],
        drama=["rescuer", "victim"],
        labels=[("trigger", "blame", "Being blamed")],
        pitching={"talk_share": [1.0]},
    )
    second = made(
        "b",
        knowledge=[1.0],
        energy=[1.0],
        drama=["rescuer", "victim"],
        labels=[("trigger", "blame", "Being blamed")],
        pitching={"talk_share": [1.0]},
    )
    shared: dict[object, Any] = {}
    one = facts_from_json(_kept(first), shared)[0]
    two = facts_from_json(_kept(second), shared)[0]
    assert one.client is two.client
    assert one.drama is two.drama
    assert one.drama == ("rescuer", "victim")
    assert one.labels is two.labels
    assert one.pitching is two.pitching
    assert dict(one.pitching) == {"talk_share": (1.0,)}
    assert two.knowledge is two.energy
    assert one.bad_intent == (True,)
    assert type(one.bad_intent[0]) is bool
    assert type(two.knowledge[0]) is float
    assert one.follow_ups == () == two.trolls


def test_a_map_of_yes_or_no_is_never_shared_with_an_equal_map_of_numbers() -> None:
    """(1.0,) == (True,) and 1 == 1.0 == True: maps are shared by value and kind alike."""
    from clientcoach.insights.facts import _decode

    shared: dict[object, Any] = {}
    for first, second in [([1.0], [True]), (1.0, True), (1, 1.0), ([[1.0]], [[True]])]:
        numbers = _decode({"m": [["x", first]]}, shared)
        yes_no = _decode({"m": [["x", second]]}, shared)
        assert repr(dict(yes_no)) == repr({"x": _decode(second, {})}), (first, second)
        assert repr(dict(numbers)) == repr({"x": _decode(first, {})}), (first, second)
    again = _decode({"m": [["x", [1.0]]]}, shared)
    assert again is _decode({"m": [["x", [1.0]]]}, shared)  # equal maps are still shared


def test_a_fact_is_read_only_once_made_as_the_index_gives_it_back() -> None:
    record = debrief(
        "Acme",
        "2026-11-03",
        loop("next_steps", "follow_up", [follow_up("Call back", "2026-11-10")]),
        loop("mistakes", "mistake", [mistake("Talked over them")]),
    )
    kept = record_facts(record)
    assert kept is not None
    facts = kept[0]
    for name in ("follow_ups", "mistakes", "trolls", "labels", "knowledge"):
        assert isinstance(getattr(facts, name), tuple), name
    back = facts_from_json(_kept(facts))[0]
    assert back == facts
    with pytest.raises(AttributeError):
        back.follow_ups.append(back.follow_ups[0])  # type: ignore[attr-defined]
