"""The review's facts of one record, as the index keeps them: written and read back
whole, and nothing but a fact class made from what the index holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import pytest

from clientcoach.insights.facts import (
    Facts,
    Kept,
    facts_from_json,
    facts_to_json,
    record_facts,
    words_from_json,
    words_to_json,
)
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
    checked = with_words = 0
    for record in records:
        kept = record_facts(record)
        if kept is None:
            continue
        back = facts_from_json(orjson.loads(orjson.dumps(facts_to_json(kept))))
        assert back == kept[:2], record["id"]
        assert isinstance(back[0], Facts)
        language, words = kept[2:]
        back_words = words_from_json((w, 0) for w in words_to_json(kept))
        assert back_words == ({language: words} if words else {}), record["id"]
        with_words += bool(words)
        checked += 1
    assert checked == len(records)
    assert with_words >= 3


def _call_back() -> Kept:
    kept = record_facts(
        debrief(
            "Acme",
            "2026-11-03",
            loop("next_steps", "follow_up", [follow_up("Call back", "2026-11-10")]),
        )
    )
    assert kept is not None
    return kept


def test_facts_are_rebuilt_with_their_types_not_as_lists() -> None:
    facts = facts_from_json(orjson.loads(orjson.dumps(facts_to_json(_call_back()))))[0]
    assert facts.day == date(2026, 11, 3)
    assert facts.follow_ups[0].due == date(2026, 11, 10)
    assert facts.follow_ups[0].what == "Call back"


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda facts: facts[:-1], id="a field short"),
        pytest.param(lambda facts: [*facts, None], id="a field more"),
        pytest.param(lambda facts: {"c": "Facts", "v": facts}, id="another layout"),
        pytest.param(lambda facts: [*facts[:10], [["not a follow-up"]], *facts[11:]], id="part"),
        pytest.param(lambda facts: [*facts[:4], "not a day", *facts[5:]], id="day"),
        pytest.param(lambda facts: [*facts[:15], "1.0", *facts[16:]], id="numbers"),
    ],
)
def test_kept_facts_of_another_shape_are_refused_never_read(
    spoil: Callable[[list[Any]], object],
) -> None:
    """What the index raises here makes it drop itself, and the files answer."""
    kept = _call_back()
    facts, summaries = orjson.loads(orjson.dumps(facts_to_json(kept)))
    assert facts_from_json([facts, summaries])[0] == kept[0]
    with pytest.raises((ValueError, TypeError)):
        facts_from_json([spoil(facts), summaries])


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


def test_a_yes_or_no_is_never_shared_with_an_equal_number() -> None:
    """(1.0,) == (True,) and 1 == 1.0 == True: equal values are shared by kind too."""
    day = date(2026, 11, 3)
    said = Facts("a", "debrief", "Acme", "acme", day, False, bad_intent=[True])
    rated = Facts("b", "debrief", "Acme", "acme", day, False, knowledge=[1.0])
    shared: dict[object, Any] = {}
    yes = facts_from_json(_kept(said), shared)[0]
    one = facts_from_json(_kept(rated), shared)[0]
    assert repr(yes.bad_intent) == "(True,)"
    assert repr(one.knowledge) == "(1.0,)"
    maps = [
        facts_from_json(_kept(Facts(i, "debrief", "A", "a", day, False, pitching=m)), shared)[0]
        for i, m in (("c", {"x": [1.0]}), ("d", {"x": [1.0]}), ("e", {"x": [2.0]}))
    ]
    assert maps[0].pitching is maps[1].pitching  # equal maps are shared
    assert dict(maps[2].pitching) == {"x": (2.0,)}


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


def _said(language: str, *words: tuple[object, str]) -> list[bytes]:
    """Words as :func:`words_to_json` writes them, for a record of ``language``."""
    return list(
        words_to_json(
            (Facts("x", "debrief", "A", "a", date(2026, 11, 3), False), [], language, dict(words))
        )
    )  # type: ignore[arg-type]


def test_words_of_many_records_keep_the_order_first_shown_and_the_latest_text() -> None:
    """As merging the records' words one after the other: a key keeps the place it was
    first shown at and takes the text of the latest record that showed it."""
    first = _said("en", ("lesson", "What will you do differently?"), (("outcome", "won"), "Won"))
    later = _said("en", (("outcome", "won"), "Won it"), ("energy", "How is your energy?"))
    french = _said("fr", ("lesson", "Que ferez-vous autrement ?"))
    # Each text with the rank of the latest record that showed it, in the order first shown.
    said = [(first[0], 0), (first[1], 0), (french[0], 1), (later[0], 2), (later[1], 2)]
    shown = words_from_json(said)
    assert shown == {
        "en": {
            "lesson": "What will you do differently?",
            ("outcome", "won"): "Won it",
            "energy": "How is your energy?",
        },
        "fr": {"lesson": "Que ferez-vous autrement ?"},
    }
    assert list(shown["en"]) == ["lesson", ("outcome", "won"), "energy"]
    # An earlier text met after a later one of the same key does not win.
    back = words_from_json([(later[0], 2), (first[1], 0)])
    assert back == {"en": {("outcome", "won"): "Won it"}}
