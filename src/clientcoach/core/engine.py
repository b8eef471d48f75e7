"""The engine: a pure state machine that walks a playbook.

No terminal, no files, no clock: the caller passes ``today`` in and feeds answers one at
a time. The state is the ordered list of answers given; the next question is always
derived from it, so going back is just dropping the last answer.

Every answer lives at an *address*: a tuple of step ids and loop item indexes, such as
``("next_steps", 1, "due")``. A loop's own "add another?" answer for item ``i`` lives at
``(loop_id, i)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

# Re-exported: the engine is where answers are checked, and callers look for them here.
from clientcoach.core.dates import AnswerError as AnswerError
from clientcoach.core.dates import parse_date as parse_date
from clientcoach.core.earlier import Earlier as Earlier
from clientcoach.core.text import refused_char
from clientcoach.i18n import _
from clientcoach.model.playbook import (
    ANSWER_TYPES,
    AnswerStep,
    ChoiceStep,
    Condition,
    ConfirmStep,
    DateStep,
    IncludeStep,
    InfoStep,
    ListStep,
    LongTextStep,
    LoopStep,
    MultiChoiceStep,
    NumberStep,
    Playbook,
    RatingStep,
    Step,
    TextStep,
)
from clientcoach.model.reflection import Answer, Value

Address = tuple[str | int, ...]
QuestionKind = Literal["answer", "info", "more"]

_YES = {"y", "yes", "true", "1", "o", "oui", "vrai"}
_NO = {"n", "no", "false", "0", "non", "faux"}


# A choice step with this role, in the same loop item as an answer linked to an earlier
# one, gets its "repeat" value as default: the user already said it is a repeat.
REPEAT_FLAG_ROLE = "mistake_repeat"
REPEAT_FLAG_VALUE = "repeat"


class Question(NamedTuple):
    """What to ask next.

    ``kind`` is ``answer`` for an ordinary step, ``info`` for a step that is only shown,
    and ``more`` for a loop's "add another?" question (``step`` is then the loop).
    """

    address: Address
    step: Step
    kind: QuestionKind
    context: tuple[str, ...] = ()
    item: int | None = None
    planned: Value = None

    @property
    def path(self) -> str:
        """The address as a user reads it: ``next_steps[2].due``."""
        return format_address(self.address)


def format_address(address: Address) -> str:
    text = ""
    for part in address:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Scope(NamedTuple):
    prefix: Address
    ids: frozenset[str]


@dataclass
class Run:
    """One walk through a playbook; ``playbooks`` holds every playbook it includes.

    What the caller knows from earlier reflections comes in as data: ``defaults`` by
    address (e.g. the trolls already seen with this client), ``plan`` by role (the
    linked prep's answers, read by steps with ``plan``), and ``earlier`` by role (earlier
    answers, newest first, that a new answer with that role may repeat).
    """

    playbook: Playbook
    playbooks: Mapping[str, Playbook]
    today: date
    history: list[Address] = field(default_factory=list)
    answers: dict[Address, Value] = field(default_factory=dict)
    defaults: Mapping[Address, Value] = field(default_factory=dict)
    plan: Mapping[str, Value] = field(default_factory=dict)
    earlier: Mapping[str, Sequence[Earlier]] = field(default_factory=dict)
    repeats: dict[Address, Earlier] = field(default_factory=dict)
    # The next question, kept until the answers change: finding it walks the playbook
    # from the top, and a scripted run asks for it several times per answer. Every
    # change of ``answers`` goes through this class (others only read them).
    _next: tuple[Question | None] | None = field(default=None, init=False, repr=False)

    # --- moving -------------------------------------------------------------------

    def current(self) -> Question | None:
        """The next question, or None when the run is complete."""
        if self._next is None:
            self._next = (self._find(list(self.playbook.steps), (), [], (), self.answers),)
        return self._next[0]

    @property
    def done(self) -> bool:
        return self.current() is None

    def answer(self, raw: object, *, typed: bool = True) -> Value:
        """Record an answer to the current question; returns the value as stored.

        ``typed`` is true for what a person types, where a number picks a choice by its
        position; values from a file must name the choice itself.
        """
        question = self._require_current()
        value = self.value_of(question, raw, typed=typed)
        self._record(question.address, value)
        return value

    def value_of(self, question: Question, raw: object, *, typed: bool = True) -> Value:
        """The value ``raw`` would be stored as for ``question``, without recording it."""
        if question.kind == "info":
            return None
        if question.kind == "more":
            return coerce_bool(raw)
        assert isinstance(question.step, ANSWER_TYPES)
        return coerce(question.step, raw, self.today, by_position=typed)

    def skip(self) -> None:
        """Leave the current optional step unanswered (a loop's question means "no more")."""
        question = self._require_current()
        if question.kind == "more":
            self._record(question.address, False)
            return
        if question.kind == "answer" and question.step.required:
            raise AnswerError(_("this step is required"))
        self._record(question.address, None)

    def back(self) -> bool:
        """Undo the last answer (and any info shown after it); False if there is none."""
        if not self.can_go_back():
            return False
        self._next = None
        while self.history:
            address = self.history.pop()
            self.answers.pop(address, None)
            self.repeats.pop(address, None)
            if self._kind_at(address) != "info":
                return True
        return False

    def can_go_back(self) -> bool:
        return any(self._kind_at(a) != "info" for a in self.history)

    def default_for(self, question: Question) -> Value:
        """The default offered for a question: the caller's, else the step's (resolved)."""
        if question.kind != "answer":
            return None
        assert isinstance(question.step, ANSWER_TYPES)
        given = self.defaults.get(question.address)
        if given is not None:
            try:
                return coerce(question.step, given, self.today, by_position=False)
            except AnswerError:
                pass  # history that no longer fits the step is not worth failing over
        if self._flagged_repeat(question):
            return REPEAT_FLAG_VALUE
        default = getattr(question.step, "default", None)
        if default is None:
            return None
        return coerce(question.step, default, self.today, by_position=False)

    def offers(self, question: Question) -> Sequence[Earlier]:
        """Earlier answers the answer to ``question`` may repeat (empty for most steps)."""
        if question.kind != "answer" or question.step.role is None:
            return ()
        return self.earlier.get(question.step.role, ())

    def link_repeat(self, address: Address, earlier: Earlier | None) -> None:
        """Record that the answer at ``address`` repeats ``earlier`` (None: it does not)."""
        if address not in self.answers:
            raise AnswerError(_("there is no answer to link yet"))
        if earlier is None:
            self.repeats.pop(address, None)
        else:
            self.repeats[address] = earlier

    def _flagged_repeat(self, question: Question) -> bool:
        step = question.step
        if not (isinstance(step, ChoiceStep) and step.role == REPEAT_FLAG_ROLE):
            return False
        if REPEAT_FLAG_VALUE not in (c.value for c in step.options):
            return False
        item = question.address[:-1]
        return any(a[:-1] == item for a in self.repeats)

    def _said_new(self, address: Address) -> bool:
        """Whether the loop item of ``address`` answers its repeat question with anything
        but "repeat": a link kept beside it would contradict it, and is left out."""
        item = address[:-1]
        for other, value in self.answers.items():
            if other[:-1] != item or value is None:
                continue
            step = self.step_at(other)
            if isinstance(step, ChoiceStep) and step.role == REPEAT_FLAG_ROLE:
                return value != REPEAT_FLAG_VALUE
        return False

    def progress(self) -> tuple[int, int]:
        """(number of the current question, estimated total) counting only real questions."""
        asked = sum(1 for a in self.history if self._kind_at(a) != "info")
        simulated = dict(self.answers)
        remaining = 0
        for _attempt in range(1000):
            question = self._find(list(self.playbook.steps), (), [], (), simulated, quiet=True)
            if question is None:
                break
            # Assume the quiet path: no optional branches, no extra loop items.
            simulated[question.address] = False if question.kind == "more" else None
            if question.kind != "info":
                remaining += 1
        return asked + 1, asked + max(remaining, 1)

    def records(self) -> list[Answer]:
        """The answers as self-describing records, in playbook order."""
        return self._records(list(self.playbook.steps), (), [])

    # --- resuming and changing ------------------------------------------------------

    def fill(
        self, pending: dict[Address, Value], links: dict[Address, Earlier] | None = None
    ) -> list[tuple[Question, str]]:
        """Replay earlier answers (a resumed draft) while the next question has one, with
        the earlier answers ``links`` says they repeat.

        Used answers (and their links) are taken out of ``pending``. One that no longer
        fits its step (the playbook changed) is dropped, its link too, and returned with
        the reason; that step is then the current question, to be asked again.
        """
        links = links if links is not None else {}
        while (question := self.current()) is not None and question.address in pending:
            value = pending.pop(question.address)
            link = links.pop(question.address, None)
            try:
                if question.kind == "info":
                    self.answer(None)
                elif question.kind == "more":
                    if not isinstance(value, bool):
                        raise AnswerError(_("not a yes or no"))
                    self.answer(value)
                elif value is None:
                    self.skip()
                else:
                    self.answer(value, typed=False)
            except AnswerError as exc:
                return [(question, str(exc))]
            if link is not None and value is not None:
                self.repeats[question.address] = link
        return []

    def answered(self) -> list[Question]:
        """Every answer step answered so far and still shown, in playbook order."""
        return self._answered(list(self.playbook.steps), (), [], ())

    def change(self, address: Address, raw: object, *, typed: bool = True) -> Value:
        """Change an earlier answer in place (``None`` skips an optional step).

        Later answers stay; steps its new value opens become the next questions, and
        steps it closes are left out of the records.
        """
        step = self.step_at(address)
        if address not in self.answers or not isinstance(step, ANSWER_TYPES):
            raise AnswerError(_("there is no answer there to change"))
        if raw is None:
            if step.required:
                raise AnswerError(_("this step is required"))
            value: Value = None
        else:
            value = coerce(step, raw, self.today, by_position=typed)
        self.answers[address] = value
        self._next = None
        return value

    def _require_current(self) -> Question:
        question = self.current()
        if question is None:
            raise AnswerError(_("the run is already complete"))
        return question

    def _record(self, address: Address, value: Value) -> None:
        self.answers[address] = value
        self.history.append(address)
        self._next = None

    def _kind_at(self, address: Address) -> QuestionKind:
        if isinstance(address[-1], int):
            return "more"
        step = self.step_at(address)
        return "info" if isinstance(step, InfoStep) else "answer"

    def step_at(self, address: Address) -> Step | None:
        """The step an address points to, or None if the playbook has no such step."""
        steps: list[Step] = list(self.playbook.steps)
        found: Step | None = None
        for part in address:
            if isinstance(part, int):
                continue
            found = next((s for s in steps if s.id == part), None)
            if found is None:
                return None
            if isinstance(found, LoopStep):
                steps = list(found.steps)
            elif isinstance(found, IncludeStep):
                steps = list(self.playbooks[found.playbook].steps)
            else:
                steps = []
        return found

    # --- walking ------------------------------------------------------------------

    def _find(
        self,
        steps: list[Step],
        prefix: Address,
        outer: list[_Scope],
        context: tuple[str, ...],
        answers: Mapping[Address, Value],
        quiet: bool = False,
    ) -> Question | None:
        """The first unanswered visible step; ``quiet`` is the estimate's walk (see progress)."""
        scopes = [_Scope(prefix, frozenset(s.id for s in steps)), *outer]
        for step in steps:
            address = (*prefix, step.id)
            if step.when is not None and not _holds(step.when, scopes, answers):
                continue
            if not self._planned(step):
                continue
            if isinstance(step, IncludeStep):
                target = self.playbooks[step.playbook]
                title = step.prompt or target.title
                found = self._find(
                    list(target.steps), address, [], (*context, title), answers, quiet
                )
                if found is not None:
                    return found
            elif isinstance(step, LoopStep):
                found = self._find_in_loop(step, address, scopes, context, answers, quiet)
                if found is not None:
                    return found
            elif address not in answers:
                kind: QuestionKind = "info" if isinstance(step, InfoStep) else "answer"
                planned = self.plan.get(step.plan) if step.plan else None
                return Question(address, step, kind, context, planned=planned)
        return None

    def _planned(self, step: Step) -> bool:
        """A step with ``plan`` is only asked when the linked prep has that answer."""
        if step.plan is None:
            return True
        value = self.plan.get(step.plan)
        return value is not None and value != "" and value != []

    def _find_in_loop(
        self,
        loop: LoopStep,
        address: Address,
        scopes: list[_Scope],
        context: tuple[str, ...],
        answers: Mapping[Address, Value],
        quiet: bool,
    ) -> Question | None:
        inner_ids = frozenset(s.id for s in loop.steps)
        label = loop.item or loop.id.replace("_", " ").capitalize()
        for index in range(loop.max_items):
            item_address = (*address, index)
            item_scopes = [_Scope(item_address, inner_ids), *scopes]
            if not any(s.when is None or _holds(s.when, item_scopes, answers) for s in loop.steps):
                return None  # nothing in an item would be asked: no point offering one
            if loop.repeat_while is not None:
                if quiet and index >= max(1, loop.min_items):
                    return None  # unanswered steps would keep some loops going forever
                if index >= max(1, loop.min_items):
                    last = [_Scope((*address, index - 1), inner_ids), *scopes]
                    if not _holds(loop.repeat_while, last, answers):
                        return None
            elif index >= loop.min_items:
                if item_address not in answers:
                    return Question(item_address, loop, "more", context, item=index)
                if answers[item_address] is not True:
                    return None
            found = self._find(
                list(loop.steps),
                item_address,
                scopes,
                (*context, f"{label} {index + 1}"),
                answers,
                quiet,
            )
            if found is not None:
                return found
        return None

    def _records(self, steps: list[Step], prefix: Address, outer: list[_Scope]) -> list[Answer]:
        scopes = [_Scope(prefix, frozenset(s.id for s in steps)), *outer]
        out: list[Answer] = []
        for step in steps:
            address = (*prefix, step.id)
            if step.when is not None and not _holds(step.when, scopes, self.answers):
                continue
            if not self._planned(step):
                continue
            if isinstance(step, IncludeStep):
                target = self.playbooks[step.playbook]
                inner = self._records(list(target.steps), address, [])
                if inner:
                    out.append(
                        Answer(
                            step=step.id,
                            type="include",
                            role=step.role,
                            prompt=step.prompt or target.title,
                            playbook=target.id,
                            answers=inner,
                        )
                    )
            elif isinstance(step, LoopStep):
                items = [
                    self._records(list(step.steps), (*address, index), scopes)
                    for index in range(self._item_count(step, address))
                ]
                record = Answer(
                    step=step.id, type="loop", role=step.role, prompt=step.prompt, items=items
                )
                if step.item is not None:
                    record.item = step.item  # an item's title, so it is shown as it was asked
                out.append(record)
            elif isinstance(step, ANSWER_TYPES) and address in self.answers:
                value = self.answers[address]
                record = Answer(
                    step=step.id, type=step.type, role=step.role, prompt=step.prompt, value=value
                )
                label = label_of(step, value)
                if label is not None:
                    record.label = label  # only set for choices, so other answers stay lean
                if step.plan is not None:
                    record.planned = self.plan.get(step.plan)
                link = self.repeats.get(address)
                if link is not None and not self._said_new(address):
                    record.repeat_of = {"reflection": link.reflection, "text": link.text}
                if step.summary is not None:
                    # The review reads reflections, never playbooks: the step's declared
                    # summary travels with its answer.
                    record.summary = step.summary
                out.append(record)
        return out

    def _answered(
        self, steps: list[Step], prefix: Address, outer: list[_Scope], context: tuple[str, ...]
    ) -> list[Question]:
        scopes = [_Scope(prefix, frozenset(s.id for s in steps)), *outer]
        found: list[Question] = []
        for step in steps:
            address = (*prefix, step.id)
            if step.when is not None and not _holds(step.when, scopes, self.answers):
                continue
            if isinstance(step, IncludeStep):
                target = self.playbooks[step.playbook]
                title = step.prompt or target.title
                found += self._answered(list(target.steps), address, [], (*context, title))
            elif isinstance(step, LoopStep):
                label = step.item or step.id.replace("_", " ").capitalize()
                for index in range(self._item_count(step, address)):
                    inner = (*context, f"{label} {index + 1}")
                    found += self._answered(list(step.steps), (*address, index), scopes, inner)
            elif isinstance(step, ANSWER_TYPES) and address in self.answers:
                found.append(Question(address, step, "answer", context))
        return found

    def _item_count(self, loop: LoopStep, address: Address) -> int:
        count = 0
        while count < loop.max_items:
            item = (*address, count)
            started = self.answers.get(item) is True or any(
                a[: len(item)] == item and len(a) > len(item) for a in self.answers
            )
            if not started:
                break
            count += 1
        return count


# --- conditions -----------------------------------------------------------------------


def _lookup(step_id: str, scopes: list[_Scope], answers: Mapping[Address, Value]) -> Value:
    for scope in scopes:
        if step_id in scope.ids:
            return answers.get((*scope.prefix, step_id))
    return None


def _same(a: object, b: object) -> bool:
    # True == 1 in Python; a playbook testing `equals = 1` must not match a yes.
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return a == b


def holds(cond: Condition, levels: Sequence[Mapping[str, Value]]) -> bool:
    """Whether ``cond`` holds on answers given by step id, one mapping per level of
    nesting, innermost first (a loop item's answers, then the steps around the loop):
    the rule a run follows, for answers that are not a run's (``coach edit``)."""
    scopes = [_Scope((depth,), frozenset(level)) for depth, level in enumerate(levels)]
    answers: dict[Address, Value] = {
        (depth, k): v for depth, level in enumerate(levels) for k, v in level.items()
    }
    return _holds(cond, scopes, answers)


def _holds(cond: Condition, scopes: list[_Scope], answers: Mapping[Address, Value]) -> bool:
    if cond.all is not None:
        return all(_holds(c, scopes, answers) for c in cond.all)
    if cond.any is not None:
        return any(_holds(c, scopes, answers) for c in cond.any)
    if cond.not_ is not None:
        return not _holds(cond.not_, scopes, answers)
    assert cond.step is not None
    value = _lookup(cond.step, scopes, answers)
    if cond.answered is not None:
        given = value is not None and value != [] and value != ""
        return given == cond.answered
    if value is None:
        return False
    values = value if isinstance(value, list) else [value]
    if cond.has("equals"):
        return any(_same(v, cond.equals) for v in values)
    if cond.in_ is not None:
        return any(_same(v, w) for v in values for w in cond.in_)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if cond.gte is not None and value < cond.gte:
        return False
    return not (cond.lte is not None and value > cond.lte)


# --- answers --------------------------------------------------------------------------


def coerce_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _YES:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _NO:
        return False
    raise AnswerError(_("answer yes or no (y/n)"))


def _pick(options: list[str], labels: list[str], raw: str, by_position: bool) -> str:
    text = raw.strip()
    folded = text.casefold()
    # A value or label wins over a position, so choices such as "0".."3" stay reachable.
    for value, label in zip(options, labels, strict=True):
        if folded in (value.casefold(), label.casefold()):
            return value
    if by_position and text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    # The start of one label, whatever the case and accents ("partiellement" for
    # "Partiellement atteint"): what a person remembers of what was shown. At a prompt,
    # one letter will do when only one label starts with it ("y" for Yes, "n" for New);
    # an answers file, read by no one as it runs, needs three.
    from clientcoach.core.text import fold

    start = fold(text)
    if len(start) >= (1 if by_position else 3):
        starting = [
            (v, label)
            for v, label in zip(options, labels, strict=True)
            if fold(label).startswith(start)
        ]
        if len(starting) == 1:
            return starting[0][0]
        if len(starting) > 1 and by_position:
            raise AnswerError(
                _(
                    "{raw!r} starts more than one choice ({labels}); type more of it, or its number"
                ).format(raw=text, labels=", ".join(label for _v, label in starting))
            )
    if not by_position:
        raise AnswerError(
            _("{raw!r} is not one of: {options}").format(raw=raw, options=", ".join(options))
        )
    raise AnswerError(
        _("choose a number from 1 to {count}, or type the start of its label").format(
            count=len(options)
        )
    )


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise AnswerError(_("give a number"))
    if isinstance(raw, int | float):
        try:
            return float(raw)
        except OverflowError:
            raise AnswerError(_("the number is too large")) from None
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
            # "1,000" is a thousand to some and one to others: ask rather than guess.
            raise AnswerError(
                _("{raw!r} is ambiguous; write it without separators, e.g. 1000").format(raw=raw)
            )
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise AnswerError(_("{raw!r} is not a number").format(raw=raw)) from None
        return value
    raise AnswerError(_("give a number"))


_INT64 = 2**63


def _without_unit(raw: object, unit: str | None) -> object:
    """Typed text without the step's own unit after the number: "60%", "8 min"."""
    if not isinstance(raw, str) or not unit:
        return raw
    text = raw.strip()
    if text.casefold().endswith(unit.casefold()):
        return text[: -len(unit)].rstrip()
    return raw


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise AnswerError(_("give text"))
    raw = raw.replace("\r\n", "\n")
    bad = refused_char(raw)
    if bad is not None:
        # Escape sequences (an arrow key without line editing) would be replayed on
        # every screen that shows the answer later; bidi controls make one text look
        # like another; a lone surrogate is a byte that was not UTF-8.
        raise AnswerError(
            _(
                "the answer holds a control, bidi or non-UTF-8 character ({char}); "
                "type it again as plain text"
            ).format(char=bad)
        )
    return raw.strip()


def coerce(step: AnswerStep, raw: object, today: date, *, by_position: bool = True) -> Value:
    """Turn raw input (typed text, or a value from an answers file) into a stored value."""
    if isinstance(step, TextStep):
        text = _text(raw)
        if "\n" in text:
            raise AnswerError(_("give a single line (this step takes one line)"))
        if len(text) > step.max_length:
            raise AnswerError(_("keep it under {count} characters").format(count=step.max_length))
        return _non_empty(text)
    if isinstance(step, LongTextStep):
        return _non_empty(_text(raw))
    if isinstance(step, ConfirmStep):
        return coerce_bool(raw)
    if isinstance(step, RatingStep):
        scale = _("give a whole number from {min} to {max}").format(min=step.min, max=step.max)
        try:
            number = _number(raw)
        except AnswerError:
            raise AnswerError(scale) from None
        if not number.is_integer() or not step.min <= number <= step.max:
            raise AnswerError(scale)
        return int(number)
    if isinstance(step, ChoiceStep):
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise AnswerError(_("give one of the choices"))
        values = [c.value for c in step.options]
        return _pick(values, [c.text for c in step.options], str(raw), by_position)
    if isinstance(step, MultiChoiceStep):
        values = [c.value for c in step.options]
        labels = [c.text for c in step.options]
        if isinstance(raw, str):
            parts = [p for p in re.split(r"[,;]", raw) if p.strip()]
            if by_position and re.fullmatch(r"[\d\s]+", raw.strip()):
                parts = raw.split()  # "1 3" as well as "1,3"
        elif isinstance(raw, list):
            parts = [str(p) for p in raw]
        else:
            raise AnswerError(_("give a list of choices"))
        picked: list[str] = []
        for part in parts:
            try:
                value = _pick(values, labels, part, by_position)
            except AnswerError:
                hint = (
                    _("numbers from 1 to {count}").format(count=len(values))
                    if by_position
                    else _("the values")
                )
                raise AnswerError(
                    _("{part!r} is not one of the choices; use {hint}").format(
                        part=part.strip(), hint=hint
                    )
                ) from None
            if value not in picked:
                picked.append(value)
        if len(picked) < step.min_selected:
            raise AnswerError(_("choose at least {count}").format(count=step.min_selected))
        if step.max_selected is not None and len(picked) > step.max_selected:
            raise AnswerError(_("choose at most {count}").format(count=step.max_selected))
        return picked
    if isinstance(step, NumberStep):
        number = _number(_without_unit(raw, step.unit))
        if not math.isfinite(number):
            raise AnswerError(_("give a finite number"))
        if step.integer and not number.is_integer():
            raise AnswerError(_("give a whole number"))
        if step.min is not None and number < step.min:
            raise AnswerError(_("give a number of at least {min}").format(min=_fmt(step.min)))
        if step.max is not None and number > step.max:
            raise AnswerError(_("give a number of at most {max}").format(max=_fmt(step.max)))
        if abs(number) >= _INT64:
            # Saved as a whole number it would not fit the 64 bits records are read with.
            if step.integer:
                raise AnswerError(_("the number is too large"))
            return number
        return int(number) if step.integer or number.is_integer() else number
    if isinstance(step, DateStep):
        return parse_date(raw, today).isoformat()
    if isinstance(step, ListStep):
        if isinstance(raw, str):
            items = [p.strip() for p in re.split(r"[;\n]", _text(raw))]
        elif isinstance(raw, list) and all(isinstance(p, str) for p in raw):
            items = [_text(p) for p in raw]
        else:
            raise AnswerError(_("give a list of short texts"))
        items = [p for p in items if p]
        if not items:
            raise AnswerError(_("give at least one item"))
        if len(items) > step.max_items:
            raise AnswerError(_("give at most {count} items").format(count=step.max_items))
        return items
    raise AnswerError(_("step type {type!r} takes no answer").format(type=step.type))


def _non_empty(text: str) -> str:
    if not text:
        raise AnswerError(_("the answer is empty"))
    return text


def _fmt(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def label_of(step: AnswerStep, value: Value) -> str | list[str] | None:
    """What the user saw for a choice's value (a list for several); None for other steps."""
    if isinstance(step, ChoiceStep) and isinstance(value, str):
        return next((c.text for c in step.options if c.value == value), None)
    if isinstance(step, MultiChoiceStep) and isinstance(value, list):
        shown = {c.value: c.text for c in step.options}
        return [shown.get(v, v) for v in value]
    return None
