"""What the review needs from one reflection: its facts, read from the roles of its
answers, and the codec the index keeps them in.

Apart from :mod:`clientcoach.insights.review` so that a save, which hands each new
record's facts to the index, does not load the review's tallies and result shapes.
Pure, like the rest of ``insights``: records come in as the plain dicts the store read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from typing import Any

import orjson

from clientcoach.core.text import fold, single_line
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
# The pitching self-measures, by role: estimated share of talking time (%), open
# questions asked, longest monologue (minutes). Each is a mean per debrief that gave it.
PITCHING: list[str] = ["talk_share", "open_questions", "longest_monologue"]


# --- reading one record ---------------------------------------------------------------


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """How texts are compared: case, accents, spacing and end punctuation do not matter."""
    return fold(text).rstrip(" .!;:,")


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
    categories: set[str]  # the main reason's area
    reasons: list[str]  # the main reasons
    price_stated: bool | None
    price_believed: bool | None
    asked_why: bool | None
    contributing: list[str] = field(default_factory=list)


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
    follow_ups: list[FollowUpFact] = field(default_factory=list)
    trolls: list[TrollFact] = field(default_factory=list)
    help: list[list[tuple[str, str | None, bool]]] = field(default_factory=list)
    mistakes: list[MistakeFact] = field(default_factory=list)
    losses: list[LossFact] = field(default_factory=list)
    knowledge: list[float] = field(default_factory=list)
    perception: list[float] = field(default_factory=list)
    energy: list[float] = field(default_factory=list)
    drama: list[str] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)  # commitment_kept values
    # Assuming bad intent, asked outside a troll replay: in a prep or in a debrief.
    bad_intent: list[bool] = field(default_factory=list)
    # What could set me off, listed in a prep.
    triggers_expected: list[str] = field(default_factory=list)
    client_advance: str | None = None
    client_follow_through: list[str] = field(default_factory=list)
    # Reason codes of a won deal (role win_reason), one list per analysis.
    wins: list[list[str]] = field(default_factory=list)
    # The pitching self-measures given, by role (see PITCHING).
    pitching: dict[str, list[float]] = field(default_factory=dict)
    # (role, choice value, the label shown for it), for the choices the review names.
    labels: list[tuple[str, str, str]] = field(default_factory=list)


def _labels_of(roles: RoleMap, role: str, into: list[tuple[str, str, str]]) -> None:
    """The labels saved beside choice values (one label, or a list for several values)."""
    for answer in roles.get(role, ()):
        value, label = answer.get("value"), answer.get("label")
        if isinstance(value, str) and isinstance(label, str):
            into.append((role, value, label))
        elif isinstance(value, list) and isinstance(label, list) and len(value) == len(label):
            into += [
                (role, v, t) for v, t in zip(value, label, strict=True) if type(v) is type(t) is str
            ]


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
            facts.follow_ups.append(FollowUpFact(what, "me", due, bool(answer.get("done"))))
    # A playbook walked on its own (troll-bridge, lost-deal...) puts an episode's answers
    # at the top level rather than in a loop item: the same reading applies.
    _episodes(facts, top)
    if not _troll_episode(top):
        for answer in top.get("bad_intent", ()):
            if isinstance(value := answer.get("value"), bool):
                facts.bad_intent.append(value)
        for answer in top.get("trigger", ()):
            value = answer.get("value")
            for text in value if isinstance(value, list) else [value]:
                if (shown_text := _text(text)) is not None:
                    facts.triggers_expected.append(shown_text)

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
            facts.pitching[role] = values
    return facts


def _follow_up(facts: Facts, roles: RoleMap, item: object) -> None:
    what = _text(_first(roles, "what"))
    if what is None:
        return
    owner = _first(roles, "owner")
    facts.follow_ups.append(
        FollowUpFact(
            what,
            owner if isinstance(owner, str) else None,
            day_of(_first(roles, "due")),
            _done(item),
        )
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
        facts.trolls.append(
            TrollFact(
                _text(_first(roles, "troll_topic")),
                _flag(_first(roles, "calm_restored"), _CALM),
                paused,
                too_much,
                _flag(_first(roles, "troll_recurring"), _RECURRING) is True,
                trigger if isinstance(trigger, str) else None,
                _flag(_first(roles, "bad_intent")),
            )
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
        facts.help.append(checks)
    if "win_reason" in roles:
        codes: list[str] = []
        for answer in roles["win_reason"]:
            value = answer.get("value")
            for code in value if isinstance(value, list) else [value]:
                if isinstance(code, str) and code not in codes:
                    codes.append(code)
        facts.wins.append(codes)
        _labels_of(roles, "win_reason", facts.labels)
    if "mistake" in roles:
        marked = _flag(_first(roles, "mistake_repeat"), _REPEAT) is True
        for answer in roles["mistake"]:
            text = _text(answer.get("value"))
            if text is not None:
                link = answer.get("repeat_of")
                earlier = _text(link.get("text")) if isinstance(link, dict) else None
                facts.mistakes.append(
                    MistakeFact(
                        text,
                        norm(text),
                        marked or bool(link),
                        norm(earlier) if earlier is not None else None,
                    )
                )
    if (
        "loss_outcome" in roles
        or "loss_reason" in roles
        or "price_stated" in roles
        or "asked_why" in roles
    ):
        facts.losses.append(_loss(roles))
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
# Facts are written as JSON with their class named and their fields in the order the
# class declares them (no field names: the index reads thousands of these per review).
# A field added to a fact class is kept and read back without anything else to change:
# the index is rebuilt whenever this module's text changes, so it never reads facts of
# another shape. A new fact class goes in ``_CLASSES`` (at the end): any other object is
# refused when written (TypeError), so a class left out fails at once, in the tests.


def _encode(value: object) -> object:
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:
        return [_encode(v) for v in value]  # type: ignore[attr-defined]
    if kind is tuple:
        return {"t": [_encode(v) for v in value]}  # type: ignore[attr-defined]
    if kind is set or kind is frozenset:
        return {"s": sorted(_encode(v) for v in value)}  # type: ignore[attr-defined, type-var]
    if kind is date:
        return {"d": value.isoformat()}  # type: ignore[attr-defined]
    if kind is dict:
        return {"m": [[_encode(k), _encode(v)] for k, v in value.items()]}  # type: ignore[attr-defined]
    names = _FIELDS.get(kind)
    if names is not None:
        return {"c": kind.__name__, "v": [_encode(getattr(value, n)) for n in names]}
    raise TypeError(f"a fact cannot hold {kind.__name__}")


def _fact_class(name: str) -> type:
    found = _CLASSES.get(name)
    if found is None:
        raise ValueError(f"{name} is not a fact")
    return found


_NESTED = (dict, list)


def _decode(value: object) -> Any:
    # Most values are text, numbers or empty lists (no follow-up, no troll...): they are
    # taken as they are, without a call. orjson made them for this record alone.
    kind = type(value)
    if kind is list:
        return [v if not v or type(v) not in _NESTED else _decode(v) for v in value]  # type: ignore[attr-defined]
    if kind is not dict:
        return value
    tagged: dict[str, Any] = value  # type: ignore[assignment]
    if "c" in tagged:
        return _fact_class(tagged["c"])(
            *[v if not v or type(v) not in _NESTED else _decode(v) for v in tagged["v"]]
        )
    if "t" in tagged:
        return tuple(v if not v or type(v) not in _NESTED else _decode(v) for v in tagged["t"])
    if "s" in tagged:
        return {v if type(v) not in _NESTED else _decode(v) for v in tagged["s"]}
    if "m" in tagged:
        return {_decode(k): _decode(v) for k, v in tagged["m"]}
    return date.fromisoformat(tagged["d"])


def facts_to_json(kept: Kept) -> object:
    """What :func:`record_facts` returned, as JSON values (:func:`facts_from_json`)."""
    facts, summaries, language, words = kept
    # The summaries are already texts (see Kept). A word's key is a name (its prompt), a
    # (name, choice value) pair (its label) or an (ASKED, name, step) triple (the prompt
    # of one step that asked it): a tuple is written flat, its text last.
    return [
        _encode(facts),
        summaries,
        language,
        [[*key, text] if type(key) is tuple else [key, text] for key, text in words.items()],
    ]


def facts_from_json(data: Any) -> Kept:
    facts, summaries, language, words = data
    shown: Shown = {tuple(w[:-1]) if len(w) > 2 else w[0]: w[-1] for w in words}
    return _decode(facts), summaries, language, shown


# The classes a kept fact may be, and nothing else; their fields in declared order.
_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (Facts, FollowUpFact, TrollFact, MistakeFact, LossFact)
}
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in _CLASSES.values()
}
