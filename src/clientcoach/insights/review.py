"""The monthly review: figures, trends, repeated mistakes and open follow-ups.

Pure: records come in as the plain dicts the store read, ``now`` is passed in, and the
result is a tree of dataclasses that the renderers turn into a terminal view, Markdown
or JSON. Every figure comes from the roles stored in the answers, never from playbook
files, so old reflections and user-written playbooks count the same.

Records are reduced to small :class:`_Facts` as they stream past, so a review of years of
reflections holds a few facts per file in memory, never the files themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal

import orjson

from clientcoach.core.text import fold, single_line
from clientcoach.i18n import _
from clientcoach.insights.records import (
    NO,
    YES,
    Record,
    RoleMap,
    Shown,
    SummaryKey,
    SummaryTally,
    walk,
)

TREND_MONTHS = 12
TOP = 5
GAP_FLAG = 2.0
# The answer to "did you do what your latest lesson said?": worked, failed, not-tried.
COMMITMENT_KEPT = "commitment_kept"
# Values that mean "yes" for roles answered with a choice instead of a confirm.
_CALM = {"yes"}
_REPEAT = {"repeat", "repeated", "yes"}
_RECURRING = {"recurring", "yes"}
# Roles the built-in playbooks give to questions that do not mean the same thing: each
# question gets a figure of its own (Intent, Trolls), never one pooled summary.
SPLIT_ROLES = frozenset({"bad_intent", "trigger"})
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
# The client's commitment (role client_advance): "none" is a continuation, any other value
# an advance. The next debrief asks whether they did it (role client_follow_through).
NO_ADVANCE = "none"
FOLLOW_THROUGH = ("done", "partly", "not-done", "not-due")
# The pitching self-measures, by role: estimated share of talking time (%), open
# questions asked, longest monologue (minutes). Each is a mean per debrief that gave it.
PITCHING: list[str] = ["talk_share", "open_questions", "longest_monologue"]

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


def _day(value: object) -> date | None:
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
class _FollowUpFact:
    what: str
    owner: str | None
    due: date | None
    done: bool


@dataclass(slots=True)
class _TrollFact:
    topic: str | None
    calm: bool | None
    paused_first: bool | None
    said_too_much: bool | None
    recurring: bool
    trigger: str | None = None
    bad_intent: bool | None = None


@dataclass(slots=True)
class _MistakeFact:
    text: str
    key: str
    marked: bool
    # The key of the earlier mistake it was linked to as a repeat (``repeat_of``), if any.
    repeats: str | None = None
    repeated: bool = False  # set once the history before it is known


@dataclass(slots=True)
class _LossFact:
    outcome: str | None
    categories: set[str]  # the main reason's area
    reasons: list[str]  # the main reasons
    price_stated: bool | None
    price_believed: bool | None
    asked_why: bool | None
    contributing: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Facts:
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
    follow_ups: list[_FollowUpFact] = field(default_factory=list)
    trolls: list[_TrollFact] = field(default_factory=list)
    help: list[list[tuple[str, str | None, bool]]] = field(default_factory=list)
    mistakes: list[_MistakeFact] = field(default_factory=list)
    losses: list[_LossFact] = field(default_factory=list)
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


def _facts(
    record: Record, day: date, summaries: SummaryTally | None, shown: Shown | None = None
) -> _Facts:
    """The record's facts; its declared summaries are counted into ``summaries``, the
    words they were asked with kept in ``shown``."""
    links = record.get("links")
    client = record.get("client") or ""
    facts = _Facts(
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
        due = _day(answer.get("value"))
        if due is not None:
            what = _("Next touchpoint with {client} (lost deal)").format(client=client)
            facts.follow_ups.append(_FollowUpFact(what, "me", due, bool(answer.get("done"))))
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


def _follow_up(facts: _Facts, roles: RoleMap, item: object) -> None:
    what = _text(_first(roles, "what"))
    if what is None:
        return
    owner = _first(roles, "owner")
    facts.follow_ups.append(
        _FollowUpFact(
            what,
            owner if isinstance(owner, str) else None,
            _day(_first(roles, "due")),
            _done(item),
        )
    )


def _troll_episode(roles: RoleMap) -> bool:
    # An episode needs a topic or a calm answer: a hot moment's topic left empty is none.
    return _first(roles, "troll_topic") is not None or _first(roles, "calm_restored") is not None


def _episodes(facts: _Facts, roles: RoleMap) -> None:
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
            _TrollFact(
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
                    _MistakeFact(
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


def _loss(roles: RoleMap) -> _LossFact:
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
    return _LossFact(
        outcome if isinstance(outcome, str) else None,
        categories,
        reasons,
        _flag(_first(roles, "price_stated")),
        _flag(_first(roles, "price_believed")),
        _flag(_first(roles, "asked_why")),
        [code for code in contributing if code not in reasons],
    )


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

    def add(self, f: _Facts) -> None:
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
    history: list[_Facts] = []
    summaries: SummaryTally = Counter()
    shown: dict[str, Shown] = {}  # by the language of the reflections that showed them
    for record in records:
        meeting = record.get("meeting")
        day = _day(meeting.get("date")) if isinstance(meeting, dict) else None
        if day is None or not window_start <= day <= window_end:
            continue
        if day in period:
            words = shown.setdefault(_language(record), {})
            history.append(_facts(record, day, summaries, words))
        else:
            history.append(_facts(record, day, None))
    return build_from(history, summaries, shown, period, now, client)


# What the index keeps of one record for the review: its facts, its own declared
# summaries, its language and the words they were shown with. A summary is kept as the
# JSON text of its key, once for each time it counts: build_kept counts thousands of
# records' summaries, and a Counter counts a list of texts in C, without making a key.
Kept = tuple[_Facts, list[str], str, Shown]


def _summary_text(key: SummaryKey) -> str:
    name, summary, value = key
    # A tuple (a list's values, a yes/no) is told from a list by the flag.
    flat = list(value) if type(value) is tuple else value
    return orjson.dumps([name, summary, type(value) is tuple, flat]).decode()


def _summary_key(text: str) -> SummaryKey:
    name, summary, is_tuple, value = orjson.loads(text)
    return name, summary, tuple(value) if is_tuple else value


def record_facts(record: Record) -> Kept | None:
    """One record's facts, its own declared summaries and the words they were shown
    with, as :func:`build_kept` takes them; None for a record with no meeting day (no
    review counts it). The index keeps these per record (see :func:`facts_to_json`)."""
    meeting = record.get("meeting")
    day = _day(meeting.get("date")) if isinstance(meeting, dict) else None
    if day is None:
        return None
    summaries: SummaryTally = Counter()
    words: Shown = {}
    facts = _facts(record, day, summaries, words)
    own = [_summary_text(key) for key in summaries.elements()]
    return facts, own, _language(record), words


def build_kept(
    kept: Iterable[Kept],
    period: Period,
    now: datetime,
    client: str | None = None,
) -> Review:
    """:func:`build` from facts kept by :func:`record_facts`, in the order of the files."""
    window_start, window_end = reading_window(period)
    history: list[_Facts] = []
    counted: Counter[str] = Counter()
    shown: dict[str, Shown] = {}
    for facts, own, language, words in kept:
        if not window_start <= facts.day <= window_end:
            continue
        history.append(facts)
        if facts.day in period:
            counted.update(own)
            # Later records' words win, as when ``build`` walks them in this order.
            shown.setdefault(language, {}).update(words)
    summaries: SummaryTally = Counter()
    for text, times in counted.items():
        # Added, not set: 5 and 5.0 are two texts of one key.
        summaries[_summary_key(text)] += times
    return build_from(history, summaries, shown, period, now, client)


def build_from(
    history: list[_Facts],
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
    in_period: list[_Facts] = []
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


def _language(record: Record) -> str:
    playbook = record.get("playbook")
    language = playbook.get("language") if isinstance(playbook, dict) else None
    return language if isinstance(language, str) else "en"


def _intent(in_period: list[_Facts]) -> Intent:
    before = [v for f in in_period if f.kind == "prep" for v in f.bad_intent]
    after = [v for f in in_period if f.kind != "prep" for v in f.bad_intent]
    heat = [t.bad_intent for f in in_period for t in f.trolls if t.bad_intent is not None]
    return Intent(
        Rate(sum(before), len(before)), Rate(sum(after), len(after)), Rate(sum(heat), len(heat))
    )


def _commitments(in_period: list[_Facts]) -> Commitments:
    values = Counter(v for f in in_period for v in f.commitments)
    worked, failed, not_tried = values["worked"], values["failed"], values["not-tried"]
    return Commitments(
        Rate(worked + failed, worked + failed + not_tried), worked, failed, not_tried
    )


def _client_commitments(in_period: list[_Facts]) -> ClientCommitments:
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


def _labels(facts: list[_Facts]) -> dict[str, dict[str, str]]:
    by_role: dict[str, dict[str, str]] = {}
    for f in facts:  # in day order: the latest label wins
        for role, value, label in f.labels:
            by_role.setdefault(role, {})[value] = label
    return by_role


def _help_once(history: list[_Facts]) -> None:
    """Help checked in a prep and again in the debrief that follows it is one episode:
    the debrief's answers, the latest, are the ones counted."""
    checked_again = {f.prep for f in history if f.kind == "debrief" and f.prep and f.help}
    for facts in history:
        if facts.kind == "prep" and facts.id in checked_again:
            facts.help = []


