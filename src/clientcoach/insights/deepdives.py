"""Deep-dives later: what a debrief noted briefly and can be walked in depth afterwards.

The quick debrief has no room for the troll-bridge replay of a hot moment (its eight
prompts hold the topic, whether calm came back and the first move next time). What a
debrief flags this way becomes a *pending deep-dive*: listed by ``coach followups`` (kind
``deep_dive``) and the client's brief, walked later by ``coach deepdive``, which saves a
reflection of kind ``any`` whose ``links.deepdive_of`` holds the debrief's id.

A flag is an answer at the top level of a debrief (outside any loop, includes
flattened), read by role, so a user's own debrief playbook raises the same ones:

- ``troll_topic`` given: the hot moment, replayed with ``troll-bridge``;
- ``help_given`` yes: help beyond the scope, checked with ``healthy-help``;
- ``outcome`` ``lost`` or ``won``: ``lost-deal`` or ``won-deal``.

A flag is no deep-dive when the debrief already holds that playbook (walked as the
debrief itself, as ``coach debrief ACME --playbook troll-bridge`` does, or included, as
the full debrief includes ``lost-deal`` for a lost deal), and
it is no longer pending once a reflection links to the debrief with that playbook (done
on that reflection's date) or its flagging answer carries a ``done`` mark (``coach done``
dismisses it). Its id is the debrief's id, ``.d`` and the flag's number
(``20261122T101500-k3x9ab.d1``), so it never clashes with the debrief's follow-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from clientcoach.i18n import _
from clientcoach.insights.clients import FollowUp, meeting_day
from clientcoach.insights.records import AnswerDict, Record, walk

DEEP_DIVE = "deep_dive"


@dataclass(frozen=True)
class Flag:
    """What raises one kind of deep-dive: a top-level answer with ``role`` (any answer
    when ``values`` is empty, else one of them), walked with ``playbook``."""

    number: int
    name: str
    role: str
    playbook: str
    values: tuple[object, ...] = ()

    def raised_by(self, answer: AnswerDict) -> bool:
        value = answer.get("value")
        if not self.values:
            return isinstance(value, str) and bool(value.strip())
        return any(value is v or (type(value) is type(v) and value == v) for v in self.values)

    def what(self, answer: AnswerDict) -> str:
        """The line `coach followups` and the brief show for it."""
        if self.name == "hot_moment":
            topic = " ".join(str(answer.get("value", "")).split())
            return _("Deep-dive: replay the hot moment ({topic})").format(topic=topic)
        texts = {
            "help": _("Deep-dive: check the help you gave against the five rules"),
            "lost_deal": _("Deep-dive: why the deal was lost"),
            "won_deal": _("Deep-dive: why the deal was won"),
        }
        return texts[self.name]


FLAGS = (
    Flag(1, "hot_moment", "troll_topic", "troll-bridge"),
    Flag(2, "help", "help_given", "healthy-help", (True,)),
    Flag(3, "lost_deal", "outcome", "lost-deal", ("lost",)),
    Flag(4, "won_deal", "outcome", "won-deal", ("won",)),
)


def _included(answers: object) -> Iterator[str]:
    """The ids of every playbook a record's answers include, loops and nesting too."""
    if not isinstance(answers, list):
        return
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        if answer.get("type") == "include" and isinstance(answer.get("playbook"), str):
            yield answer["playbook"]
        yield from _included(answer.get("answers"))
        for item in answer.get("items") or []:
            yield from _included(item.get("answers") if isinstance(item, dict) else item)


def flagged(record: Record) -> list[tuple[Flag, AnswerDict]]:
    """The deep-dives a debrief flags, each with the answer that raised it."""
    if record.get("kind") != "debrief":
        return []
    top = walk(record.get("answers")).top
    included = set(_included(record.get("answers")))
    playbook = record.get("playbook")
    if isinstance(playbook, dict) and isinstance(playbook.get("id"), str):
        included.add(playbook["id"])  # a debrief that walked the playbook itself
    found: list[tuple[Flag, AnswerDict]] = []
    for flag in FLAGS:
        if flag.playbook in included:
            continue
        answer = next((a for a in top.get(flag.role, ()) if flag.raised_by(a)), None)
        if answer is not None:
            found.append((flag, answer))
    return found


def walk_of(record: Record) -> tuple[str, str, str] | None:
    """What a deep-dive walked later settles: (the debrief's id, the playbook's id, the
    day it was done, else the walk's id); None for any other record."""
    links, playbook = record.get("links"), record.get("playbook")
    if not (isinstance(links, dict) and isinstance(playbook, dict)):
        return None
    debrief, playbook_id = links.get("deepdive_of"), playbook.get("id")
    if not (isinstance(debrief, str) and isinstance(playbook_id, str)):
        return None
    return debrief, playbook_id, str(record.get("finished_at", ""))[:10] or str(record["id"])


def raised(record: Record) -> list[FollowUp]:
    """Every deep-dive one debrief flags, done only when dismissed with `coach done`:
    what the index keeps of a record, before :func:`settle` weighs the others."""
    found: list[FollowUp] = []
    for flag, answer in flagged(record):
        done: Any = answer.get("done")
        found.append(
            FollowUp(
                reflection=record["id"],
                number=flag.number,
                client=record["client"],
                meeting=meeting_day(record),
                what=flag.what(answer),
                owner="me",
                due=None,
                done=str(done) if done else None,
                kind=DEEP_DIVE,
                playbook=flag.playbook,
            )
        )
    return found


def settle(
    flags: Iterable[FollowUp],
    walks: Iterable[tuple[str, str, str]],
    walkable: Callable[[str], bool],
) -> list[FollowUp]:
    """The deep-dives ``flags`` raise that the library can walk, each done when
    dismissed or walked (the earliest walk counts, whatever order the records came in).

    ``walkable`` tells the playbook ids the library can walk: a flag whose playbook is
    not there (a won deal before a ``won-deal`` playbook exists) is left out. It is
    asked only about a flag, so records that flag nothing never list the library.
    """
    done_by: dict[tuple[str, str], str] = {}
    for debrief, playbook, day in walks:
        key = (debrief, playbook)
        done_by[key] = min(done_by.get(key, day), day)
    found: list[FollowUp] = []
    for flag in flags:
        if flag.playbook is None or not walkable(flag.playbook):
            continue
        if flag.done is None and (flag.reflection, flag.playbook) in done_by:
            flag = replace(flag, done=done_by[(flag.reflection, flag.playbook)])
        found.append(flag)
    return found


def deep_dives(records: Iterable[Record], walkable: Callable[[str], bool]) -> list[FollowUp]:
    """Every deep-dive the records flag, walked (done) or not, in record order; the
    records are read once, one at a time (an export may stream thousands)."""
    flags: list[FollowUp] = []
    walks: list[tuple[str, str, str]] = []
    for record in records:
        flags += raised(record)
        walk = walk_of(record)
        if walk is not None:
            walks.append(walk)
    return settle(flags, walks, walkable)


def flag_answer(record: Record, number: int) -> AnswerDict:
    """The answer that raised deep-dive ``number`` of ``record`` (where `coach done`
    writes its mark); IndexError when the record no longer flags it."""
    for flag, answer in flagged(record):
        if flag.number == number:
            return answer
    raise IndexError(number)
