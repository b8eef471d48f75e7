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

A flag is no deep-dive when the debrief already holds that playbook (included, as the
full debrief includes ``lost-deal`` for a lost deal and the troll-bridge in its loop), and
it is no longer pending once a reflection links to the debrief with that playbook (done
on that reflection's date) or its flagging answer carries a ``done`` mark (``coach done``
dismisses it). Its id is the debrief's id, ``.d`` and the flag's number
(``20261122T101500-k3x9ab.d1``), so it never clashes with the debrief's follow-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
    found: list[tuple[Flag, AnswerDict]] = []
    for flag in FLAGS:
        if flag.playbook in included:
            continue
        answer = next((a for a in top.get(flag.role, ()) if flag.raised_by(a)), None)
        if answer is not None:
            found.append((flag, answer))
    return found


def walked(records: Iterable[Record]) -> dict[tuple[str, str], Record]:
    """Deep-dives already walked, by (the debrief's id, the playbook's id)."""
    found: dict[tuple[str, str], Record] = {}
    for record in records:
        links, playbook = record.get("links"), record.get("playbook")
        if not (isinstance(links, dict) and isinstance(playbook, dict)):
            continue
        debrief, playbook_id = links.get("deepdive_of"), playbook.get("id")
        if isinstance(debrief, str) and isinstance(playbook_id, str):
            found.setdefault((debrief, playbook_id), record)
    return found


def deep_dives(records: Iterable[Record], walkable: Callable[[str], bool]) -> list[FollowUp]:
    """Every deep-dive the records flag, walked (done) or not, in record order.

    ``walkable`` tells the playbook ids the library can walk: a flag whose playbook is
    not there (a won deal before a ``won-deal`` playbook exists) is left out. It is
    asked only about a flag, so records that flag nothing never list the library.
    """
    every = list(records)
    done_by = walked(every)
    found: list[FollowUp] = []
    for record in every:
        for flag, answer in flagged(record):
            if not walkable(flag.playbook):
                continue
            deeper = done_by.get((record["id"], flag.playbook))
            done: Any = answer.get("done")  # dismissed with `coach done`
            if not done and deeper is not None:
                done = str(deeper.get("finished_at", ""))[:10] or deeper["id"]
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


def flag_answer(record: Record, number: int) -> AnswerDict:
    """The answer that raised deep-dive ``number`` of ``record`` (where `coach done`
    writes its mark); IndexError when the record no longer flags it."""
    for flag, answer in flagged(record):
        if flag.number == number:
            return answer
    raise IndexError(number)
