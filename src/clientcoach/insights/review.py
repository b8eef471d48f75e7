"""The monthly review: figures, trends, repeated mistakes and open follow-ups.

Pure: records come in as the plain dicts the store read, ``now`` is passed in, and the
result is a tree of dataclasses that the renderers turn into a terminal view, Markdown
or JSON. Every figure comes from the roles stored in the answers, never from playbook
files, so old reflections and user-written playbooks count the same.

Records are reduced to small :class:`Facts` as they stream past, so a review of years of
reflections holds a few facts per file in memory, never the files themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any, Literal, Protocol, TypeVar

from clientcoach.core.text import norm
from clientcoach.insights.facts import (
    PITCHING,
    Facts,
    MistakeFact,
    day_of,
    language_of,
    read_facts,
    summary_key,
)
from clientcoach.insights.records import ASKED, NO, YES, Record, Shown, SummaryTally

# What a kept record's words are read from (see ``build_kept``).
W = TypeVar("W")
W_contra = TypeVar("W_contra", contravariant=True)
TREND_MONTHS = 12
TOP = 5
GAP_FLAG = 2.0
# How the questions that asked one summed-up answer are named together (a shared role).
PROMPTS_JOINED = " / "
# Roles the built-in playbooks give to questions that do not mean the same thing: each
# question gets a figure of its own (Intent, Trolls), never one pooled summary.
SPLIT_ROLES = frozenset({"bad_intent", "trigger"})
# The client's commitment (role client_advance): "none" is a continuation, any other value
# an advance. The next debrief asks whether they did it (role client_follow_through).
NO_ADVANCE = "none"
FOLLOW_THROUGH = ("done", "partly", "not-done", "not-due")

Number = int | float
FigureKind = Literal["count", "rate", "mean"]


# --- periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Dates from ``start`` to ``end``, both included.

    ``month`` marks a whole calendar month; ``so_far`` is the last day with figures when
    the month is the current one.
    """

    start: date
    end: date
    month: bool = False
    so_far: date | None = None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def month_period(year: int, month: int, today: date | None = None) -> Period:
    start = date(year, month, 1)
    end = _month_end(year, month)
    so_far = today if today is not None and start <= today <= end else None
    return Period(start, end, month=True, so_far=so_far)


def current_month(today: date) -> Period:
    return month_period(today.year, today.month, today)


def last_month(today: date) -> Period:
    first = today.replace(day=1) - timedelta(days=1)
    return month_period(first.year, first.month, today)


def range_period(start: date, end: date, today: date | None = None) -> Period:
    """A range; a range that is exactly one calendar month is that month."""
    if start.day == 1 and end == _month_end(start.year, start.month):
        return month_period(start.year, start.month, today)
    return Period(start, end)


def previous_period(period: Period) -> Period:
    """The month before a month; otherwise the range of the same length just before."""
    if period.month:
        before = period.start - timedelta(days=1)
        return month_period(before.year, before.month)
    length = period.end - period.start
    end = period.start - timedelta(days=1)
    return Period(end - length, end)


def trend_months(period: Period, count: int = TREND_MONTHS) -> list[tuple[int, int]]:
    """(year, month) of the ``count`` months ending with the period's last month."""
    year, month = period.end.year, period.end.month
    months: list[tuple[int, int]] = []
    for _step in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def reading_window(period: Period) -> tuple[date, date]:
    """The dates the review reads: the period, the one before, and the trend months."""
    first_year, first_month = trend_months(period)[0]
    start = min(period.start, previous_period(period).start, date(first_year, first_month, 1))
    return start, period.end


# --- the result -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``count`` of ``total`` answers said yes."""

    count: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass(frozen=True)
class Count:
    value: str
    count: int


@dataclass(frozen=True)
class Headline:
    """A headline figure beside the previous period and one value per trend month."""

    id: str
    kind: FigureKind
    value: Number | None
    previous: Number | None
    series: list[Number | None]


@dataclass(frozen=True)
class Meetings:
    prepared: int
    debriefed: int
    debriefed_after_prep: int
    reviews: int


@dataclass(frozen=True)
class LateFollowUp:
    client: str
    what: str
    owner: str | None
    due: date | None
    meeting_date: date
    reflection: str
    days_late: int | None


@dataclass(frozen=True)
class FollowUps:
    created: int
    done: int
    open: int
    overdue: list[LateFollowUp]


@dataclass(frozen=True)
class Recurring:
    client: str
    topic: str
    count: int
    dates: list[date]


@dataclass(frozen=True)
class Trolls:
    episodes: int
    calm_restored: Rate
    paused_first: Rate
    said_too_much: Rate
    top_topics: list[Count]
    recurring: list[Recurring]
    # What set me off in an exchange (the troll replay's choice, role ``trigger``)...
    triggers: list[Count] = field(default_factory=list)
    # ...and what I expected could set me off, listed in a prep (same role, free text).
    triggers_expected: list[Count] = field(default_factory=list)


@dataclass(frozen=True)
class Intent:
    """Assuming bad intent, one figure per question (all three have the role ``bad_intent``):
    before the meeting (a prep), looking back on it (a debrief), and in the heat of one
    difficult exchange (a troll replay)."""

    before_meeting: Rate
    looking_back: Rate
    in_exchange: Rate


