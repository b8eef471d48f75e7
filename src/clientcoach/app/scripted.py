"""Askers: the only code that reads the user's answers.

An asker drives a :class:`~clientcoach.core.engine.Run` to the end. The terminal asker
(:mod:`clientcoach.ui.terminal`) talks to a person; :func:`ask_from_answers` reads an
answers file; :func:`refuse_without_terminal` stops at once when there is neither, so a
run never hangs waiting for input. This module stays light (no Rich): a scripted run
loads only it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clientcoach.core.engine import (
    Address,
    AnswerError,
    Earlier,
    Question,
    Run,
    format_address,
)
from clientcoach.errors import AnswersError
from clientcoach.i18n import _, ngettext
from clientcoach.model.playbook import IncludeStep, InfoStep, LoopStep, Step
from clientcoach.storage.playbooks import toml_error

# --- answers files --------------------------------------------------------------------


def load_answers(path: Path) -> dict[str, Any]:
    """Read an answers file (TOML or JSON: step id to value, loops as arrays of tables)."""
    from clientcoach.storage import safe

    try:
        raw = safe.read_bytes(path, safe.ANSWERS_LIMIT)
    except OSError as exc:
        raise AnswersError(
            _("{path}: cannot read answers file ({reason})").format(path=path, reason=exc.strerror)
        ) from exc
    try:
        # "-sig": a byte-order mark, as Windows Notepad writes, is read as no text.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswersError(
            _("{path}: the answers file is not UTF-8 text").format(path=path)
        ) from None
    is_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    try:
        data = _parse_answers(text, is_json, str(path))
    except (ValueError, RecursionError) as exc:
        # e.g. an integer of thousands of digits, or nesting deeper than Python allows
        raise AnswersError(
            _("{path}: cannot read answers file ({reason})").format(path=path, reason=exc)
        ) from None
    if not isinstance(data, dict):
        raise AnswersError(
            _("{path}: an answers file maps step ids to answers (a table / object)").format(
                path=path
            )
        )
    return data


class _TwiceError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (TOML already refuses a repeated key);
    the standard library would silently keep the last of two."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _TwiceError(key)
        found[key] = value
    return found


def _parse_answers(text: str, is_json: bool, source: str) -> object:
    """The parsed file; AnswersError for a syntax error, pointing at its line."""
    if is_json:
        try:
            return json.loads(text, object_pairs_hook=_once_each)
        except json.JSONDecodeError as exc:
            where = f"{source}:{exc.lineno}:{exc.colno}"
            raise AnswersError(
                _("{where}: JSON syntax error: {reason}").format(where=where, reason=exc.msg)
            ) from None
        except _TwiceError as twice:
            raise AnswersError(
                _("{source}: the key {key!r} is given twice").format(source=source, key=twice.key),
                _("keep one of them: the file must say which answer it means"),
            ) from None
    import tomllib  # only TOML answers files pay for it

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnswersError(toml_error(exc, text, source)) from None


def check_answers_shape(
    data: Mapping[str, Any], run: Run, source: str, problems: list[str] | None = None
) -> set[Address]:
    """Find keys that name no step, so a typo is never silently ignored.

    Returns the address of every answer the file gives. Each problem is added to
    ``problems``; without that list, the first one is raised.
    """
    found: list[str] = [] if problems is None else problems
    given = _check_level(data, list(run.playbook.steps), run, source, (), found)
    if problems is None and found:
        raise AnswersError(found[0])
    return given


def _check_level(
    data: Mapping[str, Any],
    steps: list[Step],
    run: Run,
    source: str,
    prefix: Address,
    problems: list[str],
) -> set[Address]:
    by_id = {s.id: s for s in steps}
    given: set[Address] = set()
    for key, value in data.items():
        step = by_id.get(key)
        where = format_address((*prefix, key))
        if step is None:
            close = difflib.get_close_matches(key, list(by_id), n=1)
            hint = _(" (did you mean {step!r}?)").format(step=close[0]) if close else ""
            problems.append(
                _("{source}: no step {step!r} in playbook {playbook!r}{hint}").format(
                    source=source, step=where, playbook=run.playbook.id, hint=hint
                )
            )
        elif isinstance(step, LoopStep):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                problems.append(
                    _(
                        "{source}: {step!r} is a loop; give it as an array of tables ([[{key}]])"
                    ).format(source=source, step=where, key=key)
                )
                continue
            for index, item in enumerate(value):
                inner = (*prefix, key, index)
                given |= _check_level(item, list(step.steps), run, source, inner, problems)
        elif isinstance(step, IncludeStep):
            if not isinstance(value, dict):
                problems.append(
                    _(
                        "{source}: {step!r} embeds playbook {playbook!r}; "
                        "give its answers as a table ([{key}])"
                    ).format(source=source, step=where, playbook=step.playbook, key=key)
                )
                continue
            target = run.playbooks[step.playbook]
            given |= _check_level(value, list(target.steps), run, source, (*prefix, key), problems)
        elif isinstance(step, InfoStep):
            problems.append(
                _("{source}: {step!r} is an info step and takes no answer").format(
                    source=source, step=where
                )
            )
        elif value is not None:
            given.add((*prefix, key))
    return given


_MISSING = object()


def _lookup(data: Mapping[str, Any], address: Address) -> object:
    node: object = data
    for part in address:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return _MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
    return node


def ask_from_answers(run: Run, data: Mapping[str, Any], source: str) -> None:
    """Answer every question from ``data``; AnswersError names every answer that cannot be
    used and every required one missing, in one go: past such a step, a stand-in answer
    (never saved) lets the walk go on, along the path that answer opens."""
    problems: list[str] = []
    absent: list[str] = []  # the required answers missing, among the problems
    given = check_answers_shape(data, run, source, problems)
    try:
        _walk(run, data, source, given, problems, absent)
    except AnswersError as exc:
        problems.append(exc.message if exc.hint is None else f"{exc.message} ({exc.hint})")
    if len(problems) == 1:
        raise AnswersError(problems[0], _("add it to the answers file") if absent else None)
    if problems:
        # One heading naming the file, then each problem without the file's name again.
        raise AnswersError(
            _("{source}: {count} problems in the answers file:").format(
                source=source, count=len(problems)
            )
            + "".join("\n  " + _without_source(problem, source) for problem in problems)
            # Below the list, not after its last line, which it would seem to be about.
            + ("\n" + _("Add the missing answers to the file.") if absent else "")
        )


def _without_source(problem: str, source: str) -> str:
    """A problem without the file's name it starts with, in any language's punctuation
    ("file: ..." in English, "file : ..." in French): the heading names the file once."""
    import re

    return re.sub(rf"^{re.escape(source)}\s*:\s*", "", problem)


def _walk(
    run: Run,
    data: Mapping[str, Any],
    source: str,
    given: set[Address],
    problems: list[str],
    absent: list[str],
) -> None:
    used: set[Address] = set()
    stood: set[str] = set()  # the steps a stand-in answered: what follows them may not be

    def on_stand_in(step: Step) -> bool:
        """Whether ``step`` is asked only because of a stand-in answer (its condition
        reads one): such a step missing is no problem of the file's."""
        when = getattr(step, "when", None)
        return when is not None and any(leaf.step in stood for leaf in when.leaves())

    while (question := run.current()) is not None:
        if question.kind == "info":
            run.answer(None)
            continue
        if question.kind == "more":
            items = _lookup(data, question.address[:-1])
            wanted = (
                isinstance(items, list) and question.item is not None and question.item < len(items)
            )
            run.answer(wanted)
            continue
        value = _lookup(data, question.address)
        try:
            link: str | None = None
            if isinstance(value, dict):
                value, link = _annotated(value, question, source)
            if value is not _MISSING and value is not None:
                run.answer(value, typed=False)
                used.add(question.address)
                if link is not None:
                    run.link_repeat(question.address, _earlier_named(run, question, link, source))
            elif (default := run.default_for(question)) is not None:
                run.answer(default)
            elif not question.step.required:
                run.skip()
            else:
                if not on_stand_in(question.step):
                    missing = _("{source}: no answer for required step {step!r} ({prompt})")
                    missing = missing.format(
                        source=source, step=question.path, prompt=one_line(question.step.prompt)
                    )
                    problems.append(missing)
                    absent.append(missing)
                # As past a wrong answer: a stand-in walks on, so every missing step is
                # named in one run, not one per run.
                stood.add(question.step.id)
                try:
                    run.answer(_stand_in(question.step, run), typed=False)
                except AnswerError:
                    break
        except AnswerError as exc:
            problem = _("{source}: step {step!r}: {reason}").format(
                source=source, step=question.path, reason=exc
            )
            problems.append(problem)
            default = run.default_for(question)
            if default is not None:
                run.answer(default)
            elif not question.step.required:
                run.skip()
            else:
                # Nothing is saved once a problem is found: a stand-in answer only lets the
                # walk go on, so the problems further down are reported in the same run.
                stood.add(question.step.id)
                try:
                    run.answer(_stand_in(question.step, run), typed=False)
                except AnswerError:
                    break
    unused = sorted(format_address(a) for a in given - used)
    if unused and not problems:  # with other problems, unused answers may be their effect
        shown = ", ".join(repr(u) for u in unused[:3]) + (" ..." if len(unused) > 3 else "")
        raise AnswersError(
            ngettext(
                "{source}: {count} answer was never asked for: {shown}",
                "{source}: {count} answers were never asked for: {shown}",
                len(unused),
            ).format(source=source, count=len(unused), shown=shown),
            _(
                "their condition did not hold or their loop had stopped; remove them or fix "
                "the answers they depend on"
            ),
        )


