"""Showing a review: the terminal view (Rich), the Markdown report and the JSON document.

The terminal view and the Markdown report are drawn from the same list of
:class:`Block` (a title, a few figures, a table, a bar chart), so they always show the
same figures; the JSON document is the review itself, plus the damaged files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientcoach.core.dates import MONTHS
from clientcoach.core.text import single_line
from clientcoach.i18n import _, ngettext
from clientcoach.insights.review import Count, Focus, Headline, Period, Rate, Review
from clientcoach.ui import escape
from clientcoach.ui.messages import joined, owner_name

if TYPE_CHECKING:
    # Rich is imported by the functions that draw: `coach review --json` never needs it.
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from clientcoach.storage.store import Damaged

JSON_SCHEMA = 1
BAR_WIDTH = 24
# Long lists are cut in the terminal and the report; the JSON document has them all.
MAX_ROWS = 10
# Roles with a section of their own are left out of the "other answers" table.
_COVERED = {
    "next_steps_agreed",
    "commitment_kept",
    "knowledge",
    "perception",
    "energy",
    "drama_role",
    "help_rule",
    "mistake",
    "mistake_repeat",
    "troll_topic",
    "troll_recurring",
    "calm_restored",
    "paused_first",
    "said_too_much",
    "asked_why",
    "price_stated",
    "price_believed",
    "loss_outcome",
    "loss_reason",
    "believed_reason",
    # Shared by questions that mean different things: each has its own figure instead.
    "bad_intent",
    "trigger",
    "help_rules",
    "troll_loop_steps",
    "win_reason",
    "client_advance",
    "client_follow_through",
    "talk_share",
    "open_questions",
    "longest_monologue",
}
# "Other answers" in the terminal and the report: the most answered first, each with its
# few most frequent values; the JSON document has them all.
MAX_OTHER = 8
MAX_VALUES = 3
_SPARKS = "▁▂▃▄▅▆▇█"
_SPARKS_ASCII = "_.-=+*#@"
_BLOCKS = " ▏▎▍▌▋▊▉█"


def headline_labels() -> dict[str, str]:
    return {
        "prepared": _("Meetings prepared"),
        "debriefed": _("Meetings debriefed"),
        "debriefed_after_prep": _("Debriefed after a prep"),
        "next_steps_rate": _("Ended on agreed next steps"),
        "follow_ups_created": _("Follow-ups created"),
        "follow_ups_open": _("Follow-ups still open"),
        "troll_episodes": _("Difficult moments (trolls)"),
        "calm_restored_rate": _("Calm restored"),
        "help_episodes": _("Help beyond the scope"),
        "mistakes": _("Mistakes logged"),
        "repeated_mistakes": _("Repeated mistakes"),
        "lost_deals": _("Lost deals"),
        "energy": _("Energy (-2 to +2)"),
    }


# --- words and numbers ----------------------------------------------------------------


def month_name(year: int, month: int) -> str:
    return _("{month} {year}").format(month=_(MONTHS[month - 1]), year=year)


def period_label(period: Period) -> str:
    if period.month:
        label = month_name(period.start.year, period.start.month)
        if period.so_far is not None and period.so_far < period.end:
            label = _("{month}, so far (up to {day})").format(
                month=label, day=period.so_far.isoformat()
            )
        return label
    return _("{start} to {end}").format(start=period.start.isoformat(), end=period.end.isoformat())


def pct(rate: Rate) -> str:
    if rate.rate is None:
        return "-"
    return _("{percent}% ({count} of {total})").format(
        percent=round(rate.rate * 100), count=rate.count, total=rate.total
    )


def _figure(value: float | None, kind: str, signed: bool = False) -> str:
    if value is None:
        return "-"
    from clientcoach.i18n import decimal

    if kind == "rate":
        return _("{percent}%").format(percent=round(value * 100))
    if kind == "mean":
        value = round(value, 1) or 0.0  # never "-0.0"
        return decimal(f"{value:+.1f}" if signed else f"{value:.1f}")
    return str(int(value))


def sparkline(values: Sequence[float | None], ascii_only: bool = False) -> str:
    """One character per value, lowest to highest; a dot where there is no value."""
    marks = _SPARKS_ASCII if ascii_only else _SPARKS
    gap = " " if ascii_only else "·"
    known = [v for v in values if v is not None]
    if not known:
        return gap * len(values)
    low, high = min(known), max(known)
    span = high - low
    out = ""
    for value in values:
        if value is None:
            out += gap
        elif span == 0:
            out += marks[0] if high == 0 else marks[len(marks) // 2]
        else:
            out += marks[round((value - low) / span * (len(marks) - 1))]
    return out


def bar(count: int, most: int, width: int = BAR_WIDTH, ascii_only: bool = False) -> str:
    if most <= 0 or count <= 0:
        return ""
    if ascii_only:
        return "#" * max(1, round(count / most * width))
    eighths = max(1, round(count / most * width * 8))
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


# --- blocks ---------------------------------------------------------------------------


@dataclass
class Grid:
    columns: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)


@dataclass
class Block:
    """One section of the review, in a form both renderers draw."""

    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    grid: Grid | None = None
    bars: list[tuple[str, int]] = field(default_factory=list)
    bars_title: str | None = None
    note: str | None = None
    # More bar charts, each with its title, drawn after the first one.
    more_bars: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)


def _cut(rows: list[list[str]]) -> tuple[list[list[str]], str | None]:
    if len(rows) <= MAX_ROWS:
        return rows, None
    more = _("... and {n} more; coach review --json lists them all.").format(n=len(rows) - MAX_ROWS)
    return rows[:MAX_ROWS], more


def _counts(counts: list[Count], labels: dict[str, str] | None = None) -> list[tuple[str, int]]:
    """Counted values, each shown by its saved label when there is one."""
    shown = labels or {}
    return [(shown.get(c.value, c.value), c.count) for c in counts]


def _listed(counts: list[Count], labels: dict[str, str]) -> str:
    # Labels are sentences that may hold commas: each count in brackets, then "; ".
    return joined(f"{labels.get(c.value, c.value)} ({c.count})" for c in counts) or "-"


def blocks(review: Review, ascii_only: bool = False) -> list[Block]:
    """Every section of the review, in the order it is read."""
    labels = headline_labels()
    months = review.months
    trend_title = _("{first} to {last}").format(first=months[0], last=months[-1])
    head = Block(
        _("Headline figures"),
        grid=Grid(
            [_("figure"), _("this period"), _("previous"), trend_title],
            [_headline_row(h, labels[h.id], ascii_only) for h in review.headline],
            numeric={1, 2},
        ),
    )
    out = [head, _pitching(review, trend_title, ascii_only), _follow_ups(review)]
    out += [_commitments(review), _client_commitments(review), _trolls(review), _intent(review)]
    out += [_help(review), _mistakes(review)]
    out += [_lost(review), _clients(review, ascii_only), _quiet(review)]
    out += [_drama(review), _declared(review)]
    return out


def pitching_labels() -> dict[str, str]:
    return {
        "talk_share": _("My share of the talking (%)"),
        "open_questions": _("Open questions asked"),
        "longest_monologue": _("Longest monologue (minutes)"),
    }


def _pitching(review: Review, trend_title: str, ascii_only: bool) -> Block:
    """The pitching self-measures: a mean per debrief, beside the previous period, with
    their trend month by month, as the headline figures."""
    title = _("Pitching or sharing: self-measures")
    if not any(h.series.count(None) < len(h.series) for h in review.pitching):
        return Block(title, note=_("No self-measures given in the trend months."))
    labels = pitching_labels()
    return Block(
        title,
        grid=Grid(
            [_("figure"), _("this period"), _("previous"), trend_title],
            [_headline_row(h, labels.get(h.id, h.id), ascii_only) for h in review.pitching],
            numeric={1, 2},
        ),
        note=_("Estimates given in the full debrief; the trend is the mean per month."),
    )


def advance_names() -> dict[str, str]:
    """The client's commitments of the built-in debrief, in the reader's language."""
    return {
        "access": _("access"),
        "decision-maker": _("a decision maker"),
        "data": _("data"),
        "criteria": _("success criteria"),
        "effort": _("their team's time or budget"),
    }


def _client_commitments(review: Review) -> Block:
    c = review.client_commitments
    title = _("The client's commitments")
    if not c.advances.total and not (c.follow_through.total or c.not_due):
        return Block(title, note=_("No debrief asked about the client's commitment."))
    names = advance_names()
    return Block(
        title,
        facts=[
            (_("client committed to an advance"), pct(c.advances)),
            (_("what they committed to"), _listed(c.kinds, names)),
            (_("client follow-through (done, of those due)"), pct(c.follow_through)),
            (
                _("done, partly, not done, not due yet"),
                f"{c.done}, {c.partly}, {c.not_done}, {c.not_due}",
            ),
        ],
    )


def _headline_row(h: Headline, label: str, ascii_only: bool) -> list[str]:
    signed = h.id == "energy"
    series = [float(v) if v is not None else None for v in h.series]
    return [
        label,
        _figure(h.value, h.kind, signed),
        _figure(h.previous, h.kind, signed),
        sparkline(series, ascii_only),
    ]


def _follow_ups(review: Review) -> Block:
    f = review.follow_ups
    block = Block(
        _("Follow-ups"),
        facts=[
            (_("created in the period"), str(f.created)),
            (_("done"), str(f.done)),
            (_("still open"), str(f.open)),
            (_("overdue (open, due before today)"), str(len(f.overdue))),
        ],
    )
    if f.overdue:
        # The most recent first: those are the promises still worth keeping.
        rows, block.note = _cut(
            [
                [
                    u.due.isoformat() if u.due else "-",
                    str(u.days_late if u.days_late is not None else "-"),
                    u.client,
                    owner_name(u.owner) if u.owner else "-",
                    u.what,
                ]
                for u in reversed(f.overdue)
            ]
        )
        block.grid = Grid([_("due"), _("days late"), _("client"), _("owner"), _("what")], rows, {1})
    return block


def _commitments(review: Review) -> Block:
    c = review.commitments
    if not c.kept.total:
        return Block(_("Commitments kept"), note=_("No debrief asked about a commitment."))
    return Block(
        _("Commitments kept"),
        facts=[
            (_("tried, of those asked about"), pct(c.kept)),
            (_("tried, and it worked"), str(c.worked)),
            (_("tried, and it did not work"), str(c.failed)),
            (_("not tried"), str(c.not_tried)),
        ],
    )


def _trolls(review: Review) -> Block:
    t = review.trolls
    if not t.episodes:
        return Block(_("Difficult moments (trolls)"), note=_("No difficult moments logged."))
    block = Block(
        _("Difficult moments (trolls)"),
        facts=[
            (_("episodes"), str(t.episodes)),
            (_("calm restored"), pct(t.calm_restored)),
            (_("paused before the first reply"), pct(t.paused_first)),
            (_("said too much"), pct(t.said_too_much)),
        ],
        bars=_counts(t.top_topics),
        bars_title=_("Top topics"),
    )
    if t.triggers:
        triggers = {**review.labels.get("trigger", {}), **trigger_names()}
        block.more_bars.append(
            (_("What set you off, in the exchange"), _counts(t.triggers, triggers))
        )
    if t.triggers_expected:
        block.more_bars.append(
            (_("What you expected could set you off, in your preps"), _counts(t.triggers_expected))
        )
    if t.recurring:
        rows, block.note = _cut(
            [
                [r.client, r.topic, str(r.count), r.dates[0].isoformat(), r.dates[-1].isoformat()]
                for r in t.recurring
            ]
        )
        block.grid = Grid(
            [_("client"), _("recurring topic"), _("times"), _("first seen"), _("last seen")],
            rows,
            numeric={2},
        )
    return block


def trigger_names() -> dict[str, str]:
    """What set you off, as the built-in troll replay names it, in the reader's language."""
    return {
        "none": _("Nothing in particular"),
        "topic": _("The topic itself"),
        "tone": _("The tone of voice or the words used"),
        "person": _("The person"),
        "fatigue": _("My own tiredness or stress"),
        "other": _("Something else"),
    }