@dataclass(frozen=True)
class RuleFailures:
    rule: str
    prompt: str | None
    checked: int
    failed: int


@dataclass(frozen=True)
class Help:
    episodes: int
    rules: list[RuleFailures]
    most_failed: str | None


@dataclass(frozen=True)
class RepeatedMistake:
    mistake: str
    count: int
    dates: list[date]
    last_seen: date
    marked_repeat: bool


@dataclass(frozen=True)
class Mistakes:
    logged: int
    new: int
    repeated: int
    repeated_list: list[RepeatedMistake]


@dataclass(frozen=True)
class RepeatedReason:
    """A reason area given in several losses (one client or several), up to the period."""

    reason: str
    count: int
    since: date
    clients: list[str]


@dataclass(frozen=True)
class LostDeals:
    """``categories`` and ``reasons``: the main reason of each loss (its area, and the
    reasons picked in that area); ``contributing_*``: the other reasons that played a part.
    ``price_excuse``: of the losses where the client named price, those where I did not
    believe price decided it."""

    count: int
    outcomes: list[Count]
    categories: list[Count]
    reasons: list[Count]
    price_stated: Rate
    price_believed: Rate
    asked_why: Rate
    # Debriefs of the period whose outcome is "won", beside the losses.
    won: int = 0
    repeated_reasons: list[RepeatedReason] = field(default_factory=list)
    contributing_categories: list[Count] = field(default_factory=list)
    contributing_reasons: list[Count] = field(default_factory=list)
    price_excuse: Rate = Rate(0, 0)
    # Why the deals of the period were won (won-deal playbook, role win_reason): the
    # reason codes, and their areas (the prefix, the same areas as the loss reasons).
    win_reasons: list[Count] = field(default_factory=list)
    win_areas: list[Count] = field(default_factory=list)
    wins_analysed: int = 0


@dataclass(frozen=True)
class ClientCommitments:
    """What clients committed to, and whether they did it.

    ``advances``: debriefs where the client committed to something that costs them (an
    advance), of those that asked. ``follow_through``: of the earlier commitments asked
    about again at the next debrief with that client, those done; "not due yet" answers
    are left out of the rate and counted apart.
    """

    advances: Rate
    kinds: list[Count]
    follow_through: Rate
    done: int
    partly: int
    not_done: int
    not_due: int


@dataclass(frozen=True)
class Commitments:
    """Debriefs that asked about the latest lesson (role ``commitment_kept``): ``kept``
    counts those tried, whether it worked or not, of those answered."""

    kept: Rate
    worked: int
    failed: int
    not_tried: int


@dataclass(frozen=True)
class ClientFigures:
    client: str
    reflections: int
    knowledge: float | None
    perception: float | None
    gap: float | None
    gap_flagged: bool
    energy: float | None


@dataclass(frozen=True)
class Understanding:
    """How well the clients were known and sensed, this period and month by month.

    Knowing and sensing are meant to grow together; the month-by-month means show
    whether they do (the per-client gap is in :class:`ClientFigures`).
    """

    knowledge: float | None = None
    perception: float | None = None
    knowledge_series: list[float | None] = field(default_factory=list)
    perception_series: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class Quiet:
    """A client not met for longer than usual: the usual gap is the median number of
    days between meeting days, and the client is quiet past twice that."""

    client: str
    usual_days: int
    last_met: date
    days_since: int


@dataclass(frozen=True)
class Declared:
    """An answer summed up the way its playbook step declared (``summary``)."""

    key: str
    summary: str
    answered: int
    rate: Rate | None = None
    mean: float | None = None
    counts: list[Count] = field(default_factory=list)
    # The prompt it was asked with, and the labels of its choice values, by language.
    prompts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Focus:
    """One point to work on next month, and the figure it is drawn from.

    ``kind`` is a stable key (see :data:`FOCUS_ORDER`); ``figure`` names the figure in
    the JSON document (``help.most_failed``, ``headline.next_steps_rate``...), with its
    ``value`` in the period and its ``previous`` value when the figure has one.
    ``subject`` is what the point is about (a rule, a mistake, a reason area), ``total``
    what ``value`` is counted of, ``dates`` the days it was seen.
    """

    kind: str
    figure: str
    value: Number
    previous: Number | None = None
    subject: str | None = None
    total: int | None = None
    dates: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    period: Period
    previous: Period
    months: list[str]
    now: datetime
    client: str | None
    reflections: int
    clients: int
    headline: list[Headline]
    meetings: Meetings
    next_steps: Rate
    follow_ups: FollowUps
    trolls: Trolls
    help: Help
    mistakes: Mistakes
    lost_deals: LostDeals
    clients_detail: list[ClientFigures]
    drama_roles: list[Count]
    declared: list[Declared]
    commitments: Commitments
    # The client's side of the commitments (client_advance, client_follow_through).
    client_commitments: ClientCommitments = field(
        default_factory=lambda: ClientCommitments(Rate(0, 0), [], Rate(0, 0), 0, 0, 0, 0)
    )
    # The pitching self-measures (see PITCHING), each with its previous value and trend.
    pitching: list[Headline] = field(default_factory=list)
    # The label last saved for each choice value of a lost deal (what happened, reasons),
    # in the language of the reflection that saved it.
    # By role: {"loss_outcome": {value: label}, "loss_reason": {...}, "believed_reason": ...}.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # At most three points for the coming month, the most pressing first (see focus()).
    focus: list[Focus] = field(default_factory=list)
    understanding: Understanding = field(default_factory=Understanding)
    quiet_clients: list[Quiet] = field(default_factory=list)
    intent: Intent = Intent(Rate(0, 0), Rate(0, 0), Rate(0, 0))

    @property
    def empty(self) -> bool:
        return self.reflections == 0


