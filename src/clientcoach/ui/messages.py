"""The few messages a scripted run prints, without loading Rich when no one is looking.

On a terminal they go through the Rich message console (colour, ``--no-color``,
``NO_COLOR``); when standard error is a pipe or a file they are written as plain text,
so a scripted ``coach debrief --answers`` never pays for loading Rich.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.insights.clients import FollowUp
    from clientcoach.model.draft import Draft
    from clientcoach.model.reflection import Reflection

# A piece of a line and its Rich style ("" for none).
Segment = tuple[str, str]


def printable(text: str) -> str:
    """``text`` through the one output escaper (:func:`clientcoach.ui.escape.visible`): a
    title holding an escape sequence must not drive the reader's terminal, now or when
    piped output is shown later."""
    from clientcoach.ui.escape import visible

    return visible(text)


def emit(*segments: Segment, soft_wrap: bool = False, item: bool = False) -> None:
    """One message line on standard error; ``item``: one item of a list, which a
    terminal shows wrapped under its own text (see ``ui.console.print_item``)."""
    clean = [(printable(text), style) for text, style in segments]
    if sys.stderr.isatty():
        from rich.text import Text

        from clientcoach.ui.console import console, print_item

        if item:
            print_item(console(), Text.assemble(*clean))
        else:
            console().print(Text.assemble(*clean), soft_wrap=soft_wrap)
    else:
        sys.stderr.write("".join(text for text, _style in clean) + "\n")
        sys.stderr.flush()


def kind_name(kind: str) -> str:
    """A reflection's kind as the reader calls it ("préparation" in French)."""
    # Only a deep-dive walked later is saved with the kind "any" (its playbook's kind).
    kinds = {
        "prep": _("prep"),
        "debrief": _("debrief"),
        "review": _("review"),
        "any": _("deep-dive"),
    }
    return kinds.get(kind, kind)


def joined(texts: Iterable[str]) -> str:
    """Several answers on one line, separated as the reader's language writes a list
    ("a; b"; in French with a narrow no-break space before the semicolon)."""
    return _("; ").join(texts)


def owner_name(owner: str | None) -> str:
    """Whose move a follow-up is, as the reader calls it ("moi" in French)."""
    names = {"me": _("me"), "client": _("client"), "both": _("both")}
    return names.get(owner or "", owner or "?")


def saved(reflection: Reflection, path: Path, show_path: bool) -> None:
    """Where the reflection went, and what to run next."""
    kind = kind_name(reflection.kind)
    line: list[Segment] = [(_("Saved") + " ", "green")]
    if reflection.client:  # a review of all clients has none
        line.append((_("your {kind} for").format(kind=kind) + " ", "green"))
        line.append((reflection.client, "bold green"))
    else:
        line.append((_("your {kind}").format(kind=kind), "green"))
    line.append((" " + _("(id {id})").format(id=reflection.id), "green"))
    if show_path:
        line.append((" " + _("in {path}").format(path=path), "green"))
    emit(*line, soft_wrap=True)
    client = _quote(reflection.client)
    if reflection.kind == "prep":
        hint = _("Right after the meeting, run: coach debrief {client}").format(client=client)
    elif reflection.kind in ("debrief", "any"):
        hint = _("Before your next meeting with them, run: coach prep {client}").format(
            client=client
        )
    elif reflection.kind == "review":
        hint = _("Next month, run: coach review --last")
    else:
        hint = _("Your reflections stay on this machine, in the data directory.")
    emit((hint, "dim"))


def linked(prep: Reflection) -> None:
    """The prep a debrief follows."""
    line = _("Following your prep of {date}").format(date=f"{prep.meeting.date:%Y-%m-%d}")
    if prep.meeting.title:
        line += f" ({prep.meeting.title})"
    emit((line + ", " + _("id {id}.").format(id=prep.id), "dim"))


def not_linked(prep: Reflection) -> None:
    """The latest prep, not linked: a debrief already follows it."""
    emit(
        (
            _(
                "Not linked to your prep of {date}: a debrief already follows it "
                "(to link it anyway: --prep {id})."
            ).format(date=f"{prep.meeting.date:%Y-%m-%d}", id=prep.id),
            "dim",
        ),
        soft_wrap=True,
    )


# What a debrief shows of its prep's plan, by role, in this order.
PLAN_ROLES = (
    "goal",
    "next_step_target",
    "troll_expected",
    "troll_intention",
    "commitment",
    "client_advance",
    "help_fix",
)


def plan(planned: Mapping[str, Any]) -> None:
    """The linked prep's plan, shown before a debrief's first question."""
    labels = {
        "goal": _("Goal: "),
        "next_step_target": _("Next step aimed for: "),
        "troll_expected": _("Trolls expected: "),
        "troll_intention": _("If a troll showed up, you would first: "),
        "commitment": _("Your latest lesson: "),
        "client_advance": _("The client committed to: "),
        "help_fix": _("Help to put right: "),
    }
    lines = [(labels[role], planned[role]) for role in PLAN_ROLES if role in planned]
    if not lines:
        return
    emit((_("Your plan:"), "bold"))
    for label, value in lines:
        shown = joined(value) if isinstance(value, list) else str(value)
        emit((f"  {label}", "bold"), (shown, "bold"), soft_wrap=True, item=True)
    emit()


def unfinished(drafts: list[Draft], offered: bool = False) -> None:
    """A run started again while a draft of the same kind and client waits; ``offered``:
    the question that follows offers to go on with it."""
    newest = drafts[0]
    more = len(drafts) - 1
    text = (
        _(
            "You have an unfinished {kind} for {client}: the meeting of {day}, with the "
            "{playbook} playbook (draft {id}, started {started:%Y-%m-%d %H:%M})."
        )
        if offered
        else _(
            "You have an unfinished {kind} for {client} (draft {id}, started "
            "{started:%Y-%m-%d %H:%M}). To finish it instead, stop here with Ctrl-C and run: "
            "coach resume {id}"
        )
    ).format(
        kind=kind_name(newest.kind),
        client=newest.client,
        id=newest.id,
        started=newest.started_at,
        day=f"{newest.meeting.date:%Y-%m-%d}",
        playbook=newest.playbook.id,
    )
    if more:
        text += " " + _("({count} more: coach drafts)").format(count=more)
    emit((text, "yellow"), soft_wrap=True)


def deep_dive_waiting(dive: FollowUp, scripted: bool) -> None:
    """A playbook walked on its own as a debrief while a deep-dive waits for it."""
    text = _("{what}, left for later by your debrief of {day} ({id}).").format(
        what=dive.what, day=f"{dive.meeting:%Y-%m-%d}", id=dive.short_id
    )
    if scripted:
        text += " " + _(
            "This run is saved as a debrief of its own and that deep-dive stays: "
            "`coach deepdive {id}` walks it linked to that debrief."
        ).format(id=dive.short_id)
    emit((text, "yellow"), soft_wrap=True)


def recorded_since(draft: Draft, reflection: Reflection) -> None:
    """A draft resumed after its meeting was recorded again: most often a duplicate."""
    emit(
        (
            _(
                "A {kind} for {client} on {day} was saved after this draft began (id {rid}). "
                "If it is the same meeting, drop this draft instead: coach drafts discard {id}"
            ).format(
                kind=kind_name(reflection.kind),
                client=reflection.client,
                day=f"{reflection.meeting.date:%Y-%m-%d}",
                rid=reflection.id,
                id=draft.id,
            ),
            "yellow",
        ),
        soft_wrap=True,
    )


def _quote(client: str) -> str:
    import shlex

    return shlex.quote(client)