def _intent(review: Review) -> Block:
    i = review.intent
    title = _("Assuming bad intent")
    if not (i.before_meeting.total or i.looking_back.total or i.in_exchange.total):
        return Block(title, note=_("Not asked in this period."))
    # Three questions, three figures: they are never added together.
    return Block(
        title,
        facts=[
            (
                _("before the meeting (preps): assumed the client wrong or difficult"),
                pct(i.before_meeting),
            ),
            (
                _("looking back (debriefs): assumed the client wrong or difficult"),
                pct(i.looking_back),
            ),
            (_("in a difficult exchange: read it as aimed at you on purpose"), pct(i.in_exchange)),
        ],
    )


def _rule_names() -> dict[str, str]:
    # The five rules of healthy help by their step ids in the built-in playbook, named in
    # the reader's language; a rule of the user's own playbooks shows its step id.
    return {
        "r1_asked": _("request put into words"),
        "r2_framed": _("framed in content and time"),
        "r3_counterpart": _("a counterpart"),
        "r4_half_way": _("never more than half the way"),
        "r5_autonomy": _("aims at autonomy"),
    }


def _help(review: Review) -> Block:
    h = review.help
    if not h.episodes:
        return Block(_("Healthy help"), note=_("No help beyond the scope logged."))
    names = _rule_names()
    most = next((r for r in h.rules if r.rule == h.most_failed), None)
    facts = [(_("episodes"), str(h.episodes))]
    if most is not None:
        facts.append((_("most-failed rule"), names.get(most.rule, most.prompt or most.rule)))
    header = [_("rule"), _("failed"), _("checked")]
    rows = [[names.get(r.rule, r.rule), str(r.failed), str(r.checked)] for r in h.rules]
    if any(r.prompt for r in h.rules):
        # The question each rule was asked with, when one was (a checklist asks them
        # all at once, and its rules are named in the first column already).
        header.append(_("question"))
        for row, r in zip(rows, h.rules, strict=True):
            row.append(r.prompt or "")
    return Block(
        _("Healthy help"),
        facts=facts,
        note=help_reminder(),
        grid=Grid(header, rows, numeric={1, 2}),
    )