# --- tallies --------------------------------------------------------------------------

HEADLINE: list[tuple[str, FigureKind]] = [
    ("prepared", "count"),
    ("debriefed", "count"),
    ("debriefed_after_prep", "count"),
    ("next_steps_rate", "rate"),
    ("follow_ups_created", "count"),
    ("follow_ups_open", "count"),
    ("troll_episodes", "count"),
    ("calm_restored_rate", "rate"),
    ("help_episodes", "count"),
    ("mistakes", "count"),
    ("repeated_mistakes", "count"),
    ("lost_deals", "count"),
    ("energy", "mean"),
]


class _Tally:
    """The headline figures of a set of reflections; the same code for every period.

    Reflections are added to one tally per meeting day, and periods and months are sums
    of day tallies: each record is counted once, whatever the periods asked for.
    """

    __slots__ = (
        "after_prep",
        "agreed",
        "agreed_of",
        "calm",
        "calm_of",
        "created",
        "debriefed",
        "done",
        "energy_of",
        "energy_sum",
        "help",
        "known_of",
        "known_sum",
        "losses",
        "mistakes",
        "monologue_of",
        "monologue_sum",
        "prepared",
        "questions_of",
        "questions_sum",
        "reflections",
        "repeated",
        "reviews",
        "sensed_of",
        "sensed_sum",
        "talk_of",
        "talk_sum",
        "trolls",
    )

    after_prep: int
    known_of: int
    known_sum: float
    sensed_of: int
    sensed_sum: float
    agreed: int
    agreed_of: int
    calm: int
    calm_of: int
    created: int
    debriefed: int
    done: int
    energy_of: int
    energy_sum: float
    help: int
    losses: int
    mistakes: int
    monologue_of: int
    monologue_sum: float
    prepared: int
    questions_of: int
    questions_sum: float
    reflections: int
    repeated: int
    reviews: int
    talk_of: int
    talk_sum: float
    trolls: int

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)

    def add(self, f: Facts) -> None:
        self.reflections += 1
        if f.kind == "debrief":
            self.debriefed += 1
            self.after_prep += f.linked_prep
        elif f.kind == "prep":
            self.prepared += 1
        elif f.kind == "review":
            self.reviews += 1
        if f.next_steps is not None:
            self.agreed_of += 1
            self.agreed += f.next_steps
        for u in f.follow_ups:
            self.created += 1
            self.done += u.done
        for t in f.trolls:
            self.trolls += 1
            if t.calm is not None:
                self.calm_of += 1
                self.calm += t.calm
        self.help += len(f.help)
        for m in f.mistakes:
            self.mistakes += 1
            self.repeated += m.repeated
        self.losses += len(f.losses)
        if f.energy:
            self.energy_sum += sum(f.energy)
            self.energy_of += len(f.energy)
        self.known_sum += sum(f.knowledge)
        self.known_of += len(f.knowledge)
        self.sensed_sum += sum(f.perception)
        self.sensed_of += len(f.perception)
        for role, values in f.pitching.items():
            name = _PITCHING_SLOTS[role]
            setattr(self, f"{name}_sum", getattr(self, f"{name}_sum") + sum(values))
            setattr(self, f"{name}_of", getattr(self, f"{name}_of") + len(values))

    def merge(self, other: _Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, Number | None]:
        return {
            "prepared": self.prepared,
            "debriefed": self.debriefed,
            "debriefed_after_prep": self.after_prep,
            "next_steps_rate": Rate(self.agreed, self.agreed_of).rate,
            "follow_ups_created": self.created,
            "follow_ups_open": self.created - self.done,
            "troll_episodes": self.trolls,
            "calm_restored_rate": Rate(self.calm, self.calm_of).rate,
            "help_episodes": self.help,
            "mistakes": self.mistakes,
            "repeated_mistakes": self.repeated,
            "lost_deals": self.losses,
            "energy": _mean_of(self.energy_sum, self.energy_of),
            # Not headline figures: the pitching self-measures (see Review.pitching).
            "talk_share": _mean_of(self.talk_sum, self.talk_of),
            "open_questions": _mean_of(self.questions_sum, self.questions_of),
            "longest_monologue": _mean_of(self.monologue_sum, self.monologue_of),
        }


_PITCHING_SLOTS = {
    "talk_share": "talk",
    "open_questions": "questions",
    "longest_monologue": "monologue",
}


def _mean_of(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _mean(values: list[float]) -> float | None:
    return _mean_of(sum(values), len(values))


def _top(counter: Counter[str], shown: dict[str, str], limit: int | None = TOP) -> list[Count]:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], shown.get(kv[0], kv[0])))
    return [Count(shown.get(k, k), n) for k, n in ordered[:limit]]


