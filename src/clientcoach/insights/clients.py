"""Client memory: what earlier reflections say about a client, and the follow-ups due.

Pure functions over the plain record dicts of ``Store.scan_records``: no files, no
terminal, no clock (``today`` is passed in). They read answers by role, so a user's own
playbook that uses the roles ``follow_up`` (items ``what``/``owner``/``due``),
``troll`` (items with ``troll_topic``), ``mistake``, ``lesson``, ``knowledge`` and
``perception`` gets the same memory as the built-in ones.

A follow-up is one item of a loop with role ``follow_up``. Its id is the reflection's id,
a dot and the item's number in that reflection (``20261122T101500-k3x9ab.2``); the short
form keeps the id's random tail (``k3x9ab.2``). Marking it done adds ``"done": "<ISO
date>"`` to the item's ``what`` answer (the item's first answer when none has that
role), so the record stays self-describing and nothing else changes.

A lost deal's next touchpoint (an answer with role ``next_touchpoint``, saved by the
lost-deal playbook when the door was left open) is a follow-up too, of kind
``touchpoint``: mine, due on that date. Its id is the reflection's id, ``.t`` and its
number among the record's touchpoints (``20261122T101500-k3x9ab.t1``); marking it done
adds the ``done`` key to that answer.

Client names are told apart in :mod:`.names`, and what a new run recalls (a prep's plan,
earlier mistakes) is read in :mod:`.recall`: a prep or debrief loads only those two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Protocol

from clientcoach.core.text import compact as compact
from clientcoach.core.text import fold as fold
from clientcoach.core.text import single_line
from clientcoach.i18n import _
from clientcoach.insights.names import ClientMatch as ClientMatch
from clientcoach.insights.names import client_by_prefix as client_by_prefix
from clientcoach.insights.names import known_names as known_names
from clientcoach.insights.names import match_client as match_client
from clientcoach.insights.recall import (
    COMMITMENT_KINDS,
    HELP_FIX,
    HELP_FIX_KEPT,
    HELP_FIX_KINDS,
    LESSON,
    MISTAKE_COMMITMENT,
    TROLL_PLAN,
    TRY,
    deep_role,
    latest_of_newest,
    open_help_fix,
    record_order,
    texts_of,
)
from clientcoach.insights.recall import deep as deep
from clientcoach.insights.recall import earlier_answers as earlier_answers
from clientcoach.insights.recall import meeting_day as meeting_day
from clientcoach.insights.recall import newest_first as newest_first
from clientcoach.insights.recall import plan_of as plan_of
from clientcoach.insights.records import AnswerDict, Record, by_role, item_roles, items

FOLLOW_UP = "follow_up"
TOUCHPOINT = "next_touchpoint"
BRIEF_LIMIT = 3  # lessons and mistakes shown in a brief
TROLL_DEFAULTS = 5  # known trolls offered as the prep's default
# A brief's commitments, in the order shown: what the latest debriefs and review set.
COMMITMENT_ROLES = (LESSON, TROLL_PLAN, HELP_FIX, TRY, MISTAKE_COMMITMENT)
# The commitments a monthly review makes (the others come from debriefs).
MONTHLY_ROLES = frozenset({TRY, MISTAKE_COMMITMENT})


class Having(Protocol):
    """The client's records that may hold an answer of any of ``roles``, newest first."""

    def __call__(self, *roles: str) -> Iterable[Record]: ...


# --- ratings ---------------------------------------------------------------------------


def _last_rating(records: Iterable[Record], role: str) -> Rating | None:
    for record in records:
        for answer in deep(record["answers"]):
            value = answer.get("value")
            if answer.get("role") == role and type(value) is int:
                return Rating(value, meeting_day(record), record["kind"])
    return None


# --- follow-ups ------------------------------------------------------------------------


def follow_up_items(answers: list[AnswerDict]) -> list[list[AnswerDict]]:
    """The items of every follow-up loop of a record, in order; item n is the n-th here."""
    return [item for loop in by_role(answers).get(FOLLOW_UP, []) for item in items(loop)]


def done_target(item: list[AnswerDict]) -> AnswerDict | None:
    """Where an item's ``done`` mark lives: its ``what`` answer, else its first answer."""
    roles = item_roles(item)
    if "what" in roles:
        return roles["what"]
    return next((a for a in item if isinstance(a, dict)), None)


# How a follow-up's id ends, by kind: `.2` (a follow-up), `.t1` (a touchpoint), `.d1` (a
# deep-dive).
_TAIL_PREFIX = {"touchpoint": "t", "deep_dive": "d"}


