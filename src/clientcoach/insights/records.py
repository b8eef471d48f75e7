"""Walking a reflection's answers by role.

Records arrive as the plain dicts the store read (``Store.scan_records``): building a
pydantic model per file would cost more than parsing it, and the review reads thousands.
"""

from __future__ import annotations

from collections.abc import Iterator
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