def help_reminder() -> str:
    """What help beyond the scope is checked against: the five rules of healthy help and
    the roles of the drama triangle."""
    rules = joined(_rule_names().values())
    roles = ", ".join(_drama_names()[r] for r in ("persecutor", "rescuer", "victim"))
    return _(
        "The five rules of healthy help: {rules}. The drama triangle's roles: {roles}."
    ).format(rules=rules, roles=roles)


def _mistakes(review: Review) -> Block:
    m = review.mistakes
    if not m.logged:
        return Block(_("Mistakes"), note=_("No mistakes logged."))
    block = Block(
        _("Mistakes"),
        facts=[
            (_("logged"), str(m.logged)),
            (_("new"), str(m.new)),
            (_("repeated"), str(m.repeated)),
        ],
    )
    if m.repeated_list:
        rows, block.note = _cut(
            [
                [r.mistake, str(r.count), r.dates[0].isoformat(), r.last_seen.isoformat()]
                for r in m.repeated_list
            ]
        )
        block.grid = Grid(
            [_("repeated mistake"), _("times"), _("first seen"), _("last seen")],
            rows,
            numeric={1},
        )
    return block


def area_names() -> dict[str, str]:
    """The areas of the built-in lost-deal playbook, for reasons whose area no record
    labels (a record labels only the area believed to be the main one)."""
    return {
        "need": _("Understanding of the need"),
        "price": _("Price or commercial terms"),
        "team": _("Team and skills"),
        "trust": _("Trust and relationship"),
        "solution": _("Fit of the solution"),
        "competition": _("The competition did better"),
        "execution": _("How we ran the sale"),
        "timing": _("Timing or the client's own process"),
        "other": _("Something else"),
    }