@dataclass(frozen=True)
class FollowUp:
    reflection: str
    number: int
    client: str
    meeting: date
    what: str
    owner: str | None
    due: date | None
    done: str | None
    # "follow_up" (an item of a follow-up loop), "touchpoint" (a lost deal's next one)
    # or "deep_dive" (what a debrief flagged for depth: insights.deepdives).
    kind: str = "follow_up"
    playbook: str | None = None  # a deep-dive's: the playbook that walks it

    @property
    def _tail(self) -> str:
        return f"{_TAIL_PREFIX.get(self.kind, '')}{self.number}"

    @cached_property  # sorting and the JSON both ask for it: made once
    def id(self) -> str:
        return f"{self.reflection}.{self._tail}"

    @property
    def short_id(self) -> str:
        return f"{self.reflection.rsplit('-', 1)[-1]}.{self._tail}"

    def overdue(self, today: date) -> bool:
        """Still open and due before today; due today is not overdue yet."""
        return self.done is None and self.due is not None and self.due < today

    def to_row(self) -> list[Any]:
        """The follow-up as plain JSON values, for the index; :meth:`from_row` reads it."""
        return [
            self.reflection,
            self.number,
            self.client,
            self.meeting.isoformat(),
            self.what,
            self.owner,
            self.due.isoformat() if self.due else None,
            self.done,
            self.kind,
            self.playbook,
        ]

    @staticmethod
    def row_open(row: list[Any]) -> bool:
        """Whether the follow-up :meth:`to_row` made is still open (not done), read
        without making it: most follow-ups of a long history are done."""
        return row[7] is None

    @classmethod
    def from_row(cls, row: list[Any]) -> FollowUp:
        reflection, number, client, meeting, what, owner, due, done, kind, playbook = row
        return cls(
            reflection,
            number,
            client,
            date.fromisoformat(meeting),
            what,
            owner,
            date.fromisoformat(due) if due else None,
            done,
            kind,
            playbook,
        )

    def to_json(self, today: date) -> dict[str, Any]:
        return {
            "id": self.id,
            "short_id": self.short_id,
            "kind": self.kind,
            "reflection": self.reflection,
            "client": self.client,
            "meeting_date": self.meeting.isoformat(),
            "what": self.what,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "done": self.done,
            "overdue": self.overdue(today),
        } | ({"playbook": self.playbook} if self.kind == "deep_dive" else {})


def touchpoints(answers: list[AnswerDict]) -> list[AnswerDict]:
    """The next-touchpoint answers of a record that hold a date, in order."""
    found = by_role(answers).get(TOUCHPOINT, [])
    return [a for a in found if isinstance(a.get("value"), str) and a["value"].strip()]


def _touchpoint(record: Record, number: int, answer: AnswerDict) -> FollowUp | None:
    try:
        due = date.fromisoformat(str(answer["value"])[:10])
    except ValueError:
        return None
    done = answer.get("done")
    return FollowUp(
        reflection=record["id"],
        number=number,
        client=record["client"],
        meeting=meeting_day(record),
        what=_("Next touchpoint with {client} (lost deal)").format(client=record["client"]),
        owner="me",
        due=due,
        done=str(done) if done else None,
        kind="touchpoint",
    )


def _item_follow_up(record: Record, number: int, item: list[AnswerDict]) -> FollowUp:
    roles = item_roles(item)
    what = roles.get("what", {}).get("value")
    if not isinstance(what, str):
        what = next((t for a in item for t in texts_of(a.get("value"))), "")
    owner = roles.get("owner", {}).get("value")
    due_raw = roles.get("due", {}).get("value")
    due: date | None = None
    if isinstance(due_raw, str):
        try:
            due = date.fromisoformat(due_raw)
        except ValueError:
            due = None
    target = done_target(item)
    done = target.get("done") if target is not None else None
    return FollowUp(
        reflection=record["id"],
        number=number,
        client=record["client"],
        meeting=meeting_day(record),
        what=what,
        owner=owner if isinstance(owner, str) else None,
        due=due,
        done=str(done) if done else None,
    )


