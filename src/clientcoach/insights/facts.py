"""What the review needs from one reflection: its facts, read from the roles of its
answers, and the codec the index keeps them in.

Apart from :mod:`clientcoach.insights.review` so that a save, which hands each new
record's facts to the index, does not load the review's tallies and result shapes.
Pure, like the rest of ``insights``: records come in as the plain dicts the store read.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from types import MappingProxyType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson

from clientcoach.core.text import fold, norm, single_line
from clientcoach.i18n import _
from clientcoach.insights.records import Record, RoleMap, Shown, SummaryKey, SummaryTally, walk

# The answer to "did you do what your latest lesson said?": worked, failed, not-tried.
COMMITMENT_KEPT = "commitment_kept"
# Values that mean "yes" for roles answered with a choice instead of a confirm.
_CALM = {"yes"}
_REPEAT = {"repeat", "repeated", "yes"}
_RECURRING = {"recurring", "yes"}
# The step of the built-in lost-deal playbook that holds the reasons that played a part
# besides the main one; every other loss_reason answer holds the main reason.
CONTRIBUTING_STEP = "loss_reasons"
# The five rules of healthy help by their ids: the step ids of the healthy-help playbook,
# and the values of the full debrief's one checklist (role help_rules), where a rule left
# unticked counts as failed.
HELP_RULES = ("r1_asked", "r2_framed", "r3_counterpart", "r4_half_way", "r5_autonomy")
# A hot moment's compact form (role troll_loop_steps) ticks the loop steps taken: "pause"
# is a pause before the first reply, and "say-little" left unticked is saying too much.
_PAUSE, _SAY_LITTLE = "pause", "say-little"
# The full debrief's checklist of what came up (role came_up): one value of it says that
# I assumed the client's bad intent, the debrief's answer to "did you assume it?".
CAME_UP, BAD_INTENT_CAME_UP = "came_up", "bad-intent"
# The pitching self-measures, by role: estimated share of talking time (%), open
# questions asked, longest monologue (minutes). Each is a mean per debrief that gave it.
PITCHING: list[str] = ["talk_share", "open_questions", "longest_monologue"]


# --- reading one record ---------------------------------------------------------------


T = TypeVar("T")


def _growing(into: Sequence[T]) -> list[T]:
    """A fact's list while its record is read. Facts are not changed once made: those
    the index keeps share their equal values, lists included (see ``_reader``)."""
    assert isinstance(into, list), "a fact is read-only once made"
    return into


def _add(into: Sequence[T], item: T) -> None:
    _growing(into).append(item)


def _growing_map(into: Mapping[str, T]) -> dict[str, T]:
    assert isinstance(into, dict), "a fact is read-only once made"
    return into


def _first(roles: RoleMap, role: str) -> Any:
    for answer in roles.get(role, ()):
        value = answer.get("value")
        if value is not None:
            return value
    return None


def _flag(value: object, yes: set[str] | None = None) -> bool | None:
    """A yes/no answer, from a confirm or from a choice whose yes-values are given."""
    if isinstance(value, bool):
        return value
    if yes is not None and isinstance(value, str):
        return value in yes
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return single_line(value)
    return None


def _numbers(roles: RoleMap, role: str) -> list[float]:
    return [
        float(v)
        for a in roles.get(role, ())
        if isinstance(v := a.get("value"), int | float) and not isinstance(v, bool)
    ]


def day_of(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _done(item: object) -> bool:
    """A follow-up is done when its item, or any answer in it, carries a truthy ``done``."""
    if isinstance(item, dict):
        if item.get("done"):
            return True
        item = item.get("answers")
    return isinstance(item, list) and any(isinstance(a, dict) and a.get("done") for a in item)


@dataclass(slots=True)
class FollowUpFact:
    what: str
    owner: str | None
    due: date | None
    done: bool


@dataclass(slots=True)
class TrollFact:
    topic: str | None
    calm: bool | None
    paused_first: bool | None
    said_too_much: bool | None
    recurring: bool
    trigger: str | None = None
    bad_intent: bool | None = None


@dataclass(slots=True)
class MistakeFact:
    text: str
    key: str
    marked: bool
    # The key of the earlier mistake it was linked to as a repeat (``repeat_of``), if any.
    repeats: str | None = None
    repeated: bool = False  # set once the history before it is known


@dataclass(slots=True)
class LossFact:
    outcome: str | None
    categories: AbstractSet[str]  # the main reason's area
    reasons: Sequence[str]  # the main reasons
    price_stated: bool | None
    price_believed: bool | None
    asked_why: bool | None
    contributing: Sequence[str] = field(default_factory=list)


@dataclass(slots=True)
class Facts:
    """What the review needs from one reflection; the record itself is let go."""

    id: str
    kind: str
    client: str
    client_key: str
    day: date
    linked_prep: bool
    # The id of the prep a debrief follows (``links.prep``).
    prep: str | None = None
    # The debrief a deep-dive walked later deepens (``links.deepdive_of``).
    deepdive_of: str | None = None
    outcome: str | None = None
    next_steps: bool | None = None
    follow_ups: Sequence[FollowUpFact] = field(default_factory=list)
    trolls: Sequence[TrollFact] = field(default_factory=list)
    help: Sequence[Sequence[tuple[str, str | None, bool]]] = field(default_factory=list)
    mistakes: Sequence[MistakeFact] = field(default_factory=list)
    losses: Sequence[LossFact] = field(default_factory=list)
    knowledge: Sequence[float] = field(default_factory=list)
    perception: Sequence[float] = field(default_factory=list)
    energy: Sequence[float] = field(default_factory=list)
    drama: Sequence[str] = field(default_factory=list)
    commitments: Sequence[str] = field(default_factory=list)  # commitment_kept values
    # Assuming bad intent, asked outside a troll replay: in a prep or in a debrief.
    bad_intent: Sequence[bool] = field(default_factory=list)
    # What could set me off, listed in a prep.
    triggers_expected: Sequence[str] = field(default_factory=list)
    client_advance: str | None = None
    client_follow_through: Sequence[str] = field(default_factory=list)
    # Reason codes of a won deal (role win_reason), one list per analysis.
    wins: Sequence[Sequence[str]] = field(default_factory=list)
    # The pitching self-measures given, by role (see PITCHING).
    pitching: Mapping[str, Sequence[float]] = field(default_factory=dict)
    # (role, choice value, the label shown for it), for the choices the review names.
    labels: Sequence[tuple[str, str, str]] = field(default_factory=list)


def _labels_of(roles: RoleMap, role: str, into: Sequence[tuple[str, str, str]]) -> None:
    """The labels saved beside choice values (one label, or a list for several values)."""
    for answer in roles.get(role, ()):
        value, label = answer.get("value"), answer.get("label")
        if isinstance(value, str) and isinstance(label, str):
            _add(into, (role, value, label))
        elif isinstance(value, list) and isinstance(label, list) and len(value) == len(label):
            _growing(into).extend(
                (role, v, t) for v, t in zip(value, label, strict=True) if type(v) is type(t) is str
            )


def read_facts(
    record: Record, day: date, summaries: SummaryTally | None, shown: Shown | None = None
) -> Facts:
    """The record's facts; its declared summaries are counted into ``summaries``, the
    words they were asked with kept in ``shown``."""
    links = record.get("links")
    client = record.get("client") or ""
    facts = Facts(
        id=str(record.get("id", "")),
        kind=str(record.get("kind", "")),
        client=client,
        client_key=fold(client),
        day=day,
        linked_prep=isinstance(links, dict) and bool(links.get("prep")),
    )
    if isinstance(links, dict) and isinstance(links.get("prep"), str):
        facts.prep = links["prep"]
    if isinstance(links, dict) and isinstance(links.get("deepdive_of"), str):
        facts.deepdive_of = links["deepdive_of"]
    found = walk(record.get("answers"), summaries, shown)
    top = found.top
    facts.next_steps = _flag(_first(top, "next_steps_agreed"))
    outcome = _first(top, "outcome")
    facts.outcome = outcome if isinstance(outcome, str) else None

    follow_up_loop = False
    for loop_role, roles, item in found.items:
        if roles:
            if loop_role == "follow_up":
                follow_up_loop = True
                _follow_up(facts, roles, item)
            _episodes(facts, roles)
    # A debrief that asks no "next step agreed?" (the quick one: the next step's own text,
    # Enter for none) agreed one when a follow-up item says what.
    if facts.kind == "debrief" and follow_up_loop and "next_steps_agreed" not in top:
        facts.next_steps = bool(facts.follow_ups)
    # A lost deal's next touchpoint is a follow-up of mine, due that day.
    for answer in top.get("next_touchpoint", ()):
        due = day_of(answer.get("value"))
        if due is not None:
            what = _("Next touchpoint with {client} (lost deal)").format(client=client)
            _add(facts.follow_ups, FollowUpFact(what, "me", due, bool(answer.get("done"))))
    # A playbook walked on its own (troll-bridge, lost-deal...) puts an episode's answers
    # at the top level rather than in a loop item: the same reading applies.
    _episodes(facts, top)
    if not _troll_episode(top):
        for answer in top.get("bad_intent", ()):
            if isinstance(value := answer.get("value"), bool):
                _add(facts.bad_intent, value)
        if not facts.bad_intent:
            # The full debrief asks it in its checklist of what came up: ticked, yes.
            for answer in top.get(CAME_UP, ()):
                value = answer.get("value")
                if value is None or isinstance(value, list):  # left empty: nothing came up
                    _add(facts.bad_intent, isinstance(value, list) and BAD_INTENT_CAME_UP in value)
        for answer in top.get("trigger", ()):
            value = answer.get("value")
            for text in value if isinstance(value, list) else [value]:
                if (shown_text := _text(text)) is not None:
                    _add(facts.triggers_expected, shown_text)

    facts.knowledge = _numbers(top, "knowledge")
    facts.perception = _numbers(top, "perception")
    facts.energy = _numbers(top, "energy")
    facts.drama = [v for a in top.get("drama_role", ()) if isinstance(v := a.get("value"), str)]
    facts.commitments = [
        v for a in top.get(COMMITMENT_KEPT, ()) if isinstance(v := a.get("value"), str)
    ]
    advance = _first(top, "client_advance")
    facts.client_advance = advance if isinstance(advance, str) else None
    _labels_of(top, "client_advance", facts.labels)
    facts.client_follow_through = [
        v for a in top.get("client_follow_through", ()) if isinstance(v := a.get("value"), str)
    ]
    for role in PITCHING:
        if values := _numbers(top, role):
            _growing_map(facts.pitching)[role] = values
    _freeze(facts)
    return facts


def _freeze(fact: object) -> None:
    """Make a fact just read read-only, as the index gives them back (see ``_reader``):
    its lists become tuples, its own and its parts'."""
    for name in _FIELDS[type(fact)]:
        value = getattr(fact, name)
        if type(value) is list:
            for part in value:
                if type(part) in _FIELDS:
                    _freeze(part)
            setattr(fact, name, tuple(tuple(v) if type(v) is list else v for v in value))