def _stand_in(step: Step, run: Run) -> object:
    """Some valid answer for ``step``, to walk on past a wrong one (never saved)."""
    from clientcoach.model.playbook import (
        ChoiceStep,
        ConfirmStep,
        DateStep,
        ListStep,
        MultiChoiceStep,
        NumberStep,
        RatingStep,
    )

    if isinstance(step, ChoiceStep):
        return step.options[0].value
    if isinstance(step, MultiChoiceStep):
        return [c.value for c in step.options[: max(step.min_selected, 1)]]
    if isinstance(step, RatingStep):
        return step.min
    if isinstance(step, NumberStep):
        return step.min if step.min is not None else 0
    if isinstance(step, ConfirmStep):
        return False
    if isinstance(step, DateStep):
        return run.today.isoformat()
    if isinstance(step, ListStep):
        return ["-"]
    return "-"


def _annotated(value: dict[str, Any], question: Question, source: str) -> tuple[object, str]:
    """An answer given as ``{value = "...", repeat_of = "ID"}``: the value and the link."""
    extra = sorted(set(value) - {"value", "repeat_of"})
    if extra or "value" not in value or not isinstance(value.get("repeat_of"), str):
        raise AnswersError(
            _(
                "{source}: step {step!r}: give the answer as text, or as a table "
                "with 'value' and 'repeat_of' (the id of the reflection it repeats)"
            ).format(source=source, step=question.path)
        )
    return value["value"], value["repeat_of"]