def follow_ups(records: Iterable[Record]) -> list[FollowUp]:
    """Every follow-up of the records, done or not, in record order."""
    found: list[FollowUp] = []
    for record in records:
        for number, item in enumerate(follow_up_items(record["answers"]), start=1):
            follow_up = _item_follow_up(record, number, item)
            # An item left empty (the quick debrief's next step, Enter for none) is no
            # follow-up; the numbers of the others stay as `coach done` knows them.
            if follow_up.what or follow_up.owner or follow_up.due or follow_up.done:
                found.append(follow_up)
        for number, answer in enumerate(touchpoints(record["answers"]), start=1):
            touchpoint = _touchpoint(record, number, answer)
            if touchpoint is not None:
                found.append(touchpoint)
    return found


def open_first(found: Iterable[FollowUp], today: date) -> list[FollowUp]:
    """Open follow-ups: overdue first, then by due date, undated last, oldest meeting first."""
    still = [f for f in found if f.done is None]
    return sorted(
        still,
        key=lambda f: (not f.overdue(today), f.due is None, f.due or date.max, f.meeting, f.id),
    )


class FollowUpNotFound(LookupError):
    """No follow-up, or several, have the id given; ``candidates`` holds the matches."""

    def __init__(self, ref: str, candidates: list[FollowUp]) -> None:
        super().__init__(ref)
        self.ref = ref
        self.candidates = candidates


def find_follow_up(found: Iterable[FollowUp], ref: str) -> FollowUp:
    """A follow-up by its id or short id, or a unique start of either."""
    needle = ref.strip().lower()
    every = list(found)
    exact = [f for f in every if needle in (f.id.lower(), f.short_id.lower())]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [
        f
        for f in every
        if needle and (f.id.lower().startswith(needle) or f.short_id.lower().startswith(needle))
    ]
    if len(matches) != 1:
        raise FollowUpNotFound(ref, matches)
    return matches[0]


def mark_done(
    record: Record, number: int, day: date, kind: str = "follow_up", undo: bool = False
) -> tuple[bool, str]:
    """Mark follow-up ``number`` of ``record`` done on ``day``, in place; with ``kind``
    "touchpoint", the record's touchpoint ``number`` (its answer gets the mark); with
    ``undo``, take the mark away.

    Returns (changed, the day it is marked done): an item already done keeps its day.
    """
    target: AnswerDict | None
    if kind == "touchpoint":
        dated = touchpoints(record["answers"])
        if not 1 <= number <= len(dated):
            raise IndexError(number)
        target = dated[number - 1]
    else:
        found = follow_up_items(record["answers"])
        if not 1 <= number <= len(found):
            raise IndexError(number)
        target = done_target(found[number - 1])
    if target is None:
        raise IndexError(number)
    return set_done(target, day, undo)


def set_done(answer: AnswerDict, day: date, undo: bool = False) -> tuple[bool, str]:
    """Put a done mark of ``day`` on an answer, or with ``undo`` take it away: (changed,
    the day it is marked, "" once open). A mark already there keeps its day."""
    marked = answer.get("done")
    if undo:
        if "done" not in answer:
            return False, ""
        del answer["done"]
        return True, ""
    if marked:
        return False, str(marked)
    answer["done"] = day.isoformat()
    return True, day.isoformat()


# --- the brief before a prep -----------------------------------------------------------


@dataclass(frozen=True)
class Dated:
    day: date
    text: str
    client: str | None = None  # for a lesson from another client's debrief


@dataclass(frozen=True)
class Commitment:
    """The latest answer a reflection committed to: a lesson, a troll plan, a help fix,
    a monthly "try"; ``reflection`` is the id of the record it comes from."""

    day: date
    text: str
    reflection: str

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "text": self.text, "reflection": self.reflection}


@dataclass(frozen=True)
class Rating:
    value: int
    day: date
    kind: str