def _follow_up(facts: Facts, roles: RoleMap, item: object) -> None:
    what = _text(_first(roles, "what"))
    if what is None:
        return
    owner = _first(roles, "owner")
    _add(
        facts.follow_ups,
        FollowUpFact(
            what,
            owner if isinstance(owner, str) else None,
            day_of(_first(roles, "due")),
            _done(item),
        ),
    )


def _troll_episode(roles: RoleMap) -> bool:
    # An episode needs a topic or a calm answer: a hot moment's topic left empty is none.
    return _first(roles, "troll_topic") is not None or _first(roles, "calm_restored") is not None


def _episodes(facts: Facts, roles: RoleMap) -> None:
    """The episodes one group of answers holds: a troll, a help check, mistakes, a loss."""
    if _troll_episode(roles):
        trigger = _first(roles, "trigger")
        paused, too_much = (
            _flag(_first(roles, "paused_first")),
            _flag(_first(roles, "said_too_much")),
        )
        taken = _first(roles, "troll_loop_steps")
        if isinstance(taken, list):  # the compact form: read from the loop steps ticked
            paused = _PAUSE in taken if paused is None else paused
            too_much = _SAY_LITTLE not in taken if too_much is None else too_much
        _add(
            facts.trolls,
            TrollFact(
                _text(_first(roles, "troll_topic")),
                _flag(_first(roles, "calm_restored"), _CALM),
                paused,
                too_much,
                _flag(_first(roles, "troll_recurring"), _RECURRING) is True,
                trigger if isinstance(trigger, str) else None,
                _flag(_first(roles, "bad_intent")),
            ),
        )
        _labels_of(roles, "trigger", facts.labels)
    checks = [
        (str(a.get("step", "?")), _text(a.get("prompt")), v)
        for a in roles.get("help_rule", ())
        if isinstance(v := a.get("value"), bool)
    ]
    for answer in roles.get("help_rules", ()):
        met = answer.get("value")
        if isinstance(met, list):  # one checklist: each rule ticked is met, the others not
            checks += [(rule, None, rule in met) for rule in HELP_RULES]
    if checks:
        _add(facts.help, checks)
    if "win_reason" in roles:
        codes: list[str] = []
        for answer in roles["win_reason"]:
            value = answer.get("value")
            for code in value if isinstance(value, list) else [value]:
                if isinstance(code, str) and code not in codes:
                    codes.append(code)
        _add(facts.wins, codes)
        _labels_of(roles, "win_reason", facts.labels)
    if "mistake" in roles:
        marked = _flag(_first(roles, "mistake_repeat"), _REPEAT) is True
        for answer in roles["mistake"]:
            text = _text(answer.get("value"))
            if text is not None:
                link = answer.get("repeat_of")
                earlier = _text(link.get("text")) if isinstance(link, dict) else None
                _add(
                    facts.mistakes,
                    MistakeFact(
                        text,
                        norm(text),
                        marked or bool(link),
                        norm(earlier) if earlier is not None else None,
                    ),
                )
    if (
        "loss_outcome" in roles
        or "loss_reason" in roles
        or "price_stated" in roles
        or "asked_why" in roles
    ):
        _add(facts.losses, _loss(roles))
        _labels_of(roles, "loss_outcome", facts.labels)
        _labels_of(roles, "loss_reason", facts.labels)
        _labels_of(roles, "believed_reason", facts.labels)  # also names the reason areas


