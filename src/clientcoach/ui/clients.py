"""Rendering client memory: the brief before a prep, the plan before a debrief, and the
tables and documents of ``followups``, ``history``, ``show`` and ``clients``.

Every piece of user or playbook text is printed as ``rich.text.Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from rich.console import Console
from rich.text import Text

from clientcoach.i18n import _, ngettext
from clientcoach.insights.clients import Brief, ClientSummary, FollowUp, Hit, Rating
from clientcoach.ui.console import print_item
from clientcoach.ui.messages import joined, kind_name, owner_name

# --- before a meeting ------------------------------------------------------------------

# A brief stays short: the most pressing follow-ups (overdue first), then a pointer.
FOLLOW_UPS_SHOWN = 8


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _ago(day: date, today: date) -> str:
    days = (today - day).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return _("{n} days ago").format(n=days)


def _due(item: FollowUp, today: date, column: bool = False) -> Text:
    """When a follow-up is due; ``column``: under a "due" header, a plain date says it."""
    if item.due is None:
        return Text(_("no date"), style="dim")
    if item.overdue(today):
        return Text(_("overdue since {day}").format(day=item.due.isoformat()), style="red")
    if item.due == today:
        return Text(_("due today"), style="yellow")
    if column:
        return Text(item.due.isoformat())
    return Text(_("due {day}").format(day=item.due.isoformat()))


def _times(count: int) -> str:
    return _("once") if count == 1 else _("{n} times").format(n=count)


def brief(
    console: Console, memory: Brief, today: date, damaged: int = 0, before_prep: bool = True
) -> None:
    """The short brief shown before a prep's first question, or by `coach brief`."""
    if memory.empty:
        text = (
            _("No history with {client} yet: this is your first reflection about them.")
            if before_prep
            else _("No reflections about {client} yet.")
        )
        console.print(Text(text.format(client=memory.client), style="dim"), soft_wrap=True)
        _for_all(console, memory)  # what you learnt elsewhere holds here too
        return
    title = Text(_("What you know about "), style="bold")
    title.append(memory.client, style="bold")
    detail = ngettext("{n} reflection", "{n} reflections", memory.records).format(n=memory.records)
    if memory.last_meeting is not None:
        detail += _(", last meeting {day} ({ago})").format(
            day=memory.last_meeting.isoformat(), ago=_ago(memory.last_meeting, today)
        )
    title.append(f" · {detail}", style="dim")
    console.print()
    console.print(title)
    if memory.follow_ups:
        console.print(Text(_("Open follow-ups:"), style="bold"))
        for item in memory.follow_ups[:FOLLOW_UPS_SHOWN]:
            line = Text("  ")
            line.append_text(_due(item, today))
            line.append("  " + _("{name}: {value}").format(name=owner_name(item.owner), value=""))
            line.append(item.what)
            line.append(f"  [{item.short_id}]", style="dim")
            console.print(line, soft_wrap=True)
        hidden = len(memory.follow_ups) - FOLLOW_UPS_SHOWN
        if hidden > 0:
            more = _("  ... and {n} more: coach followups --client {client}")
            console.print(Text(more.format(n=hidden, client=_quote(memory.client)), style="dim"))
    else:
        console.print(Text(_("No open follow-ups."), style="dim"))
    if memory.deep_dives:
        from clientcoach.ui.deepdive import in_brief

        in_brief(console, memory.deep_dives)
    if memory.trolls:
        line = Text(_("Trolls seen: "), style="bold")
        for index, (topic, count) in enumerate(memory.trolls[:FOLLOW_UPS_SHOWN]):
            if index:
                line.append(", ")
            line.append(topic)
            line.append(f" ({_times(count)})", style="dim")
        console.print(line, soft_wrap=True)
    latest = memory.commitments.get("lesson")
    lessons = memory.lessons
    if latest is not None:
        # The latest is shown with the commitments below: here, the others.
        lessons = [e for e in lessons if e.text != latest.text]
    for label, entries in (
        (_("Last lessons: ") if latest is None else _("Other lessons: "), lessons),
        (_("Last mistakes: "), memory.mistakes),
    ):
        if entries:
            line = Text(label, style="bold")
            line.append(joined(e.text for e in entries))
            console.print(line, soft_wrap=True)
    _for_all(console, memory)
    _commitments(console, memory)
    ratings = [
        (_("knowledge"), memory.knowledge),
        (_("perception"), memory.perception),
    ]
    shown = [(name, r) for name, r in ratings if r is not None]
    if shown:
        line = Text(_("Last ratings: "), style="bold")
        line.append(", ".join(_rating(name, r) for name, r in shown))
        console.print(line)
    if damaged:
        console.print(
            Text(
                ngettext(
                    "({n} damaged file skipped)", "({n} damaged files skipped)", damaged
                ).format(n=damaged),
                style="yellow",
            )
        )
    console.print()