@dataclass
class Brief:
    client: str
    records: int = 0
    last_meeting: date | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)
    trolls: list[tuple[str, int]] = field(default_factory=list)
    lessons: list[Dated] = field(default_factory=list)
    mistakes: list[Dated] = field(default_factory=list)
    knowledge: Rating | None = None
    perception: Rating | None = None
    # The latest commitments, by role: lesson, troll_plan, help_fix, try.
    commitments: dict[str, Commitment] = field(default_factory=dict)
    # Deep-dives still waiting (insights.deepdives), filled by the use case that knows
    # which playbooks the library can walk.
    deep_dives: list[FollowUp] = field(default_factory=list)
    # Lessons of other clients' debriefs said to apply with any client (see
    # :func:`lessons_for_all`), filled by the use case that reads other clients.
    for_all: list[Dated] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.records == 0

    def troll_defaults(self) -> list[str]:
        """The trolls seen most often, as a prep's "expected trolls" answer."""
        return [topic for topic, _ in self.trolls[:TROLL_DEFAULTS]]

    def to_json(self, today: date) -> dict[str, Any]:
        def rating(r: Rating | None) -> dict[str, Any] | None:
            return None if r is None else {"value": r.value, "date": r.day.isoformat()}

        return {
            "client": self.client,
            "reflections": self.records,
            "last_meeting": self.last_meeting.isoformat() if self.last_meeting else None,
            "follow_ups": [f.to_json(today) for f in self.follow_ups],
            "trolls": [{"topic": t, "count": n} for t, n in self.trolls],
            "lessons": [{"date": d.day.isoformat(), "text": d.text} for d in self.lessons],
            "mistakes": [{"date": d.day.isoformat(), "text": d.text} for d in self.mistakes],
            "lessons_for_all": [
                {"date": d.day.isoformat(), "text": d.text, "client": d.client}
                for d in self.for_all
            ],
            "knowledge": rating(self.knowledge),
            "perception": rating(self.perception),
            "commitments": {
                role: (self.commitments[role].to_json() if role in self.commitments else None)
                for role in COMMITMENT_ROLES
            },
            "deep_dives": [d.to_json(today) for d in self.deep_dives],
        }


def troll_topics(record: Record) -> list[str]:
    """The troll topics one debrief noted, in order (loop items, then a hot moment noted
    at the top level, as the quick debrief does)."""
    roles = by_role(record["answers"])
    topics = [
        item_roles(item).get("troll_topic", {}).get("value")
        for loop in roles.get("troll", [])
        for item in items(loop)
    ]
    # The loop's own items are not in ``roles`` (a loop's answers are its items).
    topics += [a.get("value") for a in roles.get("troll_topic", [])]
    return [t for t in topics if isinstance(t, str) and t.strip()]


def troll_counts(records: Iterable[Record]) -> list[tuple[str, int]]:
    """Troll topics seen in debriefs, most frequent first; the newest wording is shown."""
    return count_topics(troll_topics(r) for r in sorted(records, key=record_order))


def count_topics(topics_oldest_first: Iterable[list[str]]) -> list[tuple[str, int]]:
    """:func:`troll_counts` from each debrief's :func:`troll_topics`, oldest first."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for topics in topics_oldest_first:
        for topic in topics:
            key = fold(topic)
            counts[key] = counts.get(key, 0) + 1
            shown[key] = topic.strip()
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return [(shown[k], counts[k]) for k in ranked]


# The answer to "Where does this lesson apply?" that takes a lesson to every client.
FOR_ANY_CLIENT = "universal"


def lessons_for_all(record: Record) -> list[str]:
    """The lessons of ``record`` its author said apply with any client: a loop item's
    ``lesson`` beside a ``lesson_scope`` answered "universal"."""
    found: list[str] = []

    def visit(answers: object) -> None:
        if not isinstance(answers, list):
            return
        given = {a.get("role"): a.get("value") for a in answers if isinstance(a, dict)}
        lesson = given.get("lesson")
        said = lesson.strip() if isinstance(lesson, str) else ""
        if given.get("lesson_scope") == FOR_ANY_CLIENT and said:
            found.append(said)
        for answer in answers:
            if isinstance(answer, dict):
                visit(answer.get("answers"))
                for item in answer.get("items") or ():
                    visit(item)

    visit(record.get("answers"))
    return found


def for_all_but(
    found: Iterable[tuple[str, date, Sequence[str]]], client: str, limit: int = BRIEF_LIMIT
) -> list[Dated]:
    """The newest lessons for any client from ``found`` (client, meeting day, lessons of
    one debrief, newest first), other clients' only, each text once."""
    key = fold(client)
    shown: list[Dated] = []
    seen: set[str] = set()
    for owner, day, texts in found:
        if fold(owner) == key:
            continue
        for text in texts:
            if fold(text) in seen:
                continue
            seen.add(fold(text))
            shown.append(Dated(day, text, owner))
            if len(shown) >= limit:
                return shown
    return shown


def _dated(records: Iterable[Record], role: str, limit: int) -> list[Dated]:
    found: list[Dated] = []
    seen: set[str] = set()
    for record in records:
        for text in deep_role(record, role):
            if fold(text) in seen:
                continue
            seen.add(fold(text))
            found.append(Dated(meeting_day(record), text.strip()))
            if len(found) >= limit:
                return found
    return found