def _loss(roles: RoleMap) -> LossFact:
    reasons: list[str] = []
    contributing: list[str] = []
    for answer in roles.get("loss_reason", ()):
        value = answer.get("value")
        into = contributing if answer.get("step") == CONTRIBUTING_STEP else reasons
        for code in value if isinstance(value, list) else [value]:
            if isinstance(code, str) and code not in into:
                into.append(code)
    believed = _first(roles, "believed_reason")
    if isinstance(believed, str):
        categories = {believed}
    else:  # a record without the main area: the areas of its main reasons
        categories = {code.split("-", 1)[0] for code in reasons}
    outcome = _first(roles, "loss_outcome")
    return LossFact(
        outcome if isinstance(outcome, str) else None,
        categories,
        reasons,
        _flag(_first(roles, "price_stated")),
        _flag(_first(roles, "price_believed")),
        _flag(_first(roles, "asked_why")),
        [code for code in contributing if code not in reasons],
    )


# What the index keeps of one record for the review: its facts, its own declared
# summaries, its language and the words they were shown with. A summary is kept as the
# JSON text of its key, once for each time it counts: ``insights.review.build_kept``
# counts thousands of records' summaries, and a Counter counts a list of texts in C,
# without making a key.
Kept = tuple[Facts, list[str], str, Shown]