# --- the review -----------------------------------------------------------------------


def build(
    records: Iterable[Record], period: Period, now: datetime, client: str | None = None
) -> Review:
    """The review of ``period`` from every record of the reading window.

    ``records`` may hold more than the window (they are filtered by meeting date) and may
    be a stream: each record is reduced to its facts and dropped.
    """
    window_start, window_end = reading_window(period)
    history: list[Facts] = []
    summaries: SummaryTally = Counter()
    shown: dict[str, Shown] = {}  # by the language of the reflections that showed them
    for record in records:
        meeting = record.get("meeting")
        day = day_of(meeting.get("date")) if isinstance(meeting, dict) else None
        if day is None or not window_start <= day <= window_end:
            continue
        if day in period:
            words: Shown = {}
            history.append(read_facts(record, day, summaries, words))
            if words:  # a language comes in with the first record that showed words
                shown.setdefault(language_of(record), {}).update(words)
        else:
            history.append(read_facts(record, day, None))
    return build_from(history, summaries, shown, period, now, client)


class Words(Protocol[W_contra]):
    """The words the period's summaries were shown with, from what each record keeps of
    them (see :func:`build_kept`)."""

    def add(self, held: W_contra) -> None:
        """One more record of the period, in the order of the files: its words win over
        those of the records added before it, as ``build`` merges them."""

    def shown(self) -> dict[str, Shown]:
        """The words of every record added, by language."""
        ...


def build_kept(
    kept: Iterable[tuple[Facts, list[str], W]],
    words: Words[W],
    period: Period,
    now: datetime,
    client: str | None = None,
) -> Review:
    """:func:`build` from the facts and summaries kept by
    :func:`clientcoach.insights.facts.record_facts`, in the order of the files, each with
    what ``words`` reads that record's words from."""
    window_start, window_end = reading_window(period)
    history: list[Facts] = []
    counted: Counter[str] = Counter()
    for facts, own, held in kept:
        if not window_start <= facts.day <= window_end:
            continue
        history.append(facts)
        if facts.day in period:
            counted.update(own)
            words.add(held)
    summaries: SummaryTally = Counter()
    for text, times in counted.items():
        # Added, not set: 5 and 5.0 are two texts of one key.
        summaries[summary_key(text)] += times
    return build_from(history, summaries, words.shown(), period, now, client)


def build_from(
    history: list[Facts],
    summaries: SummaryTally,
    shown: dict[str, Shown],
    period: Period,
    now: datetime,
    client: str | None = None,
) -> Review:
    """The review from the facts of the reading window, the period's summaries and the
    words they were shown with."""
    today = now.date()
    previous = previous_period(period)
    months = trend_months(period)
    history.sort(key=lambda f: (f.day, f.id))
    _help_once(history)
    _deepdives_once(history)
    _mark_repeats(history)

    by_day: dict[date, _Tally] = {}
    in_period: list[Facts] = []
    for facts in history:
        tally = by_day.get(facts.day)
        if tally is None:
            tally = by_day[facts.day] = _Tally()
        tally.add(facts)
        if facts.day in period:
            in_period.append(facts)
    current, before = _Tally(), _Tally()
    by_month = {m: _Tally() for m in months}
    for day, tally in by_day.items():
        if day in period:
            current.merge(tally)
        if day in previous:
            before.merge(tally)
        month = by_month.get((day.year, day.month))
        if month is not None:
            month.merge(tally)

    now_figures = current.figures()
    # A previous period with no reflection at all has no figures either: nothing to
    # compare with, rather than zeros that would read as a change.
    before_figures = before.figures() if before.reflections else dict.fromkeys(now_figures)
    # A month with no reflection at all has no figures (a dot in the trend), not zeros.
    month_figures = [by_month[m].figures() if by_month[m].reflections else None for m in months]
    headline = [
        Headline(
            key,
            kind,
            now_figures[key],
            before_figures[key],
            [figures[key] if figures is not None else None for figures in month_figures],
        )
        for key, kind in HEADLINE
    ]
    pitching = [
        Headline(
            key,
            "mean",
            now_figures[key],
            before_figures[key],
            [figures[key] if figures is not None else None for figures in month_figures],
        )
        for key in PITCHING
    ]
    result = Review(
        period=period,
        previous=previous,
        months=[f"{y:04d}-{m:02d}" for y, m in months],
        now=now,
        client=client,
        reflections=current.reflections,
        clients=len({f.client_key for f in in_period if f.client_key}),
        headline=headline,
        meetings=Meetings(current.prepared, current.debriefed, current.after_prep, current.reviews),
        next_steps=Rate(current.agreed, current.agreed_of),
        follow_ups=_follow_ups(current, history, period, today),
        trolls=_trolls(current, in_period, history, period),
        help=_help(in_period),
        mistakes=_mistakes(current, history, period),
        lost_deals=_lost_deals(in_period, history, period),
        clients_detail=_clients(in_period),
        drama_roles=_top(Counter(r for f in in_period for r in f.drama), {}, None),
        declared=_declared(summaries, shown),
        commitments=_commitments(in_period),
        client_commitments=_client_commitments(in_period),
        pitching=pitching,
        labels=_labels(in_period),
        intent=_intent(in_period),
    )
    understanding = Understanding(
        _mean_of(current.known_sum, current.known_of),
        _mean_of(current.sensed_sum, current.sensed_of),
        [_mean_of(by_month[m].known_sum, by_month[m].known_of) for m in months],
        [_mean_of(by_month[m].sensed_sum, by_month[m].sensed_of) for m in months],
    )
    return replace(
        result,
        focus=focus(result),
        understanding=understanding,
        quiet_clients=_quiet(history, min(today, period.end)),
    )


