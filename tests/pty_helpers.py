"""Drive the real ``coach`` in a pseudo-terminal, step by step, as a person would.

Steps are recognised by their prompts, read from the playbook files themselves, so the
tests do not copy the playbooks' wording. A :class:`Coach` waits for each prompt and its
input line before typing, and records the answer it expects to find in the saved file.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pexpect

REPO = Path(__file__).resolve().parents[1]
BUILTIN = REPO / "playbooks"

# Generous: a loaded machine may take seconds to start Python; a wait only ends early.
TIMEOUT = 60
# The console may wrap long lines, so only a prefix of a prompt is looked for.
NEEDLE = 40
# What the program prints when it waits for a line: "> ", or "» " for several lines.
# In colour, the mark comes wrapped in style sequences.
INPUT_MARK = "\n(?:\x1b\\[[0-9;]*m)*[>»] "
_HEADER = re.compile(r"Step (\d+) of about (\d+)")

Tree = dict[str, Any]
# The `spawn` fixture (conftest.py): starts `coach` in a pseudo-terminal.
Spawn = Callable[..., "Coach"]
PlaybookRef = str | Path


# --- playbooks ------------------------------------------------------------------------


@cache
def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _path(playbook: PlaybookRef) -> Path:
    return playbook if isinstance(playbook, Path) else BUILTIN / f"{playbook}.toml"


def _search(steps: list[dict[str, Any]], step_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for step in steps:
        if step["id"] == step_id:
            found.append(step)
        found.extend(_search(step.get("steps", []), step_id))
    return found


def find_step(playbook: PlaybookRef, step_id: str) -> dict[str, Any]:
    """The step ``step_id`` of a playbook, looking into loops' steps too."""
    path = _path(playbook)
    found = _search(_load(path)["steps"], step_id)
    assert len(found) == 1, f"{path.name}: expected one step {step_id!r}, found {len(found)}"
    return found[0]


def prompt_of(playbook: PlaybookRef, step_id: str) -> str:
    prompt: str = find_step(playbook, step_id)["prompt"]
    return prompt


def help_of(playbook: PlaybookRef, step_id: str) -> str | None:
    text: str | None = find_step(playbook, step_id).get("help")
    return text


def why_of(playbook: PlaybookRef, step_id: str) -> str | None:
    text: str | None = find_step(playbook, step_id).get("why")
    return text


def choice_count(playbook: PlaybookRef, step_id: str) -> int:
    return len(find_step(playbook, step_id)["choices"])


def needle(text: str) -> str:
    """A distinctive start of a text, short enough to never be wrapped."""
    return text[:NEEDLE]


def is_optional(playbook: PlaybookRef, step_id: str) -> bool:
    step = find_step(playbook, step_id)
    return step["type"] not in ("loop", "info") and step.get("required", True) is False


# --- saved reflections ----------------------------------------------------------------


def answer_tree(records: list[dict[str, Any]]) -> Tree:
    """A reflection's answers as step id -> value; loops as lists of items, includes nested."""
    tree: Tree = {}
    for record in records:
        step = record["step"]
        assert step not in tree, f"step {step!r} is saved twice"
        if record["type"] == "loop":
            tree[step] = [answer_tree(item) for item in record["items"]]
        elif record["type"] == "include":
            tree[step] = answer_tree(record["answers"])
        else:
            assert "value" in record, f"step {step!r} is saved without a value: {record}"
            tree[step] = record["value"]
    return tree


def saved_files(home: Path) -> list[Path]:
    folder = home / "reflections"
    return sorted(folder.glob("*/*.json")) if folder.exists() else []


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- the terminal ---------------------------------------------------------------------


def wait_until_reading(child: pexpect.spawn) -> None:
    """Wait until the program really waits for a line, before a key or signal stops it.

    Line editing (readline) turns the terminal's echo off while it waits. A SIGINT,
    SIGTERM or SIGHUP that arrives after the input mark is printed but before readline
    waits is only acted on at the next key: CPython's readline then sleeps in select()
    without seeing the signal, and the run would hang (the cause of a flaky test).
    """
    if not child.waitnoecho(timeout=TIMEOUT):
        raise AssertionError(f"the program never waited for a line within {TIMEOUT} s")