def summary_text(key: SummaryKey) -> str:
    name, summary, value = key
    # A tuple (a list's values, a yes/no) is told from a list by the flag.
    flat = list(value) if type(value) is tuple else value
    return orjson.dumps([name, summary, type(value) is tuple, flat]).decode()


def summary_key(text: str) -> SummaryKey:
    name, summary, is_tuple, value = orjson.loads(text)
    return name, summary, tuple(value) if is_tuple else value


def record_facts(record: Record) -> Kept | None:
    """One record's facts, its own declared summaries and the words they were shown
    with, as :func:`clientcoach.insights.review.build_kept` takes them; None for a
    record with no meeting day (no review counts it). The index keeps these per record
    (see :func:`facts_to_json`)."""
    meeting = record.get("meeting")
    day = day_of(meeting.get("date")) if isinstance(meeting, dict) else None
    if day is None:
        return None
    summaries: SummaryTally = Counter()
    words: Shown = {}
    facts = read_facts(record, day, summaries, words)
    own = [summary_text(key) for key in summaries.elements()]
    return facts, own, language_of(record), words


def language_of(record: Record) -> str:
    playbook = record.get("playbook")
    language = playbook.get("language") if isinstance(playbook, dict) else None
    return language if isinstance(language, str) else "en"


# --- facts kept by the index -----------------------------------------------------------
#
# A fact is written as JSON, as the list of its fields' values in the order its class
# declares them, and read back by what each field's type hint says it holds: no field
# names, no class names, no tags (a review of all time reads 100,000 of these). The
# writer and reader of each class are made from its type hints: a field added to a fact
# class is kept and read back with nothing else to change (the index is rebuilt whenever
# this module's text changes, so it never reads facts of another shape), and a field of
# a type they cannot hold fails when first written, in the tests. Anything but a fact
# where a fact goes is refused when written (TypeError); facts read back that are not of
# the shape written raise ValueError or TypeError, and the index is then rebuilt.

