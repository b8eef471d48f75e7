"""What a new run recalls from earlier reflections: a prep's plan, earlier answers.

A debrief shows the plan of the prep it follows (``plan`` steps read it by role) and
offers earlier mistakes so a new one can be linked as a repeat. Pure functions over the
plain record dicts of ``Store.scan_records``, kept apart from the client memory so that
a scripted debrief loads only what it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from clientcoach.core.earlier import Earlier
from clientcoach.core.text import norm
from clientcoach.insights.records import AnswerDict, Record, by_role, items


def meeting_day(record: Record) -> date:
    return date.fromisoformat(record["meeting"]["date"])


# Of two records of the same meeting, the debrief comes after the prep.
KIND_ORDER = {"prep": 0, "debrief": 1}


def record_order(record: Record) -> tuple[str, str, int, str]:
    finished = record.get("finished_at")
    return (
        record["meeting"]["date"],
        finished if isinstance(finished, str) else "",
        KIND_ORDER.get(record["kind"], 2),
        record["id"],
    )


def newest_first(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=record_order, reverse=True)


def deep(answers: list[AnswerDict]) -> Iterator[AnswerDict]:
    """Every answer, with includes and loop items walked into, in order."""
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        nested = answer.get("answers")
        if isinstance(nested, list):
            yield from deep(nested)
        elif isinstance(answer.get("items"), list):
            for item in items(answer):
                yield from deep(item)
        else:
            yield answer


def texts_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def deep_role(record: Record, role: str) -> list[str]:
    return [
        text
        for answer in deep(record["answers"])
        if answer.get("role") == role
        for text in texts_of(answer.get("value"))
        if text.strip()
    ]


def plan_of(prep: Record) -> dict[str, Any]:
    """A prep's answers by role (the first answer of each role), for ``plan`` steps; the
    healthy-help fixes, one per rule the help misses, are all of them, joined."""
    plan: dict[str, Any] = {}
    for role, answers in by_role(prep["answers"]).items():
        value = answers[0].get("value")
        if value is not None and value != "" and value != []:
            plan[role] = value
    plan.pop(HELP_FIX, None)
    fixes = deep_role(prep, HELP_FIX)
    if fixes:
        plan[HELP_FIX] = "; ".join(t.strip() for t in fixes)
    return plan


# What a debrief or review commits to, by role: the brief shows the latest of each, and
# the next debrief asks about the latest lesson (the plan's ``commitment``).
LESSON = "lesson"
TROLL_PLAN = "troll_plan"
HELP_FIX = "help_fix"
# The next debrief's answer about the latest healthy-help fix (the plan's ``help_fix``);
# these values close it: put right, or no longer needed. Any other leaves it open.
HELP_FIX_KEPT = "help_fix_kept"
HELP_FIX_CLOSED = frozenset({"done", "dropped"})
# Where fixes are written: debriefs, preps (the healthy-help check before offering help)
# and deep-dives (kind "any"), which walk that check in full; one fix per rule missed.
HELP_FIX_KINDS = frozenset({"prep", "debrief", "any"})
# Where the latest lesson and troll plan are read: debriefs, and the deep-dives that
# deepen them (kind "any": a troll-bridge replay's new first move, a lost deal's lesson).
# A deep-dive has the day of the meeting it deepens and is finished later, so it comes
# after that meeting's debrief, and before any later meeting's.
COMMITMENT_KINDS = frozenset({"debrief", "any"})
TRY = "try"
# The monthly review's move against the mistake that came back (read from reviews, as TRY).
MISTAKE_COMMITMENT = "mistake_commitment"
COMMITMENT = "commitment"  # the plan key a debrief's ``commitment_kept`` step reads
# What the client committed to in the latest debrief (role and plan key alike), read by
# the next debrief's ``client_follow_through`` step; "none" is a continuation, not asked.
CLIENT_ADVANCE = "client_advance"
NO_ADVANCE = "none"


def latest(records: Iterable[Record], role: str) -> tuple[Record, str] | None:
    """The newest record with an answer of ``role``, and that answer's text (the items of
    a list joined with "; ")."""
    return latest_of_newest(newest_first(records), role)


def latest_of_newest(records: Iterable[Record], role: str) -> tuple[Record, str] | None:
    """:func:`latest` of records already newest first, read only as far as needed."""
    for record in records:
        for answer in deep(record["answers"]):
            if answer.get("role") != role:
                continue
            texts = [t.strip() for t in texts_of(answer.get("value")) if t.strip()]
            if texts:
                return record, "; ".join(texts)
    return None


def commitment_plan(records: Iterable[Record]) -> dict[str, Any]:
    """The plan entries a debrief takes from the client's earlier debriefs and deep-dives:
    the latest lesson (``commitment``), what the client last committed to (``client_advance``, by
    its label, when it was an advance) and the healthy-help fix still open
    (``help_fix``, see :func:`open_help_fix`; preps and deep-dives write fixes too)."""
    mine = list(records)
    plan = commitment_from_newest(newest_first(r for r in mine if r["kind"] in COMMITMENT_KINDS))
    fix = open_help_fix(newest_first(r for r in mine if r["kind"] in HELP_FIX_KINDS))
    if fix is not None:
        plan[HELP_FIX] = fix[1]
    return plan


def open_help_fix(debriefs: Iterable[Record]) -> tuple[Record, str] | None:
    """The healthy-help fix still open, from the client's preps, debriefs and deep-dives
    given newest first, and its text. The newest one that names a fix, or was asked about one,
    decides: the fixes it names are open (all of them, joined with "; "), whatever
    became of the one before; else the fix it was asked about (its ``planned`` text,
    which may come from the linked prep) stays open unless the answer was "put right" or
    "no longer needed". Read only until that is known."""
    for record in debriefs:
        fixes: list[str] = []
        asked: str | None = None
        closed = False
        for answer in deep(record["answers"]):
            role = answer.get("role")
            if role == HELP_FIX:
                fixes += [t.strip() for t in texts_of(answer.get("value")) if t.strip()]
            elif role == HELP_FIX_KEPT:
                planned = " ".join(texts_of(answer.get("planned"))).strip()
                asked = planned or asked
                value = answer.get("value")
                closed = closed or (isinstance(value, str) and value in HELP_FIX_CLOSED)
        if fixes:
            return record, "; ".join(fixes)
        if closed:
            return None
        if asked:
            return record, asked
    return None


def commitment_from_newest(debriefs: Iterable[Record]) -> dict[str, Any]:
    """:func:`commitment_plan` from the client's debriefs given newest first, read only
    until both are known: a client met every week for years has thousands of debriefs,
    and the latest lesson is almost always in the last one."""
    plan: dict[str, Any] = {}
    advance_asked = False
    for record in debriefs:
        for answer in deep(record["answers"]):
            role = answer.get("role")
            if role == LESSON and COMMITMENT not in plan:
                texts = [t.strip() for t in texts_of(answer.get("value")) if t.strip()]
                if texts:
                    plan[COMMITMENT] = "; ".join(texts)
            elif role == CLIENT_ADVANCE and not advance_asked:
                # The newest record that asked decides, "none" (a continuation) included.
                advance_asked = True
                value, label = answer.get("value"), answer.get("label")
                if isinstance(value, str) and value != NO_ADVANCE:
                    plan[CLIENT_ADVANCE] = (
                        label if isinstance(label, str) and label.strip() else value
                    )
        if COMMITMENT in plan and advance_asked:
            break
    return plan


def earlier_answers(records: Iterable[Record], role: str) -> list[Earlier]:
    """Answers with ``role`` from every record, newest first, each wording once."""
    return earlier_from(
        (record["id"], record["client"], meeting_day(record), deep_role(record, role))
        for record in newest_first(records)
    )


def earlier_from(rows: Iterable[tuple[str, str, date, list[str]]]) -> list[Earlier]:
    """:func:`earlier_answers` from (id, client, meeting day, the role's texts) rows,
    newest first, however they were kept."""
    found: list[Earlier] = []
    seen: set[str] = set()
    for rid, client, day, texts in rows:
        for text in texts:
            key = norm(text)  # as the review tells a repeated mistake: "Late." is "late"
            if key in seen:
                continue
            seen.add(key)
            found.append(Earlier(rid, text.strip(), client, day.isoformat()))
    return found