def _earlier_named(run: Run, question: Question, ref: str, source: str) -> Earlier:
    """The earlier answer ``ref`` names: its reflection's id (or a unique start), or its text."""
    offers = run.offers(question)
    needle = ref.strip().casefold()
    by_text = [e for e in offers if e.text.casefold() == needle]
    by_id = [e for e in offers if needle and e.reflection.casefold().startswith(needle)]
    found = by_text or by_id
    if len(found) == 1:
        return found[0]
    if not found:
        raise AnswersError(
            _("{source}: step {step!r}: repeat_of {ref!r} names no earlier answer").format(
                source=source, step=question.path, ref=ref
            ),
            _("give the id of an earlier reflection with this kind of answer, or its exact text"),
        )
    raise AnswersError(
        _("{source}: step {step!r}: repeat_of {ref!r} names {n} earlier answers").format(
            source=source, step=question.path, ref=ref, n=len(found)
        ),
        _("give more of the id, or the exact text of the one it repeats"),
    )


def refuse_without_terminal(run: Run) -> None:
    """Without a terminal nor answers: name the first required step that cannot be asked."""
    simulated = Run(run.playbook, run.playbooks, run.today)
    while (question := simulated.current()) is not None:
        if question.kind == "answer" and question.step.required:
            raise AnswersError(
                _(
                    "standard input is not a terminal, so step {step!r} ({prompt}) cannot be asked"
                ).format(step=question.path, prompt=one_line(question.step.prompt)),
                _("run it in a terminal, or pass --answers FILE"),
            )
        simulated.skip()
    raise AnswersError(
        _("standard input is not a terminal, so nothing can be asked"),
        _("run it in a terminal, or pass --answers FILE"),
    )


def one_line(text: str | None) -> str:
    # Runs of spaces and newlines become one space; no-break spaces (French) stay.
    text = re.sub(r"[^\S\u00a0\u202f]+", " ", text or "").strip(" ")
    return text if len(text) <= 70 else text[:67] + "..."
