"""Walking a reflection's answers by role.

Records arrive as the plain dicts the store read (``Store.scan_records``): building a
pydantic model per file would cost more than parsing it, and the review reads thousands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
AnswerDict = dict[str, Any]


def flat(answers: list[AnswerDict]) -> Iterator[AnswerDict]:
    """The answers in order, with included playbooks' answers in place of the include.

    Loop answers are yielded as themselves; their items are read with :func:`items`.
    """
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        nested = answer.get("answers")
        if isinstance(nested, list):
            yield from flat(nested)
        else:
            yield answer


def by_role(answers: list[AnswerDict]) -> dict[str, list[AnswerDict]]:
    """Every answer (includes flattened) that carries a role, grouped by role."""
    found: dict[str, list[AnswerDict]] = {}
    for answer in flat(answers):
        role = answer.get("role")
        if isinstance(role, str):
            found.setdefault(role, []).append(answer)
    return found


def role_values(answers: list[AnswerDict], role: str) -> list[Any]:
    """The non-null values of the answers with ``role``, in order."""
    return [a.get("value") for a in by_role(answers).get(role, []) if a.get("value") is not None]


def items(loop: AnswerDict) -> list[list[AnswerDict]]:
    """A loop answer's items, each a list of answers; empty for anything else."""
    raw = loop.get("items")
    if not isinstance(raw, list):
        return []
    return [item for item in raw if isinstance(item, list)]


def item_roles(item: list[AnswerDict]) -> dict[str, AnswerDict]:
    """One loop item's answers by role (the first answer of each role wins)."""
    found: dict[str, AnswerDict] = {}
    for answer in flat(item):
        role = answer.get("role")
        if isinstance(role, str) and role not in found:
            found[role] = answer
    return found


def role_items(answers: list[AnswerDict], role: str) -> Iterator[dict[str, AnswerDict]]:
    """The items of every loop with ``role`` (e.g. each follow-up), as answers by role."""
    for loop in by_role(answers).get(role, []):
        for item in items(loop):
            yield item_roles(item)


RoleMap = dict[str, list[AnswerDict]]


# Declared summaries counted by (role or step id, summary, value); lists become tuples.
# Counting raw values while walking is much cheaper than interpreting every answer, and
# the distinct values are few: they are interpreted once, at the end.
SummaryKey = tuple[Any, Any, Hashable]
SummaryTally = Counter[SummaryKey]
# True == 1 for a dict key; yes/no answers are counted under these instead.
YES, NO = ("yes", True), ("no", False)
# What a summed-up answer was shown as: its name -> the prompt saved with it (the latest),
# (name, choice value) -> the label saved beside the value, and (ASKED, name, step) -> the
# prompt of each step that asked it: a role several steps share (a mistake's lesson, a
# lost deal's, a won deal's) was asked by several questions, and is named by all of them.
Shown = dict[Hashable, str]
ASKED = "asked"


@dataclass
class Walk:
    """One reflection's answers gathered in a single pass (the review reads thousands).

    ``top``: answers outside any loop, by role (includes flattened). ``items``: every loop
    item, nested loops too, as (the loop's role, the item's answers by role, the raw item).
    """

    top: RoleMap = field(default_factory=dict)
    items: list[tuple[str | None, RoleMap, object]] = field(default_factory=list)


def walk(
    answers: object, summaries: SummaryTally | None = None, shown: Shown | None = None
) -> Walk:
    """Gather a reflection's answers by role in one pass; malformed parts are ignored.

    With ``summaries``, every answer that declares a ``summary`` is counted there too, and
    its prompt and choice labels are kept in ``shown`` when given.
    """
    result = Walk()
    if isinstance(answers, list):
        bag: list[SummaryKey] | None = [] if summaries is not None else None
        _collect(answers, result.top, result, bag, shown)
        if summaries is not None and bag:
            summaries.update(bag)  # counted in C, all at once
    return result


def _collect(
    answers: list[Any],
    into: RoleMap,
    result: Walk,
    summaries: list[SummaryKey] | None,
    shown: Shown | None = None,
) -> None:
    # The review's hot loop: plain `type() is` tests and dict lookups on purpose.
    for answer in answers:
        if type(answer) is not dict:
            continue
        kind = answer.get("type")
        if kind == "include":
            nested = answer.get("answers")
            if type(nested) is list:
                _collect(nested, into, result, summaries, shown)
            continue
        role = answer.get("role")
        if summaries is not None and (summary := answer.get("summary")) is not None:
            value: Any = answer.get("value")
            kind_of = type(value)
            if kind_of is str or kind_of is int or kind_of is float:
                summaries.append((role or answer.get("step"), summary, value))
            elif kind_of is bool:
                summaries.append((role or answer.get("step"), summary, YES if value else NO))
            elif kind_of is list:
                flat = tuple(v for v in value if type(v) in (str, int, float, bool))
                summaries.append((role or answer.get("step"), summary, flat))
            # Anything else (null, a table) has nothing to sum up. Names and summaries that
            # are not text are dropped when the counts are read.
            if shown is not None:
                _remember(answer, role or answer.get("step"), value, shown)
        if role is not None and type(role) is str:
            found = into.get(role)
            if found is None:
                into[role] = [answer]
            else:
                found.append(answer)
        if kind != "loop":
            continue
        raw = answer.get("items")
        if type(raw) is not list:
            continue
        for item in raw:
            # An item is a list of answers; a dict with "answers" is accepted too, so a
            # mark added beside an item (e.g. "done") does not make it unreadable.
            inner = item.get("answers") if type(item) is dict else item
            if type(inner) is not list:
                continue
            roles: RoleMap = {}
            result.items.append((role if type(role) is str else None, roles, item))
            _collect(inner, roles, result, summaries, shown)


def _remember(answer: AnswerDict, name: Any, value: Any, shown: Shown) -> None:
    """The words a summed-up answer was shown with: its prompt, its choices' labels."""
    if type(name) is not str:
        return
    prompt = answer.get("prompt")
    if type(prompt) is str:
        shown[name] = prompt
        step = answer.get("step")
        if type(step) is str:
            shown[(ASKED, name, step)] = prompt
    label = answer.get("label")
    if type(value) is str and type(label) is str:
        shown[(name, value)] = label
    elif type(value) is list and type(label) is list and len(value) == len(label):
        for one, text in zip(value, label, strict=True):
            if type(one) is str and type(text) is str:
                shown[(name, one)] = text