def _commitments(having: Having, reviews: Iterable[Record]) -> dict[str, Commitment]:
    found: dict[str, Commitment] = {}
    monthly = newest_first(reviews)
    for role in COMMITMENT_ROLES:
        if role == HELP_FIX:
            # Shown until a later debrief says it was put right or is no longer needed.
            fixes = (r for r in having(HELP_FIX, HELP_FIX_KEPT) if r["kind"] in HELP_FIX_KINDS)
            hit = open_help_fix(fixes)
        else:
            debriefs = (r for r in having(role) if r["kind"] in COMMITMENT_KINDS)
            hit = latest_of_newest(monthly if role in MONTHLY_ROLES else debriefs, role)
        if hit is not None:
            record, text = hit
            found[role] = Commitment(meeting_day(record), text, record["id"])
    return found


# The roles a brief reads newest first, as far as it needs: a record holding none of
# them adds nothing to it, so the index keeps which of them each record holds.
BRIEF_ROLES = frozenset(
    {"lesson", "mistake", "knowledge", "perception", TROLL_PLAN, HELP_FIX, HELP_FIX_KEPT}
)


def brief_roles(record: Record) -> list[str]:
    """The :data:`BRIEF_ROLES` one record has an answer of."""
    return sorted({str(a.get("role")) for a in deep(record["answers"])} & BRIEF_ROLES)


class Newest:
    """Records newest first, read from ``source`` only as far as some reader has gone:
    the brief's lessons, ratings and commitments are near the top of a long history."""

    def __init__(self, source: Iterable[Record]) -> None:
        self._source = iter(source)
        self._read: list[Record] = []

    def __iter__(self) -> Iterator[Record]:
        index = 0
        while True:
            if index < len(self._read):
                yield self._read[index]
                index += 1
                continue
            record = next(self._source, None)
            if record is None:
                return
            self._read.append(record)


@dataclass
class ClientFacts:
    """What a brief counts over every record of the client (the rest is read newest
    first, as far as needed): kept by the index, or computed from the records."""

    client: str  # the newest record's spelling
    records: int
    days: list[date]  # of the meetings: a monthly review of the client is none
    follow_ups: list[FollowUp]
    trolls: list[tuple[str, int]]


def brief(
    client: str, records: Iterable[Record], today: date, reviews: Iterable[Record] = ()
) -> Brief:
    """What to know before meeting ``client``, from the client's own records.

    ``reviews`` are monthly reviews of any client: the latest "try" of those about all
    clients or about this one is the brief's too.
    """
    mine = newest_first(records)
    facts = ClientFacts(
        client=mine[0]["client"] if mine else client,
        records=len(mine),
        days=[meeting_day(r) for r in mine if r["kind"] != "review"],  # no meeting
        follow_ups=follow_ups(mine),
        trolls=troll_counts(r for r in mine if r["kind"] == "debrief"),
    )
    return brief_from(client, facts, lambda *_roles: mine, today, reviews)


def brief_from(
    client: str,
    facts: ClientFacts,
    having: Having,
    today: date,
    reviews: Iterable[Record] = (),
) -> Brief:
    """:func:`brief` from the client's counted facts and ``having(*roles)``: the client's
    records that may hold an answer of those roles, newest first (read only as far as the
    lessons, mistakes, ratings and commitments need)."""
    result = Brief(client=facts.client, records=facts.records)
    key = fold(client)
    monthly = [
        r
        for r in reviews
        if r["kind"] == "review" and (not r["client"].strip() or fold(r["client"]) == key)
    ]
    if not facts.records:
        result.commitments = _commitments(lambda *_roles: [], monthly)
        return result
    past = [day for day in facts.days if day <= today]
    result.last_meeting = max(past) if past else None
    result.follow_ups = open_first(facts.follow_ups, today)
    result.trolls = facts.trolls
    result.lessons = _dated(having("lesson"), "lesson", BRIEF_LIMIT)
    result.mistakes = _dated(having("mistake"), "mistake", BRIEF_LIMIT)
    result.knowledge = _last_rating(having("knowledge"), "knowledge")
    result.perception = _last_rating(having("perception"), "perception")
    result.commitments = _commitments(having, monthly)
    return result