def _deepdives_once(history: list[_Facts]) -> None:
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


def _mark_repeats(history: list[_Facts]) -> None:
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


def _follow_ups(current: _Tally, history: list[_Facts], period: Period, today: date) -> FollowUps:
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
    current: _Tally, in_period: list[_Facts], history: list[_Facts], period: Period
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


def _help(in_period: list[_Facts]) -> Help:
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


def _mistakes(current: _Tally, history: list[_Facts], period: Period) -> Mistakes:
    groups: dict[str, list[tuple[date, str, _MistakeFact]]] = {}
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


def _repeated_reasons(history: list[_Facts], period: Period) -> list[RepeatedReason]:
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


def _lost_deals(in_period: list[_Facts], history: list[_Facts], period: Period) -> LostDeals:
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


def _clients(in_period: list[_Facts]) -> list[ClientFigures]:
    grouped: dict[str, list[_Facts]] = {}
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


def _quiet(history: list[_Facts], on: date) -> list[Quiet]:
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
    """The prompt and choice labels one summed-up answer was asked with, by language."""
    prompts: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for language, words in shown.items():
        if isinstance(prompt := words.get(name), str):
            prompts[language] = prompt
        found = {
            key[1]: text
            for key, text in words.items()
            if isinstance(key, tuple) and key[0] == name and isinstance(key[1], str)
        }
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