def _intent(in_period: list[Facts]) -> Intent:
    before = [v for f in in_period if f.kind == "prep" for v in f.bad_intent]
    after = [v for f in in_period if f.kind != "prep" for v in f.bad_intent]
    heat = [t.bad_intent for f in in_period for t in f.trolls if t.bad_intent is not None]
    return Intent(
        Rate(sum(before), len(before)), Rate(sum(after), len(after)), Rate(sum(heat), len(heat))
    )


def _commitments(in_period: list[Facts]) -> Commitments:
    values = Counter(v for f in in_period for v in f.commitments)
    worked, failed, not_tried = values["worked"], values["failed"], values["not-tried"]
    return Commitments(
        Rate(worked + failed, worked + failed + not_tried), worked, failed, not_tried
    )


def _client_commitments(in_period: list[Facts]) -> ClientCommitments:
    asked = [f.client_advance for f in in_period if f.client_advance is not None]
    advances = [a for a in asked if a != NO_ADVANCE]
    said = Counter(v for f in in_period for v in f.client_follow_through)
    done, partly, not_done, not_due = (said[v] for v in FOLLOW_THROUGH)
    return ClientCommitments(
        Rate(len(advances), len(asked)),
        _top(Counter(advances), {}, None),
        Rate(done, done + partly + not_done),
        done,
        partly,
        not_done,
        not_due,
    )


def _labels(facts: list[Facts]) -> dict[str, dict[str, str]]:
    by_role: dict[str, dict[str, str]] = {}
    for f in facts:  # in day order: the latest label wins
        for role, value, label in f.labels:
            by_role.setdefault(role, {})[value] = label
    return by_role


def _help_once(history: list[Facts]) -> None:
    """Help checked in a prep and again in the debrief that follows it is one episode:
    the debrief's answers, the latest, are the ones counted."""
    checked_again = {f.prep for f in history if f.kind == "debrief" and f.prep and f.help}
    for facts in history:
        if facts.kind == "prep" and facts.id in checked_again:
            facts.help = []


def _deepdives_once(history: list[Facts]) -> None:
    """A deep-dive walked later replays an episode its debrief noted briefly: one episode,
    told by the deep-dive's fuller answers (both carry the meeting's date)."""
    by_id = {f.id: f for f in history}
    for facts in history:
        debrief = by_id.get(facts.deepdive_of) if facts.deepdive_of else None
        if debrief is None:
            continue
        if facts.trolls:
            debrief.trolls = []
        if facts.help:
            debrief.help = []
        if facts.losses:
            debrief.losses = []


def _mark_repeats(history: list[Facts]) -> None:
    """A mistake is repeated when marked so, or logged before in another reflection.

    A mistake linked as a repeat of an earlier one (``repeat_of``) takes that mistake's
    key, so a reworded repeat is grouped with the mistake it repeats.
    """
    seen: dict[str, str] = {}  # mistake key -> id of the first reflection that logged it
    same: dict[str, str] = {}  # a reworded repeat's own key -> the key it repeats
    for facts in history:
        for mistake in facts.mistakes:
            if mistake.repeats is not None and mistake.repeats != mistake.key:
                target = same.get(mistake.repeats, mistake.repeats)
                same[mistake.key] = target
                mistake.key = target
            else:
                mistake.key = same.get(mistake.key, mistake.key)
            first = seen.setdefault(mistake.key, facts.id)
            mistake.repeated = mistake.marked or first != facts.id


def _follow_ups(current: _Tally, history: list[Facts], period: Period, today: date) -> FollowUps:
    # Overdue promises from earlier months still matter, so the list covers the whole
    # window up to the period's end, not only the follow-ups created in the period.
    overdue = [
        LateFollowUp(
            f.client,
            u.what,
            u.owner,
            u.due,
            f.day,
            f.id,
            (today - u.due).days,
        )
        for f in history
        if f.day <= period.end
        for u in f.follow_ups
        if not u.done and u.due is not None and u.due < today
    ]
    overdue.sort(key=lambda u: (u.due or u.meeting_date, u.client))
    return FollowUps(current.created, current.done, current.created - current.done, overdue)


