"""What a prep or debrief knows before its first question: who the client is, their
brief, the linked prep's plan, the earlier answers a new one may repeat.

Use cases, with no printing: what is to be shown goes back to the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from clientcoach.app.clients import client_brief, client_reader, records_of, slug_near
from clientcoach.core.engine import Address, Earlier, Run
from clientcoach.core.text import compact
from clientcoach.insights import recall as memory
from clientcoach.insights.names import ClientMatch, match_client, similar_names
from clientcoach.model.playbook import Playbook, walk
from clientcoach.model.reflection import Reflection, Value
from clientcoach.storage.store import Store

if TYPE_CHECKING:
    # The whole client memory is loaded only for a prep's brief: a debrief needs none of it.
    from clientcoach.insights.clients import Brief

# Offers the names close to a typed one; the index of the one picked, None for a new one.
Pick = Callable[[str, list[str]], "int | None"]


class ClientChoice(NamedTuple):
    """The name a run is saved under, and known names close to a new one (not picked)."""

    name: str
    close: tuple[str, ...] = ()
    # The name as typed, when it was saved under a known client's spelling instead.
    typed: str | None = None


def choose_client(store: Store, typed: str, pick: Pick | None) -> ClientChoice:
    """The client a prep or debrief is about: the typed name, or a known one it is close to.

    A name that matches a known client (ignoring case, accents and spacing) is saved
    under the known spelling (``societe generale`` is Société Générale), the typed form
    kept beside it, so clients, history and the review show one name. One that is only
    close to known clients (same start, or a typo difflib finds) is offered to ``pick``
    (a person at a terminal); without one, the new name is kept and the close names are
    returned: a scripted run is then refused, unless told the client is a new one.
    """
    start = compact(typed)
    if not start:
        return ClientChoice(typed)
    names = store.client_names(slug_near(start))
    match = match_client(typed, names)
    if match.exact is None and not match.close:
        # Not the same start: a typo (``Initek`` for Initech Corp) is offered too.
        near = similar_names(typed, store.client_names())
        if near:
            match = ClientMatch(None, near)
    if match.exact is not None:
        return ClientChoice(match.exact, (), typed if typed != match.exact else None)
    if not match.close:
        return ClientChoice(typed)
    if pick is None:
        return ClientChoice(typed, tuple(match.close))
    picked = pick(typed, match.close)
    return ClientChoice(typed if picked is None else match.close[picked])


class Offers(Mapping[str, Sequence[Earlier]]):
    """Earlier answers by role, each role's read when first asked for.

    A debrief may repeat any mistake ever written down, so the offer reads every
    debrief's mistakes; most debriefs never ask for it (a scripted one without
    ``repeat_of``, a calm one with no mistake), so it is not read before it is wanted."""

    def __init__(self, sources: Mapping[str, Callable[[], list[Earlier]]] | None = None) -> None:
        self._sources = dict(sources or {})
        self._read: dict[str, list[Earlier]] = {}

    def __getitem__(self, role: str) -> list[Earlier]:
        if role not in self._read:
            self._read[role] = self._sources[role]()
        return self._read[role]

    def get(self, role: str, default: Any = None) -> Any:
        # Mapping's own get would take a KeyError raised while reading for "no offers".
        return self[role] if role in self._sources else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


@dataclass
class Memory:
    """What earlier reflections give a run: defaults, the linked prep's plan, offers,
    and what to show the user before the first question (see :func:`announce`)."""

    defaults: dict[Address, Value] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    earlier: Offers = field(default_factory=Offers)
    brief: Brief | None = None
    damaged: int = 0

    def run(self, playbook: Playbook, included: dict[str, Playbook], today: date) -> Run:
        """A run of ``playbook`` that knows what these earlier reflections give it."""
        return Run(
            playbook,
            included,
            today,
            defaults=self.defaults,
            plan=self.plan,
            earlier=self.earlier,
        )


def _roles(playbooks: dict[str, Playbook]) -> set[str]:
    """The roles the steps of ``playbooks`` carry (loops walked into)."""
    return {s.role for p in playbooks.values() for s in walk(list(p.steps)) if s.role}


def _plans(playbooks: dict[str, Playbook]) -> set[str]:
    """The plan keys the steps of ``playbooks`` read."""
    return {s.plan for p in playbooks.values() for s in walk(list(p.steps)) if s.plan}


def recall(
    kind: str,
    store: Store,
    client: str,
    playbook: Playbook,
    playbooks: dict[str, Playbook],
    prep: Reflection | None,
    today: date,
    day: date | None = None,
) -> Memory:
    """What a run should know from earlier reflections, before its first question.

    A prep gets the client's brief, the trolls seen as the default of its "expected
    trolls" step and the latest troll plan as that of its first move if one shows up; a
    debrief gets the linked prep's plan (read by ``plan`` steps), and, when a step reads
    them, from the client's debriefs of the meeting's ``day`` or before: the latest
    lesson (``commitment``), what the client last committed to (``client_advance``) and
    the healthy-help fix still open (``help_fix``, unless the linked prep planned one);
    and the earlier mistakes, so a new one can be linked as a repeat.
    """
    result = Memory()
    if kind == "prep":
        result.brief, skipped = client_brief(store, client, today)
        result.damaged = len(skipped)
        trolls = result.brief.troll_defaults()
        step = next((s for s in playbook.steps if s.role == "troll_expected"), None)
        if trolls and step is not None:
            result.defaults[(step.id,)] = trolls
        # The first move next time a troll shows up, as the latest debrief or replay
        # said it: the prep's own intention starts from it.
        move = result.brief.commitments.get(memory.TROLL_PLAN)
        step = next((s for s in playbook.steps if s.role == "troll_intention"), None)
        if move is not None and step is not None:
            result.defaults[(step.id,)] = move.text
        return result
    if prep is not None:
        answers = [a.data() for a in prep.answers]
        result.plan = memory.plan_of({"answers": answers})
    plans = _plans(playbooks)
    if {memory.COMMITMENT, memory.CLIENT_ADVANCE, memory.HELP_FIX} & plans:
        # The latest lesson of this client's earlier debriefs, what the client last
        # committed to, and the healthy-help fix still open, asked about again. A fix the
        # linked prep planned is the newer intention: it is the one asked about.
        earlier = _commitments(store, client, day)
        if memory.HELP_FIX in result.plan:
            earlier.pop(memory.HELP_FIX, None)
        result.plan.update(earlier)
    if memory.HELP_FIX not in plans:
        result.plan.pop(memory.HELP_FIX, None)  # shown with the plan only when asked about
    if "mistake" in _roles(playbooks):
        result.earlier = Offers({"mistake": lambda: _earlier_mistakes(store)})
    return result


def _commitments(store: Store, client: str, day: date | None) -> dict[str, Any]:
    """:func:`memory.commitment_plan` of the client's debriefs and deep-dives (of ``day``
    or before: a meeting debriefed late is not asked about what a later one set). With
    the index, their files are read newest first and only until each entry is known; for
    the healthy-help fix, only the files the index says hold one, or an answer about
    one."""
    import orjson

    from clientcoach.app.indexed import answer
    from clientcoach.core.text import fold
    from clientcoach.storage.index import NEWEST, Index, Row
    from clientcoach.storage.store import named_like

    key = fold(client)

    def kept(index: Index) -> dict[str, Any]:
        like = named_like(None, client)
        where = "f.damaged IS NULL AND f.client_key = ?"
        args: tuple[str, ...] = (key,)
        if day is not None:
            where, args = f"{where} AND f.day <= ?", (key, day.isoformat())
        record_of = client_reader(store, key)

        def newest(rows: Iterable[Row], kinds: frozenset[str]) -> Iterator[dict[str, Any]]:
            for row in rows:
                found = record_of(row)
                if found is not None and found["kind"] in kinds:
                    yield found

        # Row by row: the latest lesson is almost always in the newest debrief, and the
        # busiest client has thousands.
        kinds = memory.COMMITMENT_KINDS
        marks = ", ".join("?" * len(kinds))
        debriefs = index.walk_rows(
            f"{where} AND f.kind IN ({marks})", (*args, *sorted(kinds)), order=NEWEST
        )
        plan = memory.commitment_from_newest(newest((r for r in debriefs if like(r.name)), kinds))
        helping = (
            row
            for row, data in index.parts("brief", where, args, NEWEST)
            if row.kind in memory.HELP_FIX_KINDS
            and like(row.name)
            and not {memory.HELP_FIX, memory.HELP_FIX_KEPT}.isdisjoint(orjson.loads(data))
        )
        fix = memory.open_help_fix(newest(helping, memory.HELP_FIX_KINDS))
        if fix is not None:
            plan[memory.HELP_FIX] = fix[1]
        return plan

    def scanned() -> dict[str, Any]:
        mine = records_of(store.scan_records(client=client))
        return memory.commitment_plan(
            r for r in mine if day is None or memory.meeting_day(r) <= day
        )

    return answer(store, kept, scanned)


def _earlier_mistakes(store: Store) -> list[Earlier]:
    """Every debrief's mistakes, newest first: from the index when there is one."""
    import orjson

    from clientcoach.app.indexed import answer
    from clientcoach.storage.index import NEWEST, Index
    from clientcoach.storage.store import named_like

    def kept(index: Index) -> list[Earlier]:
        like = named_like("debrief", None)
        # Only the columns it needs: a long history holds tens of thousands of these.
        found = index.columns_with(
            "mistakes", ("name", "rid", "client", "day"), "f.kind = 'debrief'", order=NEWEST
        )
        return memory.earlier_from(
            (rid, client, date.fromisoformat(day), orjson.loads(data))
            for name, rid, client, day, data in found
            if like(name)
        )

    def scanned() -> list[Earlier]:
        records = records_of(store.scan_records("debrief"))
        return memory.earlier_answers(records, "mistake")

    return answer(store, kept, scanned)