def _for_all(console: Console, memory: Brief) -> None:
    """Lessons from other clients' debriefs said to apply with any client."""
    if not memory.for_all:
        return
    line = Text(_("For any client: "), style="bold")
    for index, lesson in enumerate(memory.for_all):
        if index:
            line.append(_("; "))  # as `joined` separates a list
        line.append(lesson.text)
        line.append(f" ({lesson.client}, {lesson.day.isoformat()})", style="dim")
    console.print(line, soft_wrap=True)


def _commitments(console: Console, memory: Brief) -> None:
    """What the latest debriefs and review committed to, each with its date."""
    labels = {
        "lesson": _("Latest lesson: "),
        "troll_plan": _("Next time a troll shows up: "),
        "help_fix": _("Help to put right: "),
        "try": _("Your latest review said to try: "),
        "mistake_commitment": _("When the repeated mistake comes back: "),
    }
    shown = [
        (labels[role], memory.commitments[role]) for role in labels if role in memory.commitments
    ]
    if not shown:
        return
    console.print(Text(_("Your commitments:"), style="bold"))
    for label, commitment in shown:
        line = Text(f"  {label}", style="bold")
        line.append(commitment.text)
        line.append(f" ({commitment.day.isoformat()})", style="dim")
        if console.is_terminal:
            print_item(console, line)
        else:
            console.print(line, soft_wrap=True)


def _rating(name: str, rating: Rating) -> str:
    return _("{name} {value} ({day})").format(
        name=name, value=rating.value, day=rating.day.isoformat()
    )


# --- tables ----------------------------------------------------------------------------


# Ids are typed back into other commands: never cut or wrapped.
_WHOLE = {"id", "date"}


Rows = tuple[list[str], Sequence[Sequence[Text]]]


def print_rows(console: Console, rows: Rows) -> None:
    """A grid whose long texts wrap in their column (see render.grid), or on a narrow
    terminal one small stack per row (see render.stacked)."""
    from clientcoach.ui.render import NARROW, grid, stacked

    columns, cells = rows
    whole = {_(c) for c in _WHOLE}
    if console.width < NARROW or not grid(
        console, columns, cells, [i for i, name in enumerate(columns) if name in whole]
    ):
        stacked(console, columns, cells)


def follow_up_table(found: list[FollowUp], today: date) -> Rows:
    """The follow-ups' rows, each made as it is drawn (see render.Made)."""
    from clientcoach.ui.render import Made

    def row(item: FollowUp) -> list[Text]:
        due = (
            _due(item, today, column=True)
            if item.done is None
            else Text(_("done {day}").format(day=item.done), style="green")
        )
        return [
            Text(item.short_id),
            Text(item.client),
            due,
            Text(owner_name(item.owner)),
            Text(item.what),
        ]

    return [_("id"), _("client"), _("due"), _("owner"), _("what")], Made(found, row)


def history_table(found: list[tuple[dict[str, Any], list[Hit]]], grep: bool) -> Rows:
    columns = [_("date"), _("kind"), _("client"), _("title"), _("id")]
    if grep:
        columns.append(_("found"))
    rows: list[list[Text]] = []
    for record, hits in found:
        row = [
            Text(record["meeting"]["date"]),
            Text(_kind_label(record)),
            Text(record["client"]),
            Text(str(record["meeting"].get("title") or "")),
            Text(record["id"]),
        ]
        if grep:
            row.append(_found(hits, 60) if hits else Text())
        rows.append(row)
    return columns, rows