def _trolls(
    current: _Tally, in_period: list[Facts], history: list[Facts], period: Period
) -> Trolls:
    topics: Counter[str] = Counter()
    shown: dict[str, str] = {}
    paused = [t.paused_first for f in in_period for t in f.trolls if t.paused_first is not None]
    too_much = [t.said_too_much for f in in_period for t in f.trolls if t.said_too_much is not None]
    for f in in_period:
        for t in f.trolls:
            if t.topic:
                topics[norm(t.topic)] += 1
                shown[norm(t.topic)] = t.topic

    sightings: dict[tuple[str, str], list[tuple[date, bool]]] = {}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for f in history:
        if f.day > period.end or not f.client_key:
            continue
        for t in f.trolls:
            if t.topic:
                key = (f.client_key, norm(t.topic))
                sightings.setdefault(key, []).append((f.day, t.recurring))
                names[key] = (f.client, t.topic)
    recurring = [
        Recurring(names[key][0], names[key][1], len(seen), sorted({d for d, _ in seen}))
        for key, seen in sightings.items()
        if any(d in period for d, _ in seen) and (len(seen) >= 2 or any(r for _, r in seen))
    ]
    recurring.sort(key=lambda r: (-r.count, r.client.casefold(), r.topic.casefold()))
    triggers = Counter(t.trigger for f in in_period for t in f.trolls if t.trigger)
    expected: Counter[str] = Counter()
    expected_shown: dict[str, str] = {}
    for f in in_period:
        for text in f.triggers_expected:
            expected[norm(text)] += 1
            expected_shown.setdefault(norm(text), text)
    return Trolls(
        current.trolls,
        Rate(current.calm, current.calm_of),
        Rate(sum(paused), len(paused)),
        Rate(sum(too_much), len(too_much)),
        _top(topics, shown),
        recurring,
        triggers=_top(triggers, {}, None),
        triggers_expected=_top(expected, expected_shown),
    )


def _help(in_period: list[Facts]) -> Help:
    checked: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    prompts: dict[str, str | None] = {}
    episodes = 0
    for f in in_period:
        for episode in f.help:
            episodes += 1
            for rule, prompt, ok in episode:
                # A checklist has no prompt per rule: a confirm's prompt names it if any.
                if prompts.get(rule) is None:
                    prompts[rule] = prompt
                checked[rule] += 1
                failed[rule] += not ok
    rules = [RuleFailures(r, prompts[r], checked[r], failed[r]) for r in prompts]
    worst = max(rules, key=lambda r: r.failed, default=None)
    return Help(episodes, rules, worst.rule if worst is not None and worst.failed else None)


def _mistakes(current: _Tally, history: list[Facts], period: Period) -> Mistakes:
    groups: dict[str, list[tuple[date, str, MistakeFact]]] = {}
    for f in history:
        if f.day > period.end:
            continue
        for m in f.mistakes:
            groups.setdefault(m.key, []).append((f.day, f.id, m))
    repeated: list[RepeatedMistake] = []
    for logs in groups.values():
        if not any(day in period for day, _, _ in logs):
            continue
        reflections = {rid for _, rid, _ in logs}
        marked = any(m.marked for _, _, m in logs)
        if len(reflections) < 2 and not marked:
            continue
        dates = sorted({day for day, _, _ in logs})
        repeated.append(RepeatedMistake(logs[-1][2].text, len(logs), dates, dates[-1], marked))
    repeated.sort(key=lambda r: (-r.count, -r.last_seen.toordinal(), r.mistake.casefold()))
    return Mistakes(
        current.mistakes, current.mistakes - current.repeated, current.repeated, repeated
    )


def _repeated_reasons(history: list[Facts], period: Period) -> list[RepeatedReason]:
    """Reason areas given in two losses or more up to the period's end, one at least in it."""
    seen: dict[str, list[tuple[date, str]]] = {}
    for f in history:
        if f.day > period.end:
            continue
        for loss in f.losses:
            for area in loss.categories:
                seen.setdefault(area, []).append((f.day, f.client))
    found = [
        RepeatedReason(
            area,
            len(losses),
            min(d for d, _c in losses),
            sorted({c for _d, c in losses if c}, key=str.casefold),
        )
        for area, losses in seen.items()
        if len(losses) >= 2 and any(d in period for d, _c in losses)
    ]
    found.sort(key=lambda r: (-r.count, r.reason))
    return found


def _lost_deals(in_period: list[Facts], history: list[Facts], period: Period) -> LostDeals:
    losses = [loss for f in in_period for loss in f.losses]
    stated = [x.price_stated for x in losses if x.price_stated is not None]
    believed = [x.price_believed for x in losses if x.price_believed is not None]
    asked = [x.asked_why for x in losses if x.asked_why is not None]
    # Price named by the client, and my answer on whether it really decided: not
    # believed means price served as the excuse.
    judged = [x.price_believed for x in losses if x.price_stated and x.price_believed is not None]
    contributing_areas = Counter(
        area
        for x in losses
        for area in {code.split("-", 1)[0] for code in x.contributing} - x.categories
    )
    return LostDeals(
        len(losses),
        _top(Counter(x.outcome for x in losses if x.outcome), {}, None),
        _top(Counter(c for x in losses for c in x.categories), {}, None),
        _top(Counter(r for x in losses for r in x.reasons), {}, None),
        Rate(sum(stated), len(stated)),
        Rate(sum(believed), len(believed)),
        Rate(sum(asked), len(asked)),
        won=sum(1 for f in in_period if f.outcome == "won"),
        repeated_reasons=_repeated_reasons(history, period),
        contributing_categories=_top(contributing_areas, {}, None),
        contributing_reasons=_top(Counter(r for x in losses for r in x.contributing), {}, None),
        price_excuse=Rate(sum(not b for b in judged), len(judged)),
        win_reasons=_top(Counter(c for f in in_period for w in f.wins for c in w), {}, None),
        win_areas=_top(
            Counter(a for f in in_period for w in f.wins for a in {c.split("-", 1)[0] for c in w}),
            {},
            None,
        ),
        wins_analysed=sum(len(f.wins) for f in in_period),
    )