# What a field's value is turned into and back; None: written and read as it is.
Convert = Callable[[Any], Any] | None
# One of each equal value, for the facts of one review (see ``facts_from_json``).
Shared = dict[object, Any]
# What every empty list and map of a kept fact is: facts are read-only once made.
_NONE: tuple[()] = ()
_NO_MAP: Mapping[str, Any] = MappingProxyType({})
_PLAIN = (str, bool, int, float)
_READER = object()  # where the reader of one ``shared`` is kept, in it


def _fact_classes() -> tuple[type, ...]:
    return (Facts, FollowUpFact, TrollFact, MistakeFact, LossFact)


@cache
def _hints(cls: type) -> list[tuple[str, Any]]:
    """A fact class's fields and their types, in the order it declares them."""
    hints = get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in fields(cls)]


def _optional(hint: Any) -> Any:
    """``X`` of ``X | None``; None for any other hint."""
    args = get_args(hint)
    if get_origin(hint) in (UnionType, Union) and len(args) == 2 and type(None) in args:
        return args[0] if args[1] is type(None) else args[1]
    return None


def _text_only(hint: Any) -> bool:
    """Whether a value of this type holds texts only (a text, a tuple or list of them)."""
    if hint is str:
        return True
    origin, args = get_origin(hint), get_args(hint)
    if origin is tuple:
        return all(_text_only(a) for a in args)
    return origin is Sequence and _text_only(args[0])


def _or_none(convert: Convert) -> Convert:
    """``convert`` for a value that may be None, which stays None."""
    if convert is None:
        return None
    turn = convert
    return lambda value: None if value is None else turn(value)


def _writer(hint: Any) -> Convert:
    if hint in _PLAIN:
        return None
    if hint is date:
        return date.isoformat
    if (inner := _optional(hint)) is not None:
        return _or_none(_writer(inner))
    if hint in _fact_classes():
        return _class_writer(hint)
    origin, args = get_origin(hint), get_args(hint)
    if origin is Sequence or origin is tuple:
        writes = [_writer(a) for a in (args if origin is tuple else args[:1])]
        if origin is Sequence:
            return lambda v: [x if writes[0] is None else writes[0](x) for x in v]
        return lambda v: [x if w is None else w(x) for w, x in zip(writes, v, strict=True)]
    if origin is Mapping:
        write = _writer(args[1])
        return lambda v: [[k, x if write is None else write(x)] for k, x in v.items()]
    if origin is AbstractSet:
        return sorted
    raise TypeError(f"a fact cannot hold {hint}")


@cache
def _class_writer(cls: type) -> Callable[[Any], list[Any]]:
    names = [(name, _writer(hint)) for name, hint in _hints(cls)]

    def write(fact: Any) -> list[Any]:
        if type(fact) is not cls:
            raise TypeError(f"a fact cannot hold {type(fact).__name__}")
        values = [getattr(fact, name) for name, _write in names]
        return [v if w is None else w(v) for v, (_name, w) in zip(values, names, strict=True)]

    return write


def _reader(hint: Any, shared: Shared) -> Convert:
    """How a value of this type is read back. Equal values read with one ``shared`` are
    held once: a review of all time holds the facts of every record, and most of their
    values are equal (the same kinds, clients, labels, lists of codes; about 2.9 KB a
    fact down to 0.8). Lists come back as read-only tuples; texts, dates, tuples of
    texts or of numbers, and maps are shared; a yes/no is never taken for a number, as
    each field's type says which it holds."""
    if hint is str:
        return sys.intern
    if hint in _PLAIN:
        return None
    if hint is date:
        days: dict[str, date] = {}

        def day(text: str) -> date:
            found = days.get(text)
            if found is None:
                found = days[text] = date.fromisoformat(text)
            return found

        return day
    if (inner := _optional(hint)) is not None:
        return _or_none(_reader(inner, shared))
    if hint in _fact_classes():
        return _class_reader(hint, shared)
    origin, args = get_origin(hint), get_args(hint)
    if origin is Sequence:
        return _sequence_reader(args[0], shared)
    if origin is tuple:
        return _tuple_reader(args, shared)
    if origin is Mapping:
        return _map_reader(args[1], shared)
    if origin is AbstractSet:
        return frozenset
    raise TypeError(f"a fact cannot hold {hint}")


