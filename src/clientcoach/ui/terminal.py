"""The terminal asker: asks a person, one step at a time, on standard error.

Kept apart from :mod:`clientcoach.app.scripted` (answers files), so a scripted run never loads
Rich or line editing.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.text import Text

from clientcoach.app.scripted import one_line
from clientcoach.core.dates import long_date
from clientcoach.core.engine import (
    Address,
    AnswerError,
    Earlier,
    Question,
    Run,
    coerce_bool,
    label_of,
)
from clientcoach.i18n import _, ngettext
from clientcoach.model.draft import Draft
from clientcoach.model.playbook import (
    ChoiceStep,
    ConfirmStep,
    DateStep,
    ListStep,
    LongTextStep,
    MultiChoiceStep,
    NumberStep,
    Playbook,
    RatingStep,
    Step,
)
from clientcoach.model.reflection import Value
from clientcoach.ui.messages import joined

# --- the terminal ---------------------------------------------------------------------

ReadLine = Callable[[Text], str]
Edit = Callable[[str], str | None]
# Called after every change with the answers a draft keeps (the run's, then any not
# replayed yet, in the order given), those it remembers, and which of those were being
# typed when the run stopped.
OnChange = Callable[
    [
        list[tuple[Address, Value]],
        list[tuple[Address, Value]],
        frozenset[Address],
        Mapping[Address, Earlier],
    ],
    None,
]

# Earlier answers offered as the one a new answer repeats: the newest few.
OFFERS_SHOWN = 9

HELP_KEY = "?"
BACK_KEY = "<"
EDIT_KEY = ":e"
SKIP_KEY = "-"


class TerminalAsker:
    """Asks a person, one step at a time, on a Rich console (standard error)."""

    def __init__(
        self, console: Console, read: ReadLine | None = None, edit: Edit | None = None
    ) -> None:
        self.console = console
        self.read: ReadLine = read or self._read
        self.edit: Edit = edit or _edit
        self._context: tuple[str, ...] = ()
        # Answers given so far, kept when the user goes back so Enter can restore them.
        self._given: dict[Address, Value] = {}
        self._line_editing = read is None and _enable_line_editing()
        self.on_change: OnChange | None = None
        # Answers of a resumed draft not replayed yet (see Run.fill), and the earlier
        # answers some of them were linked to as repeats.
        self.pending: dict[Address, Value] = {}
        self.links: dict[Address, Earlier] = {}
        # Steps of several lines being typed when the run stopped: their lines are in
        # ``_given``, and the step, asked again, goes on from them.
        self._halfway: set[Address] = set()

    def _read(self, prompt: Text) -> str:
        with _signals_seen_while_waiting():
            line = self.console.input(prompt)
        if not line and self._line_editing:
            # readline echoes no newline for an empty line when it did not print the
            # prompt itself; without this the next message lands on the prompt line.
            self.console.print()
        return line

    def stopped(self, draft: Draft | None) -> None:
        """Say the run stopped, and how to go on when ``draft`` keeps its answers."""
        if draft is None:
            message = Text(
                _("\nStopped. Nothing from this run was saved; earlier reflections are untouched.")
            )
        elif not draft.count and draft.halfway():
            message = Text(
                _("\nStopped. The lines you were typing are kept as draft {id}.").format(
                    id=draft.id
                )
            )
        else:
            said = ngettext(
                "\nStopped. Your {count} answer so far is kept as draft {id}.",
                "\nStopped. Your {count} answers so far are kept as draft {id}.",
                draft.count,
            ).format(count=draft.count, id=draft.id)
            if draft.halfway():
                said += " " + _("The lines you were typing are kept too.")
            message = Text(said)
        if draft is not None:
            message.append(
                # The command alone on its line: a narrow terminal never splits it.
                _("\nTo continue where you stopped, run:\n  coach resume {id}").format(id=draft.id),
                style="bold",
            )
        self.console.print(message)

    def intro(self, playbook: Playbook, client: str, meeting: str | None = None) -> None:
        self.console.print()
        title = Text(playbook.title, style="bold")
        title.append(" · ", style="dim")
        title.append(client)
        if meeting:
            from clientcoach.ui.messages import printable

            title.append(" · ", style="dim")
            title.append(printable(meeting))
        self.console.print(title, soft_wrap=True)
        if playbook.summary:
            self.console.print(Text(playbook.summary, style="dim"))
        self.console.print(
            Text(
                _(
                    "Type {help} for help on a step, {back} to go back one step, "
                    "Enter to skip an optional step. Ctrl-C stops; your answers so far are "
                    "kept as a draft."
                ).format(help=HELP_KEY, back=BACK_KEY),
                style="dim",
            )
        )

    def ask(self, run: Run) -> None:
        while True:
            before = dict(self.pending)
            refusals = run.fill(self.pending, self.links)
            # Replayed answers are remembered like typed ones: going back to one offers it.
            for address in before.keys() - self.pending.keys():
                if address in run.answers:
                    self._given.setdefault(address, run.answers[address])
            for refused, reason in refusals:
                self._no_longer_fits(refused, reason)
            question = run.current()
            if question is None:
                return
            self._show_context(question)
            if question.kind == "info":
                self.console.print(Text(question.step.prompt or "", style="italic"))
                self._show_planned(question)
                run.answer(None)
            else:
                self._ask_one(run, question)
            self._changed(run)

    def state(self, run: Run) -> list[tuple[Address, Value]]:
        """What a draft keeps: the answers given, then those not replayed yet."""
        given = list(run.answers.items())
        return given + [(a, v) for a, v in self.pending.items() if a not in run.answers]

    def remembered(self, run: Run) -> list[tuple[Address, Value]]:
        """Answers given beyond the point the user went back to (Enter restores them)."""
        return [
            (a, v) for a, v in self._given.items() if a not in run.answers and a not in self.pending
        ]

    def remember(self, answers: dict[Address, Value], halfway: Collection[Address] = ()) -> None:
        """Offer these answers again as defaults (from a resumed draft); those of
        ``halfway`` were being typed when it stopped, and are gone on from."""
        self._given.update(answers)
        self._halfway.update(a for a in halfway if a in answers)

    def _changed(self, run: Run) -> None:
        if self.on_change is not None:
            halfway = frozenset(a for a in self._halfway if a not in run.answers)
            waiting = {a: e for a, e in self.links.items() if a in self.pending}
            self.on_change(
                self.state(run), self.remembered(run), halfway, {**waiting, **run.repeats}
            )

    def review(self, run: Run) -> None:
        """Show every answer before saving; a number changes one, Enter saves."""
        while True:
            self.ask(run)  # steps a change opened, or the one gone back to
            entries = run.answered()
            self._show_summary(run, entries)
            command = self.read(Text("> ", style="cyan")).strip()
            if not command:
                return
            if command == BACK_KEY:
                if run.back():
                    self._changed(run)
                    self.console.print(Text("  " + _("Back one step."), style="yellow"))
                    self._context = ()
                continue
            if command.isdigit() and 1 <= int(command) <= len(entries):
                self._ask_one(run, entries[int(command) - 1], change=True)
                self._left_out(run, entries)
                self._changed(run)
                continue
            self.console.print(
                Text(
                    "  "
                    + (
                        _(
                            "Type a number from 1 to {count} to change that answer, "
                            "or press Enter to save."
                        ).format(count=len(entries))
                        if len(entries) > 1
                        else _("Type 1 to change that answer, or press Enter to save.")
                    ),
                    style="yellow",
                )
            )

    def _left_out(self, run: Run, before: list[Question]) -> None:
        """Name each answer a change closed: its question no longer applies, so it is
        left out of the reflection (changed back, it returns)."""
        still = {q.address for q in run.answered()}
        for question in before:
            value = run.answers.get(question.address)
            if question.address in still or value is None:
                continue
            line = Text("  " + _("No longer asked, so left out: "), style="yellow")
            line.append(one_line(question.step.prompt or question.step.id))
            line.append(f" ({_shown(question.step, value)})", style="dim")
            self.console.print(line, soft_wrap=True)

    def _show_summary(self, run: Run, entries: list[Question]) -> None:
        self.console.print()
        self.console.rule(Text(_("Your answers")), style="cyan")
        from rich.table import Table

        from clientcoach.ui.nobreak import NoBreak

        context: tuple[str, ...] = ()
        for number, question in enumerate(entries, start=1):
            if question.context != context:
                context = question.context
                if context:
                    self.console.print(Text(" \u203a ".join(context), style="cyan"))
            # One grid per answer, so a long answer wraps under its own text (a hanging
            # indent), and a loop item's answers sit indented under the item's heading.
            row = Table.grid(padding=0)
            row.add_column(no_wrap=True)
            row.add_column(ratio=1)
            prompt = one_line(question.step.prompt or question.step.id)
            # A question, or a sentence, already ends on its mark: "…this meeting? Agree
            # the scope", "Start from the focus points above. Ask…".
            if prompt.endswith(("?", "!", ":", ".", "…")):
                line = Text(prompt + " ")
            else:
                line = Text(_("{name}: {value}").format(name=prompt, value=""))
            value = run.answers.get(question.address)
            line.append(_shown(question.step, value), style="dim" if value is None else "bold")
            indent = "  " * len(question.context)
            row.add_row(Text(f"{indent}{number:>3}. ", style="dim"), NoBreak(line))
            self.console.print(row)
        self.console.print(
            Text(
                _(
                    "Enter saves. A number changes that answer; {back} goes back to the last step."
                ).format(back=BACK_KEY),
                style="dim",
            )
        )

    def ask_text(self, label: str) -> str:
        """A free line outside any playbook (e.g. the client's name); never empty."""
        while True:
            answer = self.read(Text(f"{label} ", style="bold")).strip()
            if answer:
                return answer
            self.console.print(Text("  " + _("Please type something."), style="yellow"))

    def confirm(self, question: str, default: bool = False) -> bool:
        """A yes or no outside any playbook; Enter means ``default`` (no, unless said)."""
        choices = _("[Y/n]") if default else _("[y/N]")
        while True:
            answer = self.read(Text(f"{question} {choices} ", style="bold")).strip()
            if not answer:
                return default
            try:
                return coerce_bool(answer)
            except AnswerError as exc:
                self.console.print(Text(f"  {exc}", style="yellow"))

    def _show_context(self, question: Question) -> None:
        if question.context != self._context:
            self._context = question.context
            if question.context:
                self.console.rule(Text(" \u203a ".join(question.context)), style="cyan")

    def _ask_one(self, run: Run, question: Question, change: bool = False) -> None:
        """Ask one step; with ``change``, a step answered before (from the summary)."""
        step = question.step

        def give(raw: object, typed: bool = True) -> Value:
            if change:
                return run.change(question.address, raw, typed=typed)
            return run.answer(raw, typed=typed)

        def skip() -> None:
            if change:
                run.change(question.address, None)
            else:
                run.skip()

        if change:
            default = run.answers.get(question.address)
            header = Text(_("Change your answer (< keeps it)"), style="dim")
        else:
            number, total = run.progress()
            default = self._given.get(question.address)
            if default is not None and not self._still_fits(run, question, default):
                default = None
            if default is None:
                default = run.default_for(question)
            header = Text(
                _("Step {number} of about {total}").format(number=number, total=total),
                style="dim",
            )
        multi = isinstance(step, LongTextStep | ListStep) and question.kind == "answer"
        # The lines typed before the run stopped halfway through this step: shown, and
        # gone on from, rather than offered as an answer Enter keeps.
        halfway: list[str] | None = None
        if not change and multi and question.address in self._halfway and default is not None:
            self._halfway.discard(question.address)
            halfway = list(default) if isinstance(default, list) else str(default).split("\n")
            default = run.default_for(question)
        self.console.print()
        self.console.print(header)
        self.console.print(Text(_prompt_text(question), style="bold"))
        self._show_planned(question)
        # Enter finishes the lines kept halfway: no other answer is offered for it.
        for line in _hints(question, None if halfway else default):
            self.console.print(Text(f"  {line}", style="dim"))
        if halfway:
            self.console.print(
                Text(
                    "  "
                    + _(
                        "You were typing these lines when you stopped; type more, Enter "
                        "on an empty line to finish, or {back} to start again:"
                    ).format(back=BACK_KEY),
                    style="yellow",
                )
            )
            for line in halfway:
                self.console.print(Text(f"» {line}", style="dim"))
        while True:
            if halfway:
                typed, halfway = halfway, None
                more = self._typing(run, question, typed, give, change)
                if more is None:
                    # Dropped: Enter no longer brings them back.
                    self._given.pop(question.address, None)
                    continue
                raw, command = more, ""  # finished: nothing typed is a command
            else:
                raw = self.read(Text("> " if not multi else "» ", style="cyan"))
                command = raw.strip()
            if command == HELP_KEY:
                self._show_help(step)
                continue
            if command == SKIP_KEY and question.kind == "answer" and not step.required:
                skip()
                self.console.print(Text("  " + _("Skipped."), style="dim"))
                return
            if command == BACK_KEY and change:
                self.console.print(Text("  " + _("Kept your answer."), style="yellow"))
                return
            if command == BACK_KEY:
                if run.back():
                    self.console.print(Text("  " + _("Back one step."), style="yellow"))
                    self._context = ()
                    return
                self.console.print(
                    Text("  " + _("This is the first step: nothing to go back to."), style="yellow")
                )
                continue
            if command == EDIT_KEY and not multi:
                self.console.print(
                    Text(
                        "  "
                        + _("{edit} opens the editor on several-line answers only.").format(
                            edit=EDIT_KEY
                        ),
                        style="yellow",
                    )
                )
                continue
            if multi and command == EDIT_KEY:
                try:
                    edited = self.edit("")
                except AnswerError as exc:
                    self.console.print(Text(f"  {exc}", style="red"))
                    continue
                if edited is None or not edited.strip():
                    nothing = _("Nothing written in the editor.")
                    self.console.print(Text(f"  {nothing}", style="yellow"))
                    continue
                raw = edited
            elif multi and command:
                more = self._typing(run, question, [raw], give, change)
                if more is None:
                    continue
                raw = more
            if not raw.strip():
                if self._empty(question, default, give, skip):
                    return
                continue
            try:
                value = give(raw)
            except AnswerError as exc:
                self._refused(exc)
                continue
            self._given[question.address] = value
            if isinstance(step, DateStep) and isinstance(value, str) and raw.strip() != value:
                shown = date.fromisoformat(value)
                self.console.print(Text(f"  = {long_date(shown)}", style="dim"))
            if isinstance(step, ChoiceStep | MultiChoiceStep):
                # "2" or "2,3" typed: say which options that was.
                label = label_of(step, value)
                said = joined(label) if isinstance(label, list) else label
                if said and raw.strip() != said:
                    self.console.print(Text(f"  = {said}", style="dim"))
            offers = run.offers(question)
            if offers:
                # The answer is in the draft before the question about it waits: a stop
                # there keeps it.
                self._changed(run)
                self._offer_repeat(run, question, offers)
            return

    def _still_fits(self, run: Run, question: Question, kept: Value) -> bool:
        """Whether an answer kept from before (gone back past, or typed halfway before a
        stop) still fits its step; one that does not (the playbook changed since) is
        dropped with a word, and the step asked afresh."""
        if question.kind != "answer":
            return True
        try:
            run.value_of(question, kept, typed=False)
        except AnswerError as exc:
            self._given.pop(question.address, None)
            self._halfway.discard(question.address)
            self._no_longer_fits(question, str(exc))
            return False
        return True

    def _no_longer_fits(self, question: Question, reason: str) -> None:
        self.console.print(
            Text(
                _(
                    "  Your earlier answer to {path!r} no longer fits the playbook "
                    "({reason}); please answer it again."
                ).format(path=question.path, reason=reason),
                style="yellow",
            )
        )

    def _refused(self, exc: AnswerError) -> None:
        self.console.print(
            Text(
                "  " + _("{error} (type {help} for help)").format(error=exc, help=HELP_KEY),
                style="red",
            )
        )

    def _typing(
        self,
        run: Run,
        question: Question,
        typed: list[str],
        give: Callable[[object], Value],
        change: bool,
    ) -> str | None:
        """The rest of a several-line answer after the lines ``typed`` (see
        :meth:`_more_lines`), keeping what was typed if the run stops meanwhile."""
        try:
            return self._more_lines(question.step, typed[0], typed)
        except BaseException:
            with contextlib.suppress(AnswerError):
                text = "\n".join(typed)
                if change:
                    # A change from the answers screen: the step stays answered.
                    self._given[question.address] = give(text)
                else:
                    # Kept, not answered: the draft offers these lines, and a resume
                    # asks this step again, going on from them.
                    self._given[question.address] = run.value_of(question, text)
                    self._halfway.add(question.address)
                self._changed(run)
            raise

    def _show_planned(self, question: Question) -> None:
        planned = question.planned
        if planned is None:
            return
        text = joined(planned) if isinstance(planned, list) else str(planned)
        self.console.print(Text("  " + _("Planned:") + " ", style="bold").append(text, style=""))

    def _offer_repeat(self, run: Run, question: Question, offers: Sequence[Earlier]) -> None:
        shown = list(offers[:OFFERS_SHOWN])
        options = [f"{e.text}  ({', '.join(p for p in (e.client, e.day) if p)})" for e in shown]
        picked = self.ask_pick(
            _("Is it a repeat of one of these earlier ones?"), options, _("Enter = no, it is new")
        )
        run.link_repeat(question.address, None if picked is None else shown[picked])
        if picked is not None:
            self.console.print(Text("  " + _("Linked as a repeat."), style="dim"))

    def pick_client(self, typed: str, close: list[str]) -> int | None:
        """Which known client a new name meant, by its index; None for a new client."""
        return self.ask_pick(
            _("{typed!r} is not a client you have met yet. Did you mean one of these?").format(
                typed=typed
            ),
            close,
            _("Enter = a new client named {typed!r}").format(typed=typed),
        )

    def ask_pick(self, title: str, options: list[str], none_hint: str) -> int | None:
        """A number from a list (0-based), or None for Enter; asked until one fits."""
        self.console.print(Text(title, style="bold"))
        for index, option in enumerate(options, start=1):
            self.console.print(Text(f"  {index}. {option}"))
        self.console.print(Text(f"  {none_hint}", style="dim"))
        while True:
            command = self.read(Text("> ", style="cyan")).strip()
            if not command:
                return None
            if command.isdigit() and 1 <= int(command) <= len(options):
                return int(command) - 1
            self.console.print(
                Text(
                    "  "
                    + (
                        _("Type a number from 1 to {count}, or Enter.").format(count=len(options))
                        if len(options) > 1
                        else _("Type 1, or Enter.")
                    ),
                    style="yellow",
                )
            )

    def _more_lines(self, step: Step, first: str, lines: list[str] | None = None) -> str | None:
        """The rest of a several-line answer; None when the user starts the step again.

        ``lines`` (holding ``first``) is filled as lines are typed, for the caller to keep
        what was typed if the run is stopped halfway.
        """
        lines = lines if lines is not None else [first]
        while True:
            line = self.read(Text("» ", style="cyan"))
            command = line.strip()
            if not command:
                return "\n".join(lines)
            if command == HELP_KEY:
                self._show_help(step)
            elif command == BACK_KEY:
                self.console.print(
                    Text(
                        "  " + _("Dropped what you typed for this step; start it again."),
                        style="yellow",
                    )
                )
                return None
            else:
                lines.append(line)

    def _empty(
        self,
        question: Question,
        default: Value,
        give: Callable[[object, bool], Value],
        skip: Callable[[], None],
    ) -> bool:
        """Enter on an empty line: take the default, skip, or explain why not."""
        if question.kind == "more":
            if default is True:  # answered yes before going back: Enter keeps the items
                give(True, False)
            else:
                skip()
            return True
        if default is not None:
            self._given[question.address] = give(default, False)
            return True
        if not question.step.required:
            skip()
            self.console.print(Text("  " + _("Skipped."), style="dim"))
            return True
        self.console.print(
            Text(
                "  " + _("This step needs an answer (type {help} for help).").format(help=HELP_KEY),
                style="yellow",
            )
        )
        return False

    def _show_help(self, step: Step) -> None:
        shown = False
        if step.help:
            label = Text(f"  {_('How to answer:')} ", style="bold")
            self.console.print(label.append(step.help, style=""))
            shown = True
        if step.why:
            label = Text(f"  {_('Why it matters:')} ", style="bold")
            self.console.print(label.append(step.why, style=""))
            shown = True
        if not shown:
            self.console.print(Text("  " + _("No extra help for this step."), style="dim"))
        self.console.print(
            Text(
                "  "
                + _("{back} goes back one step; Enter skips an optional step.").format(
                    back=BACK_KEY
                ),
                style="dim",
            )
        )


def _shown(step: Step, value: Value) -> str:
    """An answer on one line, as the summary shows it."""
    if value is None:
        return _("(skipped)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(step, ChoiceStep | MultiChoiceStep):
        labels = {c.value: c.text for c in step.options}
        picked = value if isinstance(value, list) else [str(value)]
        return joined(labels.get(v, v) for v in picked)
    if isinstance(value, list):
        return joined(value)
    text = str(value)
    first = text.split("\n", 1)[0]
    return one_line(first + (" ..." if first != text else ""))


def _prompt_text(question: Question) -> str:
    step = question.step
    if question.kind == "more":
        return step.prompt or _("Add another?")
    text = step.prompt or ""
    if not step.required:
        text += " " + _("(optional)")
    return text


def _hints(question: Question, default: Value) -> list[str]:
    step = question.step
    lines: list[str] = []
    if question.kind == "more":
        return [_("y / n  (Enter = yes)") if default is True else _("y / n  (Enter = no)")]
    if isinstance(step, ConfirmStep):
        lines.append(_("y / n"))
    elif isinstance(step, RatingStep):
        ends = [
            f"{step.min} = {step.low}" if step.low else "",
            f"{step.max} = {step.high}" if step.high else "",
        ]
        labels = ", ".join(e for e in ends if e)
        scale = _("{min} to {max}").format(min=step.min, max=step.max)
        lines.append(scale + (f"  ({labels})" if labels else ""))
    elif isinstance(step, ChoiceStep | MultiChoiceStep):
        for index, choice in enumerate(step.options, start=1):
            lines.append(f"{index}. {choice.text}")
        if isinstance(step, MultiChoiceStep):
            lines.append(_("several numbers separated by commas, e.g. 1,3"))
    elif isinstance(step, NumberStep):
        bounds = []
        if step.min is not None:
            bounds.append(_("at least {min}").format(min=f"{step.min:g}"))
        if step.max is not None:
            bounds.append(_("at most {max}").format(max=f"{step.max:g}"))
        lines.append(
            _("a number")
            + (f" ({', '.join(bounds)})" if bounds else "")
            + (" " + _("in {unit}").format(unit=step.unit) if step.unit else "")
        )
    elif isinstance(step, DateStep):
        lines.append(_("YYYY-MM-DD, today, tomorrow, friday, in 2 weeks, +3d, +2w or +2m"))
    elif isinstance(step, ListStep):
        lines.append(_("one item per line; an empty line finishes"))
    elif isinstance(step, LongTextStep):
        lines.append(
            _("several lines; an empty line finishes; {edit} opens your $EDITOR").format(
                edit=EDIT_KEY
            )
        )
    if default is not None and not step.required:
        lines.append(_("{skip} to skip").format(skip=SKIP_KEY))
    if default is not None:
        # Shown as the summary shows answers: a choice by its label, not its stored value.
        shown = (
            ", ".join(default)
            if isinstance(default, list) and not isinstance(step, ChoiceStep | MultiChoiceStep)
            else _shown(step, default)
        )
        lines.append(_("Enter = {value}").format(value=shown))
    return lines


# How often a waiting prompt looks for a signal that arrived just before it started.
_TICK = 0.2


def confirm(console: Console, question: str) -> bool:
    """A yes or no asked outside a run (delete, trash empty, discarding a draft): read
    as a run's answers are, so "o" and "oui" count in French; Enter means no. Ctrl-C or
    Ctrl-D there is a no that stops the command (exit 130), said in its own words: the
    run's "nothing from this run was saved" would speak of a run that never began."""
    from clientcoach.errors import ExitCode, RunStopped

    try:
        return TerminalAsker(console).confirm(question)
    except (KeyboardInterrupt, EOFError):
        console.print(Text("\n" + _("Stopped. Nothing was changed.")))
        raise RunStopped(ExitCode.INTERRUPTED) from None


@contextlib.contextmanager
def _signals_seen_while_waiting() -> Iterator[None]:
    """Ctrl-C honoured at every moment, even just as a prompt appears.

    Python's readline waits in ``select`` on the keyboard and looks at signals only when
    that wait is interrupted: a Ctrl-C that lands after the signal check but before the
    wait began is left pending until the next key (1 to 5 runs in 20 swallowed it). A
    timer signal interrupts the wait a few times a second, so a pending Ctrl-C (or
    SIGTERM, SIGHUP) is raised at once; its handler does nothing else.
    """
    if not hasattr(signal, "setitimer") or not _is_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _tick)
    signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _tick(signum: int, frame: object) -> None:
    """Nothing: being called is what makes the prompt check for pending signals."""


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _enable_line_editing() -> bool:
    """Arrow keys and history at the prompt, where the platform has readline."""
    try:
        import readline  # noqa: F401  (importing it is what turns line editing on)
    except ImportError:  # Windows has no readline; input() still works there
        return False
    return sys.stdin.isatty()


def _edit(initial: str) -> str | None:
    """Open ``$VISUAL`` / ``$EDITOR`` on a private temporary file; None if left empty."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = (
        os.environ.get("VISUAL")
        or os.environ.get("EDITOR")
        or ("notepad" if os.name == "nt" else "vi")
    )
    fd, name = tempfile.mkstemp(prefix="coach-", suffix=".md")  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            subprocess.run([*shlex.split(editor), name], check=True)
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            raise AnswerError(
                _("could not run the editor {editor!r} ({reason}); type the answer instead").format(
                    editor=editor, reason=exc
                )
            ) from None
        text = Path(name).read_text(encoding="utf-8-sig")  # a byte-order mark adds no text
    finally:
        Path(name).unlink(missing_ok=True)
    return text if text.strip() else None
