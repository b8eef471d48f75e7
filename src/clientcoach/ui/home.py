"""The home screen as text (styled on a terminal, plain when piped) and as JSON.

Both are made from the same lines: a line is a list of (text, style) segments, drawn by
Rich only when standard output is a terminal, so ``coach | cat`` never loads Rich and
holds no escape code. Every text a user typed goes through the one output escaper.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from clientcoach.i18n import _, ngettext
from clientcoach.ui.messages import Segment, kind_name, printable

if TYPE_CHECKING:
    from clientcoach.app.home import Home
    from clientcoach.insights.clients import FollowUp

Line = list[Segment]


def _client(client: str) -> str:
    return client or _("all clients")


def _heading(text: str, count: int, total: int | None) -> Line:
    shown = f"{text} ({total if total is not None else count})"
    return [(shown, "bold")]


def _more(total: int | None, shown: int, command: str) -> list[Line]:
    if total is None or total <= shown:
        return []
    more = ngettext(
        "  … and {n} more: {command}", "  … and {n} more: {command}", total - shown
    ).format(n=total - shown, command=command)
    return [[(more, "dim")]]


def _follow_up(f: FollowUp, today_late: bool, days: int) -> Line:
    line: Line = [("  ", ""), (f.short_id, "cyan"), ("  ", "")]
    if f.due is not None:
        line.append((f.due.isoformat(), "red" if today_late else ""))
        line.append(("  ", ""))
    line.append((printable(_client(f.client)), "bold"))
    line.append(("  " + printable(" ".join(f.what.split())), ""))
    if f.owner == "client":
        line.append(("  " + _("(the client's)"), "dim"))
    if today_late:
        late = ngettext("({n} day late)", "({n} days late)", days).format(n=days)
        line.append(("  " + late, "red"))
    return line


def lines(home: Home) -> list[Line]:
    """The home screen, line by line."""
    if home.first_run:
        return _welcome()
    today = home.today
    found: list[Line] = [[(_("Today: {day}").format(day=today.isoformat()), "bold")], []]

    def follow_ups(title: str, name: str, items: list[FollowUp], more: str) -> None:
        if not items:
            return
        total = home.totals.get(name)
        found.append(_heading(title, len(items), total))
        for f in items:
            late = f.overdue(today)
            found.append(_follow_up(f, late, (today - f.due).days if late and f.due else 0))
        found.extend(_more(total, len(items), more))
        found.append([])

    follow_ups(_("Overdue follow-ups"), "overdue", home.overdue, "coach followups --overdue")
    follow_ups(
        ngettext(
            "Follow-ups due in the next {n} day",
            "Follow-ups due in the next {n} days",
            _upcoming_days(),
        ).format(n=_upcoming_days()),
        "upcoming",
        home.upcoming,
        "coach followups",
    )
    if not home.overdue and not home.upcoming:
        found.append([(_("No follow-up is overdue or due within a week."), "green")])
        found.append([])
    if home.later:
        later = ngettext(
            "{n} more open follow-up, due later or undated: coach followups",
            "{n} more open follow-ups, due later or undated: coach followups",
            home.later,
        ).format(n=home.later)
        found += [[(later, "dim")], []]
    follow_ups(_("Touchpoints"), "touchpoints", home.touchpoints, "coach followups")
    if home.deep_dives:
        total = home.totals.get("deep_dives")
        found.append(_heading(_("Deep-dives waiting"), len(home.deep_dives), total))
        for d in home.deep_dives:
            found.append(
                [
                    ("  ", ""),
                    (d.short_id, "cyan"),
                    ("  " + d.meeting.isoformat() + "  ", ""),
                    (printable(_client(d.client)), "bold"),
                    ("  " + printable(d.what), ""),
                ]
            )
        found.extend(_more(total, len(home.deep_dives), "coach deepdive"))
        found.append([])
    if home.drafts:
        total = home.totals.get("drafts")
        found.append(_heading(_("Unfinished drafts"), len(home.drafts), total))
        for draft in home.drafts:
            what = ngettext(
                "{kind} for {client}, {count} answer",
                "{kind} for {client}, {count} answers",
                draft.count,
            ).format(
                kind=kind_name(draft.kind),
                client=printable(_client(draft.client)),
                count=draft.count,
            )
            found.append([("  ", ""), (f"coach resume {draft.id}", "cyan"), ("  " + what, "")])
        found.extend(_more(total, len(home.drafts), "coach drafts"))
        found.append([])
    found.append(_review_line(home))
    found.append([])
    if home.quiet:
        total = home.totals.get("quiet")
        found.append(_heading(_("Gone quiet, against their own rhythm"), len(home.quiet), total))
        for q in home.quiet:
            said = ngettext(
                "last met {day}, {n} day ago", "last met {day}, {n} days ago", q.days_since
            ).format(day=q.last_met.isoformat(), n=q.days_since)
            usual = ngettext(
                "usually every {n} day", "usually every {n} days", q.usual_days
            ).format(n=q.usual_days)
            found.append([("  ", ""), (printable(q.client), "bold"), (f"  {said} ({usual})", "")])
        found.extend(_more(total, len(home.quiet), "coach review"))
        found.append([])
    line = [(_("Next: "), "bold"), (printable(home.next_step.command), "bold cyan")]
    if home.next_step.theirs:
        line.append(("  " + _("(the client's: chase it, then mark it done)"), "dim"))
    found.append(line)
    return found


def _upcoming_days() -> int:
    from clientcoach.app.home import UPCOMING_DAYS

    return UPCOMING_DAYS


def _review_line(home: Home) -> Line:
    days = home.days_since_review
    if days is None or home.last_review is None:
        text = _("Monthly review: none yet.")
    elif days == 0:
        text = _("Monthly review: the last one was today ({day}).").format(
            day=home.last_review.isoformat()
        )
    else:
        text = ngettext(
            "Monthly review: the last one was {n} day ago ({day}).",
            "Monthly review: the last one was {n} days ago ({day}).",
            days,
        ).format(n=days, day=home.last_review.isoformat())
    line: Line = [(text, "")]
    if home.review_due:
        line.append((" " + _("One is due: coach review"), "yellow"))
    return line


def _welcome() -> list[Line]:
    return [
        [(_("Welcome to clientcoach."), "bold")],
        [(_("Nothing is saved yet. Before your next client meeting, run:"), "")],
        [("  coach prep CLIENT", "bold cyan")],
        [(_("Right after the meeting: coach debrief CLIENT. Every command: coach --help"), "dim")],
        [],
        [(_("Next: "), "bold"), ("coach prep CLIENT", "bold cyan")],
    ]


def show(home: Home) -> None:
    """The home screen on standard output: styled on a terminal, plain text otherwise."""
    drawn = lines(home)
    if _stdout_terminal():
        from rich.text import Text

        from clientcoach.ui.console import out, print_item

        con = out()
        for line in drawn:
            print_item(con, Text.assemble(*line))
        return
    sys.stdout.write("".join("".join(text for text, _style in line) + "\n" for line in drawn))
    sys.stdout.flush()


def _stdout_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def to_json(home: Home) -> dict[str, Any]:
    """The same items as the screen, as JSON values."""
    today = home.today
    return {
        "today": today.isoformat(),
        "first_run": home.first_run,
        "reflections": home.reflections,
        "overdue": [f.to_json(today) for f in home.overdue],
        "upcoming": [f.to_json(today) for f in home.upcoming],
        "touchpoints": [f.to_json(today) for f in home.touchpoints],
        "deep_dives": [f.to_json(today) for f in home.deep_dives],
        "drafts": [
            {
                "id": d.id,
                "kind": d.kind,
                "client": d.client,
                "meeting_date": d.meeting.date.isoformat(),
                "answers": d.count,
                "updated_at": d.updated_at.isoformat(),
                "resume": f"coach resume {d.id}",
            }
            for d in home.drafts
        ],
        "later_follow_ups": home.later,
        "totals": home.totals,
        "last_review": home.last_review.isoformat() if home.last_review else None,
        "days_since_review": home.days_since_review,
        "review_due": home.review_due,
        "quiet_clients": [
            {
                "client": q.client,
                "usual_days": q.usual_days,
                "last_met": q.last_met.isoformat(),
                "days_since": q.days_since,
            }
            for q in home.quiet
        ],
        "next": {
            "action": home.next_step.action,
            "ref": home.next_step.ref,
            "command": home.next_step.command,
            "theirs": home.next_step.theirs,
        },
    }