def _class_reader(cls: type, shared: Shared) -> Callable[[Any], Any]:
    read = [(i, r) for i, (_name, hint) in enumerate(_hints(cls)) if (r := _reader(hint, shared))]
    size = len(_hints(cls))

    def make(values: Any) -> Any:
        if type(values) is not list or len(values) != size:
            raise ValueError(f"not a kept {cls.__name__}")
        for i, r in read:
            values[i] = r(values[i])
        return cls(*values)

    return make


def _sequence_reader(hint: Any, shared: Shared) -> Callable[[Any], Any]:
    read = _reader(hint, shared)
    # Keyed apart from texts: (1.0,) == (True,), and a yes/no must never become a number.
    kind: object = str if _text_only(hint) else float if hint is float else None

    def items(values: Any) -> tuple[Any, ...]:
        if type(values) is not list:
            raise ValueError("not a kept list")
        if not values:
            return _NONE
        found = tuple(values) if read is None else tuple(map(read, values))
        if kind is str:
            return shared.setdefault(found, found)  # type: ignore[no-any-return]
        if kind is float:
            return shared.setdefault((float, found), found)  # type: ignore[no-any-return]
        return found

    return items


def _tuple_reader(hints: tuple[Any, ...], shared: Shared) -> Callable[[Any], Any]:
    reads = [_reader(hint, shared) for hint in hints]
    texts = all(_text_only(hint) for hint in hints)

    def items(values: Any) -> tuple[Any, ...]:
        if type(values) is not list or len(values) != len(reads):
            raise ValueError("not a kept tuple")
        found = tuple(v if r is None else r(v) for r, v in zip(reads, values, strict=True))
        return shared.setdefault(found, found) if texts else found

    return items


def _map_reader(hint: Any, shared: Shared) -> Callable[[Any], Any]:
    read = _reader(hint, shared)

    def mapping(pairs: Any) -> Mapping[str, Any]:
        if not pairs:
            return _NO_MAP
        held = tuple((sys.intern(k), v if read is None else read(v)) for k, v in pairs)
        key = (Mapping, held)
        found: Mapping[str, Any] | None = shared.get(key)
        if found is None:
            found = shared[key] = MappingProxyType(dict(held))
        return found

    return mapping


def facts_to_json(kept: Kept) -> object:
    """The facts and summaries :func:`record_facts` returned, as JSON values
    (:func:`facts_from_json`); its words go apart (:func:`words_to_json`)."""
    facts, summaries, _language, _words = kept
    return [_class_writer(Facts)(facts), summaries]  # the summaries are already texts (see Kept)


def facts_from_json(data: Any, shared: Shared | None = None) -> tuple[Facts, list[str]]:
    """What :func:`facts_to_json` wrote; the values of the facts read with one
    ``shared`` are held once among them."""
    facts, summaries = data
    if shared is None:
        shared = {}
    read = shared.get(_READER)
    if read is None:
        read = shared[_READER] = _class_reader(Facts, shared)
    return read(facts), summaries


def words_to_json(kept: Kept) -> tuple[bytes, ...]:
    """The words of :func:`record_facts`, one JSON text each, its language first: the
    same prompts and labels come back in record after record, so the index keeps each
    text once (:func:`words_from_json`)."""
    _facts, _summaries, language, words = kept
    # A word's key is a name (its prompt), a (name, choice value) pair (its label) or an
    # (ASKED, name, step) triple (the prompt of one step that asked it): written flat,
    # its text last.
    return tuple(
        orjson.dumps([language, *key, text] if type(key) is tuple else [language, key, text])
        for key, text in words.items()
    )


def words_from_json(said: Iterable[tuple[bytes, int]]) -> dict[str, Shown]:
    """The words of many records by language, from each text :func:`words_to_json`
    wrote and the rank of the latest record that showed it: the keys in the order first
    shown, each with its text from the latest record, as when the records' words are
    merged one after the other."""
    shown: dict[str, Shown] = {}
    ranks: dict[tuple[str, object], int] = {}
    for text, rank in said:
        language, *key, word = orjson.loads(text)
        named = tuple(key) if len(key) > 1 else key[0]
        if ranks.get((language, named), -1) < rank:
            ranks[language, named] = rank
            shown.setdefault(language, {})[named] = word
    return shown


# The fields of each fact class, in declared order (see ``_freeze``).
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in _fact_classes()
}