def _lost(review: Review) -> Block:
    lost = review.lost_deals
    if not lost.count and not lost.won and not lost.wins_analysed:
        return Block(_("Lost deals"), note=_("No lost deals."))
    areas = {**review.labels.get("believed_reason", {}), **area_names()}
    repeated = [
        (
            _("reason seen before"),
            _("{reason} given as the reason in {n} losses since {date}").format(
                reason=areas.get(r.reason, r.reason), n=r.count, date=r.since.isoformat()
            ),
        )
        for r in lost.repeated_reasons
    ]
    reasons = review.labels.get("loss_reason", {})
    block = Block(
        _("Lost deals"),
        facts=[
            (_("deals won"), str(lost.won)),
            (_("deals lost"), str(lost.count)),
            *repeated,
            (_("asked the client why"), pct(lost.asked_why)),
            (_("price stated by the client"), pct(lost.price_stated)),
            (_("price believed to be the real reason"), pct(lost.price_believed)),
            (_("price stated but not believed (an excuse)"), pct(lost.price_excuse)),
            (_("what happened"), _listed(lost.outcomes, review.labels.get("loss_outcome", {}))),
            (_("main reasons"), _listed(lost.reasons, reasons)),
            (_("other reasons that played a part"), _listed(lost.contributing_reasons, reasons)),
            # Wins beside the losses: the same areas, so the two can be compared.
            (
                _("why deals were won"),
                _listed(lost.win_reasons, review.labels.get("win_reason", {})),
            ),
            (_("wins by area"), _listed(lost.win_areas, area_names())),
        ],
        # The built-in areas in the reader's language, the others as saved.
        bars=_counts(lost.categories, areas),
        bars_title=_("Main reason, by area"),
        note=_(
            "Practitioners claim that sellers name price as the reason far more often than "
            "buyers do: a claim from experience, not a measured fact."
        )
        if lost.price_stated.total
        else None,
    )
    if lost.contributing_categories:
        block.more_bars.append(
            (
                _("Other reasons that played a part, by area"),
                _counts(lost.contributing_categories, areas),
            )
        )
    return block


def _understanding(review: Review, ascii_only: bool) -> list[tuple[str, str]]:
    """Knowing and sensing month by month: this period's mean, then the trend."""
    u = review.understanding
    facts = []
    for label, value, series in (
        (_("knowledge by month"), u.knowledge, u.knowledge_series),
        (_("perception by month"), u.perception, u.perception_series),
    ):
        if any(v is not None for v in series):
            facts.append((label, f"{_figure(value, 'mean')} {sparkline(series, ascii_only)}"))
    return facts