class Coach:
    """One run of ``python -m clientcoach ARGS`` in a pseudo-terminal."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        from tests.helpers import require_e2e

        require_e2e("a pseudo-terminal")
        env = dict(os.environ)  # CLIENTCOACH_HOME and NO_COLOR come from the fixture
        env["TERM"] = "xterm"
        # Long output is paged on a terminal; `cat` as the pager keeps it on the screen the
        # tests read (the pager itself is tested in tests/test_index.py).
        env.setdefault("PAGER", "cat")
        self.args = args
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "clientcoach", *args],
            env=env,
            cwd=str(cwd) if cwd is not None else None,
            encoding="utf-8",
            codec_errors="replace",  # a test may type bytes that are not UTF-8
            timeout=TIMEOUT,
            dimensions=(50, 200),
        )
        self.child.logfile_read = self.transcript
        self.last_step: int | None = None

    # --- low level ----------------------------------------------------------------

    def _fail(self, waited: str, exc: Exception) -> AssertionError:
        before = self.child.before if isinstance(self.child.before, str) else ""
        tail = self.transcript.getvalue()[-3000:]
        return AssertionError(
            f"coach {' '.join(self.args)}: waited for {waited} but got "
            f"{type(exc).__name__}\n--- unmatched output (child.before) ---\n{before}"
            f"\n--- end of the screen so far ---\n{tail}"
        )

    def expect(self, text: str) -> str:
        """Wait for ``text`` exactly; return what was printed before it."""
        try:
            self.child.expect_exact(text)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            raise self._fail(repr(text), exc) from None
        before: str = self.child.before
        return before

    def expect_re(self, pattern: str) -> str:
        """Wait for a regular expression; return the matched text."""
        try:
            self.child.expect(pattern)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            raise self._fail(f"/{pattern}/", exc) from None
        matched: str = self.child.after
        return matched

    def expect_input(self) -> str:
        """Wait until the program waits for a line; return what it printed meanwhile."""
        try:
            self.child.expect(INPUT_MARK)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            raise self._fail("an input line ('> ' or '» ')", exc) from None
        before: str = self.child.before
        return before

    def type(self, line: str) -> None:
        self.child.sendline(line)

    def interrupt(self) -> None:
        """Ctrl-C, once the program waits for a line (see :func:`wait_until_reading`)."""
        wait_until_reading(self.child)
        self.child.sendintr()

    def end_input(self) -> None:
        """Ctrl-D on an empty line, once the program waits for one."""
        wait_until_reading(self.child)
        self.child.sendeof()

    def signal(self, signum: int) -> None:
        """Send a signal (SIGTERM, SIGHUP) once the program waits for a line."""
        wait_until_reading(self.child)
        self.child.kill(signum)

    def finish(self) -> int:
        """Wait for the program to end; its exit status."""
        try:
            self.child.expect(pexpect.EOF)
        except pexpect.TIMEOUT as exc:
            raise self._fail("the end of the program", exc) from None
        self.child.close()
        status = self.child.exitstatus
        assert status is not None, f"killed by signal {self.child.signalstatus}"
        return int(status)

    def summary(self) -> str:
        """Wait for the summary shown before saving; return it (up to the input line)."""
        self.expect("Your answers")
        shown = self.expect_input()
        assert "Enter saves" in shown, f"no save hint under the summary:\n{shown}"
        return shown

    def save(self) -> int:
        """Accept the summary with Enter and wait for the end; the exit status."""
        self.summary()
        self.type("")
        return self.finish()

    def kill(self) -> None:
        if self.child.isalive():
            self.child.close(force=True)

    @property
    def screen(self) -> str:
        return self.transcript.getvalue()

    # --- steps ---------------------------------------------------------------------

    def at_step(self, playbook: PlaybookRef, step_id: str) -> str:
        """Wait for a step to be asked; return its hints (what follows the prompt)."""
        before = self.expect(needle(prompt_of(playbook, step_id)))
        headers = _HEADER.findall(before)
        assert headers, f"no 'Step N of about M' line before step {step_id!r}:\n{before}"
        self.last_step = int(headers[-1][0])
        shown = self.expect_input()
        optional = is_optional(playbook, step_id)
        assert ("(optional)" in shown) == optional, (
            f"step {step_id!r} is {'optional' if optional else 'required'} "
            f"but the screen says:\n{shown}"
        )
        return shown

    def answer(
        self,
        playbook: PlaybookRef,
        step_id: str,
        typed: str,
        into: Tree,
        value: Any = ...,
    ) -> None:
        """Answer a step by typing ``typed``; ``value`` (default: the typed text) is expected."""
        self.at_step(playbook, step_id)
        self.type(typed)
        into[step_id] = typed if value is ... else value

    def skip(self, playbook: PlaybookRef, step_id: str, into: Tree) -> None:
        """Skip an optional step with Enter; it is saved as null."""
        self.at_step(playbook, step_id)
        self.type("")
        self.expect("Skipped.")
        into[step_id] = None

    def lines(self, playbook: PlaybookRef, step_id: str, items: list[str], into: Tree) -> None:
        """Answer a list step: one item a line, then an empty line."""
        self.at_step(playbook, step_id)
        for item in items:
            self.type(item)
            self.expect("» ")
        self.type("")
        into[step_id] = items

    def more(self, playbook: PlaybookRef, loop_id: str, typed: str) -> None:
        """Answer a loop's "another one?" question (nothing of it is saved)."""
        shown = self.at_step(playbook, loop_id)
        assert "Enter = no" in shown, f"loop {loop_id!r}: no 'Enter = no' hint:\n{shown}"
        self.type(typed)

    def info(self, playbook: PlaybookRef, step_id: str) -> None:
        """An info step is only shown."""
        self.expect(needle(prompt_of(playbook, step_id)))

    def ask_help(self, playbook: PlaybookRef, step_id: str) -> None:
        """Type ``?`` at the current step and check its help and why are shown."""
        self.type("?")
        step_help, step_why = help_of(playbook, step_id), why_of(playbook, step_id)
        assert step_help or step_why, f"step {step_id!r} has no help to show"
        if step_help:
            self.expect("How to answer: " + needle(step_help))
        if step_why:
            self.expect("Why it matters: " + needle(step_why))
        shown = self.expect_input()
        assert "Step " not in shown, f"help moved to another step:\n{shown}"

    def go_back(self) -> None:
        self.type("<")
        self.expect("Back one step.")

    def reject(self, typed: str, *expected: str) -> str:
        """Type an invalid answer: an error is shown and the same step waits again."""
        self.type(typed)
        shown = self.expect_input()
        # The echo of what was typed may come first (line editing may not echo an empty
        # line), then the message.
        lines = shown.split("\n")
        if lines and lines[0].strip() == typed.strip():
            lines = lines[1:]
        message = "\n".join(lines)
        assert message.strip(), f"no message after the invalid answer {typed!r}"
        for text in expected:
            assert text in message, f"after {typed!r}, expected {text!r} in:\n{message}"
        assert not _HEADER.search(message), f"{typed!r} moved on to another step:\n{message}"
        return message
