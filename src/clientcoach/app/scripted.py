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
from clientcoach.i18n import _
from clientcoach.model.playbook import IncludeStep, InfoStep, LoopStep, Step
from clientcoach.storage.playbooks import toml_error

# --- answers files --------------------------------------------------------------------


def load_answers(path: Path) -> dict[str, Any]:
    """Read an answers file (TOML or JSON: step id to value, loops as arrays of tables)."""
    from clientcoach.storage import safe

    try:
        raw = safe.read_bytes(path, safe.ANSWERS_LIMIT)
    except OSError as exc:
        raise AnswersError(f"{path}: cannot read answers file ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AnswersError(f"{path}: the answers file is not UTF-8 text") from None
    is_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    try:
        data = _parse_answers(text, is_json, str(path))
    except (ValueError, RecursionError) as exc:
        # e.g. an integer of thousands of digits, or nesting deeper than Python allows
        raise AnswersError(f"{path}: cannot read answers file ({exc})") from None
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: an answers file maps step ids to answers (a table / object)")
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
            raise AnswersError(f"{where}: JSON syntax error: {exc.msg}") from None
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


def check_answers_shape(data: Mapping[str, Any], run: Run, source: str) -> set[Address]:
    """Refuse keys that name no step, so a typo is never silently ignored.

    Returns the address of every answer the file gives.
    """
    return _check_level(data, list(run.playbook.steps), run, source, ())


def _check_level(
    data: Mapping[str, Any], steps: list[Step], run: Run, source: str, prefix: Address
) -> set[Address]:
    by_id = {s.id: s for s in steps}
    given: set[Address] = set()
    for key, value in data.items():
        step = by_id.get(key)
        where = format_address((*prefix, key))
        if step is None:
            close = difflib.get_close_matches(key, list(by_id), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise AnswersError(f"{source}: no step {where!r} in playbook {run.playbook.id!r}{hint}")
        if isinstance(step, LoopStep):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise AnswersError(
                    f"{source}: {where!r} is a loop; give it as an array of tables ([[{key}]])"
                )
            for index, item in enumerate(value):
                given |= _check_level(item, list(step.steps), run, source, (*prefix, key, index))
        elif isinstance(step, IncludeStep):
            if not isinstance(value, dict):
                raise AnswersError(
                    f"{source}: {where!r} embeds playbook {step.playbook!r}; "
                    f"give its answers as a table ([{key}])"
                )
            target = run.playbooks[step.playbook]
            given |= _check_level(value, list(target.steps), run, source, (*prefix, key))
        elif isinstance(step, InfoStep):
            raise AnswersError(f"{source}: {where!r} is an info step and takes no answer")
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
    """Answer every question from ``data``; AnswersError names the first that cannot be."""
    given = check_answers_shape(data, run, source)
    used: set[Address] = set()
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
                raise AnswersError(
                    _("{source}: no answer for required step {step!r} ({prompt})").format(
                        source=source, step=question.path, prompt=one_line(question.step.prompt)
                    ),
                    _("add it to the answers file"),
                )
        except AnswerError as exc:
            raise AnswersError(f"{source}: step {question.path!r}: {exc}") from None
    unused = sorted(format_address(a) for a in given - used)
    if unused:
        shown = ", ".join(repr(u) for u in unused[:3]) + (" ..." if len(unused) > 3 else "")
        raise AnswersError(
            _("{source}: {count} answer(s) were never asked for: {shown}").format(
                source=source, count=len(unused), shown=shown
            ),
            _(
                "their condition did not hold or their loop had stopped; remove them or fix "
                "the answers they depend on"
            ),
        )


def _annotated(value: dict[str, Any], question: Question, source: str) -> tuple[object, str]:
    """An answer given as ``{value = "...", repeat_of = "ID"}``: the value and the link."""
    extra = sorted(set(value) - {"value", "repeat_of"})
    if extra or "value" not in value or not isinstance(value.get("repeat_of"), str):
        raise AnswersError(
            f"{source}: step {question.path!r}: give the answer as text, or as a table "
            "with 'value' and 'repeat_of' (the id of the reflection it repeats)"
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
            f"{source}: step {question.path!r}: repeat_of {ref!r} names no earlier answer",
            "give the id of an earlier reflection with this kind of answer, or its exact text",
        )
    raise AnswersError(
        f"{source}: step {question.path!r}: repeat_of {ref!r} names {len(found)} earlier answers",
        "give more of the id, or the exact text of the one it repeats",
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