def _clients(review: Review, ascii_only: bool = False) -> Block:
    if not review.clients_detail:
        return Block(
            _("Clients"),
            facts=_understanding(review, ascii_only),
            note=_("No client meetings."),
        )
    rows = []
    for c in review.clients_detail:
        gap = _figure(c.gap, "mean", signed=True)
        rows.append(
            [
                c.client,
                str(c.reflections),
                _figure(c.knowledge, "mean"),
                _figure(c.perception, "mean"),
                gap + (" !" if c.gap_flagged else ""),
                _figure(c.energy, "mean", signed=True),
            ]
        )
    flagged = sum(c.gap_flagged for c in review.clients_detail)
    return Block(
        _("Clients"),
        facts=_understanding(review, ascii_only),
        grid=Grid(
            [
                _("client"),
                _("reflections"),
                _("knowledge"),
                _("perception"),
                _("gap"),
                _("energy"),
            ],
            rows,
            numeric={1, 2, 3, 4, 5},
        ),
        note=ngettext(
            "! marks a gap of 2 or more between knowing and perceiving: {n} client.",
            "! marks a gap of 2 or more between knowing and perceiving: {n} clients.",
            flagged,
        ).format(n=flagged)
        if flagged
        else None,
    )


def _quiet(review: Review) -> Block:
    if not review.quiet_clients:
        return Block(
            _("Clients not met for longer than usual"),
            note=_("Every client with a meeting rhythm was met within it."),
        )
    rows, more = _cut(
        [
            [q.client, q.last_met.isoformat(), str(q.days_since), str(q.usual_days)]
            for q in review.quiet_clients
        ]
    )
    return Block(
        _("Clients not met for longer than usual"),
        grid=Grid(
            [_("client"), _("last met"), _("days since"), _("usual gap (days)")],
            rows,
            numeric={2, 3},
        ),
        note=more,
    )


def _drama_names() -> dict[str, str]:
    # The four positions of the drama triangle, named in the reader's language whatever
    # language the reflections were saved in (their labels are whole sentences).
    return {
        "none": _("no role"),
        "victim": _("victim"),
        "rescuer": _("rescuer"),
        "persecutor": _("persecutor"),
    }


def _drama(review: Review) -> Block:
    if not review.drama_roles:
        return Block(_("Drama-triangle roles taken"), note=_("Not asked in this period."))
    return Block(_("Drama-triangle roles taken"), bars=_counts(review.drama_roles, _drama_names()))


def _summary_names() -> dict[str, str]:
    return {
        "rate": _("rate"),
        "mean": _("mean"),
        "distribution": _("distribution"),
        "top": _("most frequent"),
    }


def _in_language(by_language: dict[str, Any], fallback: Any) -> Any:
    """What was saved in the reader's language, else in English, else in any language."""
    from clientcoach.i18n import language

    for wanted in (language(), "en"):
        if wanted in by_language:
            return by_language[wanted]
    return next(iter(by_language.values()), fallback)