# --- history ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One answer whose text matched a search: where it is, the text, and the question
    that asked it (None for the meeting's title)."""

    where: str
    text: str
    prompt: str | None = None


# What a search reads of one answer: where it is, its texts, the question that asked it.
Entry = tuple[str, list[str], str | None]


def _entries(answers: list[AnswerDict], prefix: str, into: list[Entry]) -> None:
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        step = str(answer.get("step", "?"))
        where = f"{prefix}.{step}" if prefix else step
        nested = answer.get("answers")
        if isinstance(nested, list):
            _entries(nested, where, into)
            continue
        if isinstance(answer.get("items"), list):
            for index, item in enumerate(items(answer), start=1):
                _entries(item, f"{where}[{index}]", into)
            continue
        texts = texts_of(answer.get("value")) + texts_of(answer.get("label"))
        if texts:
            prompt = answer.get("prompt")
            asked = single_line(prompt) if isinstance(prompt, str) and prompt.strip() else None
            into.append((where, texts, asked))


def search_entries(record: Record) -> list[Entry]:
    """What a search reads in a record: its title, then every answer's texts (loop items
    and includes too), each with where it is and its question. The index keeps these
    per record."""
    found: list[Entry] = []
    title = record["meeting"].get("title")
    if isinstance(title, str):
        found.append(("meeting.title", [title], None))
    _entries(record["answers"], "", found)
    return found


def hits_in(entries: Iterable[Entry], needle: str) -> list[Hit]:
    """The entries with a text containing ``needle`` (folded), the first such text each."""
    found: list[Hit] = []
    for where, texts, prompt in entries:
        for text in texts:
            if needle in fold(text):
                found.append(Hit(where, text, prompt))
                break
    return found


def search(record: Record, text: str) -> list[Hit]:
    """Answers of a record (loop items and includes too) containing ``text``."""
    needle = fold(text)
    if not needle:
        return []
    return hits_in(search_entries(record), needle)


def history(
    records: Iterable[Record],
    *,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
    grep: str | None = None,
) -> list[tuple[Record, list[Hit]]]:
    """Records matching the filters, newest first, with the answers that matched ``grep``."""
    found: list[tuple[Record, list[Hit]]] = []
    for record in newest_first(records):
        day = meeting_day(record)
        if kind is not None and record["kind"] != kind:
            continue
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        hits: list[Hit] = []
        if grep is not None:
            hits = search(record, grep)
            if not hits:
                continue
        found.append((record, hits))
    return found


# --- clients -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientSummary:
    name: str
    meetings: int
    last_seen: date | None
    open_follow_ups: int
    overdue: int
    # The first meeting still to come (a prep done ahead), when there is one.
    next_meeting: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.name,
            "meetings": self.meetings,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "next_meeting": self.next_meeting.isoformat() if self.next_meeting else None,
            "open_follow_ups": self.open_follow_ups,
            "overdue": self.overdue,
        }


def group_by_client(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Records by client key (:func:`fold` of the name), oldest first within a client."""
    groups: dict[str, list[Record]] = {}
    for record in sorted(records, key=record_order):
        groups.setdefault(fold(record["client"]), []).append(record)
    return groups


ClientRow = tuple[str, date, str, list[FollowUp]]


def client_rows(records: Iterable[Record]) -> Iterator[ClientRow]:
    """What the client list needs of each record, in record order: the name as written,
    the meeting day, the kind and the follow-ups."""
    for record in sorted(records, key=record_order):
        yield record["client"], meeting_day(record), record["kind"], follow_ups([record])


def clients(records: Iterable[Record], today: date) -> list[ClientSummary]:
    """One line per client: meetings (distinct meeting dates), last seen, open follow-ups.

    The newest spelling of a name is the one shown; the most recently seen client first.
    """
    return clients_from(client_rows(records), today)


def clients_from(rows: Iterable[ClientRow], today: date) -> list[ClientSummary]:
    """:func:`clients` from :func:`client_rows` (in record order), however they were kept."""
    groups: dict[str, list[ClientRow]] = {}
    for row in rows:
        key = fold(row[0])
        if key:  # a review of all clients belongs to none (see Store.path_for)
            groups.setdefault(key, []).append(row)
    summaries: list[ClientSummary] = []
    for group in groups.values():
        # A monthly review of one client is no meeting with them: it lists the client,
        # never counts as a meeting or sets when they were last seen.
        days = {day for _name, day, kind, _found in group if kind != "review"}
        past = [d for d in days if d <= today]
        coming = [d for d in days if d > today]
        still = [f for _name, _day, _kind, found in group for f in found if f.done is None]
        summaries.append(
            ClientSummary(
                name=group[-1][0],
                meetings=len(days),
                last_seen=max(past) if past else None,
                open_follow_ups=len(still),
                overdue=sum(1 for f in still if f.overdue(today)),
                next_meeting=min(coming) if coming else None,
            )
        )
    return sorted(summaries, key=lambda s: (s.last_seen or date.min, s.name), reverse=True)