def _clients(in_period: list[Facts]) -> list[ClientFigures]:
    grouped: dict[str, list[Facts]] = {}
    for f in in_period:
        if f.client_key:
            grouped.setdefault(f.client_key, []).append(f)
    result: list[ClientFigures] = []
    for facts in grouped.values():
        knowledge = _mean([v for f in facts for v in f.knowledge])
        perception = _mean([v for f in facts for v in f.perception])
        gap = (
            round(knowledge - perception, 2)
            if knowledge is not None and perception is not None
            else None
        )
        result.append(
            ClientFigures(
                facts[-1].client,
                len(facts),
                knowledge,
                perception,
                gap,
                gap is not None and abs(gap) >= GAP_FLAG,
                _mean([v for f in facts for v in f.energy]),
            )
        )
    result.sort(key=lambda c: (-c.reflections, c.client.casefold()))
    return result


# A rhythm needs a few meetings to be one: below this many meeting days, no usual gap.
RHYTHM_MEETINGS = 3
_MEETING_KINDS = {"prep", "debrief"}


def _quiet(history: list[Facts], on: date) -> list[Quiet]:
    return quiet_clients(((f.client_key, f.client, f.kind, f.day) for f in history), on)


def quiet_clients(meetings: Iterable[tuple[str, str, str, date]], on: date) -> list[Quiet]:
    """Clients whose last meeting is further back than twice their usual gap, on ``on``.

    ``meetings`` holds (client key, client, kind, meeting day) of each reflection: the
    review gives its facts, the home screen the index's rows, so both share this rule."""
    days: dict[str, set[date]] = {}
    names: dict[str, str] = {}
    for key, client, kind, day in meetings:
        if key and kind in _MEETING_KINDS and day <= on:
            days.setdefault(key, set()).add(day)
            names[key] = client
    found: list[Quiet] = []
    for key, met in days.items():
        if len(met) < RHYTHM_MEETINGS:
            continue
        ordered = sorted(met)
        gaps = sorted((b - a).days for a, b in pairwise(ordered))
        usual = gaps[len(gaps) // 2]
        since = (on - ordered[-1]).days
        if since > 2 * usual:
            found.append(Quiet(names[key], usual, ordered[-1], since))
    found.sort(key=lambda q: (-q.days_since / max(q.usual_days, 1), q.client.casefold()))
    return found


# Which idea of the domain brief (../shared/DOMAIN.md) each review figure carries, by
# its path in the review. tests/test_coverage.py checks every path exists and counts
# these ideas with the playbooks' refs; a figure is listed only when it is the stat
# the brief asks for.
IDEAS: dict[str, tuple[str, ...]] = {
    "headline.next_steps_rate": ("S0-05",),
    "meetings": ("S0-08",),
    "mistakes.repeated_list": ("S1-02",),
    "lost_deals.asked_why": ("S1-04",),
    "lost_deals.price_believed": ("S1-11",),
    "help.rules": ("S2-07",),
    "drama_roles": ("S2-04",),
    "clients_detail.energy": ("S2-01",),
    "clients_detail.gap": ("S3-02", "S3-12"),
    "understanding.knowledge_series": ("S3-07",),
    "understanding.perception_series": ("S3-07",),
    "quiet_clients": ("S0-09",),
}


def _declared(summaries: SummaryTally, shown: dict[str, Shown] | None = None) -> list[Declared]:
    """Declared summaries from the counts of each distinct value, interpreted once.

    A role that names different questions (:data:`SPLIT_ROLES`) has figures of its own
    and is never pooled here.
    """
    slots: dict[tuple[str, str], dict[str, Any]] = {}
    for (name, summary, value), times in summaries.items():
        if not isinstance(name, str) or not isinstance(summary, str):
            continue  # a damaged answer: a role or summary that is not text
        if name in SPLIT_ROLES:
            continue
        slot = slots.setdefault(
            (name, summary), {"answered": 0, "yes": 0, "total": 0.0, "counts": Counter()}
        )
        if summary == "rate":
            if value in (YES, NO):
                slot["answered"] += times
                slot["yes"] += times if value == YES else 0
            continue
        if summary == "mean":
            if isinstance(value, int | float):
                slot["answered"] += times
                slot["total"] += value * times
            continue
        texts = [_shown(v) for v in (value if isinstance(value, tuple) else (value,))]
        texts = [t for t in texts if t]
        if texts:
            slot["answered"] += times
        for text in texts:
            slot["counts"][text] += times
    result: list[Declared] = []
    for (name, summary), slot in slots.items():
        answered: int = slot["answered"]
        if not answered:
            continue
        words = _words(name, (shown or {}))
        if summary == "rate":
            rate = Rate(slot["yes"], answered)
            result.append(Declared(name, summary, answered, rate=rate, **words))
        elif summary == "mean":
            mean = _mean_of(slot["total"], answered)
            result.append(Declared(name, summary, answered, mean=mean, **words))
        else:
            counts = _counted(slot["counts"], summary == "top")
            result.append(Declared(name, summary, answered, counts=counts, **words))
    return result


def _words(name: str, shown: dict[str, Shown]) -> dict[str, Any]:
    """The prompt and choice labels one summed-up answer was asked with, by language;
    the prompts of every step that asked it, when several did (a shared role)."""
    prompts: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for language, words in shown.items():
        asked: dict[str, None] = {}  # distinct, in the order first asked
        found: dict[str, str] = {}
        for key, text in words.items():
            if type(key) is not tuple:
                continue
            if len(key) == 3 and key[0] == ASKED and key[1] == name:
                asked[text] = None
            elif len(key) == 2 and key[0] == name and isinstance(key[1], str):
                found[key[1]] = text
        if len(asked) > 1:
            prompts[language] = PROMPTS_JOINED.join(asked)
        elif isinstance(prompt := words.get(name), str):
            prompts[language] = prompt
        if found:
            labels[language] = found
    return {"prompts": prompts, "labels": labels}


def _shown(value: object) -> str:
    if value in (YES, NO):
        return "yes" if value == YES else "no"
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    return ""


def _counted(counts: Counter[str], loose: bool) -> list[Count]:
    """Counts as shown; free texts ("top") are merged when only case, accents or spacing
    differ, and cut to the first few; choice values ("distribution") are kept exact."""
    if not loose:
        return _top(counts, {}, None)
    merged: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text, times in counts.items():
        key = norm(text)
        merged[key] += times
        shown.setdefault(key, text)
    return _top(merged, shown)


# --- the focus points -----------------------------------------------------------------

FOCUS_MAX = 3
# The ranking rule: every candidate found is ranked by this fixed order, the first three
# kept. A habit that keeps failing comes before a figure that moved once: a repeated
# mistake, then the most-failed rule of healthy help, then the headline figure that
# worsened most, then a loss reason seen before, then lessons not tried, then overdue
# follow-ups. When none is found in a period that has reflections, one "keep_reflecting"
# point says how many there were; an empty period has no focus.
FOCUS_ORDER = (
    "repeated_mistake",
    "help_rule",
    "worsened",
    "loss_reason",
    "commitments_not_kept",
    "overdue_follow_ups",
)
# Which way each headline figure gets worse: -1 when it goes down (a rate, energy), +1
# when it goes up. Figures that only count activity (meetings, episodes) are left out.
WORSE: dict[str, int] = {
    "next_steps_rate": -1,
    "calm_restored_rate": -1,
    "energy": -1,
    "follow_ups_open": +1,
    "repeated_mistakes": +1,
    "lost_deals": +1,
}
# What a change is measured against, so figures of different kinds compare: a rate's
# change in points of 100%, energy's in its scale of 4, a count's against the count before.
_ENERGY_SPAN = 4.0


def worsening(h: Headline) -> float:
    """How much a headline figure got worse against the previous period (0: not worse)."""
    direction = WORSE.get(h.id)
    if direction is None or h.value is None or h.previous is None:
        return 0.0
    change = (h.value - h.previous) * direction
    if change <= 0:
        return 0.0
    if h.kind == "rate":
        return float(change)
    if h.kind == "mean":
        return change / _ENERGY_SPAN
    return change / max(abs(h.previous), 1)


def focus(review: Review) -> list[Focus]:
    """At most three points for the coming month, drawn from the review's figures."""
    if review.empty:
        return []
    found: dict[str, Focus] = {}
    if review.mistakes.repeated_list:
        top = review.mistakes.repeated_list[0]
        found["repeated_mistake"] = Focus(
            "repeated_mistake",
            "mistakes.repeated_list",
            top.count,
            subject=top.mistake,
            dates=top.dates,
        )
    most = next((r for r in review.help.rules if r.rule == review.help.most_failed), None)
    if most is not None:
        found["help_rule"] = Focus(
            "help_rule", "help.most_failed", most.failed, subject=most.rule, total=most.checked
        )
    worst = max(review.headline, key=worsening, default=None)
    if worst is not None and worsening(worst) > 0:
        assert worst.value is not None  # worsening() is 0 without one
        found["worsened"] = Focus(
            "worsened", f"headline.{worst.id}", worst.value, worst.previous, subject=worst.id
        )
    if review.lost_deals.repeated_reasons:
        reason = review.lost_deals.repeated_reasons[0]
        found["loss_reason"] = Focus(
            "loss_reason",
            "lost_deals.repeated_reasons",
            reason.count,
            subject=reason.reason,
            dates=[reason.since],
        )
    if review.commitments.not_tried:
        found["commitments_not_kept"] = Focus(
            "commitments_not_kept",
            "commitments.not_tried",
            review.commitments.not_tried,
            total=review.commitments.kept.total,
        )
    if review.follow_ups.overdue:
        found["overdue_follow_ups"] = Focus(
            "overdue_follow_ups", "follow_ups.overdue", len(review.follow_ups.overdue)
        )
    points = [found[kind] for kind in FOCUS_ORDER if kind in found][:FOCUS_MAX]
    return points or [Focus("keep_reflecting", "reflections", review.reflections)]