def _labels_by_value(by_language: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each value's label in the reader's language, else in English, else in any: value by
    value, as records of several languages each saved the labels of the values they hold
    (a French review showed "Moi", then the raw "client" and "both" of English records)."""
    from clientcoach.i18n import language

    order = [lang for lang in by_language if lang not in (language(), "en")]
    merged: dict[str, str] = {}
    for lang in [*order, "en", language()]:
        merged.update(by_language.get(lang, {}))
    return merged


def _declared(review: Review) -> Block:
    """The other summed-up answers, each named by the question it was asked with (never
    its step id) and its values by their labels: the most answered first, cut short."""
    rows: list[tuple[int, list[str]]] = []
    for d in review.declared:
        if d.key in _COVERED:
            continue
        labels = _labels_by_value(d.labels)
        if d.rate is not None:
            value = pct(d.rate)
        elif d.summary == "mean":
            value = _figure(d.mean, "mean")
        else:
            value = joined(
                f"{_shown_value(c.value, labels)} ({c.count})" for c in d.counts[:MAX_VALUES]
            )
            if len(d.counts) > MAX_VALUES:
                value += " …"
        prompt: str = _in_language(d.prompts, d.key)
        rows.append((d.answered, [single_line(prompt), value]))
    if not rows:
        return Block(_("Other answers"), note=_("No other answers to sum up."))
    rows.sort(key=lambda row: -row[0])  # stable: equal counts keep the playbooks' order
    note = None
    if len(rows) > MAX_OTHER:
        note = _("... and {n} more; coach review --json lists them all.").format(
            n=len(rows) - MAX_OTHER
        )
    return Block(
        _("Other answers, summed up as their playbooks ask"),
        grid=Grid([_("question"), _("result")], [r for _n, r in rows[:MAX_OTHER]]),
        note=note,
    )


def _shown_value(value: str, labels: dict[str, str]) -> str:
    # A choice's own label first: its values may be "yes" and "no" too (Reached, Missed).
    if value in labels:
        return labels[value]
    if value == "yes":
        return _("yes")
    if value == "no":
        return _("no")
    return labels.get(value, value)


# --- the focus points -----------------------------------------------------------------


def focus_text(point: Focus, review: Review) -> str:
    """A focus point as one sentence in the reader's language."""
    subject = point.subject or ""
    if point.kind == "repeated_mistake":
        return _("Prepare a different move for your most repeated mistake: {mistake}").format(
            mistake=subject
        )
    if point.kind == "help_rule":
        rule = _rule_names().get(subject, subject)
        return _("Before helping beyond the scope, check the rule you failed most: {rule}").format(
            rule=rule
        )
    if point.kind == "worsened":
        figure = headline_labels().get(subject, subject)
        return _("Turn around the figure that got worse: {figure}").format(figure=figure)
    if point.kind == "loss_reason":
        areas = {**review.labels.get("believed_reason", {}), **area_names()}
        return _(
            "A reason for losing came back; check it early in your next deals: {reason}"
        ).format(reason=areas.get(subject, subject))
    if point.kind == "commitments_not_kept":
        return _(
            "Try the lesson you committed to before your next meeting with that client "
            "(coach brief CLIENT shows it)."
        )
    if point.kind == "overdue_follow_ups":
        return _(
            "Close or reschedule your overdue follow-ups: coach followups --overdue lists "
            "them, coach done ID closes one."
        )
    return _("Keep reflecting after each meeting.")


def _focus_figure(point: Focus) -> str:
    names = {
        "mistakes.repeated_list": _("most repeated mistake"),
        "help.most_failed": _("most-failed rule"),
        "lost_deals.repeated_reasons": _("reason seen before"),
        "commitments.not_tried": _("lessons not tried"),
        "follow_ups.overdue": _("overdue follow-ups"),
        "reflections": _("reflections"),
    }
    if point.figure.startswith("headline."):
        key = point.figure.removeprefix("headline.")
        return headline_labels().get(key, key)
    return names.get(point.figure, point.figure)


def _focus_value(point: Focus, review: Review) -> tuple[str, str | None]:
    """The figure's value and, when it has one, its previous value, as shown."""
    if point.kind == "worsened":
        kind = next(
            (h.kind for h in review.headline if f"headline.{h.id}" == point.figure), "count"
        )
        signed = point.figure == "headline.energy"
        return _figure(point.value, kind, signed), _figure(point.previous, kind, signed)
    if point.kind == "repeated_mistake":
        days = ", ".join(d.isoformat() for d in point.dates)
        count = int(point.value or 0)
        return ngettext("{n} time ({dates})", "{n} times ({dates})", count).format(
            n=count, dates=days
        ), None
    if point.kind == "help_rule":
        checked = int(point.total or 0)
        return ngettext(
            "failed in {failed} of {checked} check",
            "failed in {failed} of {checked} checks",
            checked,
        ).format(failed=point.value, checked=checked), None
    if point.kind == "loss_reason" and point.dates:
        losses = int(point.value or 0)
        return ngettext("{n} loss since {date}", "{n} losses since {date}", losses).format(
            n=losses, date=point.dates[0].isoformat()
        ), None
    if point.kind == "commitments_not_kept":
        return _("{n} of {total} not tried").format(n=point.value, total=point.total), None
    return str(point.value), None


def focus_evidence(point: Focus, review: Review) -> str:
    """The figure a focus point is drawn from, its value, the one before, the period."""
    value, previous = _focus_value(point, review)
    if point.kind == "repeated_mistake":
        # Its dates run over earlier periods too: "in February" would claim them all.
        return _("{figure}: {value}").format(figure=_focus_figure(point), value=value)
    if previous is not None:
        return _("{figure}: {value} in {period}, {previous} in {before}").format(
            figure=_focus_figure(point),
            value=value,
            period=period_label(review.period),
            previous=previous,
            before=period_label(review.previous),
        )
    return _("{figure}: {value} in {period}").format(
        figure=_focus_figure(point), value=value, period=period_label(review.period)
    )


def focus_title(review: Review) -> str:
    """The focus heading: next month after a review of a month, what comes next after a
    review of other days."""
    if review.period.month:
        return _("Focus for next month")
    return _("Focus for what comes next")


def focus_texts(review: Review) -> list[str]:
    """The focus points as sentences, as a monthly reflection keeps them."""
    return [focus_text(p, review) for p in review.focus]


def focus_json(review: Review) -> list[dict[str, Any]]:
    return [
        {
            "kind": p.kind,
            "text": focus_text(p, review),
            "evidence": {
                "figure": p.figure,
                "value": p.value,
                "previous": p.previous,
                "period": period_label(review.period),
                "subject": p.subject,
                "total": p.total,
                "dates": [d.isoformat() for d in p.dates],
                "text": focus_evidence(p, review),
            },
        }
        for p in review.focus
    ]


def show_focus(console: Console, review: Review) -> None:
    """The focus points, numbered, each over its evidence (wrapped under its sentence)."""
    from rich.table import Table
    from rich.text import Text

    from clientcoach.ui.nobreak import NoBreak

    console.print(Text(focus_title(review), style="bold underline"))
    points = Table.grid(padding=(0, 1))
    points.add_column(no_wrap=True)
    points.add_column(overflow="fold")
    for number, point in enumerate(review.focus, 1):
        body = Text(focus_text(point, review))
        body.append("\n" + focus_evidence(point, review), style="dim")
        # A cell is wrapped by Rich itself: keep French no-break spaces whole there too.
        points.add_row(Text(f"{number}.", style="bold"), NoBreak(body))
    console.print(points)


# --- the terminal ---------------------------------------------------------------------


def title_line(review: Review) -> str:
    title = _("Review of {period}").format(period=period_label(review.period))
    if review.client:
        title += _(" for {client}").format(client=review.client)
    return title


def compared_line(review: Review) -> str:
    counts = (
        ngettext("{n} reflection", "{n} reflections", review.reflections)
        + " "
        + ngettext("from {c} client.", "from {c} clients.", review.clients)
    ).format(n=review.reflections, c=review.clients)
    compared = _("Previous: {previous}. Trend: one mark a month, {first} to {last}.").format(
        previous=period_label(review.previous), first=review.months[0], last=review.months[-1]
    )
    return f"{counts} {compared}"


def show(console: Console, review: Review) -> None:
    """The review on the terminal: readable at 80 columns, with or without colour."""
    from rich.table import Table
    from rich.text import Text

    ascii_only = not console.encoding.lower().startswith("utf")
    console.print(Text(title_line(review), style="bold"))
    console.print(Text(compared_line(review), style="dim"))
    if review.focus:
        console.print()
        show_focus(console, review)
    for block in blocks(review, ascii_only):
        console.print()
        console.print(Text(block.title, style="bold underline"))
        if block.facts:
            facts = Table.grid(padding=(0, 2))
            facts.add_column()
            facts.add_column()
            for label, value in block.facts:
                facts.add_row(_cell(label), _cell(value))
            console.print(facts)
        for title, bars in [(block.bars_title, block.bars), *block.more_bars]:
            if not bars:
                continue
            if title:
                console.print(Text(title, style="italic"))
            console.print(_bar_table(bars, ascii_only))
        if block.grid is not None:
            from clientcoach.ui.render import NARROW, stacked

            if console.width < NARROW:
                stacked(console, block.grid.columns, block.grid.rows)
            else:
                console.print(_table(block.grid))
        if block.note:
            console.print(Text(block.note, style="dim"))


def _table(grid: Grid) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for index, name in enumerate(grid.columns):
        numeric = index in grid.numeric
        table.add_column(
            name, justify="right" if numeric else "left", no_wrap=numeric, overflow="fold"
        )
    for row in grid.rows:
        table.add_row(*(_cell(cell) for cell in row))  # user text is never markup
    return table


def _cell(text: str) -> RenderableType:
    """A table cell: plain text (never markup), never wrapped at a French no-break space
    (Rich wraps a cell by itself, outside the console's own guard)."""
    from rich.text import Text

    from clientcoach.ui.nobreak import NO_BREAK, NoBreak

    shown = Text(text)
    return NoBreak(shown) if any(space in text for space in NO_BREAK) else shown


def _bar_table(bars: list[tuple[str, int]], ascii_only: bool) -> Table:
    from rich.table import Table
    from rich.text import Text

    most = max(n for _, n in bars)
    table = Table.grid(padding=(0, 1))
    table.add_column(max_width=36, overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    for label, count in bars:
        table.add_row(_cell(label), str(count), Text(bar(count, most, ascii_only=ascii_only)))
    return table


def empty_message(review: Review) -> tuple[str, str]:
    where = _(" for {client}").format(client=review.client) if review.client else ""
    return (
        _("No reflections in {period}{where}.").format(
            period=period_label(review.period), where=where
        ),
        _(
            "After your next meeting, run `coach debrief CLIENT`. "
            "To look at another month: coach review --month YYYY-MM"
        ),
    )


def empty(console: Console, review: Review) -> None:
    from rich.text import Text

    message, hint = empty_message(review)
    console.print(Text(message), soft_wrap=True)
    console.print(Text(hint, style="dim"), soft_wrap=True)


def offer_prompt(text: str) -> Text:
    from rich.text import Text

    return Text(text, style="bold")


def focus(console: Console, review: Review) -> None:
    """What the monthly reflection builds on, shown before its first question: the focus
    points, then the top repeated mistake."""
    from rich.text import Text

    top = review.mistakes.repeated_list[:1]
    if review.focus:
        console.print()
        show_focus(console, review)
    console.print()
    if top:
        line = Text(_("Your most repeated mistake: "), style="bold")
        line.append(top[0].mistake)
        day = top[0].last_seen.isoformat()
        line.append(
            _(" ({n} times, last on {day})").format(n=top[0].count, day=day)
            if top[0].count > 1
            else _(" (last on {day})").format(day=day)
        )
    else:
        line = Text(_("No mistake came back this period."), style="bold")
    console.print(line, soft_wrap=True)


# --- Markdown -------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """User text as literal Markdown: on one line, nothing it contains takes effect."""
    return escape.markdown(single_line(text))


def _md_table(columns: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(c) for c in columns) + " |"]
    lines.append(
        "| " + " | ".join("---:" if i in numeric else "---" for i in range(len(columns))) + " |"
    )
    lines += ["| " + " | ".join(md_escape(c) or " " for c in row) + " |" for row in rows]
    return lines


def markdown(review: Review, damaged: list[Damaged]) -> str:
    """A report to share (CommonMark with tables): the same figures as the terminal."""
    lines = [f"# {md_escape(title_line(review))}"]
    if review.empty:
        message, hint = empty_message(review)
        # The hint is the catalogue's own text, its command meant as code: not escaped.
        lines += ["", md_escape(message), "", hint]
    else:
        lines += ["", md_escape(compared_line(review))]
        if review.focus:
            lines += ["", f"## {md_escape(focus_title(review))}", ""]
            for number, point in enumerate(review.focus, 1):
                lines.append(f"{number}. {md_escape(focus_text(point, review))}  ")
                lines.append(f"   *{md_escape(focus_evidence(point, review))}*")
        for block in blocks(review):
            lines += ["", f"## {md_escape(block.title)}", ""]
            if block.facts:
                lines += _md_table([_("figure"), _("value")], [list(f) for f in block.facts], {1})
                lines.append("")
            for title, bars in [(block.bars_title, block.bars), *block.more_bars]:
                if not bars:
                    continue
                most = max(n for _, n in bars)
                if title:
                    lines += [f"**{md_escape(title)}**", ""]
                rows = [[label, str(n), bar(n, most)] for label, n in bars]
                lines += _md_table([_("value"), _("count"), ""], rows, {1})
                lines.append("")
            if block.grid is not None:
                lines += _md_table(block.grid.columns, block.grid.rows, block.grid.numeric)
                lines.append("")
            if block.note:
                lines += [f"*{md_escape(block.note)}*", ""]
    if damaged:
        lines += ["", f"## {_('Damaged files skipped')}", ""]
        named = _("{name}: {value}")
        lines += [
            "- " + named.format(name=md_escape(str(d.path)), value=md_escape(d.reason))
            for d in damaged
        ]
    lines.append("")
    return "\n".join(lines).replace("\n\n\n", "\n\n")


# --- JSON -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Rate):
        return {"count": value.count, "total": value.total, "rate": value.rate}
    if isinstance(value, Period):
        return {
            "start": value.start.isoformat(),
            "end": value.end.isoformat(),
            "month": value.month,
            "so_far": value.so_far.isoformat() if value.so_far else None,
            "label": period_label(value),
        }
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def to_json(review: Review, damaged: list[Damaged]) -> dict[str, Any]:
    """The review as a JSON document (shape documented in the README)."""
    data: dict[str, Any] = {"schema": JSON_SCHEMA}
    data.update(_plain(review))
    data["headline"] = {
        h.id: {"kind": h.kind, "value": h.value, "previous": h.previous, "series": h.series}
        for h in review.headline
    }
    data["focus"] = focus_json(review)
    data["damaged"] = [{"path": str(d.path), "reason": d.reason} for d in damaged]
    return data