def _found(hits: list[Hit], room: int) -> Text:
    """Where a search found its first text, the question that asked it cut to a third of
    ``room``, then the text on one line and how many more matched."""
    first = hits[0]
    asked = first.prompt or (_("title") if first.where == "meeting.title" else first.where)
    label = Text(asked, style="dim")
    label.truncate(max(room // 3, 12), overflow="ellipsis")
    # A question already ends on its mark: no colon after it (as on the answers screen).
    if asked.endswith(("?", "!", ":", ".")) and label.plain == asked:
        label.append(" ")
    else:
        label = Text(_("{name}: ").format(name=label.plain), style="dim")
    label.append(" ".join(first.text.split()))
    if len(hits) > 1:
        label.append(_(" (+{n} more)").format(n=len(hits) - 1), style="dim")
    return label


def _kind_label(record: dict[str, Any]) -> str:
    # A deep-dive walked later is saved with its playbook's kind, "any".
    return kind_name(str(record["kind"]))


def _title(record: dict[str, Any]) -> str:
    return str(record["meeting"].get("title") or "")


def print_history(
    console: Console, found: list[tuple[dict[str, Any], list[Hit]]], grep: bool
) -> None:
    """One line per reflection, the client and the title cut to fit, the id whole; with
    ``grep`` the first match on a second, indented line. A table would wrap long names and
    titles over several lines each, and a search result into a narrow column."""
    from rich.cells import cell_len

    from clientcoach.ui.render import NARROW, fit

    if console.width < NARROW:
        print_rows(console, history_table(found, grep))
        return
    # Measured in terminal cells, as they are cut: a Japanese character takes two.
    kinds = max([cell_len(_("kind")), *(cell_len(_kind_label(r)) for r, _hits in found)])
    ids = max(cell_len(r["id"]) for r, _hits in found)
    free = console.width - (10 + kinds + ids + 4 * 2)
    # The client and the title give way as the grid's columns do (see render.fit): the
    # wider first, so a long title on one row does not cut every client.
    longest = max([cell_len(_("client")), *(cell_len(r["client"]) for r, _hits in found)])
    titles = max([cell_len(_("title")), *(cell_len(_title(r)) for r, _hits in found)])
    # At the narrowest, the title is what goes (the client is whom the line is about).
    client_width, title_width = fit([longest, titles], [cell_len(_("client")), 0], free - 2)
    title_width = max(title_width, 0)

    def line(date: str, kind: str, client: str, title: str, rid: str, style: str = "") -> Text:
        cells = [
            (date, 10),
            (kind, kinds),
            (client, client_width),
            (title, title_width),
        ]
        text = Text(style=style, no_wrap=True)
        for value, width in cells:
            cell = Text(value)
            cell.truncate(width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append("  ")
        text.append(rid)
        return text

    heading = line(_("date"), _("kind"), _("client"), _("title"), _("id"), style="bold")
    console.print(heading, soft_wrap=True)
    full = 10 + kinds + client_width + title_width + ids + 4 * 2
    console.print(Text("─" * min(console.width, full), style="dim"), soft_wrap=True)
    for record, hits in found:
        console.print(
            line(
                record["meeting"]["date"],
                _kind_label(record),
                record["client"],
                _title(record),
                record["id"],
            ),
            soft_wrap=True,
        )
        if grep and hits:
            hit = Text(" " * 12)
            hit.append_text(_found(hits, console.width - 12))
            hit.truncate(console.width, overflow="ellipsis")
            console.print(hit, soft_wrap=True)


def clients_table(summaries: list[ClientSummary]) -> Rows:
    columns = [_("client"), _("meetings"), _("last seen"), _("open follow-ups"), _("overdue")]
    coming = any(s.next_meeting for s in summaries)
    if coming:  # a prep done ahead: its meeting is counted, and shown as the next one
        columns.insert(3, _("next meeting"))
    rows = []
    for s in summaries:
        row = [
            Text(s.name),
            Text(str(s.meetings)),
            Text(s.last_seen.isoformat() if s.last_seen else "-"),
            Text(str(s.open_follow_ups)),
            Text(str(s.overdue), style="red" if s.overdue else ""),
        ]
        if coming:
            row.insert(3, Text(s.next_meeting.isoformat() if s.next_meeting else ""))
        rows.append(row)
    return columns, rows


# --- one reflection --------------------------------------------------------------------


def _value(answer: dict[str, Any]) -> str:
    value = answer.get("value")
    label = answer.get("label")
    if label is not None:
        value = label
    if value is None:
        return _("(skipped)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return joined(str(v) for v in value)
    return str(value)


def _notes(answer: dict[str, Any]) -> list[str]:
    notes: list[str] = []
    planned = answer.get("planned")
    if planned is not None:
        shown = joined(planned) if isinstance(planned, list) else str(planned)
        notes.append(_("planned: {plan}").format(plan=shown))
    if answer.get("done"):
        notes.append(_("done {day}").format(day=answer["done"]))
    link = answer.get("repeat_of")
    if isinstance(link, dict):
        notes.append(
            _("repeats {text!r} from {id}").format(text=link.get("text"), id=link.get("reflection"))
        )
    return notes


Line = tuple[int, str, str, list[str]]  # depth, "section" | "answer", text, notes


def _item_title(loop: dict[str, Any]) -> str:
    """What one item of a loop is called: as saved, else its step id made readable (the
    run asked with the same fallback), for reflections saved before titles were."""
    title = loop.get("item")
    if isinstance(title, str) and title.strip():
        return title
    return str(loop.get("step") or "?").replace("_", " ").capitalize()


def _lines(answers: list[Any], depth: int) -> Iterator[Line]:
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        prompt = str(answer.get("prompt") or answer.get("step") or "?")
        if isinstance(answer.get("answers"), list):
            yield depth, "section", prompt, []
            yield from _lines(answer["answers"], depth + 1)
        elif isinstance(answer.get("items"), list):
            for index, item in enumerate(answer["items"], start=1):
                if isinstance(item, list):
                    yield depth, "section", f"{_item_title(answer)} {index}", []
                    yield from _lines(item, depth + 1)
        else:
            yield depth, "answer", f"{prompt}\n{_value(answer)}", _notes(answer)


def _header(record: dict[str, Any]) -> list[tuple[str, str]]:
    meeting = record["meeting"]
    rows = [
        (_("kind"), _kind_label(record)),
        (_("client"), record["client"]),
        (
            _("meeting"),
            meeting["date"] + (f" · {meeting['title']}" if meeting.get("title") else ""),
        ),
        (_("id"), record["id"]),
    ]
    playbook = record.get("playbook")
    if isinstance(playbook, dict):
        rows.append((_("playbook"), f"{playbook.get('id')} {playbook.get('version')}"))
    links = record.get("links")
    if isinstance(links, dict) and links.get("prep"):
        rows.append((_("follows prep"), str(links["prep"])))
    if isinstance(record.get("edited"), str):  # changed since by `coach edit`
        rows.append((_("edited"), record["edited"]))
    return rows


def show_text(console: Console, record: dict[str, Any]) -> None:
    for name, value in _header(record):
        line = Text(_("{name}: ").format(name=name), style="bold")
        line.append(value)
        console.print(line, soft_wrap=True)
    for depth, kind, text, notes in _lines(record["answers"], 0):
        pad = "  " * depth
        if kind == "section":
            console.print(Text(f"{pad}{text}", style="bold cyan"), soft_wrap=True)
            continue
        prompt, value = text.split("\n", 1)
        console.print(Text(f"{pad}{prompt}", style="dim"), soft_wrap=True)
        line = Text(f"{pad}  {value}")
        for note in notes:
            line.append(f"  ({note})", style="dim")
        console.print(line, soft_wrap=True)


def show_markdown(record: dict[str, Any]) -> str:
    """One reflection as Markdown: every text from the record is escaped (``escape``)."""
    from clientcoach.ui.escape import markdown as md

    def block(text: str) -> str:
        # Several-line answers keep their lines, each escaped.
        return "  \n".join(md(part) for part in text.split("\n"))

    meeting = record["meeting"]
    # The kind in the reader's words ("Débrief", "Approfondissement"); a review of all
    # clients names none.
    parts = [kind_name(str(record["kind"])).capitalize(), record["client"], meeting["date"]]
    heading = " · ".join(str(part) for part in parts if part)
    out = [f"# {md(heading)}", ""]
    for name, value in _header(record):
        out.append(f"- **{md(name)}**: {md(value)}")
    out.append("")
    for depth, kind, text, notes in _lines(record["answers"], 0):
        if kind == "section":
            out.extend([f"{'#' * min(depth + 2, 6)} {md(text)}", ""])
            continue
        prompt, value = text.split("\n", 1)
        extra = "".join(f" _({md(note)})_" for note in notes)
        out.extend([f"**{md(prompt)}**", "", f"{block(value)}{extra}", ""])
    return "\n".join(out).rstrip() + "\n"