# --- facts kept by the index -----------------------------------------------------------
#
# Facts are written as JSON with their class named and their fields in the order the
# class declares them (no field names: the index reads thousands of these per review).
# A field or a fact class added here is kept and read back without anything else to
# change: the index is rebuilt whenever this module's text changes, so it never reads
# facts of another shape.


_FIELDS: dict[type, tuple[str, ...]] = {}
_CLASSES: dict[str, type] = {}


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
    if names is None and is_dataclass(value):
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {"c": kind.__name__, "v": [_encode(getattr(value, n)) for n in names]}
    raise TypeError(f"a fact cannot hold {kind.__name__}")


def _fact_class(name: str) -> type:
    found = _CLASSES.get(name)
    if found is None:
        found = globals().get(name)
        if not (isinstance(found, type) and is_dataclass(found) and name.startswith("_")):
            raise ValueError(f"{name} is not a fact")
        _CLASSES[name] = found
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
    # The summaries are already texts (see Kept). A word's key is a name (its prompt) or
    # a (name, choice value) pair (its label).
    return [
        _encode(facts),
        summaries,
        language,
        [[*key, text] if type(key) is tuple else [key, text] for key, text in words.items()],
    ]


def facts_from_json(data: Any) -> Kept:
    facts, summaries, language, words = data
    shown: Shown = {(w[0], w[1]) if len(w) == 3 else w[0]: w[-1] for w in words}
    return _decode(facts), summaries, language, shown
